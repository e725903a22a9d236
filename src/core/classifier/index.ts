/**
 * The distilled classifier, end to end: label-model probabilities + texts → a small sparse
 * n-gram classifier that generalises beyond LF coverage (Snorkel's "train a discriminative end
 * model on the probabilistic labels"). Featurize (featurize.ts), train with tfjs (train.ts),
 * predict without tfjs (model.ts), export to ONNX (onnx.ts).
 */
import type { LabelMatrix } from '../matrix.ts';
import { predictLabels } from '../metrics.ts';
import { ABSTAIN, ShoalError } from '../types.ts';
import {
  bucketGrams,
  corpusBuckets,
  type Csr,
  DEFAULT_FEATURES,
  type FeatureSpec,
  fitVocabulary,
  hashTexts,
  selectRows,
  transform,
  type Vocabulary,
  type VocabularyOptions,
} from './featurize.ts';
import { hashGrams, markBuckets } from './grams.ts';
import type { DistilledClassifier } from './model.ts';
import { type EpochReport, type TrainOptions, type TrainResult, trainLinear } from './train.ts';

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

export interface DistillOptions extends Omit<TrainOptions, 'dev' | 'onProgress'> {
  /**
   * Featurization; what is left out comes from `DEFAULT_FEATURES`, except `buckets`: left out, it
   * is sized to the training texts (`corpusBuckets`: 2^18 unless they hold more distinct n-grams,
   * up to 2^22). The size used is in the result's `classifier.features.buckets`.
   */
  features?: Partial<FeatureSpec>;
  vocabulary?: VocabularyOptions;
  /**
   * What the classifier is fitted to. 'soft': the label model's probabilities (noise-aware
   * cross-entropy). 'hard': their argmax (Snorkel's tie rule on the row position), what
   * scikit-learn baselines and WRENCH's LR train on. 'auto' (default): both, keeping the better
   * dev score (soft on a tie, and soft alone without dev labels). Why both: soft targets are
   * only as good as the label model's calibration. A label model that is right but unsure
   * (e.g. weighted MV on youtube, a quarter of the rows near 0.5) leaves many rows near the
   * decision boundary and dev accuracy swinging between 0.58 and 0.77 from one epoch to the next,
   * where the argmax labels reach 0.91; on sms (Snorkel's model) soft beats hard, 0.84 to 0.73 dev F1.
   */
  targets?: 'auto' | 'soft' | 'hard';
  /**
   * Per-row loss weights from the label model's confidence. 'confidence' (default): how far a
   * row's top probability sits above uniform, (k·max − 1)/(k − 1), rescaled to mean 1 over the
   * training rows, so rows the label model is unsure about pull less. For hard targets this is
   * the only trace of that doubt left; for soft targets it also stops near-uniform rows from
   * dragging the classifier toward uniform predictions. Measured on the WRENCH sets with `auto`
   * labels, when this was added (bench:distill at several seeds): semeval test accuracy over six
   * seeds 0.786 → 0.792 on average, sms F1 0.79 → 0.82–0.84, youtube and trec unchanged within
   * noise. 'max': the top probability itself (rescaled the same way). 'none': every row weighs
   * 1. Ignored when `rowWeights` is given.
   */
  weighting?: 'confidence' | 'max' | 'none';
  onProgress?: (e: EpochReport & { targets: 'soft' | 'hard' }) => void;
}

export interface DistillResult {
  classifier: DistilledClassifier;
  /** The kept run. */
  train: TrainResult & { targets: 'soft' | 'hard' };
  /** Every run's best dev score (one entry unless targets = 'auto' with dev labels). */
  candidates: { targets: 'soft' | 'hard'; bestDevScore?: number; bestEpoch: number; ms: number }[];
  /** Why it trained once or twice, in one sentence (targets = 'auto' with dev labels). */
  targetsNote?: string;
  trainFeatures: Csr;
}

/** Rows where at least one LF voted: the only rows the label model says anything about. */
export function coveredRows(L: LabelMatrix): Uint32Array {
  const n = L.n;
  // From the sparse row index when it exists; otherwise one pass over the column bytes, which at
  // 500k rows is several times cheaper than building that index for this alone.
  const covered = new Uint8Array(n);
  if (L.hasRowIndex()) {
    const { rowPtr } = L.rows();
    for (let i = 0; i < n; i++) if (rowPtr[i + 1] > rowPtr[i]) covered[i] = 1;
  } else {
    // Branch-free: 1 + (v >> 31) is 1 for a vote and 0 for ABSTAIN (-1), as in LabelMatrix.rows().
    for (const col of L.columns()) for (let i = 0; i < n; i++) covered[i] |= 1 + (col[i] >> 31);
  }
  let c = 0;
  for (let i = 0; i < n; i++) c += covered[i];
  const out = new Uint32Array(c);
  for (let i = 0, q = 0; i < n; i++) if (covered[i]) out[q++] = i;
  return out;
}

export async function distill(input: DistillInput, opts: DistillOptions = {}): Promise<DistillResult> {
  const { texts, proba, k } = input;
  if (proba.length !== texts.length * k) {
    throw new ShoalError(`label-model probabilities have ${proba.length} values, expected ${texts.length} rows × ${k} classes`);
  }
  if (input.L && input.L.n !== texts.length) throw new ShoalError(`label matrix has ${input.L.n} rows but there are ${texts.length} texts`);
  let features: FeatureSpec = { ...DEFAULT_FEATURES, ...opts.features, buckets: opts.features?.buckets ?? DEFAULT_FEATURES.buckets };
  // Tokenized and hashed once (grams.ts); the table is sized from the n-grams' occupancy of the
  // default-size table, then filled from the same hashed n-grams.
  const grams = hashGrams(texts, features);
  if (opts.features?.buckets === undefined) {
    features = { ...features, buckets: corpusBuckets(markBuckets(grams, new Uint8Array(DEFAULT_FEATURES.buckets))) };
  }
  const raw = bucketGrams(grams, features);
  const vocab = fitVocabulary(raw, opts.vocabulary);
  const X = transform(raw, vocab);
  const rows = input.rows ?? (input.L ? coveredRows(input.L) : Uint32Array.from({ length: texts.length }, (_, i) => i));
  for (let t = 0; t < rows.length; t++) {
    if (!Number.isInteger(rows[t]) || rows[t] < 0 || rows[t] >= texts.length) {
      throw new ShoalError(`training row ${rows[t]} is outside the ${texts.length} texts`);
    }
  }
  const classes = input.classes ?? Array.from({ length: k }, (_, c) => String(c));
  if (classes.length !== k) throw new ShoalError(`${classes.length} class names given for ${k} classes`);
  const dev = input.dev ? { X: transform(hashTexts(input.dev.texts, features), vocab), y: input.dev.labels } : undefined;
  const trained = await distillFeatures({ features, vocab, Xtr: selectRows(X, rows), rows, dev }, { proba, k, classes }, opts);
  return { ...trained, trainFeatures: X };
}

/** Features ready for training: row t of `Xtr` is the text at `rows[t]` (which indexes `proba`). */
export interface DistillFeatures {
  features: FeatureSpec;
  vocab: Vocabulary;
  Xtr: Csr;
  rows: ArrayLike<number>;
  dev?: { X: Csr; y: ArrayLike<number> };
}

/**
 * `distill` once the texts are featurized: the targets (soft, hard or both), the row weights and
 * the training runs. Shared with the streamed path (distill-stream.ts), so both train alike.
 */
export async function distillFeatures(
  f: DistillFeatures,
  input: { proba: ArrayLike<number>; k: number; classes: readonly string[] },
  opts: DistillOptions = {},
): Promise<Omit<DistillResult, 'trainFeatures'>> {
  const { features, vocab, Xtr, rows, dev } = f;
  const { proba, k, classes } = input;
  const mode = opts.targets ?? 'auto';
  let kinds: ('soft' | 'hard')[] = mode === 'auto' ? (dev && dev.X.n > 0 ? ['soft', 'hard'] : ['soft']) : [mode];
  const targetsOf = {
    soft: () => trainingTargets(proba, k, rows, 'soft', opts.seed ?? 0),
    hard: () => trainingTargets(proba, k, rows, 'hard', opts.seed ?? 0),
  };
  let targetsNote: string | undefined;
  if (kinds.length === 2) {
    // Same targets, same model (training is deterministic per seed): the second run would only
    // repeat the first. Otherwise dev decides, and the note says on how many rows they differ.
    const differ = differingRows(targetsOf.soft(), targetsOf.hard(), k);
    if (differ === 0) {
      kinds = ['soft'];
      targetsNote = `trained once: every training row's label-model posterior is one-hot, so soft and hard targets are the same`;
    } else
      targetsNote = `trained twice: soft and hard targets differ on ${differ.toLocaleString('en-US')} of ${rows.length.toLocaleString('en-US')} training rows, and dev gold picks the better`;
  }
  const candidates: DistillResult['candidates'] = [];
  let best: (TrainResult & { targets: 'soft' | 'hard' }) | undefined;
  const rowWeights = opts.rowWeights ?? confidenceWeights(proba, k, rows, opts.weighting ?? 'confidence');
  for (const kind of kinds) {
    const targets = targetsOf[kind]();
    const onProgress = opts.onProgress;
    const run = await trainLinear(Xtr, targets, k, {
      ...opts,
      rowWeights,
      dev,
      onProgress: onProgress && ((e) => onProgress({ ...e, targets: kind })),
    });
    candidates.push({ targets: kind, bestDevScore: run.bestDevScore, bestEpoch: run.bestEpoch, ms: run.ms });
    // Strictly better only: on a tie the soft (first) run stays.
    if (!best || (run.bestDevScore ?? -Infinity) > (best.bestDevScore ?? -Infinity)) best = { ...run, targets: kind };
  }
  return { classifier: { features, vocab, model: best!.model, classes }, train: best!, candidates, targetsNote };
}

/** Rows (of `k` targets each) where two target arrays differ. */
function differingRows(a: Float32Array, b: Float32Array, k: number): number {
  let d = 0;
  for (let t = 0; t < a.length; t += k) {
    for (let c = 0; c < k; c++) {
      if (a[t + c] !== b[t + c]) {
        d++;
        break;
      }
    }
  }
  return d;
}

/**
 * Loss weights from the label model's confidence per training row (`rows` index `proba`), mean 1;
 * undefined for 'none' or when no row carries any confidence (all exactly uniform).
 */
export function confidenceWeights(
  proba: ArrayLike<number>,
  k: number,
  rows: ArrayLike<number>,
  mode: 'confidence' | 'max' | 'none',
): Float32Array | undefined {
  if (mode === 'none' || rows.length === 0) return undefined;
  const w = new Float32Array(rows.length);
  let sum = 0;
  for (let t = 0; t < rows.length; t++) {
    let max = 0;
    for (let c = 0; c < k; c++) max = Math.max(max, proba[rows[t] * k + c]);
    w[t] = mode === 'max' ? max : k > 1 ? Math.max(0, (k * max - 1) / (k - 1)) : 1;
    sum += w[t];
  }
  // Every row exactly uniform: no confidence signal at all, so equal weights.
  if (!(sum > 0)) return undefined;
  // Mean 1, so the learning rate means the same as unweighted.
  const scale = rows.length / sum;
  for (let t = 0; t < rows.length; t++) w[t] *= scale;
  return w;
}

/** Targets for the training rows: probabilities as given, or one-hot argmax (Snorkel tie rule). */
function trainingTargets(proba: ArrayLike<number>, k: number, rows: ArrayLike<number>, kind: 'soft' | 'hard', seed: number): Float32Array {
  const out = new Float32Array(rows.length * k);
  for (let t = 0; t < rows.length; t++) {
    const i = rows[t];
    if (kind === 'soft') {
      for (let c = 0; c < k; c++) out[t * k + c] = proba[i * k + c];
      continue;
    }
    const row = Float32Array.from({ length: k }, (_, c) => proba[i * k + c]);
    // rowOffset = the row's position in the dataset, so ties break as Snorkel/WRENCH break them.
    out[t * k + predictLabels(row, k, 'snorkel', seed, i)[0]] = 1;
  }
  return out;
}
