/**
 * The one interface every label model implements: fit on a label matrix, then turn votes into
 * P(y | votes). Strategies are picked by name from the registry (labelmodel/index.ts).
 */
import type { LabelMatrix } from '../matrix.ts';
import type { Metric, TiePolicy } from '../types.ts';
import type { CandidateScore, Selection } from './select.ts';
import type { Explainer } from './attribution.ts';

/** Every label model by name, in the order the model screen offers them; defined once here. */
export const LABEL_MODEL_NAMES = ['auto', 'mv', 'metal', 'ds', 'triplet', 'wmv'] as const;
export type LabelModelName = (typeof LABEL_MODEL_NAMES)[number];

export function isLabelModelName(s: unknown): s is LabelModelName {
  return typeof s === 'string' && (LABEL_MODEL_NAMES as readonly string[]).includes(s);
}

export interface FitOptions {
  /** P(Y = y). When absent: estimated from devY if given (models that use a prior), else uniform. */
  classBalance?: ArrayLike<number>;
  devL?: LabelMatrix;
  devY?: ArrayLike<number>;
  seed?: number;
  /** Metric `auto` selects by on the dev set. */
  metric?: Metric;
  tie?: TiePolicy;
  /** 0..1 progress; called at most every few ms. */
  onProgress?: (fraction: number, message?: string) => void;
  signal?: AbortSignal;
}

export interface LabelModel {
  readonly name: LabelModelName | string;
  fit(L: LabelMatrix, options?: FitOptions): Promise<void>;
  /** n × k row-major probabilities; rows where every LF abstains get the class prior. */
  predictProba(L: LabelMatrix): Float32Array;
  /** What the fit learned, for reports (e.g. learned LF accuracies, chosen candidate). */
  summary(): LabelModelSummary;
  /** The learned parameters as per-LF log-odds terms (attribution.ts), or why the model has none; absent = not defined. */
  explainer?(): Explainer;
}

export interface LabelModelSummary {
  model: string;
  /** For `auto`: which model it chose and every candidate's dev score. */
  chosen?: string;
  candidates?: CandidateScore[];
  /** For `auto`: which rule chose (select.ts), on how many dev rows; explainSelection turns it into a sentence. */
  selection?: Selection;
  /** Learned per-LF accuracy P(vote correct | vote), in column order, where the model has one. */
  lfAccuracy?: number[];
  classBalance?: number[];
  /** Which compute path ran, e.g. "typed-array", "tfjs-wasm". */
  backend?: string;
  warnings?: string[];
}
