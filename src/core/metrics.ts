/**
 * Turning probabilities into labels, and scoring labels against gold.
 *
 * Semantics follow Snorkel 0.9/0.10 and WRENCH so that our numbers compare exactly with
 * published ones:
 * - `predictLabels` is Snorkel's `probs_to_preds`: the tied classes are those within 1e-5 of the
 *   row maximum; policy 'snorkel' is its `tie_break_policy="random"`, a deterministic hash:
 *   among the tied classes (ascending) row i takes index `int(sha1(str(i)).hexdigest(), 16) % t`.
 *   WRENCH evaluates label models with exactly this rule.
 * - Binary F1 is sklearn's `f1_score(average='binary', pos_label=1)` (WRENCH's F1 for sms);
 *   macro F1 is sklearn's `average='macro'` over the classes present in gold or predictions.
 *
 * Conventions (documented once here, relied on everywhere):
 * - A prediction of -1 (abstain, e.g. a tie under policy 'abstain') is a miss: wrong for
 *   accuracy, a false negative when gold is the positive class. Snorkel's `Scorer` instead
 *   drops abstained predictions before scoring; use `decided()` first to get those numbers.
 * - A gold label of -1 means "unknown": the row is skipped by every gold-scored metric.
 * - A gold-scored metric over zero scorable rows is NaN (there is nothing to score), not 0.
 */
import type { LabelMatrix } from './matrix.ts';
import { deriveSeed, mulberry32 } from './rng.ts';
import { sha1 } from './sha1.ts';
import { ABSTAIN, type Metric, ShoalError, type TiePolicy } from './types.ts';

/** Snorkel's `probs_to_preds` tolerance: classes this close to the row max are tied. */
export const TIE_TOLERANCE = 1e-5;

/**
 * Argmax per row of an n × k row-major probability matrix, with a tie policy:
 * 'snorkel' (Snorkel/WRENCH's sha1 rule), 'abstain' (-1), 'random' (seeded).
 *
 * `rowOffset` is the dataset position of row 0, so scoring a split in chunks gives the same
 * labels as scoring it whole (both the sha1 rule and the seeded draw key on the absolute row).
 */
export function predictLabels(proba: ArrayLike<number>, k: number, tie: TiePolicy = 'snorkel', seed = 0, rowOffset = 0): Int32Array {
  if (!Number.isInteger(k) || k < 1) throw new ShoalError(`class count must be a positive integer, got ${k}`);
  if (proba.length % k !== 0) {
    throw new ShoalError(`probability matrix has ${proba.length} values, not a multiple of k=${k}`);
  }
  const n = proba.length / k;
  const out = new Int32Array(n);
  const tied = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const base = i * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const p = proba[base + c];
      if (Number.isNaN(p)) throw new ShoalError(`row ${i + rowOffset}: probability of class ${c} is NaN`);
      if (p > max) max = p;
    }
    let t = 0;
    for (let c = 0; c < k; c++) if (max - proba[base + c] < TIE_TOLERANCE) tied[t++] = c;
    if (t === 1) {
      out[i] = tied[0];
      continue;
    }
    // Only tied rows pay for a hash or a draw.
    const row = i + rowOffset;
    if (tie === 'snorkel') out[i] = tied[hexMod(sha1(String(row)), t)];
    else if (tie === 'abstain') out[i] = ABSTAIN;
    else if (tie === 'random') out[i] = tied[Math.floor(mulberry32(deriveSeed(seed, `tie:${row}`))() * t)];
    else throw new ShoalError(`unknown tie policy "${String(tie)}" (use snorkel, abstain or random)`);
  }
  return out;
}

/** BigInt('0x' + hex) % m without BigInt: Horner's rule on the hex digits, exact for m < 2^27. */
export function hexMod(hex: string, m: number): number {
  let r = 0;
  for (let p = 0; p < hex.length; p++) r = (r * 16 + parseInt(hex[p], 16)) % m;
  return r;
}

/** Rows with a known gold label and a non-abstain prediction: what Snorkel's `Scorer` scores. */
export function decided(pred: ArrayLike<number>, gold: ArrayLike<number>): { pred: Int32Array; gold: Int32Array } {
  checkSameLength(pred, gold);
  let count = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] !== ABSTAIN && gold[i] !== ABSTAIN) count++;
  const p = new Int32Array(count);
  const g = new Int32Array(count);
  for (let i = 0, q = 0; i < pred.length; i++) {
    if (pred[i] !== ABSTAIN && gold[i] !== ABSTAIN) {
      p[q] = pred[i];
      g[q++] = gold[i];
    }
  }
  return { pred: p, gold: g };
}

/** Fraction of rows (with known gold) whose prediction equals gold; -1 predictions are wrong. */
export function accuracy(pred: ArrayLike<number>, gold: ArrayLike<number>): number {
  checkSameLength(pred, gold);
  let scored = 0;
  let right = 0;
  for (let i = 0; i < gold.length; i++) {
    if (gold[i] === ABSTAIN) continue;
    scored++;
    if (pred[i] === gold[i]) right++;
  }
  return scored === 0 ? NaN : right / scored;
}

/** F1 of one class against the rest (sklearn `average='binary'`); 0 when it has no tp, fp or fn. */
export function f1Binary(pred: ArrayLike<number>, gold: ArrayLike<number>, positive = 1): number {
  checkSameLength(pred, gold);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let scored = 0;
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i];
    if (g === ABSTAIN) continue;
    scored++;
    const p = pred[i];
    if (p === positive) {
      if (g === positive) tp++;
      else fp++;
    } else if (g === positive) fn++;
  }
  if (scored === 0) return NaN;
  const denom = 2 * tp + fp + fn;
  // sklearn's zero_division default: F1 is 0 when the class never occurs on either side.
  return denom === 0 ? 0 : (2 * tp) / denom;
}

/**
 * Unweighted mean of per-class F1 over the classes in [0, k) that occur in gold or predictions
 * (sklearn `average='macro'` with its default label set, minus -1 which is not a class).
 */
export function f1Macro(pred: ArrayLike<number>, gold: ArrayLike<number>, k: number): number {
  const cm = confusionMatrix(pred, gold, k);
  if (cm.scored === 0) return NaN;
  let sum = 0;
  let present = 0;
  for (let c = 0; c < k; c++) {
    const tp = cm.counts[c * k + c];
    let goldC = cm.abstained[c];
    let predC = 0;
    for (let o = 0; o < k; o++) {
      goldC += cm.counts[c * k + o];
      predC += cm.counts[o * k + c];
    }
    if (goldC === 0 && predC === 0) continue;
    present++;
    sum += (2 * tp) / (goldC + predC);
  }
  return present === 0 ? 0 : sum / present;
}

/** Fraction of rows where at least one LF voted (0 for an empty matrix). */
export function coverage(L: LabelMatrix): number {
  if (L.n === 0) return 0;
  const { rowPtr } = L.rows();
  let covered = 0;
  for (let i = 0; i < L.n; i++) if (rowPtr[i + 1] > rowPtr[i]) covered++;
  return covered / L.n;
}

/**
 * Confusion counts. Plain data (no methods) so it crosses worker boundaries unchanged.
 * `sum(counts) + sum(abstained) + unlabelled === n` always.
 */
export interface Confusion {
  k: number;
  /** k × k row-major: counts[g * k + p] = rows with gold g predicted p. */
  counts: Int32Array;
  /** abstained[g] = rows with gold g whose prediction was -1. */
  abstained: Int32Array;
  /** Rows with unknown gold (-1), not counted anywhere else. */
  unlabelled: number;
  /** Rows with known gold: sum(counts) + sum(abstained). */
  scored: number;
}

export function confusionMatrix(pred: ArrayLike<number>, gold: ArrayLike<number>, k: number): Confusion {
  checkSameLength(pred, gold);
  const counts = new Int32Array(k * k);
  const abstained = new Int32Array(k);
  let unlabelled = 0;
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i];
    if (g === ABSTAIN) {
      unlabelled++;
      continue;
    }
    checkClass(g, k, i, 'gold label');
    const p = pred[i];
    if (p === ABSTAIN) abstained[g]++;
    else {
      checkClass(p, k, i, 'prediction');
      counts[g * k + p]++;
    }
  }
  return { k, counts, abstained, unlabelled, scored: gold.length - unlabelled };
}

/** Mean negative log-probability of the gold class (natural log, clipped at 1e-15 like sklearn). */
export function logLoss(proba: ArrayLike<number>, gold: ArrayLike<number>, k: number): number {
  checkProbaShape(proba, gold, k);
  let sum = 0;
  let scored = 0;
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i];
    if (g === ABSTAIN) continue;
    checkClass(g, k, i, 'gold label');
    scored++;
    sum -= Math.log(Math.min(1 - 1e-15, Math.max(1e-15, proba[i * k + g])));
  }
  return scored === 0 ? NaN : sum / scored;
}

/**
 * Multi-class Brier score (Brier 1950): mean over rows of Σ_c (p_c − [c = gold])², in [0, 2].
 * For k = 2 this is twice sklearn's `brier_score_loss`, which scores only the positive column.
 */
export function brierScore(proba: ArrayLike<number>, gold: ArrayLike<number>, k: number): number {
  checkProbaShape(proba, gold, k);
  let sum = 0;
  let scored = 0;
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i];
    if (g === ABSTAIN) continue;
    checkClass(g, k, i, 'gold label');
    scored++;
    for (let c = 0; c < k; c++) {
      const d = proba[i * k + c] - (c === g ? 1 : 0);
      sum += d * d;
    }
  }
  return scored === 0 ? NaN : sum / scored;
}

/** The project's one scoring rule: 'acc' → accuracy; 'f1' → binary F1 of class 1 when k = 2, else macro F1. */
export function scoreFor(metric: Metric, pred: ArrayLike<number>, gold: ArrayLike<number>, k: number): number {
  if (metric === 'acc') return accuracy(pred, gold);
  if (metric === 'f1') return k === 2 ? f1Binary(pred, gold, 1) : f1Macro(pred, gold, k);
  throw new ShoalError(`unknown metric "${String(metric)}" (use acc or f1)`);
}

function checkSameLength(pred: ArrayLike<number>, gold: ArrayLike<number>): void {
  if (pred.length !== gold.length) {
    throw new ShoalError(`${pred.length} predictions but ${gold.length} gold labels; they must be the same rows`);
  }
}

function checkProbaShape(proba: ArrayLike<number>, gold: ArrayLike<number>, k: number): void {
  if (proba.length !== gold.length * k) {
    throw new ShoalError(`probability matrix has ${proba.length} values, expected ${gold.length} rows × ${k} classes`);
  }
}

function checkClass(v: number, k: number, row: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v >= k) {
    throw new ShoalError(`row ${row}: ${what} ${v} is outside 0..${k - 1}`);
  }
}
