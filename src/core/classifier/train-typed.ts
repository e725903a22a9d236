/**
 * Typed-array training engine for the distilled classifier: the same optimisation as the tfjs
 * engine in train.ts, step for step, without tfjs's per-batch overhead and without touching the
 * whole weight matrix on every step.
 *
 * Semantics followed exactly (so either engine gives the same model up to float32 rounding):
 * - minibatches: the seeded permutation per epoch (`deriveSeed(seed, 'classifier/shuffle')`);
 * - loss per batch: weighted mean softmax cross-entropy Σ_t w_t·(−Σ_c y_tc log q_tc) / Σ_t w_t
 *   (tf.losses.softmaxCrossEntropy with Reduction.MEAN and weights), whose logit gradient is
 *   w_t/Σw·(q_t − y_t) (tfjs's custom gradient, i.e. it assumes targets sum to 1), plus
 *   λ/2·‖W‖² (not on b);
 * - optimizer: tfjs's MomentumOptimizer with useNesterov (tfjs-core momentum_optimizer.js):
 *   a ← m·a + g;  v ← v − lr·(g + m·a), for W and b alike, zero-initialised.
 *
 * Sparse updates with lazy, exact momentum decay. A coordinate whose loss gradient is zero for a
 * step still moves, because its gradient is g = λ·v (from the penalty) and its accumulator is
 * non-zero. That step is linear in (v, a):
 *     a' = m·a + λ·v
 *     v' = v − lr·(λ·v + m·a') = (1 − lr·λ·(1 + m))·v − lr·m²·a
 * i.e. (v, a) ← D·(v, a) with the fixed 2 × 2 matrix D = [[1 − lr·λ(1+m), −lr·m²], [λ, m]], so s
 * untouched steps are one multiplication by D^s (powers tabulated once). With λ = 0,
 * D^s = [[1, −lr·m²·(1 + m + … + m^(s−1))], [0, m^s]]: a ← m^s·a, v ← v − lr·a·(m² + … + m^(s+1)).
 * Each W row remembers the step its stored (v, a) belong to; a step brings the rows of its batch's
 * feature ids up to date, computes the gradient on those rows only, and updates them. `flush`
 * brings every row up to date; it runs before each epoch-end snapshot (dev score, kept weights).
 * With λ > 0 the reported loss needs ‖W‖² at every step: rows are grouped by the step their state
 * belongs to, and each group's Σv², Σv·a, Σa² give its current Σv² through D^s (see `penalty`).
 *
 * Averaged SGD (train-loop.ts `asgdEpoch`) stays exact too: the step size changes only at a flush
 * (every row current, tables rebuilt), and a running Σv per coordinate is kept lazily, a row
 * untouched for s steps adding the first row of Σ_{j=1..s} D^j applied to its (v, a).
 *
 * State is Float64: JavaScript computes in doubles anyway, so storing doubles costs only memory
 * (dim × k × 16 bytes for W and its accumulator: 8 MB at 2^18 features × 2 classes) and makes
 * the lazy closed form agree with a dense step-by-step run to ~1e-15 instead of accumulating a
 * float32 rounding per step; the model is rounded to float32 once per snapshot, as tfjs stores it.
 */
import { deriveSeed, mulberry32, permutation } from '../rng.ts';
import type { Csr } from './featurize.ts';
import type { TrainOptions, TrainResult } from './train.ts';
import { asgdEpoch, EpochKeeper, MOMENTUM, type TrainConfig, Yielder } from './train-loop.ts';

/** `TrainResult.backend` of this engine (the label model's typed engine says the same). */
export const TYPED_BACKEND = 'typed-array';

export interface SparseMomentumOptions {
  learningRate: number;
  momentum: number;
  l2: number;
}

/**
 * Softmax regression state (W: dim × k row-major, b: k) with Nesterov momentum and lazy rows.
 * Exported for the tests, which check it against a dense reference step by step.
 */
export class SparseSoftmaxMomentum {
  readonly b: Float64Array;
  readonly accB: Float64Array;
  /** Steps taken so far. */
  step = 0;
  /**
   * Every per-feature number in one record of `stride` = 3k + 2 doubles per W row: its k weights,
   * k momentum accumulators, k running sums (only meaningful while averaging), the step its
   * stored state belongs to, and its slot in the current batch (−1 when untouched). Why one
   * record: a minibatch touches a few thousand random rows of a table far larger than the CPU
   * caches (480k rows at 100k documents), and each row is read and written several times per
   * step (catch-up, logits, update); with six separate arrays every touch cost six cache misses,
   * with one record it costs one or two (k = 2: 64 bytes). The arithmetic is unchanged.
   */
  private readonly rec: Float64Array;
  private readonly stride: number;
  /** Step of the last flush: every row is current there, so gaps never exceed step − flushStep. */
  private flushStep = 0;
  /** D^s row-major as 4 numbers per s, s = 0 … powers.length / 4 − 1. */
  private powers: Float64Array;
  /**
   * First row of Σ_{j=1..s} D^j, 2 numbers per s (same range as `powers`): the sum of v over s
   * untouched steps is sums[2s]·v + sums[2s+1]·a, in terms of the (v, a) before them.
   */
  private sums: Float64Array;
  /** While averaging, each record's sums hold Σ v over steps avgStart+1 … its step; Σ b per class. */
  private averaging = false;
  private sumB: Float64Array | undefined;
  /** Step the running average starts after. */
  private avgStart = 0;
  /** Current step size (changes only at a flush, see `setLearningRate`). */
  private lr: number;
  /** Per-step scratch: the batch's touched ids and their gradients. */
  private ids = new Int32Array(64);
  private grad = new Float64Array(64);
  private z = new Float64Array(0);
  private readonly gradB: Float64Array;
  /**
   * Only with λ > 0: per step s (relative to flushStep) Σv², Σv·a, Σa² over the W coordinates
   * whose stored state belongs to step s.
   */
  private moments: Float64Array;

  constructor(
    readonly dim: number,
    readonly k: number,
    readonly opts: SparseMomentumOptions,
  ) {
    this.stride = 3 * k + 2;
    this.rec = new Float64Array(dim * this.stride);
    for (let r = 0, q = 3 * k + 1; r < dim; r++, q += this.stride) this.rec[q] = -1;
    this.b = new Float64Array(k);
    this.accB = new Float64Array(k);
    this.gradB = new Float64Array(k);
    this.powers = Float64Array.of(1, 0, 0, 1);
    this.sums = Float64Array.of(0, 0);
    this.lr = opts.learningRate;
    this.moments = new Float64Array(opts.l2 > 0 ? 3 * 64 : 0);
  }

  /** W (dim × k, row-major), a copy: as stored, rows not brought up to date unless flushed. */
  get W(): Float64Array {
    return this.column(0);
  }

  /** The momentum accumulators of W, a copy laid out as `W`. */
  get accW(): Float64Array {
    return this.column(this.k);
  }

  private column(offset: number): Float64Array {
    const { dim, k, stride, rec } = this;
    const out = new Float64Array(dim * k);
    for (let r = 0; r < dim; r++) for (let c = 0; c < k; c++) out[r * k + c] = rec[r * stride + offset + c];
    return out;
  }

  /** Make sure D^s is tabulated for every s ≤ maxGap. */
  private ensurePowers(maxGap: number): void {
    const have = this.powers.length / 4 - 1;
    if (maxGap <= have) return;
    const size = Math.max(maxGap, 2 * have) + 1;
    const P = new Float64Array(size * 4);
    P.set(this.powers);
    const S = new Float64Array(size * 2);
    S.set(this.sums);
    const { momentum: m, l2 } = this.opts;
    const lr = this.lr;
    const d00 = 1 - lr * l2 * (1 + m),
      d01 = -lr * m * m,
      d10 = l2,
      d11 = m;
    for (let s = have + 1; s < size; s++) {
      const q = (s - 1) * 4;
      P[s * 4] = d00 * P[q] + d01 * P[q + 2];
      P[s * 4 + 1] = d00 * P[q + 1] + d01 * P[q + 3];
      P[s * 4 + 2] = d10 * P[q] + d11 * P[q + 2];
      P[s * 4 + 3] = d10 * P[q + 1] + d11 * P[q + 3];
      S[s * 2] = S[(s - 1) * 2] + P[s * 4];
      S[s * 2 + 1] = S[(s - 1) * 2 + 1] + P[s * 4 + 1];
    }
    this.powers = P;
    this.sums = S;
  }

  private ensureMoments(rel: number): void {
    if (3 * (rel + 1) <= this.moments.length) return;
    const M = new Float64Array(Math.max(3 * (rel + 1), 2 * this.moments.length));
    M.set(this.moments);
    this.moments = M;
  }

  /** Add (sign +1) or remove (−1) row r's stored moments from its step's group. */
  private moveMoments(r: number, sign: number): void {
    const { rec, k, moments } = this;
    const o = r * this.stride;
    const rel = rec[o + 3 * k] - this.flushStep;
    this.ensureMoments(rel);
    let vv = 0,
      va = 0,
      aa = 0;
    for (let c = 0; c < k; c++) {
      const v = rec[o + c],
        a = rec[o + k + c];
      vv += v * v;
      va += v * a;
      aa += a * a;
    }
    moments[3 * rel] += sign * vv;
    moments[3 * rel + 1] += sign * va;
    moments[3 * rel + 2] += sign * aa;
  }

  /** Bring the row whose record starts at `o` to the state after step `to` (no loss gradient in between). */
  private catchUp(o: number, to: number): void {
    const { rec, k } = this;
    const gap = to - rec[o + 3 * k];
    if (gap <= 0) return;
    const P = this.powers;
    const p = gap * 4;
    const d00 = P[p],
      d01 = P[p + 1],
      d10 = P[p + 2],
      d11 = P[p + 3];
    if (this.averaging) {
      // The row's v at each of the skipped steps, summed in closed form before (v, a) move on.
      const s0 = this.sums[gap * 2],
        s1 = this.sums[gap * 2 + 1];
      for (let c = 0; c < k; c++) rec[o + 2 * k + c] += s0 * rec[o + c] + s1 * rec[o + k + c];
    }
    for (let c = 0; c < k; c++) {
      const v = rec[o + c],
        a = rec[o + k + c];
      rec[o + c] = d00 * v + d01 * a;
      rec[o + k + c] = d10 * v + d11 * a;
    }
    rec[o + 3 * k] = to;
  }

  /** λ/2·‖W‖² for W as it is after `this.step` steps, from the per-step moment groups. */
  private penalty(): number {
    const P = this.powers;
    const M = this.moments;
    let sum = 0;
    const span = this.step - this.flushStep;
    for (let rel = 0; rel <= span && 3 * rel < M.length; rel++) {
      const p = (span - rel) * 4;
      const d00 = P[p],
        d01 = P[p + 1];
      sum += d00 * d00 * M[3 * rel] + 2 * d00 * d01 * M[3 * rel + 1] + d01 * d01 * M[3 * rel + 2];
    }
    return (this.opts.l2 / 2) * sum;
  }

  /**
   * One minibatch step on `rows` of X. Returns the batch loss as tfjs reports it (weighted mean
   * cross-entropy + λ/2·‖W‖² before the update) and the batch's weight total.
   */
  update(
    X: Csr,
    targets: ArrayLike<number>,
    rows: ArrayLike<number>,
    rowWeights?: ArrayLike<number>,
  ): { loss: number; weightTotal: number } {
    const { k, rec, stride, b, accB, gradB, sumB, averaging } = this;
    const { momentum: m, l2 } = this.opts;
    const STEP = 3 * k,
      SLOT = 3 * k + 1,
      ACC = k,
      SUM = 2 * k;
    const lr = this.lr;
    const { rowPtr, indices, values } = X;
    const B = rows.length;
    const prev = this.step;
    this.ensurePowers(prev + 1 - this.flushStep);
    // The penalty of the weights this step starts from (after step prev), as tfjs's loss has it.
    const reg = l2 > 0 ? this.penalty() : 0;
    const t = ++this.step;

    // The batch's distinct ids, each brought to the state after step t − 1.
    let u = 0;
    for (let q = 0; q < B; q++) {
      const i = rows[q];
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
        const id = indices[p];
        const o = id * stride;
        if (rec[o + SLOT] >= 0) continue;
        if (u === this.ids.length) {
          const grown = new Int32Array(2 * u);
          grown.set(this.ids);
          this.ids = grown;
        }
        rec[o + SLOT] = u;
        this.ids[u++] = id;
        if (l2 > 0) this.moveMoments(id, -1);
        this.catchUp(o, prev);
      }
    }
    if (this.grad.length < u * k) this.grad = new Float64Array(2 * u * k);
    const grad = this.grad;
    grad.fill(0, 0, u * k);
    gradB.fill(0);
    if (this.z.length < k) this.z = new Float64Array(k);
    const z = this.z;

    let weightTotal = 0;
    for (let q = 0; q < B; q++) weightTotal += rowWeights ? rowWeights[rows[q]] : 1;
    // A batch whose weights are all 0 carries no loss; tfjs would divide 0 by 0 here and end the
    // run as diverged. Its gradient is taken as 0 (the penalty and momentum still act).
    const scale = weightTotal > 0 ? 1 / weightTotal : 0;
    let lossSum = 0;
    for (let q = 0; q < B; q++) {
      const i = rows[q];
      const w = rowWeights ? rowWeights[i] : 1;
      for (let c = 0; c < k; c++) z[c] = b[c];
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
        const x = values[p];
        const o = indices[p] * stride;
        for (let c = 0; c < k; c++) z[c] += x * rec[o + c];
      }
      let max = -Infinity;
      for (let c = 0; c < k; c++) if (z[c] > max) max = z[c];
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp(z[c] - max);
      const lse = max + Math.log(sum);
      let rowLoss = 0;
      const yo = i * k;
      for (let c = 0; c < k; c++) {
        const y = targets[yo + c];
        // Written as tfjs computes it: −Σ y·(z − lse), so a 0 target never multiplies a −∞.
        rowLoss -= y * (z[c] - lse);
        // dz_c, kept in z: the logit gradient of the batch loss.
        z[c] = (Math.exp(z[c] - lse) - y) * w * scale;
        gradB[c] += z[c];
      }
      lossSum += w * rowLoss;
      for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
        const x = values[p];
        const base = rec[indices[p] * stride + SLOT] * k;
        for (let c = 0; c < k; c++) grad[base + c] += x * z[c];
      }
    }

    // Nesterov momentum on the touched rows (their untouched peers move lazily).
    for (let j = 0; j < u; j++) {
      const id = this.ids[j];
      const o = id * stride;
      const gb = j * k;
      for (let c = 0; c < k; c++) {
        const v = rec[o + c];
        const g = grad[gb + c] + l2 * v;
        const a = m * rec[o + ACC + c] + g;
        rec[o + ACC + c] = a;
        const nv = v - lr * (g + m * a);
        rec[o + c] = nv;
        if (averaging) rec[o + SUM + c] += nv;
      }
      rec[o + STEP] = t;
      rec[o + SLOT] = -1;
      if (l2 > 0) this.moveMoments(id, +1);
    }
    for (let c = 0; c < k; c++) {
      const g = gradB[c];
      const a = m * accB[c] + g;
      accB[c] = a;
      b[c] -= lr * (g + m * a);
      if (sumB && averaging) sumB[c] += b[c];
    }
    return { loss: (weightTotal > 0 ? lossSum * scale : 0) + reg, weightTotal };
  }

  /** Bring every W row to the current step (exact: the same D^s as above). */
  flush(): void {
    const t = this.step;
    this.ensurePowers(t - this.flushStep);
    for (let r = 0; r < this.dim; r++) this.catchUp(r * this.stride, t);
    this.flushStep = t;
    if (this.opts.l2 > 0) {
      // Every row now belongs to the flush step: one group.
      this.moments.fill(0);
      for (let r = 0; r < this.dim; r++) this.moveMoments(r, +1);
    }
  }

  /** Weights rounded to float32 (call `flush` first). */
  snapshot(): { weights: Float32Array; bias: Float32Array } {
    return { weights: Float32Array.from(this.W), bias: Float32Array.from(this.b) };
  }

  private requireFlushed(what: string): void {
    if (this.flushStep !== this.step) throw new Error(`${what} needs every row current: call flush() first`);
  }

  /**
   * Change the step size from the next step on. Only right after a flush: every row's lazy state
   * then belongs to this step, so the D^s tables can be rebuilt for the new lr and stay exact.
   */
  setLearningRate(lr: number): void {
    this.requireFlushed('setLearningRate');
    if (lr === this.lr) return;
    this.lr = lr;
    this.powers = Float64Array.of(1, 0, 0, 1);
    this.sums = Float64Array.of(0, 0);
  }

  /** Start (or restart) a running average of W and b over the steps from now on (after a flush). */
  startAverage(): void {
    this.requireFlushed('startAverage');
    const { rec, k, stride } = this;
    for (let o = 2 * k; o < rec.length; o += stride) for (let c = 0; c < k; c++) rec[o + c] = 0;
    this.sumB ??= new Float64Array(k);
    this.sumB.fill(0);
    this.averaging = true;
    this.avgStart = this.step;
  }

  /**
   * The mean of W and b over the steps since `startAverage` (after a flush), rounded to float32:
   * Polyak–Ruppert averaging. Exact under the lazy scheme: a row untouched for s steps adds
   * Σ_{j=1..s} (D^j·(v, a))_v to its sum, one tabulated 1 × 2 row per s.
   */
  averageSnapshot(): { weights: Float32Array; bias: Float32Array; steps: number } {
    this.requireFlushed('averageSnapshot');
    const { sumB, rec, k, stride, dim } = this;
    const steps = this.step - this.avgStart;
    if (!this.averaging || !sumB || steps === 0) throw new Error('averageSnapshot: no steps averaged since startAverage()');
    const weights = new Float32Array(dim * k);
    for (let r = 0; r < dim; r++) for (let c = 0; c < k; c++) weights[r * k + c] = rec[r * stride + 2 * k + c] / steps;
    const bias = Float32Array.from(sumB, (v) => v / steps);
    return { weights, bias, steps };
  }
}

/** `trainLinear` with the typed-array engine (momentum optimizer only). */
export async function trainLinearTyped(
  X: Csr,
  targets: ArrayLike<number>,
  k: number,
  opts: TrainOptions,
  cfg: TrainConfig,
): Promise<TrainResult> {
  const state = new SparseSoftmaxMomentum(X.dim, k, { learningRate: cfg.learningRate, momentum: MOMENTUM, l2: cfg.l2 });
  const rng = mulberry32(deriveSeed(cfg.seed, 'classifier/shuffle'));
  const keeper = new EpochKeeper(X.dim, k, cfg, opts);
  const yielder = new Yielder(opts.signal);
  let averaging = false;
  for (let epoch = 1; epoch <= cfg.maxEpochs; epoch++) {
    const plan = asgdEpoch(cfg, X.n, epoch);
    // Every row is current here (start, or the flush below), as both calls require.
    state.setLearningRate(plan.learningRate);
    if (plan.averaged && !averaging) state.startAverage();
    averaging = plan.averaged;
    const order = permutation(X.n, rng);
    let lossSum = 0;
    let weightSum = 0;
    for (let start = 0; start < X.n; start += cfg.batchSize) {
      await yielder.tick();
      const { loss, weightTotal } = state.update(X, targets, order.subarray(start, Math.min(X.n, start + cfg.batchSize)), opts.rowWeights);
      lossSum += loss * weightTotal;
      weightSum += weightTotal;
    }
    state.flush();
    const { weights, bias } = averaging ? state.averageSnapshot() : state.snapshot();
    if (keeper.end(epoch, weightSum > 0 ? lossSum / weightSum : 0, weights, bias, averaging)) break;
  }
  return keeper.result(TYPED_BACKEND);
}
