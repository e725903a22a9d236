import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileOverlapBits } from '../../../scripts/overlap-bits-wat.ts';
import { LabelMatrix } from '../matrix.ts';
import { mulberry32 } from '../rng.ts';
import { BITSET_BLOCK_ROWS, bitsetsPay, createBitsetCounter, samplePairsPerRow } from './overlap-bits.ts';
import { OVERLAP_BITS_WASM_BASE64 } from './overlap-bits-wasm.ts';
import { overlapCounts } from './overlap.ts';

function randomColumns(n: number, m: number, k: number, seed: number): Int8Array[] {
  const rng = mulberry32(seed);
  // Each LF its own coverage, from silent to voting on every row.
  return Array.from({ length: m }, () => {
    const coverage = rng() < 0.1 ? 0 : rng() < 0.1 ? 1 : rng();
    return Int8Array.from({ length: n }, () => (rng() < coverage ? Math.floor(rng() * k) : -1));
  });
}

describe('overlap counts from column bitsets', () => {
  it('equal the row-wise counts for any shape: several blocks, partial words, silent and full LFs', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: BITSET_BLOCK_ROWS - 70, max: 2 * BITSET_BLOCK_ROWS + 130 })),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 2, max: 7 }),
        fc.integer(),
        (n, m, k, seed) => {
          const cols = randomColumns(n, m, k, seed);
          const rows = overlapCounts(new LabelMatrix(n, k, cols), 'test', 'rows');
          const bits = overlapCounts(new LabelMatrix(n, k, cols), 'test', 'bitsets');
          expect(bits.n).toBe(n);
          expect(Array.from(bits.counts)).toEqual(Array.from(rows.counts));
        },
      ),
      { seed: 20261121, numRuns: 60 },
    );
  });

  it('runs the wasm kernel here, adds block by block, treats a null slice as abstaining, and resets on take', () => {
    const n = 1000;
    const m = 4;
    const k = 3;
    const cols = randomColumns(n, m, k, 9);
    const counter = createBitsetCounter(m, k);
    expect(counter).not.toBeNull();
    // Rows 0–599 in two uneven blocks, 600–999 with LF 2 left out (its votes there ignored).
    counter!.addColumns(cols, 0, 250);
    counter!.addColumns(cols, 250, 600);
    counter!.addBlock((j) => (j === 2 ? null : cols[j].subarray(600, n)), n - 600);
    const got = counter!.take();
    const expected = cols.map((c, j) => (j === 2 ? Int8Array.from(c, (v, i) => (i < 600 ? v : -1)) : c));
    const want = overlapCounts(new LabelMatrix(n, k, expected), 'test', 'rows').counts;
    const d = m * k;
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) expect(got[a * d + b]).toBe(b >= a ? want[a * d + b] : 0);
    expect(counter!.take().every((c) => c === 0)).toBe(true);
  });

  it('rejects a block larger than its buffer or a slice of the wrong length', () => {
    const counter = createBitsetCounter(2, 2)!;
    expect(() => counter.addBlock(() => new Int8Array(BITSET_BLOCK_ROWS + 1), BITSET_BLOCK_ROWS + 1)).toThrow(/at most/);
    expect(() => counter.addBlock(() => new Int8Array(3), 4)).toThrow(/3 votes for 4 rows/);
  });

  it('are chosen where they pay: LFs voting often, not a few votes a row with the index built', () => {
    // Shapes of bench:scale (pairs per row as sampled from synth.py's matrices).
    expect(bitsetsPay(50, 2, 132, false)).toBe(true);
    expect(bitsetsPay(50, 2, 132, true)).toBe(true);
    expect(bitsetsPay(50, 5, 100, false)).toBe(true);
    // 200 LFs × 6 classes, ≈1,500 vote pairs a row: measured 0.8 CPU-s as bitsets against 1.4 by rows.
    expect(bitsetsPay(200, 6, 1543, false)).toBe(true);
    // …but not with few votes a row: the scatter is cheap there.
    expect(bitsetsPay(200, 6, 40, false)).toBe(false);
    // Sparse votes with the index built: scattering a handful of pairs beats d²/128 word pairs.
    expect(bitsetsPay(40, 4, 3, true)).toBe(false);
  });

  it('estimates pairs per row from sampled runs, exactly when every row is read', () => {
    const cols = [Int8Array.of(0, -1, 1, 0), Int8Array.of(1, 1, -1, -1)];
    // Votes per row 2, 1, 1, 1 → pairs 3, 1, 1, 1.
    expect(samplePairsPerRow(cols, 4)).toBe(1.5);
    expect(samplePairsPerRow([], 0)).toBe(0);
    const big = randomColumns(100_000, 10, 2, 3);
    let exact = 0;
    for (let i = 0; i < 100_000; i++) {
      let v = 0;
      for (const c of big) if (c[i] >= 0) v++;
      exact += (v * (v + 1)) / 2;
    }
    expect(samplePairsPerRow(big, 100_000)).toBeCloseTo(exact / 100_000, 0);
  });

  it('ships the bytes its generator makes (run `npm run build:kernels` after editing scripts/overlap-bits-wat.ts)', async () => {
    const bytes = await compileOverlapBits();
    expect(Buffer.from(bytes).toString('base64')).toBe(OVERLAP_BITS_WASM_BASE64);
  });
});
