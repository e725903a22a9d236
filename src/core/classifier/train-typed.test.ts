import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.ts';
import { deriveSeed, mulberry32, permutation } from '../rng.ts';
import type { Csr } from './featurize.ts';
import { predictProba } from './model.ts';
import { chooseEngine, trainLinear, type TrainOptions } from './train.ts';
import { asgdEpoch, trainConfig } from './train-loop.ts';
import { SparseSoftmaxMomentum, TYPED_BACKEND } from './train-typed.ts';

/** Random CSR rows: 0–maxNnz distinct ids in [0, dim), L2-normalised values (as featurize makes them). */
function randomCsr(n: number, dim: number, maxNnz: number, rng: () => number): Csr {
  const rowPtr = new Int32Array(n + 1);
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const ids = new Set<number>();
    const want = Math.floor(rng() * (maxNnz + 1));
    while (ids.size < want) ids.add(Math.floor(rng() * dim));
    const sorted = [...ids].sort((a, b) => a - b);
    const v = sorted.map(() => rng() * 2 - 1);
    const norm = Math.hypot(...v) || 1;
    indices.push(...sorted);
    values.push(...v.map((x) => x / norm));
    rowPtr[i + 1] = indices.length;
  }
  return { n, dim, rowPtr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
}

function randomTargets(n: number, k: number, rng: () => number): Float32Array {
  const t = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < k; c++) s += t[i * k + c] = rng();
    for (let c = 0; c < k; c++) t[i * k + c] /= s;
  }
  return t;
}

/**
 * Dense reference: every coordinate of W gets tfjs's Nesterov update on every step, the full
 * gradient built explicitly (dim × k), the l2 penalty summed over all of W.
 */
class DenseReference {
  W: Float64Array;
  accW: Float64Array;
  b: Float64Array;
  accB: Float64Array;
  sumW: Float64Array | undefined;
  sumB: Float64Array | undefined;
  steps = 0;
  constructor(
    readonly dim: number,
    readonly k: number,
    public lr: number,
    readonly m: number,
    readonly l2: number,
  ) {
    this.W = new Float64Array(dim * k);
    this.accW = new Float64Array(dim * k);
    this.b = new Float64Array(k);
    this.accB = new Float64Array(k);
  }
  update(X: Csr, targets: ArrayLike<number>, rows: ArrayLike<number>, weights?: ArrayLike<number>): number {
    const { k, W, b, lr, m, l2 } = this;
    const G = new Float64Array(W.length);
    const gB = new Float64Array(k);
    let wt = 0;
    for (const i of Array.from(rows)) wt += weights ? weights[i] : 1;
    let loss = 0;
    for (const i of Array.from(rows)) {
      const w = weights ? weights[i] : 1;
      const z = Array.from(b);
      for (let p = X.rowPtr[i]; p < X.rowPtr[i + 1]; p++) for (let c = 0; c < k; c++) z[c] += X.values[p] * W[X.indices[p] * k + c];
      const lse = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
      for (let c = 0; c < k; c++) {
        const y = targets[i * k + c];
        loss -= (w * y * (z[c] - lse)) / wt;
        const dz = ((Math.exp(z[c] - lse) - y) * w) / wt;
        gB[c] += dz;
        for (let p = X.rowPtr[i]; p < X.rowPtr[i + 1]; p++) G[X.indices[p] * k + c] += X.values[p] * dz;
      }
    }
    loss += (l2 / 2) * W.reduce((s, v) => s + v * v, 0);
    for (let j = 0; j < W.length; j++) {
      const g = G[j] + l2 * W[j];
      this.accW[j] = m * this.accW[j] + g;
      W[j] -= lr * (g + m * this.accW[j]);
    }
    for (let c = 0; c < k; c++) {
      this.accB[c] = m * this.accB[c] + gB[c];
      b[c] -= lr * (gB[c] + m * this.accB[c]);
    }
    if (this.sumW && this.sumB) {
      for (let j = 0; j < W.length; j++) this.sumW[j] += W[j];
      for (let c = 0; c < k; c++) this.sumB[c] += b[c];
      this.steps++;
    }
    return loss;
  }
  startAverage(): void {
    this.sumW = new Float64Array(this.W.length);
    this.sumB = new Float64Array(this.k);
    this.steps = 0;
  }
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
};
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => Math.max(s, Math.abs(v)), 0);

describe('lazy momentum (SparseSoftmaxMomentum)', () => {
  it('equals a dense step-by-step reference, flushed at random steps, with and without l2', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          k: fc.integer({ min: 2, max: 4 }),
          dim: fc.integer({ min: 5, max: 40 }),
          batch: fc.integer({ min: 1, max: 8 }),
          steps: fc.integer({ min: 1, max: 40 }),
          lr: fc.constantFrom(0.1, 0.5, 1),
          l2: fc.constantFrom(0, 0, 1e-3, 0.05),
          weighted: fc.boolean(),
        }),
        ({ seed, k, dim, batch, steps, lr, l2, weighted }) => {
          const rng = mulberry32(seed);
          const n = 30;
          const X = randomCsr(n, dim, 4, rng);
          const targets = randomTargets(n, k, rng);
          const weights = weighted ? Float32Array.from({ length: n }, () => 0.1 + 2 * rng()) : undefined;
          const lazy = new SparseSoftmaxMomentum(dim, k, { learningRate: lr, momentum: 0.9, l2 });
          const dense = new DenseReference(dim, k, lr, 0.9, l2);
          for (let s = 0; s < steps; s++) {
            const rows = Uint32Array.from({ length: batch }, () => Math.floor(rng() * n));
            const a = lazy.update(X, targets, rows, weights);
            const d = dense.update(X, targets, rows, weights);
            expect(Math.abs(a.loss - d)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(d)));
            // Flush at random steps (and at the end): in between, rows stay lazy for many steps.
            if (rng() < 0.2 || s === steps - 1) {
              lazy.flush();
              const scale = 1 + maxAbs(dense.W) + maxAbs(dense.accW);
              expect(maxAbsDiff(lazy.W, dense.W)).toBeLessThanOrEqual(1e-10 * scale);
              expect(maxAbsDiff(lazy.accW, dense.accW)).toBeLessThanOrEqual(1e-10 * scale);
              expect(maxAbsDiff(lazy.b, dense.b)).toBeLessThanOrEqual(1e-12 * (1 + maxAbs(dense.b)));
            }
          }
        },
      ),
      { numRuns: 150, seed: 20261121 },
    );
  });

  it('averages exactly (Polyak–Ruppert) and changes the step size exactly, against the dense reference', () => {
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          k: fc.integer({ min: 2, max: 4 }),
          dim: fc.integer({ min: 5, max: 40 }),
          batch: fc.integer({ min: 1, max: 8 }),
          steps: fc.integer({ min: 2, max: 40 }),
          l2: fc.constantFrom(0, 0, 1e-3, 0.05),
        }),
        ({ seed, k, dim, batch, steps, l2 }) => {
          const rng = mulberry32(seed);
          const n = 30;
          const X = randomCsr(n, dim, 4, rng);
          const targets = randomTargets(n, k, rng);
          const lazy = new SparseSoftmaxMomentum(dim, k, { learningRate: 1, momentum: 0.9, l2 });
          const dense = new DenseReference(dim, k, 1, 0.9, l2);
          let averaging = false;
          for (let s = 0; s < steps; s++) {
            // At random flushes: start (or restart) the average, or change the step size.
            if (rng() < 0.25) {
              lazy.flush();
              if (!averaging || rng() < 0.2) {
                lazy.startAverage();
                dense.startAverage();
                averaging = true;
              }
              if (rng() < 0.5) {
                const lr = 0.1 + rng();
                lazy.setLearningRate(lr);
                dense.lr = lr;
              }
            }
            const rows = Uint32Array.from({ length: batch }, () => Math.floor(rng() * n));
            lazy.update(X, targets, rows);
            dense.update(X, targets, rows);
            if (averaging && (rng() < 0.2 || s === steps - 1)) {
              lazy.flush();
              const avg = lazy.averageSnapshot();
              expect(avg.steps).toBe(dense.steps);
              const wantW = Float64Array.from(dense.sumW!, (v) => v / dense.steps);
              const wantB = Float64Array.from(dense.sumB!, (v) => v / dense.steps);
              // Float64 sums agree to ~1e-15; the snapshot is rounded to float32 (half an ulp, 6e-8).
              expect(maxAbsDiff(avg.weights, wantW)).toBeLessThanOrEqual(1e-7 * (1e-6 + maxAbs(wantW)));
              expect(maxAbsDiff(avg.bias, wantB)).toBeLessThanOrEqual(1e-7 * (1e-6 + maxAbs(wantB)));
              expect(maxAbsDiff(lazy.W, dense.W)).toBeLessThanOrEqual(1e-10 * (1 + maxAbs(dense.W)));
            }
          }
        },
      ),
      { numRuns: 150, seed: 20261122 },
    );
  });

  it('refuses to average or change the step size while rows are lazy, and to average over no steps', () => {
    const X: Csr = { n: 1, dim: 3, rowPtr: Int32Array.of(0, 1), indices: Int32Array.of(1), values: Float32Array.of(1) };
    const s = new SparseSoftmaxMomentum(3, 2, { learningRate: 1, momentum: 0.9, l2: 0 });
    s.startAverage();
    expect(() => s.averageSnapshot()).toThrow(/no steps averaged/);
    s.update(X, Float32Array.of(1, 0), [0]);
    expect(() => s.setLearningRate(0.5)).toThrow(/flush/);
    expect(() => s.averageSnapshot()).toThrow(/flush/);
    s.flush();
    expect(s.averageSnapshot().steps).toBe(1);
  });

  it('decays an untouched coordinate in closed form: a ← m^s·a, v ← v − lr·a·(m² + … + m^(s+1))', () => {
    // One feature seen once, then 25 steps on rows without it.
    const X: Csr = { n: 2, dim: 2, rowPtr: Int32Array.of(0, 1, 1), indices: Int32Array.of(1), values: Float32Array.of(1) };
    const targets = Float32Array.of(1, 0, 0.5, 0.5);
    const lr = 0.7,
      m = 0.9;
    const s = new SparseSoftmaxMomentum(2, 2, { learningRate: lr, momentum: m, l2: 0 });
    s.update(X, targets, [0]);
    const v0 = s.W[2],
      a0 = s.accW[2];
    expect(a0).not.toBe(0);
    for (let t = 0; t < 25; t++) s.update(X, targets, [1]);
    s.flush();
    let geo = 0;
    for (let j = 2; j <= 26; j++) geo += m ** j;
    expect(s.accW[2]).toBeCloseTo(m ** 25 * a0, 14);
    expect(s.W[2]).toBeCloseTo(v0 - lr * a0 * geo, 14);
  });
});

/** A small separable-ish problem with hashed-looking features and a dev split. */
function problem(seed: number, n = 200, k = 3) {
  const rng = mulberry32(seed);
  const dim = 60;
  // Class c favours ids in its own third of the vocabulary.
  const make = (rows: number) => {
    const y = new Int32Array(rows);
    const rowPtr = new Int32Array(rows + 1);
    const indices: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < rows; i++) {
      const c = Math.floor(rng() * k);
      y[i] = c;
      const ids = new Set<number>();
      while (ids.size < 5) ids.add(rng() < 0.7 ? 1 + c * 19 + Math.floor(rng() * 19) : 1 + Math.floor(rng() * (dim - 1)));
      const sorted = [...ids].sort((a, b) => a - b);
      indices.push(...sorted);
      values.push(...sorted.map(() => 1 / Math.sqrt(5)));
      rowPtr[i + 1] = indices.length;
    }
    const X: Csr = { n: rows, dim, rowPtr, indices: Int32Array.from(indices), values: Float32Array.from(values) };
    return { X, y };
  };
  const tr = make(n);
  const dev = make(60);
  // Soft targets: 0.7 on the true class, but 20% of rows point at a wrong one.
  const targets = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const c = rng() < 0.2 ? (tr.y[i] + 1) % k : tr.y[i];
    for (let q = 0; q < k; q++) targets[i * k + q] = q === c ? 0.7 : 0.3 / (k - 1);
  }
  const rowWeights = Float32Array.from({ length: n }, () => 0.5 + rng());
  return { X: tr.X, targets, k, dev, rowWeights };
}

describe('typed engine against the tfjs engine', () => {
  beforeAll(async () => {
    await selectBackend({ force: 'wasm' });
  });

  it('trains the same model: same dev scores per epoch, same best epoch, weights equal to float32 precision', async () => {
    const p = problem(7);
    const opts: TrainOptions = { seed: 4, maxEpochs: 6, patience: 10, rowWeights: p.rowWeights, dev: { X: p.dev.X, y: p.dev.y }, l2: 1e-3 };
    const typed = await trainLinear(p.X, p.targets, p.k, { ...opts, engine: 'typed' });
    const tfjs = await trainLinear(p.X, p.targets, p.k, { ...opts, engine: 'tfjs' });
    expect(typed.backend).toBe(TYPED_BACKEND);
    expect(tfjs.backend).toBe('wasm');
    expect(typed.history.map((e) => e.devScore)).toEqual(tfjs.history.map((e) => e.devScore));
    expect(typed.bestEpoch).toBe(tfjs.bestEpoch);
    // tfjs keeps W, its accumulator and every intermediate in float32 (relative rounding ~6e-8
    // per operation) over 42 steps of lr 1; measured: 2.6e-7 of the weights' scale (two float32
    // ulps), so 1e-5 leaves a 40× margin while a wrong update rule misses it by orders of magnitude.
    const scale = maxAbs(tfjs.model.weights);
    expect(scale).toBeGreaterThan(0.5);
    expect(maxAbsDiff(typed.model.weights, tfjs.model.weights)).toBeLessThan(1e-5 * scale);
    expect(maxAbsDiff(typed.model.bias, tfjs.model.bias)).toBeLessThan(1e-5 * (1 + maxAbs(tfjs.model.bias)));
    for (let e = 0; e < typed.history.length; e++) {
      expect(Math.abs(typed.history[e].loss - tfjs.history[e].loss)).toBeLessThan(1e-5 * (1 + tfjs.history[e].loss));
    }
    const pa = predictProba(typed.model, p.dev.X);
    const pb = predictProba(tfjs.model, p.dev.X);
    expect(maxAbsDiff(pa, pb)).toBeLessThan(1e-4);
  });

  it('runs the same averaged-SGD schedule: step size per epoch, averaging from the horizon on', async () => {
    const p = problem(13);
    // Horizon 2n: epochs 1–2 plain (lr, lr·1.5^(−3/4)), the average of every step from epoch 3 on.
    const opts: TrainOptions = {
      seed: 2,
      maxEpochs: 6,
      patience: 10,
      rowWeights: p.rowWeights,
      dev: { X: p.dev.X, y: p.dev.y },
      asgdSamples: 2 * p.X.n,
    };
    const typed = await trainLinear(p.X, p.targets, p.k, { ...opts, engine: 'typed' });
    const tfjs = await trainLinear(p.X, p.targets, p.k, { ...opts, engine: 'tfjs' });
    expect(typed.history.map((e) => e.devScore)).toEqual(tfjs.history.map((e) => e.devScore));
    expect(typed.bestEpoch).toBe(tfjs.bestEpoch);
    const scale = maxAbs(tfjs.model.weights);
    expect(scale).toBeGreaterThan(0.2);
    expect(maxAbsDiff(typed.model.weights, tfjs.model.weights)).toBeLessThan(1e-5 * scale);
    expect(maxAbsDiff(typed.model.bias, tfjs.model.bias)).toBeLessThan(1e-5 * (1 + maxAbs(tfjs.model.bias)));
    // And the schedule matters: without it the same seed keeps a different model.
    const plain = await trainLinear(p.X, p.targets, p.k, { ...opts, engine: 'typed', asgdSamples: 0 });
    expect(maxAbsDiff(plain.model.weights, typed.model.weights)).toBeGreaterThan(1e-3 * scale);
  });

  it('stops early the same way: patience counted from the best dev score, that epoch kept', async () => {
    const p = problem(11, 120, 2);
    const seen: number[] = [];
    const opts: TrainOptions = {
      seed: 1,
      maxEpochs: 50,
      patience: 3,
      dev: { X: p.dev.X, y: p.dev.y },
      onProgress: (e) => void seen.push(e.epoch),
    };
    const typed = await trainLinear(p.X, p.targets, p.k, { ...opts, engine: 'typed' });
    const tfjs = await trainLinear(p.X, p.targets, p.k, { ...opts, engine: 'tfjs' });
    expect(typed.history.length).toBeLessThan(50);
    expect(typed.history.map((e) => [e.devScore, e.best])).toEqual(tfjs.history.map((e) => [e.devScore, e.best]));
    // The run ends `patience` epochs after the last strictly better score…
    const scores = typed.history.map((e) => e.devScore!);
    const firstBest = scores.indexOf(Math.max(...scores)) + 1;
    expect(typed.history.length).toBe(firstBest + 3);
    // …and keeps the best epoch (the later of equal scores, by the tie rule on the loss).
    expect(typed.bestDevScore).toBe(Math.max(...scores));
    expect(typed.history[typed.bestEpoch - 1].best).toBe(true);
    expect(typed.history.slice(typed.bestEpoch).every((e) => !e.best)).toBe(true);
    expect(seen).toEqual([...typed.history.map((e) => e.epoch), ...tfjs.history.map((e) => e.epoch)]);
  });
});

describe('typed engine behaviour', () => {
  it('is deterministic for a seed; another seed shuffles differently', async () => {
    const p = problem(3);
    const run = (seed: number) => trainLinear(p.X, p.targets, p.k, { seed, maxEpochs: 3, engine: 'typed' });
    const [a, b, c] = [await run(5), await run(5), await run(6)];
    expect(Array.from(a.model.weights)).toEqual(Array.from(b.model.weights));
    expect(Array.from(a.model.bias)).toEqual(Array.from(b.model.bias));
    expect(Array.from(a.model.weights)).not.toEqual(Array.from(c.model.weights));
  });

  it('keeps the averaged iterate: the model equals a hand-run of the schedule', async () => {
    const p = problem(17, 150);
    const n = p.X.n;
    // No dev set: every epoch is kept, so the result is epoch 3's weights.
    const run = await trainLinear(p.X, p.targets, p.k, {
      seed: 8,
      maxEpochs: 3,
      asgdSamples: n,
      rowWeights: p.rowWeights,
      engine: 'typed',
    });
    const s = new SparseSoftmaxMomentum(p.X.dim, p.k, { learningRate: 1, momentum: 0.9, l2: 0 });
    const rng = mulberry32(deriveSeed(8, 'classifier/shuffle'));
    for (let epoch = 1; epoch <= 3; epoch++) {
      s.setLearningRate(epoch ** -0.75); // (1 + (epoch − 1)·n/n)^(−3/4)
      if (epoch === 2) s.startAverage();
      const order = permutation(n, rng);
      for (let start = 0; start < n; start += 32) s.update(p.X, p.targets, order.subarray(start, Math.min(n, start + 32)), p.rowWeights);
      s.flush();
    }
    const avg = s.averageSnapshot();
    expect(avg.steps).toBe(2 * Math.ceil(n / 32));
    expect(Array.from(run.model.weights)).toEqual(Array.from(avg.weights));
    expect(Array.from(run.model.bias)).toEqual(Array.from(avg.bias));
    expect(Array.from(run.model.weights)).not.toEqual(Array.from(s.snapshot().weights));
  });

  it('asgdEpoch: lr·(1 + seen/T)^(−3/4), averaging once T samples are seen; T = 0 is plain SGD; Adam never', async () => {
    const cfg = { learningRate: 0.8, asgdSamples: 1000 };
    expect(asgdEpoch(cfg, 400, 1)).toEqual({ learningRate: 0.8, averaged: false });
    expect(asgdEpoch(cfg, 400, 3)).toEqual({ learningRate: 0.8 * 1.8 ** -0.75, averaged: false });
    expect(asgdEpoch(cfg, 400, 4)).toEqual({ learningRate: 0.8 * 2.2 ** -0.75, averaged: true });
    expect(asgdEpoch(cfg, 1000, 2)).toEqual({ learningRate: 0.8 * 2 ** -0.75, averaged: true });
    for (const e of [1, 5, 60])
      expect(asgdEpoch({ learningRate: 0.8, asgdSamples: 0 }, 400, e)).toEqual({ learningRate: 0.8, averaged: false });
    const p = problem(2, 10);
    expect(trainConfig(p.X, p.targets, p.k, {}).asgdSamples).toBe(200_000);
    expect(trainConfig(p.X, p.targets, p.k, { optimizer: 'adam', asgdSamples: 50 }).asgdSamples).toBe(0);
    await expect(trainLinear(p.X, p.targets, p.k, { asgdSamples: -1 })).rejects.toThrow(/asgdSamples must be ≥ 0/);
  });

  it('cancels through the signal, mid-run or before it starts', async () => {
    const p = problem(5, 2000);
    const ac = new AbortController();
    const epochs: number[] = [];
    const run = trainLinear(p.X, p.targets, p.k, {
      engine: 'typed',
      maxEpochs: 10_000,
      signal: ac.signal,
      onProgress: (e) => {
        epochs.push(e.epoch);
        if (e.epoch === 2) ac.abort();
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(epochs).toEqual([1, 2]);
    await expect(trainLinear(p.X, p.targets, p.k, { engine: 'typed', signal: ac.signal })).rejects.toThrow(/abort/i);
  });

  it('yields to the event loop while training, so a timer (a cancel message) gets through', async () => {
    // A timer set after the first epoch can only run if training gives the event loop a turn.
    // Without yields all 5,000 epochs would run first (seconds) and the abort
    // would come too late; with them it lands at the next yield and training stops right there.
    const p = problem(9, 3000);
    const maxEpochs = 5_000;
    const ac = new AbortController();
    let epochs = 0;
    let epochsWhenTimerRan = -1;
    const run = trainLinear(p.X, p.targets, p.k, {
      engine: 'typed',
      maxEpochs,
      seed: 0,
      signal: ac.signal,
      onProgress: (e) => {
        epochs = e.epoch;
        if (e.epoch === 1) {
          setTimeout(() => {
            epochsWhenTimerRan = epochs;
            ac.abort();
          }, 0);
        }
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(epochsWhenTimerRan).toBeGreaterThanOrEqual(1);
    expect(epochsWhenTimerRan).toBeLessThan(maxEpochs);
    // No epoch finished after the timer ran: the yield that let it run checked the signal.
    expect(epochs).toBe(epochsWhenTimerRan);
  });

  it("'auto' picks the typed engine for momentum and tfjs for Adam; typed refuses Adam", () => {
    expect(chooseEngine('auto', 'momentum')).toBe('typed');
    expect(chooseEngine('auto', 'adam')).toBe('tfjs');
    expect(chooseEngine('tfjs', 'momentum')).toBe('tfjs');
    expect(() => chooseEngine('typed', 'adam')).toThrow(/momentum SGD only/);
  });

  it('rejects row weights of the wrong length', async () => {
    const p = problem(2, 10);
    await expect(trainLinear(p.X, p.targets, p.k, { rowWeights: new Float32Array(3) })).rejects.toThrow(/3 values for 10 training rows/);
  });
});
