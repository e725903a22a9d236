/**
 * What the Model screen shows, computed from typed arrays: per-split scores of a probability
 * matrix against gold (accuracy, F1, coverage), the label distribution, each LF's learned
 * accuracy beside its empirical one, the warnings that save users from silent mistakes, and
 * the error-analysis lists; and the distilled classifier's user settings (defaults from core,
 * validation, what is stored and bundled, what the train worker gets). Pure (no DOM, no
 * Svelte), so it is tested in Node.
 *
 * Scoring follows src/core/metrics.ts: Snorkel's tie rule on the row's dataset position, gold
 * -1 rows skipped, F1 binary (positive = class 1) for two classes and macro otherwise — as
 * WRENCH reports them.
 */
import { countGold } from '../core/gold-labels.ts';
import { analyze, columnStats, type ColumnStats } from '../core/analysis.ts';
import { DEFAULT_FEATURES, TRAIN_DEFAULTS, type FeatureSpec } from '../core/classifier/index.ts';
import type { LabelMatrix } from '../core/matrix.ts';
import { accuracy, confusionMatrix, coverage, f1Binary, f1Macro, predictLabels, type Confusion } from '../core/metrics.ts';
import { ABSTAIN } from '../core/types.ts';

// What the model screens show of the label models (the UI reaches core through the app layer).
export { LABEL_MODEL_NAMES, type LabelModelName } from '../core/labelmodel/index.ts';
export { explainSelection } from '../core/labelmodel/auto.ts';

export interface SplitScores {
  accuracy: number;
  f1: number;
  /** Fraction of the split's rows with at least one LF vote. */
  coverage: number;
  /** Gold-labelled rows scored. */
  gold: number;
}

/** Hard labels with Snorkel's tie rule (what WRENCH scores label models with). */
export function hardLabels(proba: Float32Array, k: number): Int32Array {
  return predictLabels(proba, k, 'snorkel');
}

export function f1For(pred: ArrayLike<number>, gold: ArrayLike<number>, k: number): number {
  return k === 2 ? f1Binary(pred, gold, 1) : f1Macro(pred, gold, k);
}

export function scoreSplit(pred: Int32Array, gold: Int32Array, k: number, L?: LabelMatrix): SplitScores {
  return { accuracy: accuracy(pred, gold), f1: f1For(pred, gold, k), coverage: L ? coverage(L) : NaN, gold: countGold(gold) };
}

/** Share of each class among the hard labels (abstains left out). */
export function labelDistribution(pred: ArrayLike<number>, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  let total = 0;
  for (let i = 0; i < pred.length; i++) {
    if (pred[i] < 0) continue;
    counts[pred[i]]++;
    total++;
  }
  return counts.map((c) => (total ? c / total : 0));
}

/** Class balance from dev gold (add-one smoothing, so an unseen class keeps some mass). */
export function balanceFromGold(gold: ArrayLike<number>, k: number): number[] | null {
  const counts = new Array<number>(k).fill(1);
  let seen = 0;
  for (let i = 0; i < gold.length; i++) {
    if (gold[i] < 0 || gold[i] >= k) continue;
    counts[gold[i]]++;
    seen++;
  }
  if (seen === 0) return null;
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => c / total);
}

/**
 * Parse a typed class balance: numbers separated by commas/spaces, one per class, positive;
 * normalised to sum 1. Returns an error sentence instead of throwing (it is form input).
 */
export function parseBalance(text: string, k: number): number[] | string {
  const parts = text.split(/[\s,;]+/).filter(Boolean);
  if (parts.length !== k) return `type ${k} numbers, one per class (got ${parts.length})`;
  const nums = parts.map(Number);
  if (nums.some((x) => !Number.isFinite(x) || x <= 0)) return 'every class needs a positive number';
  const s = nums.reduce((a, b) => a + b, 0);
  return nums.map((x) => x / s);
}

export interface LfAccuracyRow {
  name: string;
  learned: number | null;
  empirical: number | null;
  /** Dev rows it voted on that have gold. */
  devVotes: number;
  polarity: number[];
  coverage: number;
}

/** Each LF's learned accuracy (from the label model) beside its empirical accuracy on dev gold. */
export function lfAccuracyTable(
  names: readonly string[],
  learned: readonly number[] | undefined,
  train: LabelMatrix,
  dev: LabelMatrix,
  devGold: Int32Array,
  /** `columnStats(train)` when the caller has it already. */
  trainStats: readonly ColumnStats[] = columnStats(train),
): LfAccuracyRow[] {
  const tr = trainStats;
  const dv = dev.n > 0 ? analyze(dev, devGold).lfs : [];
  return names.map((name, j) => {
    const d = dv[j];
    const judged = d ? (d.correct ?? 0) + (d.incorrect ?? 0) : 0;
    return {
      name,
      learned: learned && Number.isFinite(learned[j]) ? learned[j] : null,
      empirical: judged > 0 ? (d!.empiricalAccuracy ?? null) : null,
      devVotes: judged,
      polarity: tr[j]?.polarity ?? [],
      coverage: tr[j]?.coverage ?? 0,
    };
  });
}

/** Warnings where users get hurt, as sentences that say what to do. */
export function modelWarnings(opts: {
  L: LabelMatrix;
  lfNames: readonly string[];
  classes: readonly string[];
  balance: 'dev' | 'uniform' | 'custom';
  devGold: number;
  /** `columnStats(L)` when the caller has it already. */
  stats?: readonly ColumnStats[];
}): string[] {
  const { L, classes } = opts;
  const out: string[] = [];
  if (L.m === 0) return ['No enabled LF has votes: write or run some LFs first.'];
  if (L.m < 3)
    out.push(
      `Only ${L.m} LF${L.m === 1 ? '' : 's'}: label models need at least 3 to estimate accuracies; with fewer they reduce to majority vote at best.`,
    );
  const voted = new Set<number>();
  const polarities = (opts.stats ?? columnStats(L)).map((s) => s.polarity);
  for (const p of polarities) for (const c of p) voted.add(c);
  if (voted.size === 1)
    out.push(
      `Every LF votes "${classes[[...voted][0]]}": a unipolar LF set cannot tell classes apart; add LFs for the other class${classes.length > 2 ? 'es' : ''}.`,
    );
  const missing = classes.filter((_, c) => !voted.has(c));
  if (missing.length && voted.size !== 1)
    out.push(
      `No LF ever votes ${missing.map((c) => `"${c}"`).join(', ')}: the model can only reach ${missing.length === 1 ? 'that class' : 'those classes'} through the class prior.`,
    );
  if (opts.balance === 'dev' && opts.devGold === 0)
    out.push(
      'Class balance "from dev labels" needs gold dev labels and there are none: the fit uses a uniform balance. Label some dev rows (Annotate) or type the balance in.',
    );
  return out;
}

export function confusion(pred: ArrayLike<number>, gold: ArrayLike<number>, k: number): Confusion {
  return confusionMatrix(pred, gold, k);
}

export interface ErrorRow {
  /** Row within the split. */
  row: number;
  gold: number;
  lm: number;
  clf: number;
  /** Confidence of the prediction the list is about. */
  confidence: number;
}

/**
 * Error-analysis lists on a split with gold: the classifier wrong, label model and classifier
 * disagreeing (any row, gold or not), and high-confidence mistakes of either model (≥ `sure`),
 * most confident first.
 */
export function errorLists(
  k: number,
  gold: Int32Array,
  lmProba: Float32Array,
  clfProba: Float32Array | null,
  sure = 0.9,
): { clfWrong: ErrorRow[]; disagree: ErrorRow[]; confidentMistakes: (ErrorRow & { model: 'label model' | 'classifier' })[] } {
  const lm = hardLabels(lmProba, k);
  const clf = clfProba ? hardLabels(clfProba, k) : null;
  const clfWrong: ErrorRow[] = [];
  const disagree: ErrorRow[] = [];
  const confidentMistakes: (ErrorRow & { model: 'label model' | 'classifier' })[] = [];
  for (let i = 0; i < gold.length; i++) {
    const cl = clf ? clf[i] : ABSTAIN;
    const cConf = clfProba && cl >= 0 ? clfProba[i * k + cl] : 0;
    const lConf = lmProba[i * k + lm[i]];
    const base = { row: i, gold: gold[i], lm: lm[i], clf: cl };
    if (clf && gold[i] >= 0 && cl !== gold[i]) clfWrong.push({ ...base, confidence: cConf });
    if (clf && cl !== lm[i]) disagree.push({ ...base, confidence: Math.max(cConf, lConf) });
    if (gold[i] >= 0 && lm[i] !== gold[i] && lConf >= sure) confidentMistakes.push({ ...base, confidence: lConf, model: 'label model' });
    if (clf && gold[i] >= 0 && cl !== gold[i] && cConf >= sure) confidentMistakes.push({ ...base, confidence: cConf, model: 'classifier' });
  }
  const byConf = (a: ErrorRow, b: ErrorRow) => b.confidence - a.confidence || a.row - b.row;
  clfWrong.sort(byConf);
  disagree.sort(byConf);
  confidentMistakes.sort(byConf);
  return { clfWrong, disagree, confidentMistakes };
}

/** Max |a − b| over two equally long arrays (NaN when lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return NaN;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Scatter per-split n × k matrices into one dataset-order matrix. */
export function scatterSplits(total: number, k: number, parts: { rows: Uint32Array; proba: Float32Array }[]): Float32Array {
  const out = new Float32Array(total * k);
  // A plain loop: a subarray per row cost ≈ 70 ms on 500k rows, on the page, after each fit.
  for (const { rows, proba } of parts)
    for (let t = 0; t < rows.length; t++) {
      const to = rows[t] * k;
      const from = t * k;
      for (let y = 0; y < k; y++) out[to + y] = proba[from + y];
    }
  return out;
}

// ── classifier settings ────────────────────────────────────────────────────────────────

/**
 * The knobs of the distilled classifier a user may turn (core/classifier: FeatureSpec and
 * TrainOptions). Stored per project, carried in the project bundle as `model.classifier` (a
 * superset of the older `{ targets, maxEpochs }`), and recorded with every trained classifier.
 */
/** Per-project setting key of the classifier settings. */
export const CLASSIFIER_SETTINGS = 'classifierSettings';

export interface ClassifierSettings {
  /** Inclusive word n-gram range; [0, 0] turns word n-grams off. */
  wordNgrams: [number, number];
  /** Inclusive char n-gram range over space-padded tokens; [0, 0] turns them off. */
  charNgrams: [number, number];
  /** Multiplier on char n-gram weights. */
  charWeight: number;
  /**
   * Hash space size: a power of two, or 'auto' to size it to the training texts
   * (core/classifier corpusBuckets: 2^18, or one bucket per distinct n-gram up to 2^22).
   */
  buckets: number | 'auto';
  maxEpochs: number;
  /** Epochs without a better dev score before stopping. */
  patience: number;
  learningRate: number;
  /** L2 penalty λ (0 = none: early stopping regularises). */
  l2: number;
  targets: 'auto' | 'soft' | 'hard';
  seed: number;
}

export type SettingsErrors = Partial<Record<keyof ClassifierSettings, string>>;

/** Hash sizes offered: 2^12 … 2^22 (4 k to 4 M buckets). */
export const BUCKET_CHOICES: readonly number[] = Array.from({ length: 11 }, (_, i) => 2 ** (12 + i));

export function defaultClassifierSettings(): ClassifierSettings {
  return {
    wordNgrams: [DEFAULT_FEATURES.wordNgrams[0], DEFAULT_FEATURES.wordNgrams[1]],
    charNgrams: [DEFAULT_FEATURES.charNgrams[0], DEFAULT_FEATURES.charNgrams[1]],
    charWeight: DEFAULT_FEATURES.charWeight,
    buckets: 'auto',
    maxEpochs: TRAIN_DEFAULTS.maxEpochs,
    patience: TRAIN_DEFAULTS.patience,
    learningRate: TRAIN_DEFAULTS.learningRate,
    l2: TRAIN_DEFAULTS.l2,
    targets: 'auto',
    seed: 0,
  };
}

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function rangeError(r: unknown, what: string): string | null {
  if (!Array.isArray(r) || r.length !== 2 || !isInt(r[0]) || !isInt(r[1])) return `${what} n-grams need two whole numbers`;
  const [a, b] = r as number[];
  if (a === 0 && b === 0) return null;
  if (a < 1 || b < a || b > 8) return `${what} n-grams: 1 ≤ from ≤ to ≤ 8, or 0–0 for none`;
  return null;
}

/** Why each setting is unusable, as a short sentence per field; empty when all are fine. */
export function validateClassifierSettings(s: ClassifierSettings): SettingsErrors {
  const e: SettingsErrors = {};
  const w = rangeError(s.wordNgrams, 'word');
  if (w) e.wordNgrams = w;
  const c = rangeError(s.charNgrams, 'char');
  if (c) e.charNgrams = c;
  if (!w && !c && s.wordNgrams[1] === 0 && s.charNgrams[1] === 0)
    e.wordNgrams = 'turn on word or char n-grams: with neither there are no features';
  if (!isNum(s.charWeight) || s.charWeight <= 0 || s.charWeight > 10) e.charWeight = 'char weight must be in (0, 10]';
  if (s.buckets !== 'auto' && !BUCKET_CHOICES.includes(s.buckets))
    e.buckets = `hash size must be auto or a power of two from ${BUCKET_CHOICES[0]} to ${BUCKET_CHOICES[BUCKET_CHOICES.length - 1]}`;
  if (!isInt(s.maxEpochs) || s.maxEpochs < 1 || s.maxEpochs > 500) e.maxEpochs = 'epochs must be a whole number from 1 to 500';
  if (!isInt(s.patience) || s.patience < 1 || s.patience > 500) e.patience = 'patience must be a whole number from 1 to 500';
  if (!isNum(s.learningRate) || s.learningRate <= 0 || s.learningRate > 10) e.learningRate = 'learning rate must be in (0, 10]';
  if (!isNum(s.l2) || s.l2 < 0 || s.l2 > 1) e.l2 = 'L2 must be in [0, 1]';
  if (!['auto', 'soft', 'hard'].includes(s.targets)) e.targets = 'targets must be auto, soft or hard';
  if (!isInt(s.seed) || s.seed < 0 || s.seed > 2 ** 31 - 1) e.seed = 'seed must be a whole number from 0 to 2147483647';
  return e;
}

/**
 * Settings from stored or bundled data of any age: every valid field is kept, a missing or
 * invalid one falls back to its default (older bundles carry only `targets` and `maxEpochs`).
 */
export function readClassifierSettings(raw: unknown): ClassifierSettings {
  const out = defaultClassifierSettings();
  if (typeof raw !== 'object' || raw === null) return out;
  const r = raw as Record<string, unknown>;
  for (const key of Object.keys(out) as (keyof ClassifierSettings)[]) {
    if (!(key in r)) continue;
    const v = r[key];
    const trial = { ...out, [key]: Array.isArray(v) ? [...v] : v } as ClassifierSettings;
    const errs = validateClassifierSettings(trial);
    // Judge the field alone: the "no features at all" rule needs both ranges, checked below.
    if (!errs[key] || (key === 'wordNgrams' && !rangeError(v, 'word'))) Object.assign(out, { [key]: trial[key] });
  }
  if (Object.keys(validateClassifierSettings(out)).length) return defaultClassifierSettings();
  return out;
}

/** What the train worker gets for these settings (core's option names). */
export function classifierTrainOptions(s: ClassifierSettings): {
  features: Partial<FeatureSpec>;
  maxEpochs: number;
  targets: 'auto' | 'soft' | 'hard';
  seed: number;
  training: { patience: number; learningRate: number; l2: number };
} {
  return {
    // Left out, core sizes the hash to the training texts.
    features: {
      ...(s.buckets === 'auto' ? {} : { buckets: s.buckets }),
      wordNgrams: [s.wordNgrams[0], s.wordNgrams[1]],
      charNgrams: [s.charNgrams[0], s.charNgrams[1]],
      charWeight: s.charWeight,
    },
    maxEpochs: s.maxEpochs,
    targets: s.targets,
    seed: s.seed,
    training: { patience: s.patience, learningRate: s.learningRate, l2: s.l2 },
  };
}

/**
 * A classifier that scores below its label model on dev is worth less than the labels it learned
 * from: one sentence that says so and what to try, or null (within a point, or no dev scores).
 */
export function classifierBehindMessage(classifierDev: number | null, labelModelDev: number | null, trainRows: number): string | null {
  if (classifierDev === null || labelModelDev === null || !Number.isFinite(classifierDev) || !Number.isFinite(labelModelDev)) return null;
  const gap = labelModelDev - classifierDev;
  if (gap < 0.01) return null;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return `The classifier scores ${pct(classifierDev)} on dev, ${(gap * 100).toFixed(1)} points below the label model (${pct(labelModelDev)}): it learns only from the label model's labels on ${trainRows.toLocaleString('en-US')} covered rows, so here the label model's labels are the better ones. To help it: raise LF coverage, try character n-grams or more epochs under Settings, or label more dev rows so early stopping can tell epochs apart.`;
}
