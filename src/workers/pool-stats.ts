/**
 * Worker-side sufficient statistics for the label model (issue 6's design hint): each LF worker
 * adds the overlap counts of the votes it produces (core/labelmodel/overlap.ts semantics:
 * O[a, b] = #rows where LF a/k voted a%k and LF b/k voted b%k) into one accumulator per job, so
 * the page can merge a few (m·k)² arrays and call `MetalLabelModel.fitFromStats` without ever
 * building the row index of the whole matrix on its thread.
 *
 * One accumulator per worker and job, not one array per chunk: at m = 200, k = 6 one array is
 * 11.5 MB, which would cost more to transfer per 1000-row chunk than the chunk's LFs cost to run.
 */
import { assertOverlapFits, type OverlapCounts } from '../core/labelmodel/overlap.ts';

export class OverlapAccumulator {
  readonly d: number;
  /** Upper triangle and diagonal only, mirrored by `take` (pairs are counted once). */
  private counts: Float64Array;
  private n = 0;
  private readonly idx: Int32Array;

  constructor(
    readonly m: number,
    readonly k: number,
  ) {
    assertOverlapFits('worker-side overlap statistics', m, k);
    this.d = m * k;
    this.counts = new Float64Array(this.d * this.d);
    this.idx = new Int32Array(m);
  }

  /**
   * Add one chunk's votes as the runtime returns them: LF-major (`lfs.length × rows`), `lfs`
   * ascending global LF positions. LFs not in `lfs` count as abstaining on these rows.
   */
  addChunk(votes: Int8Array, rows: number, lfs: readonly number[]): void {
    const { d, k, counts, idx } = this;
    const L = lfs.length;
    for (let s = 1; s < L; s++) if (lfs[s] <= lfs[s - 1]) throw new Error('chunk LFs must be in ascending order');
    for (let i = 0; i < rows; i++) {
      let v = 0;
      for (let s = 0; s < L; s++) {
        const y = votes[s * rows + i];
        if (y >= 0) idx[v++] = lfs[s] * k + y;
      }
      // idx ascends (LFs ascend, one vote per LF), so every pair lands in the upper triangle.
      for (let s = 0; s < v; s++) {
        const row = idx[s] * d;
        counts[row + idx[s]]++;
        for (let t = s + 1; t < v; t++) counts[row + idx[t]]++;
      }
    }
    this.n += rows;
  }

  /** The counts so far (mirrored into a full matrix), and a fresh accumulator. */
  take(): OverlapCounts {
    const { d, counts } = this;
    for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) counts[b * d + a] = counts[a * d + b];
    const out: OverlapCounts = { n: this.n, m: this.m, k: this.k, counts };
    this.counts = new Float64Array(d * d);
    this.n = 0;
    return out;
  }
}
