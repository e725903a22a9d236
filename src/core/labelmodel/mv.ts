/**
 * Majority vote: P(y | votes) ∝ number of votes for y. Rows where every LF abstains get the
 * class prior (uniform unless a balance is given), like Snorkel's MajorityLabelVoter, so with
 * the `snorkel` tie rule its predictions match Snorkel/WRENCH's published MV exactly.
 */
import type { LabelMatrix } from '../matrix.ts';
import { normaliseBalance, uniformBalance } from './balance.ts';
import type { FitOptions, LabelModel, LabelModelSummary } from './types.ts';
import { NOT_DEFINED, type Explainer } from './attribution.ts';

export class MajorityVote implements LabelModel {
  readonly name = 'mv';
  private prior: Float64Array | undefined;

  async fit(L: LabelMatrix, options: FitOptions = {}): Promise<void> {
    this.prior = options.classBalance ? normaliseBalance(options.classBalance, L.k) : uniformBalance(L.k);
    options.onProgress?.(1);
  }

  predictProba(L: LabelMatrix): Float32Array {
    const k = L.k;
    const prior = this.prior ?? uniformBalance(k);
    const out = L.classCounts();
    for (let i = 0; i < L.n; i++) {
      let total = 0;
      for (let y = 0; y < k; y++) total += out[i * k + y];
      if (total === 0) for (let y = 0; y < k; y++) out[i * k + y] = prior[y];
      else for (let y = 0; y < k; y++) out[i * k + y] /= total;
    }
    return out;
  }

  explainer(): Explainer {
    return { kind: 'undefined', model: 'mv', reason: NOT_DEFINED.mv };
  }

  summary(): LabelModelSummary {
    return { model: 'mv', backend: 'typed-array', classBalance: this.prior ? Array.from(this.prior) : undefined };
  }
}
