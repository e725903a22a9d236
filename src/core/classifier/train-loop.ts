/**
 * What both classifier training engines (tfjs in train.ts, typed arrays in train-typed.ts) share,
 * so they cannot drift apart: option defaults and checks, the per-epoch bookkeeping (dev score,
 * the best epoch's weights kept, early stopping with its tie rule, progress reports) and the
 * cooperative yield that lets a worker see a cancel message.
 */
import { predictLabels, scoreFor } from '../metrics.ts';
import { type Metric, ShoalError } from '../types.ts';
import type { Csr } from './featurize.ts';
import { predictProba } from './model.ts';
import type { EpochReport, TrainOptions, TrainResult } from './train.ts';

export const TRAIN_DEFAULTS = {
  // Unregularised fits on hard labels keep gaining dev accuracy slowly as the margin grows
  // (semeval: still improving at epoch 30), so patience is generous.
  maxEpochs: 60,
  patience: 15,
  batchSize: 32,
  // Rows are L2-normalised, so the loss curvature is at most ~0.5 whatever the data: one step
  // size fits every dataset.
  learningRate: 1,
  optimizer: 'momentum',
  l2: 0,
  // ASGD horizon in training samples (see `asgdEpoch`). Measured when it was chosen (bench:scale's
  // classifier task, bench:distill): at 100k generated documents test accuracy 0.8575 → 0.879
  // (2^18 buckets); the WRENCH targets at seeds 0–1 stay met. 0 turns it off.
  asgdSamples: 200_000,
} as const;

/**
 * Patience among iterate averages (epochs without a lower dev log-loss), whatever `patience` is
 * when it is larger. The averages move smoothly, so their dev log-loss, once it rises, keeps
 * rising (see `EpochKeeper`): waiting `patience` (15 by default) epochs for it to fall again only
 * buys time. At 100k generated documents the run kept epoch 3 and trained 15 more (18 epochs,
 * two thirds of the training time); with 3 it stops after epoch 6 and keeps the same epoch.
 * Sets that never reach the averaging (every WRENCH set at the default horizon) are unaffected.
 */
export const AVERAGED_PATIENCE = 3;

/** Nesterov momentum coefficient of the 'momentum' optimizer (both engines). */
export const MOMENTUM = 0.9;

export interface TrainConfig {
  maxEpochs: number;
  patience: number;
  batchSize: number;
  learningRate: number;
  l2: number;
  metric: Metric;
  seed: number;
  optimizer: 'adam' | 'momentum';
  asgdSamples: number;
}

/**
 * Averaged SGD on a sample clock (Polyak & Juditsky 1992), with the step schedule Xu recommends
 * for it ("Towards optimal one pass large scale learning with averaged stochastic gradient
 * descent", 2011; Bottou's sgd/asgd code): with T = `asgdSamples` and S = the training samples
 * seen before epoch `epoch` (1-based), the epoch runs at lr·(1 + S/T)^(−3/4), and from the first
 * epoch with S ≥ T on the weights each epoch offers early stopping are the mean of every iterate
 * since that epoch began, not the last one. The step changes only between epochs, where the lazy
 * engine flushes anyway, so it stays exact.
 *
 * Why on samples, not epochs: a small set (WRENCH: 1.5–5k rows, 50–160 steps per epoch) is still
 * gaining after 40 passes at lr 1, and an epoch-based decay or average ruins it (youtube 0.93 →
 * 0.53–0.81); a large one (100k rows, 3,125 steps per epoch) is noise-limited after two passes,
 * where the last iterate of a constant-step run on 15%-noisy labels swings ±0.03 in test accuracy
 * from epoch to epoch and drifts into the noise. T = 0 is plain SGD (lr constant, last iterate).
 * Exponents 1/2 and 1 were measured too: 1/2 scored lower at 100k (0.8771 against 0.8790), 1
 * missed semeval's target by one test row.
 */
export function asgdEpoch(
  cfg: Pick<TrainConfig, 'learningRate' | 'asgdSamples'>,
  n: number,
  epoch: number,
): { learningRate: number; averaged: boolean } {
  const T = cfg.asgdSamples;
  if (!(T > 0)) return { learningRate: cfg.learningRate, averaged: false };
  const seen = (epoch - 1) * n;
  return { learningRate: cfg.learningRate * Math.pow(1 + seen / T, -0.75), averaged: seen >= T };
}

/** Defaults filled in and inputs checked, with one sentence per problem. */
export function trainConfig(X: Csr, targets: ArrayLike<number>, k: number, opts: TrainOptions): TrainConfig {
  if (targets.length !== X.n * k) throw new ShoalError(`targets have ${targets.length} values, expected ${X.n} rows × ${k} classes`);
  if (X.n === 0) throw new ShoalError('no training rows: no LF voted on any row, so there is nothing to distil');
  if (opts.dev && opts.dev.y.length !== opts.dev.X.n) throw new ShoalError(`dev has ${opts.dev.X.n} rows but ${opts.dev.y.length} labels`);
  if (opts.rowWeights && opts.rowWeights.length !== X.n)
    throw new ShoalError(`row weights have ${opts.rowWeights.length} values for ${X.n} training rows`);
  const batchSize = opts.batchSize ?? TRAIN_DEFAULTS.batchSize;
  if (opts.asgdSamples !== undefined && !(opts.asgdSamples >= 0))
    throw new ShoalError(`asgdSamples must be ≥ 0 (0 turns averaging off), got ${opts.asgdSamples}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ShoalError(`batch size must be a positive integer, got ${batchSize}`);
  return {
    maxEpochs: opts.maxEpochs ?? TRAIN_DEFAULTS.maxEpochs,
    patience: opts.patience ?? TRAIN_DEFAULTS.patience,
    batchSize,
    learningRate: opts.learningRate ?? TRAIN_DEFAULTS.learningRate,
    l2: opts.l2 ?? TRAIN_DEFAULTS.l2,
    metric: opts.metric ?? 'acc',
    seed: opts.seed ?? 0,
    optimizer: opts.optimizer ?? TRAIN_DEFAULTS.optimizer,
    // Adam has its own per-coordinate steps; the schedule and average are momentum SGD's.
    asgdSamples: (opts.optimizer ?? TRAIN_DEFAULTS.optimizer) === 'momentum' ? (opts.asgdSamples ?? TRAIN_DEFAULTS.asgdSamples) : 0,
  };
}

/**
 * Mean negative log-likelihood of the gold dev labels (rows labelled −1 are skipped; NaN when
 * none is labelled). Probabilities are floored at 1e-15, as scikit-learn's log_loss clips them.
 */
export function devLogLoss(proba: ArrayLike<number>, y: ArrayLike<number>, k: number): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    const c = y[i];
    if (c < 0 || c >= k) continue;
    sum -= Math.log(Math.max(1e-15, proba[i * k + c]));
    n++;
  }
  return n > 0 ? sum / n : NaN;
}

/**
 * Per-epoch bookkeeping. `end` takes the epoch's weights (the keeper owns them afterwards),
 * scores dev, keeps the best epoch and says whether to stop.
 *
 * Which epoch is kept:
 * - a last iterate (no averaging yet) by the dev metric, ties going to the lower training loss;
 * - an iterate average (`averaged`, see `asgdEpoch`) replaces the kept epoch only with a lower
 *   dev log-loss, and only a lower one resets the patience.
 * Why the averages are ranked differently: they move smoothly, a little further into the training
 * labels' noise each epoch, so their dev accuracies differ by a few rows of the dev set, within its
 * sampling error (±0.014 at 1,000 rows and 75%). Measured at 100k generated documents with 2^20
 * buckets (bench/studies/scale-distill-epochs.ts): dev accuracy tied across
 * epochs 6–21 and the kept epoch 21 scored 0.8701 on test where epoch 3 scored 0.8830. Dev
 * log-loss uses every row's probability, not only which side of 0.5 it falls on (a proper
 * scoring rule, the usual early-stopping monitor); on those curves it is lowest at the first or
 * second averaged epoch and rises steadily after. Last iterates keep the metric rule: they swing
 * from epoch to epoch, and the WRENCH results were measured with it.
 */
export class EpochKeeper {
  readonly history: EpochReport[] = [];
  private best: { score: number; logLoss: number; loss: number; epoch: number; weights: Float32Array; bias: Float32Array } | undefined;
  private stale = 0;
  private readonly t0 = performance.now();

  constructor(
    private readonly dim: number,
    private readonly k: number,
    private readonly cfg: TrainConfig,
    private readonly opts: TrainOptions,
  ) {}

  /**
   * Record epoch `epoch` (`averaged`: its weights are an iterate average); true when early
   * stopping says to stop.
   */
  end(epoch: number, loss: number, weights: Float32Array, bias: Float32Array, averaged = false): boolean {
    const { dim, k, cfg, opts } = this;
    const report: EpochReport = { epoch, maxEpochs: cfg.maxEpochs, loss, best: false };
    if (!Number.isFinite(loss))
      throw new ShoalError(`classifier training diverged at epoch ${epoch} (loss ${loss}); lower the learning rate`);
    if (opts.dev && opts.dev.X.n > 0) {
      const proba = predictProba({ dim, k, weights, bias }, opts.dev.X);
      const score = scoreFor(cfg.metric, predictLabels(proba, k, 'snorkel'), opts.dev.y, k);
      const logLoss = devLogLoss(proba, opts.dev.y, k);
      report.devScore = score;
      report.devLogLoss = logLoss;
      const best = this.best;
      let keep: boolean;
      let improved: boolean;
      if (!best) keep = improved = true;
      else if (averaged) keep = improved = logLoss < best.logLoss;
      else {
        // Ties on the (small, noisy) dev set go to the lower training loss: the later epoch.
        improved = score > best.score;
        keep = improved || (score === best.score && loss < best.loss);
      }
      if (keep) {
        this.best = { score, logLoss, loss, epoch, weights, bias };
        report.best = true;
      }
      this.stale = improved ? 0 : this.stale + 1;
    } else {
      this.best = { score: NaN, logLoss: NaN, loss, epoch, weights, bias };
      report.best = true;
    }
    this.history.push(report);
    opts.onProgress?.(report);
    return !!opts.dev && this.stale >= (averaged ? Math.min(cfg.patience, AVERAGED_PATIENCE) : cfg.patience);
  }

  result(backend: string): TrainResult {
    const best = this.best!;
    return {
      model: { dim: this.dim, k: this.k, weights: best.weights, bias: best.bias },
      bestEpoch: best.epoch,
      bestDevScore: this.opts.dev ? best.score : undefined,
      history: this.history,
      backend,
      ms: performance.now() - this.t0,
    };
  }
}

const YIELD_EVERY_MS = 50;

/**
 * Call once per minibatch: every ~50 ms it yields a macrotask (wasm/cpu reads and plain loops
 * never do, so a worker would not see the page's cancel message until training ended), then
 * throws if the signal was aborted.
 */
export class Yielder {
  private last: number;
  /** `now` is the clock; a test passes its own to count yields without depending on speed. */
  constructor(
    private readonly signal?: AbortSignal,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.last = now();
  }

  async tick(): Promise<void> {
    if (this.now() - this.last > YIELD_EVERY_MS) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      this.last = this.now();
    }
    this.signal?.throwIfAborted();
  }
}
