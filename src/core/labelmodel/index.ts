/**
 * The label-model registry: one interface, strategies by name (docs/conventions.md, habit 4).
 */
import { ShoalError } from '../types.ts';
import { AutoLabelModel } from './auto.ts';
import { DawidSkene } from './ds.ts';
import { MajorityVote } from './mv.ts';
import { MetalLabelModel, type MetalOptions } from './metal.ts';
import { TripletLabelModel } from './triplet.ts';
import { WeightedMajorityVote } from './wmv.ts';
import { LABEL_MODEL_NAMES, type LabelModel, type LabelModelName } from './types.ts';
import type { CopiesRule } from './copies.ts';

export type { LabelModel, LabelModelName, FitOptions, LabelModelSummary } from './types.ts';
export { LABEL_MODEL_NAMES, isLabelModelName } from './types.ts';

export interface CreateOptions {
  metal?: MetalOptions;
  /** `auto` only: count each group of copied LFs once (copies.ts), or keep every column (default). */
  copies?: CopiesRule;
}

export function createLabelModel(name: LabelModelName | string, options: CreateOptions = {}): LabelModel {
  switch (name) {
    case 'mv':
      return new MajorityVote();
    case 'metal':
      return new MetalLabelModel(options.metal);
    case 'ds':
      return new DawidSkene();
    case 'triplet':
      return new TripletLabelModel();
    case 'wmv':
      return new WeightedMajorityVote();
    case 'auto':
      return new AutoLabelModel(options);
    default:
      throw new ShoalError(`unknown label model "${name}"; choose one of ${LABEL_MODEL_NAMES.join(', ')}`);
  }
}
