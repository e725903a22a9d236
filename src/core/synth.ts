/**
 * Seeded synthetic label matrices with known ground truth, for tests and benchmarks.
 *
 * The generative model is the one every label model here assumes (LFs conditionally
 * independent given Y), the same as the Python generator the Snorkel reference timings were
 * measured on (our RNG, so the draws differ):
 *   Y_i ~ Categorical(classBalance); each LF j has an accuracy and a propensity drawn once;
 *   LF j votes with probability propensity_j, the vote is Y_i with probability accuracy_j,
 *   otherwise uniform over the k−1 wrong classes.
 */
import { LabelMatrix } from './matrix.ts';
import { mulberry32, deriveSeed } from './rng.ts';
import { ABSTAIN } from './types.ts';

export interface SynthOptions {
  n: number;
  m: number;
  k: number;
  seed?: number;
  /** Range to draw each LF's accuracy from, or exact per-LF values (length m). */
  accuracy?: { range: [number, number] } | { values: number[] };
  propensity?: { range: [number, number] } | { values: number[] };
  classBalance?: number[];
}

export interface SynthResult {
  L: LabelMatrix;
  Y: Int32Array;
  accuracies: Float64Array;
  propensities: Float64Array;
  classBalance: Float64Array;
}

function drawPerLf(
  spec: { range: [number, number] } | { values: number[] } | undefined,
  m: number,
  fallback: [number, number],
  rng: () => number,
): Float64Array {
  const out = new Float64Array(m);
  if (spec && 'values' in spec) {
    out.set(spec.values.slice(0, m));
    return out;
  }
  const [lo, hi] = spec?.range ?? fallback;
  for (let j = 0; j < m; j++) out[j] = lo + (hi - lo) * rng();
  return out;
}

export function synthesize(opts: SynthOptions): SynthResult {
  const { n, m, k } = opts;
  const seed = opts.seed ?? 0;
  const paramRng = mulberry32(deriveSeed(seed, `params:${m}:${k}`));
  const accuracies = drawPerLf(opts.accuracy, m, [0.55, 0.9], paramRng);
  const propensities = drawPerLf(opts.propensity, m, [0.05, 0.5], paramRng);
  const classBalance = new Float64Array(opts.classBalance ?? new Array(k).fill(1 / k));
  const cumulative = new Float64Array(k);
  let acc = 0;
  for (let y = 0; y < k; y++) cumulative[y] = acc += classBalance[y];

  const rng = mulberry32(deriveSeed(seed, `rows:${n}:${m}:${k}`));
  const Y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng() * acc;
    let y = 0;
    while (y < k - 1 && u >= cumulative[y]) y++;
    Y[i] = y;
  }
  const cols: Int8Array[] = [];
  for (let j = 0; j < m; j++) {
    const col = new Int8Array(n).fill(ABSTAIN);
    const p = propensities[j];
    const a = accuracies[j];
    for (let i = 0; i < n; i++) {
      if (rng() >= p) continue;
      if (rng() < a) col[i] = Y[i];
      else {
        const wrong = Math.floor(rng() * (k - 1));
        col[i] = wrong >= Y[i] ? wrong + 1 : wrong;
      }
    }
    cols.push(col);
  }
  return { L: new LabelMatrix(n, k, cols), Y, accuracies, propensities, classBalance };
}

/**
 * Accuracy of argmax P(y | votes) under the true parameters of `synthesize`'s model: the
 * Bayes-optimal ceiling no label model can beat on average. `distinct` lists the LFs that carry
 * independent evidence (a copy of an LF adds none: list only the original).
 */
export function bayesAccuracy(
  L: LabelMatrix,
  Y: ArrayLike<number>,
  accuracies: ArrayLike<number>,
  classBalance: ArrayLike<number>,
  distinct: readonly number[] = Array.from({ length: L.m }, (_, j) => j),
): number {
  const k = L.k;
  const logp = new Float64Array(k);
  let right = 0;
  for (let r = 0; r < L.n; r++) {
    for (let y = 0; y < k; y++) logp[y] = Math.log(classBalance[y]);
    for (const j of distinct) {
      const v = L.column(j)[r];
      if (v < 0) continue; // abstaining does not depend on Y in this model
      for (let y = 0; y < k; y++) logp[y] += Math.log(v === y ? accuracies[j] : (1 - accuracies[j]) / (k - 1));
    }
    let best = 0;
    for (let y = 1; y < k; y++) if (logp[y] > logp[best]) best = y;
    if (best === Y[r]) right++;
  }
  return right / L.n;
}

export interface UnipolarOptions {
  n: number;
  k: number;
  seed?: number;
  /** The one class each LF votes for (length m). */
  target: number[];
  /** P(LF fires | Y = its class), per LF. */
  hit: number[];
  /** P(LF fires | Y ≠ its class), per LF. */
  falseFire: number[];
  classBalance?: number[];
}

/**
 * Unipolar (positive-only) LFs, as keyword LFs usually are: LF j votes only for class target_j,
 * firing with probability hit_j on rows of that class and falseFire_j on the others. Here an
 * abstain carries evidence (the class's keywords are absent), which the symmetric model above
 * has no room for. Returns the matrix and the Bayes-optimal accuracy under the true parameters.
 */
export function synthesizeUnipolar(opts: UnipolarOptions): { L: LabelMatrix; Y: Int32Array; bayes: number; classBalance: Float64Array } {
  const { n, k, target, hit, falseFire } = opts;
  const m = target.length;
  const classBalance = new Float64Array(opts.classBalance ?? new Array(k).fill(1 / k));
  const rng = mulberry32(deriveSeed(opts.seed ?? 0, `unipolar:${n}:${m}:${k}`));
  const Y = new Int32Array(n);
  const cols = Array.from({ length: m }, () => new Int8Array(n).fill(ABSTAIN));
  const logp = new Float64Array(k);
  let right = 0;
  for (let i = 0; i < n; i++) {
    let u = rng();
    let y = 0;
    while (y < k - 1 && u >= classBalance[y]) u -= classBalance[y++];
    Y[i] = y;
    for (let c = 0; c < k; c++) logp[c] = Math.log(classBalance[c]);
    for (let j = 0; j < m; j++) {
      const fires = rng() < (target[j] === y ? hit[j] : falseFire[j]);
      if (fires) cols[j][i] = target[j];
      for (let c = 0; c < k; c++) {
        const p = target[j] === c ? hit[j] : falseFire[j];
        logp[c] += Math.log(fires ? p : 1 - p);
      }
    }
    let best = 0;
    for (let c = 1; c < k; c++) if (logp[c] > logp[best]) best = c;
    if (best === y) right++;
  }
  return { L: new LabelMatrix(n, k, cols), Y, bayes: right / n, classBalance };
}
