/**
 * The MeTaL / Snorkel LabelModel objective (Ratner et al., "Training Complex Models with
 * Multi-Task Weak Supervision", AAAI 2019), for conditionally independent LFs:
 *
 *   loss(μ) = ‖(O − μPμᵀ) ∘ M‖² + ‖μP·1 − diag(O)‖² + l2²‖μ − μ₀‖²
 *
 * with O the normalised overlap matrix of one-hot votes (d = m·k), P = diag(class balance),
 * M masking each LF's own k×k block, and μ[j·k+l, y] = P(λ_j = l | Y = y).
 *
 * This module holds the problem set-up (O, mask structure, μ₀) and the post-processing
 * (clamping, undoing label permutations), shared by the typed-array and tfjs engines so both
 * optimise exactly the same thing.
 */
import { minCostAssignment } from '../hungarian.ts';
import { createMaskedDenseProduct, type DenseProduct } from './dense-product.ts';
import type { OverlapCounts } from './overlap.ts';

export interface MetalProblem {
  n: number;
  m: number;
  k: number;
  d: number;
  /** O = counts / n, d×d. */
  O: Float64Array;
  /** Class balance p (length k). */
  p: Float64Array;
  /** μ₀, d×k. */
  muInit: Float64Array;
  /** Off-block non-zeros of O: (a, b, O_ab) triples, both orders present. */
  offA: Int32Array;
  offB: Int32Array;
  offV: Float64Array;
  /** Σ over masked-in entries of O_ab², for reporting the loss value. */
  offSquareSum: number;
  /** How many off-block entries of O are non-zero (the triples' length, without building them). */
  offCount: number;
  /**
   * (O∘M)·V over a dense copy of O∘M, built only when most off-block entries are non-zero
   * (many LFs voting many classes, e.g. 100k×200 k=6): there a blocked product beats the
   * scattered triple walk several times per epoch.
   */
  dense?: DenseProduct;
}

/** Above this share of non-zero off-block entries the dense S-term path is used. */
const DENSE_SHARE = 0.25;

export function buildProblem(stats: OverlapCounts, p: Float64Array, precInit: number): MetalProblem {
  const { n, m, k } = stats;
  const d = m * k;
  const O = new Float64Array(d * d);
  const scale = n > 0 ? 1 / n : 0;
  for (let t = 0; t < O.length; t++) {
    O[t] = stats.counts[t] * scale;
  }
  // Off-block entries (outside each LF's own k×k block): how many are non-zero, and Σ O_ab².
  let nnz = 0;
  let offSquareSum = 0;
  for (let a = 0; a < d; a++) {
    const lo = a - (a % k);
    const row = a * d;
    for (let b = 0; b < d; b++) {
      if (b === lo) {
        b += k - 1;
        continue;
      }
      const v = O[row + b];
      if (v !== 0) {
        nnz++;
        offSquareSum += v * v;
      }
    }
  }
  const triples = () => {
    const offA = new Int32Array(nnz);
    const offB = new Int32Array(nnz);
    const offV = new Float64Array(nnz);
    for (let a = 0, t = 0; a < d; a++) {
      const lo = a - (a % k);
      for (let b = 0; b < d; b++) {
        const v = O[a * d + b];
        if (v === 0 || (b >= lo && b < lo + k)) continue;
        offA[t] = a;
        offB[t] = b;
        offV[t] = v;
        t++;
      }
    }
    return { offA, offB, offV };
  };
  const muInit = new Float64Array(d * k);
  for (let j = 0; j < m; j++) {
    for (let y = 0; y < k; y++) {
      const a = j * k + y;
      muInit[a * k + y] = Math.min(1, Math.max(0, (O[a * d + a] * precInit) / p[y]));
    }
  }
  if (nnz <= DENSE_SHARE * d * d) return { n, m, k, d, O, p, muInit, ...triples(), offSquareSum, offCount: nnz };
  // Dense: the epochs use the product, not the triples (d² entries of 16 bytes, 23 MB at
  // d = 1,200): they are built only if something reads them (the loss, a tfjs engine).
  const problem = { n, m, k, d, O, p, muInit, offSquareSum, offCount: nnz, dense: createMaskedDenseProduct(O, d, k) } as Omit<
    MetalProblem,
    'offA' | 'offB' | 'offV'
  >;
  let built: ReturnType<typeof triples> | undefined;
  for (const key of ['offA', 'offB', 'offV'] as const) {
    Object.defineProperty(problem, key, { enumerable: true, get: () => (built ??= triples())[key] });
  }
  return problem as MetalProblem;
}

/** Snorkel's default: clamp μ into [ε, 1−ε] with ε = min(0.01, 10^−⌈log10 n⌉). */
export function muEpsilon(n: number): number {
  return Math.min(0.01, 1 / 10 ** Math.ceil(Math.log10(Math.max(n, 1))));
}

export function clampMu(mu: Float64Array, eps: number): void {
  for (let t = 0; t < mu.length; t++) mu[t] = Math.min(1 - eps, Math.max(eps, mu[t]));
}

/**
 * The objective is invariant to permuting the columns of μ among classes with equal prior, so
 * a fit can converge to a relabelled solution. Pick, within each group of equal-prior classes,
 * the column permutation that maximises the summed diagonal of the LFs' conditional tables
 * (Snorkel's `_break_col_permutation_symmetry`).
 */
export function breakColumnSymmetry(mu: Float64Array, problem: MetalProblem): Float64Array {
  const { m, k, d, p } = problem;
  // probsSum[l, y] = Σ_j μ[j·k + l, y] · p[y]
  const probsSum = new Float64Array(k * k);
  for (let j = 0; j < m; j++) for (let l = 0; l < k; l++) for (let y = 0; y < k; y++) probsSum[l * k + y] += mu[(j * k + l) * k + y] * p[y];
  const groups = new Map<number, number[]>();
  for (let y = 0; y < k; y++) {
    const key = Math.round(p[y] * 1000);
    const g = groups.get(key);
    if (g) g.push(y);
    else groups.set(key, [y]);
  }
  // perm[newCol] = oldCol
  const perm = new Int32Array(k);
  for (let y = 0; y < k; y++) perm[y] = y;
  for (const group of groups.values()) {
    if (group.length === 1) continue;
    const g = group.length;
    // Snorkel solves munkres(-probs_proj.T) with probs_proj[r, c] = probsSum[group[r], group[c]]
    // and sets Z[group[i], group[j]] = 1 for each matched (i, j); μ ← μ·Z.
    const cost = new Float64Array(g * g);
    for (let r = 0; r < g; r++) for (let c = 0; c < g; c++) cost[r * g + c] = -probsSum[group[c] * k + group[r]];
    const assign = minCostAssignment(cost, g);
    // (μZ)[:, group[j]] = μ[:, group[i]] where assign[i] = j
    for (let i = 0; i < g; i++) perm[group[assign[i]]] = group[i];
  }
  const out = new Float64Array(d * k);
  for (let a = 0; a < d; a++) for (let y = 0; y < k; y++) out[a * k + y] = mu[a * k + perm[y]];
  return out;
}

/** Learned P(vote correct | LF votes), Snorkel's `get_accuracies`. */
export function learnedAccuracies(mu: Float64Array, problem: MetalProblem): number[] {
  const { m, k, d, p, O } = problem;
  const acc: number[] = [];
  for (let j = 0; j < m; j++) {
    let correct = 0;
    let coverage = 0;
    for (let y = 0; y < k; y++) {
      const a = j * k + y;
      correct += mu[a * k + y] * p[y];
      coverage += O[a * d + a];
    }
    acc.push(coverage > 0 ? Math.min(1, Math.max(0, correct / coverage)) : NaN);
  }
  return acc;
}

/** P(y | votes) ∝ p_y · Π_votes μ[j·k + l, y]; all-abstain rows get p. */
export function posterior(
  mu: Float64Array,
  p: Float64Array,
  k: number,
  rows: { rowPtr: Uint32Array; lf: Uint32Array; label: Int8Array },
  n: number,
): Float32Array {
  const logMu = new Float64Array(mu.length);
  for (let t = 0; t < mu.length; t++) logMu[t] = Math.log(mu[t]);
  const logP = Array.from(p, Math.log);
  const out = new Float32Array(n * k);
  const s = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < k; y++) s[y] = logP[y];
    for (let e = rows.rowPtr[i]; e < rows.rowPtr[i + 1]; e++) {
      const base = (rows.lf[e] * k + rows.label[e]) * k;
      for (let y = 0; y < k; y++) s[y] += logMu[base + y];
    }
    let max = -Infinity;
    for (let y = 0; y < k; y++) if (s[y] > max) max = s[y];
    let z = 0;
    for (let y = 0; y < k; y++) z += s[y] = Math.exp(s[y] - max);
    for (let y = 0; y < k; y++) out[i * k + y] = s[y] / z;
  }
  return out;
}
