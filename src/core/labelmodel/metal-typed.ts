/**
 * Typed-array engine for the MeTaL objective (see metal-problem.ts), with hand-derived
 * gradients that never form a d×d matrix per step:
 *
 *   ∇ = −4·S + 4·T + 2·r·pᵀ + 2·l2²(μ − μ₀)
 *   S = (O∘M)·μ·P                      — O(nnz(O∘M)·k), O is sparse for real LF sets
 *   T = (μPμᵀ ∘ M)·μ·P = μ·(PGP) − blockdiag_j(μ_j·(P G_j P)),  G = μᵀμ, G_j = μ_jᵀμ_j  — O(d·k²)
 *   r = μ·p − diag(O)
 *
 * so an epoch costs O(nnz·k + d·k²) instead of Snorkel's dense O(d²·k). Optimiser: SGD with
 * momentum 0.9, Snorkel's default (torch semantics: v ← βv + g; μ ← μ − lr·v).
 */
import type { DenseProduct } from './dense-product.ts';
import type { MetalProblem } from './metal-problem.ts';
import { createYielder } from '../yielder.ts';

export interface MetalTrainConfig {
  epochs: number;
  lr: number;
  momentum: number;
  l2: number;
  onEpoch?: (epoch: number) => void;
  signal?: AbortSignal;
}

export function metalLossTyped(mu: Float64Array, pr: MetalProblem, l2: number): number {
  const { k, d, m, p, O, offA, offB, offV, offSquareSum, muInit } = pr;
  let cross = 0;
  for (let t = 0; t < offV.length; t++) {
    const a = offA[t] * k;
    const b = offB[t] * k;
    let A = 0;
    for (let y = 0; y < k; y++) A += mu[a + y] * p[y] * mu[b + y];
    cross += offV[t] * A;
  }
  const G = gram(mu, 0, d, k);
  let aSquare = 0;
  for (let y = 0; y < k; y++) for (let z = 0; z < k; z++) aSquare += p[y] * p[z] * G[y * k + z] ** 2;
  for (let j = 0; j < m; j++) {
    const Gj = gram(mu, j * k, (j + 1) * k, k);
    for (let y = 0; y < k; y++) for (let z = 0; z < k; z++) aSquare -= p[y] * p[z] * Gj[y * k + z] ** 2;
  }
  let diag = 0;
  for (let a = 0; a < d; a++) {
    let s = -O[a * d + a];
    for (let y = 0; y < k; y++) s += mu[a * k + y] * p[y];
    diag += s * s;
  }
  let reg = 0;
  if (l2 !== 0) for (let t = 0; t < mu.length; t++) reg += (l2 * (mu[t] - muInit[t])) ** 2;
  return offSquareSum - 2 * cross + aSquare + diag + reg;
}

/** μᵀμ over rows [from, to) of μ (k×k). */
function gram(mu: Float64Array, from: number, to: number, k: number, out = new Float64Array(k * k)): Float64Array {
  out.fill(0);
  for (let a = from; a < to; a++) {
    const r = a * k;
    for (let y = 0; y < k; y++) {
      const v = mu[r + y];
      if (v === 0) continue;
      for (let z = 0; z < k; z++) out[y * k + z] += v * mu[r + z];
    }
  }
  return out;
}

export function metalGradientTyped(mu: Float64Array, pr: MetalProblem, l2: number, grad: Float64Array): void {
  const { k, d, m, p, O, offA, offB, offV, muInit } = pr;
  grad.fill(0);
  // −4·S, S = (O∘M)μP
  if (pr.dense) addDenseS(pr.dense, mu, p, d, k, grad);
  else {
    for (let t = 0; t < offV.length; t++) {
      const a = offA[t] * k;
      const b = offB[t] * k;
      const v = -4 * offV[t];
      for (let y = 0; y < k; y++) grad[a + y] += v * mu[b + y] * p[y];
    }
  }
  // +4·T
  const G = gram(mu, 0, d, k);
  const H = new Float64Array(k * k); // P G P
  for (let y = 0; y < k; y++) for (let z = 0; z < k; z++) H[y * k + z] = p[y] * G[y * k + z] * p[z];
  const Gj = new Float64Array(k * k);
  const Hdiff = new Float64Array(k * k);
  for (let j = 0; j < m; j++) {
    gram(mu, j * k, (j + 1) * k, k, Gj);
    for (let y = 0; y < k; y++) for (let z = 0; z < k; z++) Hdiff[y * k + z] = H[y * k + z] - p[y] * Gj[y * k + z] * p[z];
    for (let a = j * k; a < (j + 1) * k; a++) {
      const r = a * k;
      for (let z = 0; z < k; z++) {
        let s = 0;
        for (let y = 0; y < k; y++) s += mu[r + y] * Hdiff[y * k + z];
        grad[r + z] += 4 * s;
      }
    }
  }
  // +2·r·pᵀ
  for (let a = 0; a < d; a++) {
    const r = a * k;
    let s = -O[a * d + a];
    for (let y = 0; y < k; y++) s += mu[r + y] * p[y];
    for (let y = 0; y < k; y++) grad[r + y] += 2 * s * p[y];
  }
  if (l2 !== 0) {
    const c = 2 * l2 * l2;
    for (let t = 0; t < mu.length; t++) grad[t] += c * (mu[t] - muInit[t]);
  }
}

/** grad −= 4·(O∘M)·μ·P through the problem's dense product (μP passed transposed, k×d). */
function addDenseS(dense: DenseProduct, mu: Float64Array, p: Float64Array, d: number, k: number, grad: Float64Array): void {
  const muPT = new Float64Array(k * d);
  for (let b = 0; b < d; b++) for (let y = 0; y < k; y++) muPT[y * d + b] = mu[b * k + y] * p[y];
  const s = new Float64Array(d * k);
  dense.multiply(muPT, s);
  for (let t = 0; t < s.length; t++) grad[t] -= 4 * s[t];
}

/** One momentum-SGD epoch (torch semantics: v ← βv + g; μ ← μ − lr·v). */
function sgdEpoch(
  mu: Float64Array,
  velocity: Float64Array,
  grad: Float64Array,
  pr: MetalProblem,
  cfg: MetalTrainConfig,
  epoch: number,
): void {
  if (cfg.signal?.aborted) throw cfg.signal.reason ?? new Error('cancelled');
  metalGradientTyped(mu, pr, cfg.l2, grad);
  for (let t = 0; t < mu.length; t++) {
    velocity[t] = cfg.momentum * velocity[t] + grad[t];
    mu[t] -= cfg.lr * velocity[t];
  }
  cfg.onEpoch?.(epoch);
}

export function trainMetalTyped(mu: Float64Array, pr: MetalProblem, cfg: MetalTrainConfig): Float64Array {
  const grad = new Float64Array(mu.length);
  const velocity = new Float64Array(mu.length);
  for (let epoch = 0; epoch < cfg.epochs; epoch++) sgdEpoch(mu, velocity, grad, pr, cfg, epoch);
  return mu;
}

/** The same training, yielding to the event loop every ~50 ms so a cancel can arrive. */
export async function trainMetalTypedAsync(mu: Float64Array, pr: MetalProblem, cfg: MetalTrainConfig): Promise<Float64Array> {
  const grad = new Float64Array(mu.length);
  const velocity = new Float64Array(mu.length);
  const pause = createYielder();
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    const wait = pause();
    if (wait) await wait;
    sgdEpoch(mu, velocity, grad, pr, cfg, epoch);
  }
  return mu;
}
