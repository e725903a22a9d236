/**
 * `ds`: Dawid & Skene (1979) EM with one confusion matrix per LF, P(λ_j = l | Y = y), where
 * l ranges over the k classes AND abstain. Modelling abstain as an outcome is what lets a
 * unipolar LF (one that only ever votes one class) carry information, as it does in Snorkel's
 * model; treating abstains as missing would make such LFs worthless.
 *
 * E-step in O(votes·k): log P(y | row) = log p_y + Σ_j log π_j[y][abstain]
 *   + Σ_{votes} (log π_j[y][l] − log π_j[y][abstain]).
 * Initialised from majority vote; additive smoothing keeps every cell positive.
 * Assumes LFs conditionally independent given Y.
 */
import type { LabelMatrix } from '../matrix.ts';
import { ShoalError } from '../types.ts';
import { normaliseBalance } from './balance.ts';
import type { FitOptions, LabelModel, LabelModelSummary } from './types.ts';

export interface DawidSkeneOptions {
  maxIterations?: number;
  tolerance?: number;
  smoothing?: number;
}

export class DawidSkene implements LabelModel {
  readonly name = 'ds';
  private readonly maxIterations: number;
  private readonly tolerance: number;
  private readonly smoothing: number;
  /** log π, m × k(y) × (k+1)(l; index k = abstain). */
  private logConf: Float64Array | undefined;
  private logPrior: Float64Array | undefined;
  private m = 0;
  private k = 0;
  private iterations = 0;
  private lfAcc: number[] = [];

  constructor(options: DawidSkeneOptions = {}) {
    this.maxIterations = options.maxIterations ?? 200;
    this.tolerance = options.tolerance ?? 1e-6;
    this.smoothing = options.smoothing ?? 1;
  }

  async fit(L: LabelMatrix, options: FitOptions = {}): Promise<void> {
    const { n, m, k } = L;
    if (m === 0) throw new ShoalError('the label model needs at least one LF');
    this.m = m;
    this.k = k;
    const fixedPrior = options.classBalance ? normaliseBalance(options.classBalance, k) : undefined;
    const rows = L.rows();
    // Initial responsibilities: majority vote (uniform on all-abstain rows).
    const T = L.classCounts();
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let y = 0; y < k; y++) s += T[i * k + y];
      for (let y = 0; y < k; y++) T[i * k + y] = s > 0 ? T[i * k + y] / s : 1 / k;
    }
    const w = k + 1;
    const counts = new Float64Array(m * k * w);
    const logConf = new Float64Array(m * k * w);
    const logPrior = new Float64Array(k);
    const prev = new Float64Array(m * k * w);
    const base = new Float64Array(k);
    const s = new Float64Array(k);
    for (let it = 0; it < this.maxIterations; it++) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('cancelled');
      // M-step.
      counts.fill(0);
      const mass = new Float64Array(k);
      for (let i = 0; i < n; i++) for (let y = 0; y < k; y++) mass[y] += T[i * k + y];
      for (let i = 0; i < n; i++) {
        for (let e = rows.rowPtr[i]; e < rows.rowPtr[i + 1]; e++) {
          const off = rows.lf[e] * k * w + rows.label[e];
          for (let y = 0; y < k; y++) counts[off + y * w] += T[i * k + y];
        }
      }
      for (let j = 0; j < m; j++) {
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
      // E-step.
      base.set(logPrior);
      for (let j = 0; j < m; j++) for (let y = 0; y < k; y++) base[y] += logConf[(j * k + y) * w + k];
      for (let i = 0; i < n; i++) {
        s.set(base);
        for (let e = rows.rowPtr[i]; e < rows.rowPtr[i + 1]; e++) {
          const off = rows.lf[e] * k * w;
          const l = rows.label[e];
          for (let y = 0; y < k; y++) s[y] += logConf[off + y * w + l] - logConf[off + y * w + k];
        }
        softmaxInto(s, T, i * k, k);
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
    const rows = L.rows();
    const out = new Float32Array(L.n * k);
    const s = new Float64Array(k);
    // Abstain factors cancel in P(y | votes) only if they are equal across y — they are not, so
    // keep them: an LF staying silent is evidence too.
    const base = new Float64Array(logPrior);
    for (let j = 0; j < m; j++) for (let y = 0; y < k; y++) base[y] += logConf[(j * k + y) * w + k];
    for (let i = 0; i < L.n; i++) {
      if (rows.rowPtr[i] === rows.rowPtr[i + 1]) {
        // All-abstain rows get the class prior (the contract of every label model here).
        for (let y = 0; y < k; y++) out[i * k + y] = Math.exp(logPrior[y]);
        continue;
      }
      s.set(base);
      for (let e = rows.rowPtr[i]; e < rows.rowPtr[i + 1]; e++) {
        const off = rows.lf[e] * k * w;
        const l = rows.label[e];
        for (let y = 0; y < k; y++) s[y] += logConf[off + y * w + l] - logConf[off + y * w + k];
      }
      softmaxInto(s, out, i * k, k);
    }
    return out;
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

function softmaxInto(s: Float64Array, out: Float32Array | Float64Array, offset: number, k: number): void {
  let max = -Infinity;
  for (let y = 0; y < k; y++) if (s[y] > max) max = s[y];
  let z = 0;
  for (let y = 0; y < k; y++) z += Math.exp(s[y] - max);
  for (let y = 0; y < k; y++) out[offset + y] = Math.exp(s[y] - max) / z;
}
