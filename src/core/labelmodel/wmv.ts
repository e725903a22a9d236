/**
 * `wmv`: weighted majority vote whose weights are learned — the symmetric ("one-coin")
 * Dawid–Skene model, close to data programming's independent model (Ratner et al. 2016):
 * each LF j has one accuracy α_j; a wrong vote is uniform over the other k−1 classes; whether
 * an LF votes is independent of Y. P(Y | votes) is then a vote weighted by
 * log(α_j (k−1) / (1−α_j)) under the class prior: the balance given, else uniform (a prior
 * estimated from dev labels made it worse on every WRENCH set we tried). EM itself always runs
 * under a uniform prior; the given balance enters only the final posterior.
 *
 * Known weakness: when each class has its own LFs and they conflict often (the SpamAssassin
 * demo: quoted_text vs money_words), EM can let one class's LFs win every conflict and push the
 * other class's LFs to chance — the demo's spam LFs end at α = 0.51 and dev accuracy drops
 * below MV's. `auto` only keeps it where the dev set agrees (it wins on WRENCH trec and
 * youtube); prefer `auto` to choosing it by hand.
 *
 * Fit by EM (MAP), initialised from majority vote. Left alone this model is not identifiable
 * for unipolar LFs (a single vote carries no information about α under a uniform prior) and EM
 * drifts to degenerate solutions, so each α_j has a Beta prior worth PRIOR_VOTES pseudo-votes
 * centred on 0.7 (Snorkel's prec_init) and is kept above chance (1/k). With few votes an LF
 * stays near the shared prior — MV with accuracy-ordered tie-breaking; with many, its own
 * agreement rate decides.
 *
 * EM runs over the unique vote patterns weighted by their row counts when they repeat
 * (patterns.ts), and predictions are computed once per pattern: same fixed point as row-wise.
 */
import type { LabelMatrix, SparseRows } from '../matrix.ts';
import { ShoalError } from '../types.ts';
import { createYielder } from '../yielder.ts';
import { normaliseBalance, uniformBalance } from './balance.ts';
import { scatterPatterns, votePatterns, weightedRows, type WeightedRows } from './patterns.ts';
import type { FitOptions, LabelModel, LabelModelSummary } from './types.ts';
import { emptyExplainer, MEANING, type Explainer } from './attribution.ts';

const PRIOR_VOTES = 50;
const PRIOR_ACCURACY = 0.7;
const MAX_ITERATIONS = 100;
const TOLERANCE = 1e-5;

export interface WeightedMajorityVoteOptions {
  /** Iterate over unique vote patterns when they repeat (default true; false = plain rows, for tests). */
  dedupe?: boolean;
  /** Two classes: the E-step specialised for k = 2 (default true; false = the general loop, for tests). */
  binaryLoop?: boolean;
}

export class WeightedMajorityVote implements LabelModel {
  readonly name = 'wmv';
  private readonly dedupe: boolean;
  private readonly binaryLoop: boolean;
  private alpha: Float64Array | undefined;
  private prior: Float64Array | undefined;
  private m = 0;
  private k = 0;
  private iterations = 0;

  constructor(options: WeightedMajorityVoteOptions = {}) {
    this.dedupe = options.dedupe ?? true;
    this.binaryLoop = options.binaryLoop ?? true;
  }

  async fit(L: LabelMatrix, options: FitOptions = {}): Promise<void> {
    const { m, k } = L;
    if (m === 0) throw new ShoalError('the label model needs at least one LF');
    this.m = m;
    this.k = k;
    const uniform = uniformBalance(k);
    const prior = options.classBalance ? normaliseBalance(options.classBalance, k) : uniform;
    // Rows, or unique patterns with their row counts: every sum over rows below is Σ weight·x.
    const { rowPtr, lf, label, count: n, weight } = weightedRows(L, this.dedupe);
    const votes = new Float64Array(m);
    // correct[j] = Σ_rows weight · P(y = LF j's vote | row): the M-step's statistic. First from
    // majority vote (uniform on all-abstain rows, which add nothing here).
    const correct = new Float64Array(m);
    const mv = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      const start = rowPtr[i];
      const end = rowPtr[i + 1];
      if (start === end) continue;
      const c = weight[i];
      mv.fill(0);
      for (let e = start; e < end; e++) mv[label[e]]++;
      for (let e = start; e < end; e++) {
        votes[lf[e]] += c;
        correct[lf[e]] += c * (mv[label[e]] / (end - start));
      }
    }
    const alpha = new Float64Array(m);
    const logOdds = new Float64Array(m);
    const floor = 1 / k + 0.01;
    const logUniform = Math.log(1 / k);
    const s = new Float64Array(k);
    const pause = createYielder();
    for (let it = 0; it < MAX_ITERATIONS; it++) {
      const wait = pause();
      if (wait) await wait;
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('cancelled');
      let change = 0;
      for (let j = 0; j < m; j++) {
        const a = Math.min(0.999, Math.max(floor, (correct[j] + PRIOR_VOTES * PRIOR_ACCURACY) / (votes[j] + PRIOR_VOTES)));
        change = Math.max(change, Math.abs(a - alpha[j]));
        alpha[j] = a;
        logOdds[j] = Math.log((a * (k - 1)) / (1 - a));
      }
      // E-step under a uniform prior, accumulating the next M-step's statistic while the row's
      // posterior is at hand (no n × k responsibilities array, one pass per iteration).
      correct.fill(0);
      if (k === 2 && this.binaryLoop) eStepBinary(rowPtr, lf, label, weight, n, logUniform, logOdds, correct);
      else
        for (let i = 0; i < n; i++) {
          const start = rowPtr[i];
          const end = rowPtr[i + 1];
          if (start === end) continue;
          for (let y = 0; y < k; y++) s[y] = logUniform;
          for (let e = start; e < end; e++) s[label[e]] += logOdds[lf[e]];
          let max = -Infinity;
          for (let y = 0; y < k; y++) if (s[y] > max) max = s[y];
          let z = 0;
          for (let y = 0; y < k; y++) z += s[y] = Math.exp(s[y] - max);
          const c = weight[i];
          for (let e = start; e < end; e++) correct[lf[e]] += c * (s[label[e]] / z);
        }
      this.iterations = it + 1;
      options.onProgress?.((it + 1) / MAX_ITERATIONS, `iteration ${it + 1}`);
      if (change < TOLERANCE) break;
    }
    this.alpha = alpha;
    this.prior = prior;
    options.onProgress?.(1);
  }

  predictProba(L: LabelMatrix): Float32Array {
    if (!this.alpha || !this.prior) throw new ShoalError('fit the label model before predicting');
    if (L.m !== this.m || L.k !== this.k)
      throw new ShoalError(`label matrix has ${L.m} LFs × ${L.k} classes; the model was fit on ${this.m} × ${this.k}`);
    // Posteriors once per unique vote pattern, then copied out to the rows that share it.
    const patterns = this.dedupe ? votePatterns(L) : undefined;
    if (!patterns) {
      const out = new Float32Array(L.n * this.k);
      posteriorInto(out, L.rows(), L.n, this.k, this.alpha, this.prior);
      return out;
    }
    const perPattern = new Float32Array(patterns.count * this.k);
    posteriorInto(perPattern, patterns, patterns.count, this.k, this.alpha, this.prior);
    const out = new Float32Array(L.n * this.k);
    scatterPatterns(perPattern, patterns.rowPattern!, this.k, out);
    return out;
  }

  /** W_j[l][y] = w_j·[l = y], the same weights `posteriorInto` adds; abstains add nothing. */
  explainer(): Explainer {
    if (!this.alpha || !this.prior) throw new ShoalError('fit the label model before explaining it');
    const { m, k } = this;
    const ex = emptyExplainer('wmv', k, m, Array.from(this.prior, Math.log), MEANING.wmv);
    for (let j = 0; j < m; j++) {
      const a = this.alpha[j];
      const w = Math.log((a * (k - 1)) / (1 - a));
      for (let l = 0; l < k; l++) ex.weights[(j * (k + 1) + l) * k + l] = w;
    }
    return ex;
  }

  summary(): LabelModelSummary {
    return {
      model: 'wmv',
      backend: 'typed-array',
      lfAccuracy: this.alpha ? Array.from(this.alpha) : undefined,
      classBalance: this.prior ? Array.from(this.prior) : undefined,
      warnings: this.iterations >= MAX_ITERATIONS ? [`EM stopped after ${this.iterations} iterations without converging`] : [],
    };
  }
}

function posteriorInto(
  out: Float32Array,
  rows: SparseRows | WeightedRows,
  n: number,
  k: number,
  alpha: Float64Array,
  prior: Float64Array,
): void {
  const weight = Array.from(alpha, (a) => Math.log((a * (k - 1)) / (1 - a)));
  const logPrior = Array.from(prior, Math.log);
  const s = new Float64Array(k);
  // Locals, not rows.x in the loop: `rows` comes in two shapes (plain index, patterns), and a
  // polymorphic property load per vote cost ~5% of a 1M × 50 fit.
  const { rowPtr, lf, label } = rows;
  for (let i = 0; i < n; i++) {
    for (let y = 0; y < k; y++) s[y] = logPrior[y];
    for (let e = rowPtr[i]; e < rowPtr[i + 1]; e++) s[label[e]] += weight[lf[e]];
    let max = -Infinity;
    for (let y = 0; y < k; y++) if (s[y] > max) max = s[y];
    let z = 0;
    for (let y = 0; y < k; y++) z += s[y] = Math.exp(s[y] - max);
    for (let y = 0; y < k; y++) out[i * k + y] = s[y] / z;
  }
}

/**
 * The E-step of `fit` for two classes, the per-class values in locals: the same operations in the
 * same order as the general loop, so the same floats (labelmodel.test.ts compares them).
 */
function eStepBinary(
  rowPtr: Uint32Array,
  lf: Uint32Array,
  label: Int8Array,
  weight: Float64Array,
  n: number,
  logUniform: number,
  logOdds: Float64Array,
  correct: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const start = rowPtr[i];
    const end = rowPtr[i + 1];
    if (start === end) continue;
    let s0 = logUniform;
    let s1 = logUniform;
    for (let e = start; e < end; e++) {
      if (label[e] === 0) s0 += logOdds[lf[e]];
      else s1 += logOdds[lf[e]];
    }
    let max = -Infinity;
    if (s0 > max) max = s0;
    if (s1 > max) max = s1;
    s0 = Math.exp(s0 - max);
    s1 = Math.exp(s1 - max);
    const z = 0 + s0 + s1;
    const c = weight[i];
    for (let e = start; e < end; e++) correct[lf[e]] += c * ((label[e] === 0 ? s0 : s1) / z);
  }
}
