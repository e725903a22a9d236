/**
 * `metal`: Snorkel's LabelModel (Ratner et al. 2019) — matrix completion on the overlap matrix
 * of LF votes, assuming LFs conditionally independent given Y. Defaults follow the settings of
 * the Snorkel tutorials that the published reference numbers used: 500 epochs of SGD with
 * momentum 0.9, lr 0.01, prec_init 0.7, no l2; μ initialised at μ₀ times one uniform draw from
 * numpy's MT19937 stream for the seed, clamped and de-permuted after training.
 *
 * Two engines optimise the same objective: a typed-array engine (sparse, hand-derived gradient)
 * and a tfjs engine (dense, autodiff) for GPU backends. `engine: 'auto'` times both on the
 * actual problem and keeps the faster; summary().backend says which one ran.
 */
import type { LabelMatrix } from '../matrix.ts';
import { NumpyMT19937 } from '../mt19937.ts';
import { ShoalError } from '../types.ts';
import { resolveBalance, type BalanceSource } from './balance.ts';
import { breakColumnSymmetry, buildProblem, clampMu, learnedAccuracies, muEpsilon, posterior, type MetalProblem } from './metal-problem.ts';
import type { MetalTrainConfig } from './metal-typed.ts';
import { overlapCounts, type OverlapCounts } from './overlap.ts';
import type { FitOptions, LabelModel, LabelModelSummary } from './types.ts';
import { emptyExplainer, MEANING, type Explainer } from './attribution.ts';
import { chooseMetalEngine, type MetalEngineName } from './metal-engine.ts';

export interface MetalOptions {
  epochs?: number;
  lr?: number;
  momentum?: number;
  l2?: number;
  precInit?: number;
  /** Where the class balance comes from when none is given: dev labels (default) or uniform. */
  balance?: Exclude<BalanceSource, 'given'>;
  engine?: 'auto' | MetalEngineName;
}

export class MetalLabelModel implements LabelModel {
  readonly name: string;
  private readonly opts: Required<Omit<MetalOptions, 'engine'>> & { engine: MetalOptions['engine'] };
  private mu: Float64Array | undefined;
  private problem: MetalProblem | undefined;
  private balanceSource: BalanceSource | undefined;
  private backend = 'none';

  constructor(options: MetalOptions = {}, name = 'metal') {
    this.name = name;
    this.opts = {
      epochs: options.epochs ?? 500,
      lr: options.lr ?? 0.01,
      momentum: options.momentum ?? 0.9,
      l2: options.l2 ?? 0,
      precInit: options.precInit ?? 0.7,
      balance: options.balance ?? 'dev',
      engine: options.engine ?? 'auto',
    };
  }

  async fit(L: LabelMatrix, options: FitOptions = {}): Promise<void> {
    if (L.m === 0) throw new ShoalError('the label model needs at least one LF');
    await this.fitFromStats(overlapCounts(L, 'metal'), options);
  }

  /**
   * Fit from the overlap counts alone — they are sufficient statistics and add across row
   * chunks (overlap.ts), so they can be computed where the votes are made and merged.
   */
  async fitFromStats(stats: OverlapCounts, options: Omit<FitOptions, 'devL'> = {}): Promise<void> {
    if (stats.m === 0) throw new ShoalError('the label model needs at least one LF');
    const { balance, source } = resolveBalance(stats.k, {
      classBalance: options.classBalance,
      devY: options.devY,
      prefer: this.opts.balance,
    });
    this.balanceSource = source;
    const problem = buildProblem(stats, balance, this.opts.precInit);
    // Snorkel scales μ₀ by one np.random.random() drawn right after seeding; drawing it the
    // same way makes `metal` with seed s reproduce Snorkel's LabelModel(seed=s).
    const draw = new NumpyMT19937(options.seed ?? 0).random();
    const mu = problem.muInit.map((v) => v * draw);
    const progressEvery = Math.max(1, Math.floor(this.opts.epochs / 50));
    const cfg: MetalTrainConfig = {
      epochs: this.opts.epochs,
      lr: this.opts.lr,
      momentum: this.opts.momentum,
      l2: this.opts.l2,
      signal: options.signal,
      onEpoch: options.onProgress
        ? (e) => {
            if (e % progressEvery === 0) options.onProgress!((e + 1) / this.opts.epochs, `epoch ${e + 1}`);
          }
        : undefined,
    };
    const engine = await chooseMetalEngine(problem, this.opts.engine ?? 'auto', this.opts.epochs);
    this.backend = engine.label;
    const trained = await engine.train(mu, problem, cfg);
    clampMu(trained, muEpsilon(problem.n));
    this.mu = breakColumnSymmetry(trained, problem);
    this.problem = problem;
    options.onProgress?.(1);
  }

  predictProba(L: LabelMatrix): Float32Array {
    if (!this.mu || !this.problem) throw new ShoalError('fit the label model before predicting');
    if (L.m !== this.problem.m || L.k !== this.problem.k) {
      throw new ShoalError(`label matrix has ${L.m} LFs × ${L.k} classes; the model was fit on ${this.problem.m} × ${this.problem.k}`);
    }
    return posterior(this.mu, this.problem.p, L.k, L.rows(), L.n);
  }

  /** W_j[l][y] = log μ[j·k + l, y], the same terms `posterior` adds; abstains add nothing. */
  explainer(): Explainer {
    if (!this.mu || !this.problem) throw new ShoalError('fit the label model before explaining it');
    const { m, k, p } = this.problem;
    const ex = emptyExplainer(this.name, k, m, Array.from(p, Math.log), MEANING.metal);
    for (let j = 0; j < m; j++)
      for (let l = 0; l < k; l++)
        for (let y = 0; y < k; y++) ex.weights[(j * (k + 1) + l) * k + y] = Math.log(this.mu[(j * k + l) * k + y]);
    return ex;
  }

  summary(): LabelModelSummary {
    return {
      model: this.name,
      backend: this.backend,
      classBalance: this.problem ? Array.from(this.problem.p) : undefined,
      lfAccuracy: this.mu && this.problem ? learnedAccuracies(this.mu, this.problem) : undefined,
      // Only a surprise when the dev balance was wanted: the uniform variant asks for uniform.
      warnings:
        this.balanceSource === 'uniform' && this.opts.balance === 'dev'
          ? ['class balance assumed uniform (no dev labels or balance given)']
          : [],
    };
  }
}
