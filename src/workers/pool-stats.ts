/**
 * Worker-side sufficient statistics for the label model (they add across chunks, so the
 * counting can move to where the votes are made): each LF worker
 * adds the overlap counts of the votes it produces (core/labelmodel/overlap.ts semantics:
 * O[a, b] = #rows where LF a/k voted a%k and LF b/k voted b%k) into one accumulator per job, so
 * the page can merge a few (m·k)² arrays and call `MetalLabelModel.fitFromStats` without ever
 * building the row index of the whole matrix on its thread.
 *
 * One accumulator per worker and job, not one array per chunk: at m = 200, k = 6 one array is
 * 11.5 MB, which would cost more to transfer per 1000-row chunk than the chunk's LFs cost to run.
 */
import { assertOverlapFits, mirrorUpper, type CountingPath, type OverlapCounts } from '../core/labelmodel/overlap.ts';
import {
  BITSET_BLOCK_ROWS,
  bitsetsPay,
  createBitsetCounter,
  samplePairsPerRow,
  type BitsetOverlapCounter,
} from '../core/labelmodel/overlap-bits.ts';

export class OverlapAccumulator {
  readonly d: number;
  /**
   * Row-path counts, upper triangle and diagonal only (mirrored by `take`), made on first use:
   * with bitsets the counts live in the kernel's memory instead.
   */
  private counts: Float64Array | null = null;
  private n = 0;
  private readonly idx: Int32Array;
  /** Column bitsets when they pay for this LF set (decided on the first chunk), else null. */
  private bits: BitsetOverlapCounter | null | undefined;

  constructor(
    readonly m: number,
    readonly k: number,
    private readonly path: CountingPath = 'auto',
  ) {
    assertOverlapFits('worker-side overlap statistics', m, k);
    this.d = m * k;
    this.idx = new Int32Array(m);
  }

  /**
   * Add one chunk's votes as the runtime returns them: LF-major (`lfs.length × rows`), `lfs`
   * ascending global LF positions. LFs not in `lfs` count as abstaining on these rows.
   */
  addChunk(votes: Int8Array, rows: number, lfs: readonly number[]): void {
    const { d, k, idx } = this;
    const L = lfs.length;
    for (let s = 1; s < L; s++) if (lfs[s] <= lfs[s - 1]) throw new Error('chunk LFs must be in ascending order');
    const slice = (s: number, from: number, to: number) => votes.subarray(s * rows + from, s * rows + to);
    if (this.bits === undefined) {
      // Decided once, on the first chunk's vote density: both paths give the same counts.
      const pay = () =>
        bitsetsPay(
          this.m,
          k,
          samplePairsPerRow(
            lfs.map((_, s) => slice(s, 0, rows)),
            rows,
          ),
          false,
        );
      this.bits = this.path === 'bitsets' || (this.path === 'auto' && pay()) ? createBitsetCounter(this.m, k) : null;
    }
    if (this.bits) {
      const position = new Int32Array(this.m).fill(-1);
      lfs.forEach((j, s) => (position[j] = s));
      for (let from = 0; from < rows; from += BITSET_BLOCK_ROWS) {
        const to = Math.min(rows, from + BITSET_BLOCK_ROWS);
        this.bits.addBlock((j) => (position[j] < 0 ? null : slice(position[j], from, to)), to - from);
      }
      this.n += rows;
      return;
    }
    const counts = (this.counts ??= new Float64Array(d * d));
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
    const { d } = this;
    const counts = mirrorUpper(this.bits ? this.bits.take() : (this.counts ?? new Float64Array(d * d)), d);
    const out: OverlapCounts = { n: this.n, m: this.m, k: this.k, counts };
    this.counts = null;
    this.n = 0;
    return out;
  }
}
