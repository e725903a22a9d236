/**
 * `ds`: Dawid & Skene (1979) EM with one confusion matrix per LF, P(λ_j = l | Y = y), where
 * l ranges over the k classes AND abstain. Modelling abstain as an outcome is what lets a
 * unipolar LF (one that only ever votes one class) carry information, as it does in Snorkel's
 * model; treating abstains as missing would make such LFs worthless.
 *
 * E-step in O(votes·k): log P(y | row) = log p_y + Σ_j log π_j[y][abstain]
 *   + Σ_{votes} (log π_j[y][l] − log π_j[y][abstain]).
 * Initialised from majority vote; additive smoothing keeps every cell positive. The class prior
 * is the given or dev-label balance when there is one, else estimated by EM.
 * Assumes LFs conditionally independent given Y. With many sparse LFs over many classes the
 * confusion rows are factored (vote rate × vote label) so smoothing cannot tilt the abstain terms
 * towards the largest classes; see `fit`.
 *
 * EM runs over the matrix's unique vote patterns weighted by their row counts when they repeat
 * (patterns.ts): the E-step once per pattern, M-step statistics multiplied by the counts. Same
 * fixed point as the row-wise loop up to summation order; far fewer rows on sparse LFs.
 */
import type { LabelMatrix } from '../matrix.ts';
import { ShoalError } from '../types.ts';
import { createYielder } from '../yielder.ts';
import { resolveBalance } from './balance.ts';
import { scatterPatterns, votePatterns, weightedRows } from './patterns.ts';
import type { FitOptions, LabelModel, LabelModelSummary } from './types.ts';
import { emptyExplainer, MEANING, type Explainer } from './attribution.ts';

/** Largest class-prior bias (nats) plain additive smoothing may add before ds factors its confusion rows; see `fit`. */
const SMOOTHING_BIAS_LIMIT_NATS = 1;

export interface DawidSkeneOptions {
  maxIterations?: number;
  tolerance?: number;
  smoothing?: number;
  /** Iterate over unique vote patterns when they repeat (default true; false = plain rows, for tests). */
  dedupe?: boolean;
  /** Two classes: the E-step specialised for k = 2 (default true; false = the general loop, for tests). */
  binaryLoop?: boolean;
}

export class DawidSkene implements LabelModel {
  readonly name = 'ds';
  private readonly maxIterations: number;
  private readonly tolerance: number;
  private readonly smoothing: number;
  private readonly dedupe: boolean;
  private readonly binaryLoop: boolean;
  /** log π, m × k(y) × (k+1)(l; index k = abstain). */
  private logConf: Float64Array | undefined;
  private logPrior: Float64Array | undefined;
  private m = 0;
  private k = 0;
  private iterations = 0;
  private lfAcc: number[] = [];

  constructor(options: DawidSkeneOptions = {}) {
    this.maxIterations = options.maxIterations ?? 200;
    this.tolerance = options.tolerance ?? 1e-5;
    // A small pseudo-count: vote cells of rare LFs hold few counts, and add-one smoothing
    // pulls their confusion rows towards uniform (measured on WRENCH: 0.1 beat 1 on 5 of 6).
    this.smoothing = options.smoothing ?? 0.1;
    this.dedupe = options.dedupe ?? true;
    this.binaryLoop = options.binaryLoop ?? true;
  }

  async fit(L: LabelMatrix, options: FitOptions = {}): Promise<void> {
    const { m, k } = L;
    if (m === 0) throw new ShoalError('the label model needs at least one LF');
    this.m = m;
    this.k = k;
    // The class prior is the balance given or the dev labels' (as for metal); EM estimates it
    // only when neither exists — left free it drifts towards the classes with the most votes.
    const fixedPrior =
      options.classBalance || (options.devY && options.devY.length > 0)
        ? resolveBalance(k, { classBalance: options.classBalance, devY: options.devY }).balance
        : undefined;
    // Rows, or unique patterns with their row counts: every sum over rows below is Σ weight·x.
    const { rowPtr, lf, label, count: n, weight } = weightedRows(L, this.dedupe);
    const w = k + 1;
    const counts = new Float64Array(m * k * w);
    const logConf = new Float64Array(m * k * w);
    const logPrior = new Float64Array(k);
    const prev = new Float64Array(m * k * w);
    const base = new Float64Array(k);
    const s = new Float64Array(k);
    const e = new Float64Array(k);
    // delta[(j·k + l)·k + y] = log π_j[y][l] − log π_j[y][abstain]: one contiguous run of k per vote.
    const delta = new Float64Array(m * k * k);
    let mass = new Float64Array(k);
    // A row's responsibilities are needed only while its statistics are added, so none are
    // stored: `t` holds the current row's. Sufficient statistics of the initial responsibilities
    // (majority vote, uniform on all-abstain rows); afterwards each E-step accumulates them for
    // the next M-step while its row is still in cache.
    const t = new Float64Array(k);
    // The k vote cells' pseudo-counts come out of P(abstain | y), by about k·s / mass_y per LF.
    // Summed over every LF that favours the classes holding the most rows by ≈ m·k·s / mass_y nats:
    // noise with a few LFs, but ≈ 19 nats for an average class with 1,200 sparse LFs over 56
    // classes, where EM collapsed onto one class (accuracy 0.035 against majority vote's 0.977 on a
    // synthetic 20k-row matrix; labelmodel.test.ts keeps a smaller such shape). Past 1 nat each
    // confusion row is factored instead: P(l | y) = q_jy · P(l | y, voted), where q_jy, how often
    // LF j votes on class y, is shrunk towards the LF's overall rate with the weight of an average
    // class (n/k rows), and only the vote labels are smoothed. The abstain term then carries what
    // the data says about the class and nothing from the smoothing. Every WRENCH set stays below
    // the limit (semeval, the largest, 0.76 nats), so their results are unchanged.
    const factored = L.n > 0 && (m * k * k * this.smoothing) / L.n > SMOOTHING_BIAS_LIMIT_NATS;
    const shrinkRows = L.n / k;
    const factoredConfusion = (j: number) => {
      let lfVotes = 0;
      for (let y = 0; y < k; y++) for (let l = 0; l < k; l++) lfVotes += counts[(j * k + y) * w + l];
      // Laplace on the overall rate keeps q strictly inside (0, 1): never log 0.
      const rate = (lfVotes + 1) / (L.n + 2);
      for (let y = 0; y < k; y++) {
        const off = (j * k + y) * w;
        let voted = 0;
        for (let l = 0; l < k; l++) voted += counts[off + l];
        counts[off + k] = Math.max(0, mass[y] - voted);
        const q = (voted + shrinkRows * rate) / (mass[y] + shrinkRows);
        const logQ = Math.log(q);
        const labelTotal = voted + k * this.smoothing;
        for (let l = 0; l < k; l++) logConf[off + l] = logQ + Math.log((counts[off + l] + this.smoothing) / labelTotal);
        logConf[off + k] = Math.log1p(-q);
      }
    };
    for (let i = 0; i < n; i++) {
      const votes = rowPtr[i + 1] - rowPtr[i];
      t.fill(votes === 0 ? 1 / k : 0);
      for (let v = rowPtr[i]; v < rowPtr[i + 1]; v++) t[label[v]]++;
      if (votes > 0) for (let y = 0; y < k; y++) t[y] /= votes;
      const c = weight[i];
      for (let y = 0; y < k; y++) mass[y] += c * t[y];
      for (let v = rowPtr[i]; v < rowPtr[i + 1]; v++) {
        const off = lf[v] * k * w + label[v];
        for (let y = 0; y < k; y++) counts[off + y * w] += c * t[y];
      }
    }
    const pause = createYielder();
    for (let it = 0; it < this.maxIterations; it++) {
      const wait = pause();
      if (wait) await wait;
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('cancelled');
      // M-step.
      for (let j = 0; j < m; j++) {
        if (factored) {
          factoredConfusion(j);
          continue;
        }
        for (let y = 0; y < k; y++) {
          const off = (j * k + y) * w;
          let voted = 0;
          for (let l = 0; l < k; l++) voted += counts[off + l];
          counts[off + k] = Math.max(0, mass[y] - voted);
          let total = 0;
          for (let l = 0; l < w; l++) total += counts[off + l] + this.smoothing;
          for (let l = 0; l < w; l++) logConf[off + l] = Math.log((counts[off + l] + this.smoothing) / total);
        }
      }
      let priorTotal = 0;
      for (let y = 0; y < k; y++) priorTotal += mass[y];
      for (let y = 0; y < k; y++) logPrior[y] = Math.log(fixedPrior ? fixedPrior[y] : Math.max(mass[y] / priorTotal, 1e-6));
      // E-step, accumulating the next M-step's counts and class mass on the way.
      base.set(logPrior);
      for (let j = 0; j < m; j++) for (let y = 0; y < k; y++) base[y] += logConf[(j * k + y) * w + k];
      fillDelta(logConf, delta, m, k);
      counts.fill(0);
      mass = new Float64Array(k);
      if (k === 2 && this.binaryLoop) eStepBinary(rowPtr, lf, label, weight, n, base, delta, counts, mass);
      else
        for (let i = 0; i < n; i++) {
          const start = rowPtr[i];
          const end = rowPtr[i + 1];
          for (let y = 0; y < k; y++) s[y] = base[y];
          for (let v = start; v < end; v++) {
            const d = (lf[v] * k + label[v]) * k;
            for (let y = 0; y < k; y++) s[y] += delta[d + y];
          }
          // Softmax inlined (as a call it was 30% of the fit profile at 1M rows); exp(0) = 1 exactly.
          let max = -Infinity;
          for (let y = 0; y < k; y++) if (s[y] > max) max = s[y];
          let z = 0;
          for (let y = 0; y < k; y++) z += e[y] = s[y] === max ? 1 : Math.exp(s[y] - max);
          const c = weight[i];
          for (let y = 0; y < k; y++) t[y] = e[y] / z;
          for (let y = 0; y < k; y++) mass[y] += c * t[y];
          for (let v = start; v < end; v++) {
            const off = lf[v] * k * w + label[v];
            for (let y = 0; y < k; y++) counts[off + y * w] += c * t[y];
          }
        }
      this.iterations = it + 1;
      let change = 0;
      for (let t = 0; t < logConf.length; t++) change = Math.max(change, Math.abs(Math.exp(logConf[t]) - Math.exp(prev[t])));
      prev.set(logConf);
      options.onProgress?.(Math.min(1, (it + 1) / this.maxIterations), `iteration ${it + 1}`);
      if (it > 0 && change < this.tolerance) break;
    }
    this.logConf = logConf;
    this.logPrior = logPrior;
    this.lfAcc = [];
    for (let j = 0; j < m; j++) {
      let correct = 0;
      let voted = 0;
      for (let y = 0; y < k; y++) {
        const off = (j * k + y) * w;
        const py = Math.exp(logPrior[y]);
        correct += py * Math.exp(logConf[off + y]);
        voted += py * (1 - Math.exp(logConf[off + k]));
      }
      this.lfAcc.push(voted > 0 ? correct / voted : NaN);
    }
    options.onProgress?.(1);
  }

  predictProba(L: LabelMatrix): Float32Array {
    const logConf = this.logConf;
    const logPrior = this.logPrior;
    if (!logConf || !logPrior) throw new ShoalError('fit the label model before predicting');
    const { k, m } = this;
    if (L.m !== m || L.k !== k) throw new ShoalError(`label matrix has ${L.m} LFs × ${L.k} classes; the model was fit on ${m} × ${k}`);
    const w = k + 1;
    // Posteriors once per unique vote pattern, then copied out to the rows that share it.
    const patterns = this.dedupe ? votePatterns(L) : undefined;
    const { rowPtr, lf, label } = patterns ?? L.rows();
    const count = patterns ? patterns.count : L.n;
    const out = new Float32Array(count * k);
    const s = new Float64Array(k);
    const e = new Float64Array(k);
    const delta = new Float64Array(m * k * k);
    fillDelta(logConf, delta, m, k);
    // Abstain factors cancel in P(y | votes) only if they are equal across y — they are not, so
    // keep them: an LF staying silent is evidence too.
    const base = new Float64Array(logPrior);
    for (let j = 0; j < m; j++) for (let y = 0; y < k; y++) base[y] += logConf[(j * k + y) * w + k];
    for (let i = 0; i < count; i++) {
      const start = rowPtr[i];
      const end = rowPtr[i + 1];
      if (start === end) {
        // All-abstain rows get the class prior (the contract of every label model here).
        for (let y = 0; y < k; y++) out[i * k + y] = Math.exp(logPrior[y]);
        continue;
      }
      for (let y = 0; y < k; y++) s[y] = base[y];
      for (let v = start; v < end; v++) {
        const d = (lf[v] * k + label[v]) * k;
        for (let y = 0; y < k; y++) s[y] += delta[d + y];
      }
      let max = -Infinity;
      for (let y = 0; y < k; y++) if (s[y] > max) max = s[y];
      let z = 0;
      for (let y = 0; y < k; y++) z += e[y] = s[y] === max ? 1 : Math.exp(s[y] - max);
      for (let y = 0; y < k; y++) out[i * k + y] = e[y] / z;
    }
    if (!patterns) return out;
    const rowsOut = new Float32Array(L.n * k);
    scatterPatterns(out, patterns.rowPattern!, k, rowsOut);
    return rowsOut;
  }

  /** W_j[l][y] = log π_j[y][l] for a vote l and for abstain (l = k): the terms `predictProba` adds. */
  explainer(): Explainer {
    const logConf = this.logConf;
    const logPrior = this.logPrior;
    if (!logConf || !logPrior) throw new ShoalError('fit the label model before explaining it');
    const { m, k } = this;
    const w = k + 1;
    const ex = emptyExplainer('ds', k, m, logPrior, MEANING.ds);
    for (let j = 0; j < m; j++)
      for (let l = 0; l <= k; l++) for (let y = 0; y < k; y++) ex.weights[(j * w + l) * k + y] = logConf[(j * k + y) * w + l];
    return ex;
  }

  summary(): LabelModelSummary {
    return {
      model: 'ds',
      backend: 'typed-array',
      lfAccuracy: this.lfAcc,
      classBalance: this.logPrior ? Array.from(this.logPrior, Math.exp) : undefined,
      warnings: this.iterations >= this.maxIterations ? [`EM stopped after ${this.iterations} iterations without converging`] : [],
    };
  }
}

/**
 * The E-step of `fit` for two classes with the per-class values in locals instead of k-long
 * arrays: the same operations in the same order, so the same floats (labelmodel.test.ts compares
 * it with the general loop), about twice as fast — it is most of an LF edit's refit on 500k rows.
 */
function eStepBinary(
  rowPtr: Uint32Array,
  lf: Uint32Array,
  label: Int8Array,
  weight: Float64Array,
  n: number,
  base: Float64Array,
  delta: Float64Array,
  counts: Float64Array,
  mass: Float64Array,
): void {
  const b0 = base[0];
  const b1 = base[1];
  let mass0 = mass[0];
  let mass1 = mass[1];
  for (let i = 0; i < n; i++) {
    const start = rowPtr[i];
    const end = rowPtr[i + 1];
    let s0 = b0;
    let s1 = b1;
    for (let v = start; v < end; v++) {
      const d = (lf[v] * 2 + label[v]) * 2;
      s0 += delta[d];
      s1 += delta[d + 1];
    }
    let max = -Infinity;
    if (s0 > max) max = s0;
    if (s1 > max) max = s1;
    const e0 = s0 === max ? 1 : Math.exp(s0 - max);
    const e1 = s1 === max ? 1 : Math.exp(s1 - max);
    const z = 0 + e0 + e1;
    const c = weight[i];
    const t0 = e0 / z;
    const t1 = e1 / z;
    mass0 += c * t0;
    mass1 += c * t1;
    const ct0 = c * t0;
    const ct1 = c * t1;
    for (let v = start; v < end; v++) {
      // counts[(j·2 + y)·3 + l] for y = 0, 1: off and off + 3.
      const off = lf[v] * 6 + label[v];
      counts[off] += ct0;
      counts[off + 3] += ct1;
    }
  }
  mass[0] = mass0;
  mass[1] = mass1;
}

/** delta[(j·k + l)·k + y] = log π_j[y][l] − log π_j[y][abstain], from logConf (m × k × (k+1)). */
function fillDelta(logConf: Float64Array, delta: Float64Array, m: number, k: number): void {
  const w = k + 1;
  for (let j = 0; j < m; j++)
    for (let l = 0; l < k; l++)
      for (let y = 0; y < k; y++) delta[(j * k + l) * k + y] = logConf[(j * k + y) * w + l] - logConf[(j * k + y) * w + k];
}
