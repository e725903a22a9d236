/**
 * The distilled classifier, end to end: label-model probabilities + texts → a small sparse
 * n-gram classifier that generalises beyond LF coverage (Snorkel's "train a discriminative end
 * model on the probabilistic labels"). Featurize (featurize.ts), train with tfjs (train.ts),
 * predict without tfjs (model.ts), export to ONNX (onnx.ts).
 */
import type { LabelMatrix } from '../matrix.ts';
import { ShoalError } from '../types.ts';
import { type Csr, DEFAULT_FEATURES, type FeatureSpec, fitVocabulary, hashTexts, selectRows, transform, type VocabularyOptions } from './featurize.ts';
import type { DistilledClassifier } from './model.ts';
import { type TrainOptions, type TrainResult, trainLinear } from './train.ts';

export * from './featurize.ts';
export * from './model.ts';
export * from './train.ts';
export * from './onnx.ts';
export { murmur3 } from './hash.ts';

export interface DistillInput {
  /** Every training text; the vocabulary and idf are fitted on all of them, voted on or not. */
  texts: readonly string[];
  /** n × k label-model probabilities, row-major. */
  proba: ArrayLike<number>;
  k: number;
  /** Rows to learn from (default: those where at least one LF voted, when `L` is given; else all). */
  rows?: ArrayLike<number>;
  L?: LabelMatrix;
  classes?: readonly string[];
  /** Gold-labelled dev rows for early stopping. */
  dev?: { texts: readonly string[]; labels: ArrayLike<number> };
}

export interface DistillOptions extends Omit<TrainOptions, 'dev'> {
  features?: Partial<FeatureSpec>;
  vocabulary?: VocabularyOptions;
}

/** Rows where at least one LF voted: the only rows the label model says anything about. */
export function coveredRows(L: LabelMatrix): Uint32Array {
  const { rowPtr } = L.rows();
  let c = 0;
  for (let i = 0; i < L.n; i++) if (rowPtr[i + 1] > rowPtr[i]) c++;
  const out = new Uint32Array(c);
  for (let i = 0, q = 0; i < L.n; i++) if (rowPtr[i + 1] > rowPtr[i]) out[q++] = i;
  return out;
}

export async function distill(input: DistillInput, opts: DistillOptions = {}): Promise<{ classifier: DistilledClassifier; train: TrainResult; trainFeatures: Csr }> {
  const { texts, proba, k } = input;
  if (proba.length !== texts.length * k) {
    throw new ShoalError(`label-model probabilities have ${proba.length} values, expected ${texts.length} rows × ${k} classes`);
  }
  if (input.L && input.L.n !== texts.length) throw new ShoalError(`label matrix has ${input.L.n} rows but there are ${texts.length} texts`);
  const features: FeatureSpec = { ...DEFAULT_FEATURES, ...opts.features };
  const raw = hashTexts(texts, features);
  const vocab = fitVocabulary(raw, opts.vocabulary);
  const X = transform(raw, vocab);
  const rows = input.rows ?? (input.L ? coveredRows(input.L) : Uint32Array.from({ length: texts.length }, (_, i) => i));
  for (let t = 0; t < rows.length; t++) {
    if (!Number.isInteger(rows[t]) || rows[t] < 0 || rows[t] >= texts.length) {
      throw new ShoalError(`training row ${rows[t]} is outside the ${texts.length} texts`);
    }
  }
  const targets = new Float32Array(rows.length * k);
  for (let t = 0; t < rows.length; t++) for (let c = 0; c < k; c++) targets[t * k + c] = proba[rows[t] * k + c];
  const dev = input.dev ? { X: transform(hashTexts(input.dev.texts, features), vocab), y: input.dev.labels } : undefined;
  const train = await trainLinear(selectRows(X, rows), targets, k, { ...opts, dev });
  const classes = input.classes ?? Array.from({ length: k }, (_, c) => String(c));
  if (classes.length !== k) throw new ShoalError(`${classes.length} class names given for ${k} classes`);
  return { classifier: { features, vocab, model: train.model, classes }, train, trainFeatures: X };
}
