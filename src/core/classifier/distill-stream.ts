/**
 * `distill` over texts that stream (stream.ts): the train worker reads them from storage chunk by
 * chunk and the CLI slices its array, so neither holds every text's features, only the training
 * rows' (within the feature budget). Under the budget it trains the same model as `distill` on
 * the same texts (the features are the same, then the same training runs: `distillFeatures`);
 * over it, on a seeded sample of the training rows, and the result says so in one sentence.
 */
import { ShoalError } from '../types.ts';
import { type DistillOptions, type DistillResult, distillFeatures } from './index.ts';
import { featurizeStream, sampleNote, type TextSource, type TrainingSample, transformSource } from './stream.ts';

export interface StreamDistillInput {
  /** Every training text; the vocabulary and idf are fitted on all of them, voted on or not. */
  source: TextSource;
  /** n × k label-model probabilities, row-major. */
  proba: ArrayLike<number>;
  k: number;
  /** Rows to learn from (default all). */
  rows?: ArrayLike<number>;
  classes?: readonly string[];
  /** Gold-labelled dev rows for early stopping. */
  dev?: { source: TextSource; labels: ArrayLike<number> };
}

export interface StreamDistillOptions extends DistillOptions {
  /** Most hashed feature entries the training rows may hold (stream.ts `DEFAULT_FEATURE_BUDGET`). */
  featureBudget?: number;
  /** Featurization progress: the fraction of the current pass over the texts, and what it does. */
  onFeaturize?: (fraction: number, message: string) => void;
}

export interface StreamDistillResult extends Omit<DistillResult, 'trainFeatures'> {
  /** Training rows the classifier learned from (all given, or the sample). */
  trainRows: number;
  /** Set when the training rows were sampled to fit the budget; `sampleNote` says it in a sentence. */
  sample?: TrainingSample;
  sampleNote?: string;
  /** Passes over the texts the featurization made. */
  passes: number;
}

export async function distillStream(input: StreamDistillInput, opts: StreamDistillOptions = {}): Promise<StreamDistillResult> {
  const { source, proba, k } = input;
  if (proba.length !== source.n * k) {
    throw new ShoalError(`label-model probabilities have ${proba.length} values, expected ${source.n} rows × ${k} classes`);
  }
  const classes = input.classes ?? Array.from({ length: k }, (_, c) => String(c));
  if (classes.length !== k) throw new ShoalError(`${classes.length} class names given for ${k} classes`);
  const rows = input.rows ?? Uint32Array.from({ length: source.n }, (_, i) => i);
  const f = await featurizeStream(source, rows, {
    features: opts.features,
    vocabulary: opts.vocabulary,
    budget: opts.featureBudget,
    seed: opts.seed,
    signal: opts.signal,
    onProgress: opts.onFeaturize,
  });
  const dev = input.dev ? { X: await transformSource(input.dev.source, f.features, f.vocab, opts.signal), y: input.dev.labels } : undefined;
  const trained = await distillFeatures(
    { features: f.features, vocab: f.vocab, Xtr: f.Xtr, rows: f.rows, dev },
    { proba, k, classes },
    opts,
  );
  return {
    ...trained,
    trainRows: f.rows.length,
    sample: f.sample,
    sampleNote: f.sample && sampleNote(f.sample),
    passes: f.passes,
  };
}
