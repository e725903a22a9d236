/**
 * Training the distilled classifier: multinomial logistic regression on sparse features, fitted to the label model's probabilities with noise-aware cross-entropy
 * (−Σ_y P(y | votes) log q(y | x), Ratner et al., "Data Programming", NeurIPS 2016 §4),
 * minibatch SGD with Nesterov momentum (Adam optional), early stopping on gold dev labels (the best
 * epoch's weights are kept, as WRENCH does). Averaged SGD on a sample clock (train-loop.ts
 * `asgdEpoch`): the step size decays with the samples seen, and once `asgdSamples` of them have
 * been seen each epoch offers the iterate average instead of the last iterate. A 1.7k-row set
 * (60 epochs ≈ 100k samples) never averages; a 100k-row one averages from its third epoch.
 *
 * Two engines run that same optimisation: a typed-array one (train-typed.ts: sparse steps, lazy
 * exact momentum, the default) and the tfjs one below (any tfjs backend; Adam). The shared
 * per-epoch logic is in train-loop.ts.
 *
 * The tfjs graph is sparse on every backend without UnsortedSegmentSum (missing in tfjs-wasm, which is also what
 * tf.gather's own gradient needs): a batch's logits are M · gather(W, ids) + b, where M is the
 * small dense B × nnz(batch) matrix holding each row's feature values in that row's slots, and
 * the gradient of the gather is a ScatterNd into W (duplicates summed). Nothing of size
 * n × vocabulary is ever built.
 *
 * Deterministic for a seed: zero-initialised weights (the problem is convex, so a random start
 * buys nothing) and a seeded shuffle per epoch; tfjs-wasm/cpu kernels are sequential.
 * The caller picks the backend first (`selectBackend` in ../backend.ts).
 */
import type * as tfNs from '@tensorflow/tfjs';
import { getTf, readFloats } from '../backend.ts';
import { deriveSeed, mulberry32, permutation } from '../rng.ts';
import { type Metric, ShoalError } from '../types.ts';
import type { Csr } from './featurize.ts';
import type { LinearModel } from './model.ts';
import { asgdEpoch, EpochKeeper, MOMENTUM, type TrainConfig, trainConfig, Yielder } from './train-loop.ts';
import { trainLinearTyped } from './train-typed.ts';

export interface TrainOptions {
  seed?: number;
  /** Upper bound on passes over the data (default 60). */
  maxEpochs?: number;
  /**
   * Stop after this many epochs without a better dev score (default 15); among iterate averages,
   * without a lower dev log-loss (see `EpochKeeper` in train-loop.ts).
   */
  patience?: number;
  batchSize?: number;
  learningRate?: number;
  /**
   * 'momentum' (default: SGD with Nesterov momentum 0.9) or 'adam'. Adam's per-coordinate step
   * sizes give a feature seen once as much weight as a frequent one (its implicit bias is an
   * ℓ∞ max-margin); on sparse n-grams that overfits: semeval test accuracy 0.75 with Adam
   * against 0.79 with momentum SGD, the same labels and features.
   */
  optimizer?: 'adam' | 'momentum';
  /** L2 penalty λ/2·‖W‖² added to the mean batch loss (default 0: early stopping regularises). */
  l2?: number;
  /**
   * Averaged-SGD horizon T in training samples (default 200,000; 0 = plain SGD): epochs run at
   * lr·(1 + samples seen/T)^(−3/4), and once T samples have been seen each epoch offers early stopping
   * the mean of the iterates since then (`asgdEpoch` in train-loop.ts). Momentum optimizer only;
   * sets smaller than T/60 rows never reach the averaging within 60 epochs.
   */
  asgdSamples?: number;
  /** Dev metric early stopping maximises (default 'acc'); F1 is binary for k=2, macro else. */
  metric?: Metric;
  /** Gold-labelled dev rows (transformed features, labels in [0, k) or -1 for unknown). */
  dev?: { X: Csr; y: ArrayLike<number> };
  /** Per-row weights for the loss (default 1). */
  rowWeights?: ArrayLike<number>;
  /**
   * Which implementation trains (the same objective, minibatches and optimizer either way):
   * 'typed' — sparse typed arrays in plain JavaScript (train-typed.ts), momentum only;
   * 'tfjs' — the tfjs graph on the backend `selectBackend` chose (webgpu/webgl/wasm/cpu);
   * 'auto' (default) — see `chooseEngine`.
   */
  engine?: 'auto' | 'typed' | 'tfjs';
  onProgress?: (e: EpochReport) => void;
  signal?: AbortSignal;
}

export interface EpochReport {
  epoch: number;
  maxEpochs: number;
  /** Mean training loss over the epoch. */
  loss: number;
  devScore?: number;
  /** Mean negative log-likelihood of the dev labels (what ranks averaged epochs, see EpochKeeper). */
  devLogLoss?: number;
  /** Whether this epoch is the best so far (its weights are the ones kept). */
  best: boolean;
}

export interface TrainResult {
  model: LinearModel;
  /** 1-based epoch whose weights were kept. */
  bestEpoch: number;
  bestDevScore?: number;
  history: EpochReport[];
  /** The tfjs backend that trained ('wasm', 'webgl', …), or 'typed-array' for the typed engine. */
  backend: string;
  ms: number;
}

export { TRAIN_DEFAULTS } from './train-loop.ts';
export { TYPED_BACKEND } from './train-typed.ts';

/**
 * Fit W (dim × k) and b to soft targets (n × k row-major, rows summing to 1). Rows the label
 * model did not cover should already be left out by the caller. The engine is picked by
 * `opts.engine` (see `chooseEngine`); both optimise the same objective the same way.
 */
export async function trainLinear(X: Csr, targets: ArrayLike<number>, k: number, opts: TrainOptions = {}): Promise<TrainResult> {
  const cfg = trainConfig(X, targets, k, opts);
  return chooseEngine(opts.engine ?? 'auto', cfg.optimizer) === 'typed'
    ? trainLinearTyped(X, targets, k, opts, cfg)
    : trainLinearTfjs(X, targets, k, opts, cfg);
}

/**
 * 'auto' → the typed-array engine whenever it can run the optimizer (momentum), tfjs for Adam.
 * Measured on this machine (2 shared cores, Node 20, tfjs-wasm), the same fits with the default
 * settings:
 *   `distill` wall ms, typed vs tfjs (bench/studies/distill-engines.ts, seed 0; both kept the same run
 *   with the same dev score and best epoch on every set):
 *   youtube 1.7k rows 436 vs 2,492 (5.7×) · sms 4.6k 309 vs 1,730 (5.6×) · trec 5k 912 vs
 *   13,413 (14.7×) · semeval 1.7k 380 vs 2,751 (7.2×) · generated 20k docs 1,235 vs 7,489 (6.1×)
 *   · generated 100k docs (bench:scale, two runs) 9.3 s vs 76.7 s and 8.4 s vs 65.4 s (8×; training
 *   alone 10×).
 * The typed engine does O(nnz(batch)·k) work per step where tfjs does a dense O(dim·k) momentum
 * update plus ~10 kernel launches and one read; no dataset size favours tfjs. The browser gets
 * the same default: its GPU backends pay the same per-step launches and read, and on this
 * machine's Chromium (SwiftShader) they probe 15–300× slower than wasm (e2e train-worker log:
 * webgpu 22 ms, webgl 445 ms, wasm 1.4 ms). A real GPU was not measured.
 */
export function chooseEngine(engine: 'auto' | 'typed' | 'tfjs', optimizer: 'adam' | 'momentum'): 'typed' | 'tfjs' {
  if (engine === 'typed' && optimizer !== 'momentum') {
    throw new ShoalError(`the typed-array engine trains with momentum SGD only; use engine 'tfjs' (or 'auto') for ${optimizer}`);
  }
  if (engine === 'auto') return optimizer === 'momentum' ? 'typed' : 'tfjs';
  return engine;
}

/** The tfjs engine: autodiff on a sparse gather graph, tfjs's own optimizers, any backend. */
async function trainLinearTfjs(X: Csr, targets: ArrayLike<number>, k: number, opts: TrainOptions, cfg: TrainConfig): Promise<TrainResult> {
  const tf = getTf();
  const { batchSize, learningRate: lr, l2 } = cfg;
  const W = tf.variable(tf.zeros([X.dim, k]), true, 'clf/W');
  const b = tf.variable(tf.zeros([k]), true, 'clf/b');
  const momentum = cfg.optimizer === 'adam' ? undefined : tf.train.momentum(lr, MOMENTUM, true);
  const optimizer = momentum ?? tf.train.adam(lr);
  const rng = mulberry32(deriveSeed(cfg.seed, 'classifier/shuffle'));
  const keeper = new EpochKeeper(X.dim, k, cfg, opts);
  const yielder = new Yielder(opts.signal);
  // Averaged SGD (asgdEpoch): dense running sums of W and b after every step, as the typed
  // engine keeps them lazily.
  let sums: { W: tfNs.Variable; b: tfNs.Variable; steps: number } | undefined;
  try {
    for (let epoch = 1; epoch <= cfg.maxEpochs; epoch++) {
      const plan = asgdEpoch(cfg, X.n, epoch);
      momentum?.setLearningRate(plan.learningRate);
      if (plan.averaged && !sums)
        sums = { W: tf.variable(tf.zerosLike(W), false, 'clf/sumW'), b: tf.variable(tf.zerosLike(b), false, 'clf/sumB'), steps: 0 };
      const order = permutation(X.n, rng);
      let lossSum = 0;
      let weightSum = 0;
      for (let start = 0; start < X.n; start += batchSize) {
        await yielder.tick();
        const rows = order.subarray(start, Math.min(X.n, start + batchSize));
        const batch = buildBatch(X, targets, k, rows, opts.rowWeights);
        const lossT = tf.tidy(() => step(tf, W, b, optimizer, batch, l2));
        if (sums) {
          const s = sums;
          tf.tidy(() => {
            s.W.assign(s.W.add(W));
            s.b.assign(s.b.add(b));
          });
          s.steps++;
        }
        // One read per step keeps asynchronous backends (webgl/webgpu) from queueing unbounded work.
        const loss = (await readFloats(lossT))[0];
        lossT.dispose();
        lossSum += loss * batch.weightTotal;
        weightSum += batch.weightTotal;
      }
      // Copies: the keeper owns what it is given, and a backend may hand out a view.
      let weights: Float32Array, bias: Float32Array;
      if (sums) {
        const n = sums.steps;
        weights = Float32Array.from(await readFloats(sums.W), (v) => v / n);
        bias = Float32Array.from(await readFloats(sums.b), (v) => v / n);
      } else {
        weights = (await readFloats(W)).slice();
        bias = (await readFloats(b)).slice();
      }
      if (keeper.end(epoch, weightSum > 0 ? lossSum / weightSum : 0, weights, bias, !!sums)) break;
    }
  } finally {
    W.dispose();
    b.dispose();
    sums?.W.dispose();
    sums?.b.dispose();
    optimizer.dispose();
  }
  return keeper.result(tf.getBackend());
}

interface Batch {
  rows: number;
  nnz: number;
  ids: Int32Array;
  /** rows × nnz: the batch's values placed in their row's slots. */
  mixing: Float32Array;
  targets: Float32Array;
  weights: Float32Array;
  weightTotal: number;
}

function buildBatch(X: Csr, targets: ArrayLike<number>, k: number, rows: ArrayLike<number>, rowWeights?: ArrayLike<number>): Batch {
  const B = rows.length;
  let nnz = 0;
  for (let t = 0; t < B; t++) nnz += X.rowPtr[rows[t] + 1] - X.rowPtr[rows[t]];
  // An all-empty batch still needs one column so shapes stay valid: id 0 is the zero slot.
  const width = Math.max(1, nnz);
  const ids = new Int32Array(width);
  const mixing = new Float32Array(B * width);
  const y = new Float32Array(B * k);
  const w = new Float32Array(B);
  let q = 0;
  let weightTotal = 0;
  for (let t = 0; t < B; t++) {
    const i = rows[t];
    for (let p = X.rowPtr[i]; p < X.rowPtr[i + 1]; p++, q++) {
      ids[q] = X.indices[p];
      mixing[t * width + q] = X.values[p];
    }
    for (let c = 0; c < k; c++) y[t * k + c] = targets[i * k + c];
    w[t] = rowWeights ? rowWeights[i] : 1;
    weightTotal += w[t];
  }
  return { rows: B, nnz: width, ids, mixing, targets: y, weights: w, weightTotal };
}

/** Rows of `table` at `ids`, whose gradient is a ScatterNd (summing duplicate ids) into the table. */
function gatherRows(tf: typeof tfNs, table: tfNs.Tensor2D, ids: tfNs.Tensor1D): tfNs.Tensor2D {
  const op = tf.customGrad((...inputs: (tfNs.Tensor | tfNs.GradSaveFunc)[]) => {
    const x = inputs[0] as tfNs.Tensor;
    return {
      value: tf.gather(x, ids),
      gradFunc: (dy: tfNs.Tensor | tfNs.Tensor[]) => tf.scatterND(ids.reshape([ids.shape[0], 1]), dy as tfNs.Tensor, x.shape),
    };
  });
  return op(table) as tfNs.Tensor2D;
}

/** Batch logits M · gather(W, ids) + b (exported for the tfjs prediction path). */
export function batchLogits(tf: typeof tfNs, W: tfNs.Tensor2D, b: tfNs.Tensor1D, ids: tfNs.Tensor1D, mixing: tfNs.Tensor2D): tfNs.Tensor2D {
  return tf.matMul(mixing, gatherRows(tf, W, ids)).add(b);
}

function step(tf: typeof tfNs, W: tfNs.Variable, b: tfNs.Variable, optimizer: tfNs.Optimizer, batch: Batch, l2: number): tfNs.Scalar {
  const ids = tf.tensor1d(batch.ids, 'int32');
  const mixing = tf.tensor2d(batch.mixing, [batch.rows, batch.nnz]);
  const y = tf.tensor2d(batch.targets, [batch.rows, batch.targets.length / batch.rows]);
  const w = tf.tensor1d(batch.weights);
  const loss = optimizer.minimize(
    () => {
      const logits = batchLogits(tf, W as tfNs.Tensor2D, b as tfNs.Tensor1D, ids, mixing);
      // Weighted mean over the batch of −Σ_y p(y) log softmax(z)_y.
      let l = tf.losses.softmaxCrossEntropy(y, logits, w, 0, tf.Reduction.MEAN) as tfNs.Scalar;
      if (l2 > 0)
        l = l.add(
          W.square()
            .sum()
            .mul(l2 / 2),
        );
      return l;
    },
    true,
    [W, b],
  );
  return loss!;
}

/**
 * Probabilities from the tfjs graph (same maths as training): the path the ONNX export is
 * checked against. Batches of `batchSize` rows; always `await data()`.
 */
export async function predictProbaTf(model: LinearModel, X: Csr, batchSize = 256): Promise<Float32Array> {
  const tf = getTf();
  const out = new Float32Array(X.n * model.k);
  const W = tf.tensor2d(model.weights, [model.dim, model.k]);
  const b = tf.tensor1d(model.bias);
  try {
    const rows = new Int32Array(X.n).map((_, i) => i);
    const dummy = new Float32Array(X.n * model.k);
    for (let start = 0; start < X.n; start += batchSize) {
      const batch = buildBatch(X, dummy, model.k, rows.subarray(start, Math.min(X.n, start + batchSize)));
      const p = tf.tidy(() => {
        const ids = tf.tensor1d(batch.ids, 'int32');
        const mixing = tf.tensor2d(batch.mixing, [batch.rows, batch.nnz]);
        return tf.softmax(batchLogits(tf, W, b, ids, mixing));
      });
      out.set(await readFloats(p), start * model.k);
      p.dispose();
    }
  } finally {
    W.dispose();
    b.dispose();
  }
  return out;
}
