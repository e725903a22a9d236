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
