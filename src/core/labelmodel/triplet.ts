/**
 * `triplet`: FlyingSquid's closed-form triplet method (Fu et al., "Fast and Three-rious:
 * Speeding Up Weak Supervision with Triplet Methods", ICML 2020), one-vs-rest for k > 2.
 *
 * For a class c, each vote becomes s = +1 (voted c), −1 (voted another class), 0 (abstained).
 * With LFs conditionally independent given Y ∈ {±1} and abstention independent of Y,
 * E[s_i s_j | both vote] = a_i a_j where a_i = E[s_i Y | s_i votes]; so for any triplet
 * |a_i| = sqrt(|M_ij M_ik / M_jk|). We average over the triplets formed with the partners
 * that overlap LF i most (lowest-variance moments; bounded work with hundreds of LFs, and no
 * dependence on column order) and assume every LF is better than random (a_i > 0). P(Y = c | votes) then follows in closed form;
 * the k one-vs-rest scores are normalised. Rows where every LF abstains get the prior.
 */
import type { LabelMatrix } from '../matrix.ts';
import { ShoalError } from '../types.ts';
import { resolveBalance } from './balance.ts';
import { overlapCounts } from './overlap.ts';
import type { FitOptions, LabelModel, LabelModelSummary } from './types.ts';
import { emptyExplainer, MEANING, NOT_DEFINED, type Explainer } from './attribution.ts';

const MIN_OVERLAP = 5;
/** Partners per LF: 30 give up to 435 triplets. */
const MAX_PARTNERS = 30;
const A_MIN = 0.01;
const A_MAX = 0.98;

export class TripletLabelModel implements LabelModel {
  readonly name = 'triplet';
  /** a[c·m + j]: LF j's accuracy parameter in the one-vs-rest problem for class c. */
  private a: Float64Array | undefined;
  private prior: Float64Array | undefined;
  private m = 0;
  private k = 0;

  async fit(L: LabelMatrix, options: FitOptions = {}): Promise<void> {
    const { m, k } = L;
    if (m === 0) throw new ShoalError('the label model needs at least one LF');
    this.m = m;
    this.k = k;
    this.prior = resolveBalance(k, { classBalance: options.classBalance, devY: options.devY }).balance;
    const problems = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
    const a = new Float64Array(k * m);
    // Pair statistics from the one-hot overlap counts C (one O(Σ votes_per_row²) pass shared by
    // every class problem, instead of a pass over the rows per class): rows where LFs x and y
    // both vote, both[x, y] = Σ_{l,l'} C[(x,l), (y,l')], and for problem c the sum of s_x·s_y,
    // Σ_{l,l'} ±C[(x,l), (y,l')] (+ when both or neither vote c). Integer counts: exact.
    const { counts } = overlapCounts(L, 'triplet');
    const d = m * k;
    const both = new Float64Array(m * m);
    for (let x = 0; x < m; x++) {
      for (let y = x + 1; y < m; y++) {
        let cnt = 0;
        for (let l = 0; l < k; l++) for (let l2 = 0; l2 < k; l2++) cnt += counts[(x * k + l) * d + y * k + l2];
        both[x * m + y] = cnt;
        both[y * m + x] = cnt;
      }
    }
    for (const c of problems) {
      // Upper triangle only: M below reads sum[min, max].
      const sum = new Float64Array(m * m);
      for (let x = 0; x < m; x++) {
        for (let y = x + 1; y < m; y++) {
          let t = 0;
          for (let l = 0; l < k; l++) {
            const row = (x * k + l) * d + y * k;
            for (let l2 = 0; l2 < k; l2++) t += (l === c) === (l2 === c) ? counts[row + l2] : -counts[row + l2];
          }
          sum[x * m + y] = t;
        }
      }
      const M = (x: number, y: number) => {
        const lo = Math.min(x, y);
        const hi = Math.max(x, y);
        const cnt = both[lo * m + hi];
        return cnt >= MIN_OVERLAP ? sum[lo * m + hi] / cnt : NaN;
      };
      const estimates = new Float64Array(m).fill(NaN);
      for (let j = 0; j < m; j++) {
        const partners: number[] = [];
        for (let x = 0; x < m; x++) if (x !== j && !Number.isNaN(M(j, x)) && M(j, x) !== 0) partners.push(x);
        partners.sort((x, y) => both[j * m + y] - both[j * m + x] || x - y);
        partners.length = Math.min(partners.length, MAX_PARTNERS);
        let total = 0;
        let used = 0;
        for (let u = 0; u < partners.length; u++) {
          for (let v = u + 1; v < partners.length; v++) {
            const mjk = M(partners[u], partners[v]);
            if (Number.isNaN(mjk) || Math.abs(mjk) < 1e-3) continue;
            const sq = Math.abs((M(j, partners[u]) * M(j, partners[v])) / mjk);
            total += Math.min(1, Math.sqrt(sq));
            used++;
          }
        }
        if (used > 0) estimates[j] = total / used;
      }
      const known = Array.from(estimates)
        .filter((v) => !Number.isNaN(v))
        .sort((x, y) => x - y);
      const fallback = known.length ? known[Math.floor(known.length / 2)] : 0.4;
      for (let j = 0; j < m; j++) {
        const v = Number.isNaN(estimates[j]) ? fallback : estimates[j];
        a[c * m + j] = Math.min(A_MAX, Math.max(A_MIN, v));
      }
    }
    this.a = a;
    options.onProgress?.(1);
  }

  predictProba(L: LabelMatrix): Float32Array {
    const a = this.a;
    const prior = this.prior;
    if (!a || !prior) throw new ShoalError('fit the label model before predicting');
    const { m, k } = this;
    if (L.m !== m || L.k !== k) throw new ShoalError(`label matrix has ${L.m} LFs × ${L.k} classes; the model was fit on ${m} × ${k}`);
    const weight = a.map((v) => Math.log((1 + v) / (1 - v)));
    const { rowPtr, lf, label } = L.rows();
    const out = new Float32Array(L.n * k);
    const first = k === 2 ? 1 : 0;
    const priorLogit = Array.from(prior, (p) => Math.log(p / (1 - p)));
    const score = new Float64Array(k);
    for (let i = 0; i < L.n; i++) {
      const start = rowPtr[i];
      const end = rowPtr[i + 1];
      for (let c = first; c < k; c++) {
        let logit = priorLogit[c];
        const wc = c * m;
        // ±w is exact, so this adds the same terms in the same order as (±1)·w.
        for (let e = start; e < end; e++) logit += label[e] === c ? weight[wc + lf[e]] : -weight[wc + lf[e]];
        score[c] = 1 / (1 + Math.exp(-logit));
      }
      if (k === 2) {
        out[i * 2 + 1] = score[1];
        out[i * 2] = 1 - score[1];
        continue;
      }
      let z = 0;
      for (let y = 0; y < k; y++) z += score[y];
      for (let y = 0; y < k; y++) out[i * k + y] = score[y] / z;
    }
    return out;
  }

  /**
   * Two classes: logit P(Y = 1) = log(p₁/(1−p₁)) + Σ_votes ±w_j, so W_j[l][y] = w_j·[l = y] with
   * log p₀ taken as log(1−p₁) (the very prior logit `predictProba` uses). More classes: none.
   */
  explainer(): Explainer {
    const a = this.a;
    const prior = this.prior;
    if (!a || !prior) throw new ShoalError('fit the label model before explaining it');
    const { m, k } = this;
    if (k !== 2) return { kind: 'undefined', model: 'triplet', reason: NOT_DEFINED.tripletMulti };
    const ex = emptyExplainer('triplet', 2, m, [Math.log(1 - prior[1]), Math.log(prior[1])], MEANING.triplet);
    for (let j = 0; j < m; j++) {
      const v = a[m + j];
      const w = Math.log((1 + v) / (1 - v));
      for (let l = 0; l < 2; l++) ex.weights[(j * 3 + l) * 2 + l] = w;
    }
    return ex;
  }

  summary(): LabelModelSummary {
    const a = this.a;
    const { m, k } = this;
    const c = k === 2 ? 1 : 0;
    return {
      model: 'triplet',
      backend: 'typed-array',
      classBalance: this.prior ? Array.from(this.prior) : undefined,
      // One-vs-rest accuracy of each LF for the first problem: P(vote agrees with Y | votes).
      lfAccuracy: a ? Array.from({ length: m }, (_, j) => (1 + a[(k === 2 ? 1 : c) * m + j]) / 2) : undefined,
    };
  }
}
