import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LabelMatrix } from '../matrix.ts';
import { synthesize } from '../synth.ts';
import { sharedOverlapCounts } from './overlap.ts';
import { DawidSkene } from './ds.ts';
import { overlapCounts, overlapCountsWeighted } from './overlap.ts';
import { patternsFromColumns, patternsFromRows, rowKeysAreExact, votePatterns, weightedRows } from './patterns.ts';
import { WeightedMajorityVote } from './wmv.ts';
import type { FitOptions, LabelModel } from './types.ts';

/**
 * Random matrices that repeat patterns (few LFs, low propensities, so also all-abstain rows),
 * k from 2 to 5.
 */
const matrixArb = fc.record({
  n: fc.integer({ min: 20, max: 400 }),
  m: fc.integer({ min: 1, max: 7 }),
  k: fc.integer({ min: 2, max: 5 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  propensity: fc.double({ min: 0.05, max: 0.7, noNaN: true }),
});

function matrix({ n, m, k, seed, propensity }: { n: number; m: number; k: number; seed: number; propensity: number }) {
  return synthesize({ n, m, k, seed, propensity: { range: [propensity / 2, propensity] } });
}

function rowVotes(L: LabelMatrix, i: number): number[] {
  return L.columns().map((c) => c[i]);
}

describe('votePatterns', () => {
  it('maps every row to a pattern with exactly its votes; patterns are distinct; weights count rows', () => {
    fc.assert(
      fc.property(matrixArb, (a) => {
        const { L } = matrix(a);
        const p = votePatterns(L, 1)!;
        expect(p).toBeDefined();
        const asVotes = (q: number) => {
          const dense = new Array<number>(L.m).fill(-1);
          for (let v = p.rowPtr[q]; v < p.rowPtr[q + 1]; v++) dense[p.lf[v]] = p.label[v];
          return dense.join(',');
        };
        const seen = new Set<string>();
        for (let q = 0; q < p.count; q++) seen.add(asVotes(q));
        expect(seen.size).toBe(p.count);
        const counted = new Float64Array(p.count);
        for (let i = 0; i < L.n; i++) {
          expect(asVotes(p.rowPattern![i])).toBe(rowVotes(L, i).join(','));
          counted[p.rowPattern![i]]++;
        }
        expect(Array.from(p.weight)).toEqual(Array.from(counted));
      }),
      { numRuns: 60, seed: 11 },
    );
  });

  it('gives up (undefined) when more than the allowed fraction of rows are distinct', () => {
    // Row i votes class (i >> j) & 1 on LF j: 16 rows, 16 distinct patterns.
    const cols = Array.from({ length: 4 }, (_, j) => Int8Array.from({ length: 16 }, (_, i) => (i >> j) & 1));
    const L = new LabelMatrix(16, 2, cols);
    expect(votePatterns(L, 0.5)).toBeUndefined();
    expect(votePatterns(L, 1)!.count).toBe(16);
    // The plain-row fallback stands for every row once.
    const plain = weightedRows(new LabelMatrix(16, 2, cols));
    expect(plain.count).toBe(16);
    expect(plain.rowPattern).toBeUndefined();
    expect(Array.from(plain.weight)).toEqual(new Array(16).fill(1));
  });

  it('reads the same patterns from the columns (exact row keys) as from the sparse rows, give-ups included', () => {
    const same = (L: LabelMatrix, fraction: number) => {
      const a = patternsFromColumns(L.columns(), L.n, L.k, fraction);
      const b = patternsFromRows(L.rows(), L.n, L.k, fraction);
      if (b === undefined) return expect(a).toBeUndefined();
      expect(a).toBeDefined();
      expect(a!.count).toBe(b.count);
      expect(Array.from(a!.rowPtr)).toEqual(Array.from(b.rowPtr));
      expect(Array.from(a!.lf)).toEqual(Array.from(b.lf));
      expect(Array.from(a!.label)).toEqual(Array.from(b.label));
      expect(Array.from(a!.weight)).toEqual(Array.from(b.weight));
      expect(Array.from(a!.rowPattern!)).toEqual(Array.from(b.rowPattern!));
    };
    let gaveUp = 0;
    fc.assert(
      fc.property(matrixArb, fc.constantFrom(0.05, 0.5, 1), (a, fraction) => {
        const { L } = matrix(a);
        same(L, fraction);
        if (!patternsFromRows(L.rows(), L.n, L.k, fraction)) gaveUp++;
      }),
      { numRuns: 120, seed: 23 },
    );
    // Both outcomes were compared, not only one.
    expect(gaveUp).toBeGreaterThan(5);
    // Past the early look (n ≥ 4096): 5,000 rows of 12 LFs with 5 classes, dense enough that
    // most rows are distinct (the early give-up) and sparse enough that they repeat.
    for (const propensity of [0.02, 0.9]) {
      const { L } = synthesize({ n: 5000, m: 12, k: 5, seed: 3, propensity: { range: [propensity / 2, propensity] } });
      same(L, 0.5);
    }
  });

  it('keys rows by one exact number only while (k+1)^m stays below 2^53', () => {
    expect(rowKeysAreExact(33, 2)).toBe(true);
    expect(rowKeysAreExact(34, 2)).toBe(false);
    expect(rowKeysAreExact(22, 4)).toBe(true);
    expect(rowKeysAreExact(23, 4)).toBe(false);
    // The largest digits of the widest exact matrix still tell two rows apart at the last LF.
    const n = 4;
    const cols = Array.from({ length: 33 }, () => new Int8Array(n).fill(1));
    cols[32] = Int8Array.from([1, 0, 1, -1]);
    const p = patternsFromColumns(cols, n, 2, 1)!;
    expect(Array.from(p.rowPattern!)).toEqual([0, 1, 0, 2]);
    expect(Array.from(p.weight)).toEqual([2, 1, 1]);
  });

  it('is recomputed after a column changes (cached on the matrix until then)', () => {
    const L = new LabelMatrix(8, 2, [Int8Array.from([0, 0, 0, 0, 1, 1, 1, 1]), new Int8Array(8).fill(1)]);
    expect(votePatterns(L)!.count).toBe(2);
    L.setColumn(1, Int8Array.from([-1, -1, 0, 0, -1, -1, 0, 0]));
    expect(votePatterns(L)!.count).toBe(4);
  });
});

// Both fits run the same arithmetic per row/pattern; only the M-step sums differ (Σ count·x over
// patterns vs Σ x over rows, added in another order). Each such sum of ≤ 400 terms is within
// ~400·2⁻⁵³ ≈ 5e-14 relative of the other, and EM (a contraction near its fixed point) does not
// amplify that; 1e-9 leaves room for the logs and exps on top while still catching any
// weighting mistake (a pattern counted once instead of c times moves parameters by ≫ 1e-3).
const TOLERANCE = 1e-9;

async function compare(make: (dedupe: boolean) => LabelModel, L: LabelMatrix, options: FitOptions): Promise<void> {
  const rowWise = make(false);
  const patterned = make(true);
  await rowWise.fit(L, options);
  await patterned.fit(L, options);
  const a = rowWise.summary();
  const b = patterned.summary();
  expect(b.lfAccuracy!.length).toBe(a.lfAccuracy!.length);
  for (let j = 0; j < a.lfAccuracy!.length; j++) {
    if (Number.isNaN(a.lfAccuracy![j])) expect(b.lfAccuracy![j]).toBeNaN();
    else expect(Math.abs(b.lfAccuracy![j] - a.lfAccuracy![j])).toBeLessThan(TOLERANCE);
  }
  for (let y = 0; y < L.k; y++) expect(Math.abs(b.classBalance![y] - a.classBalance![y])).toBeLessThan(TOLERANCE);
  expect(b.warnings).toEqual(a.warnings);
  // Probabilities are float32: compare to within float32 resolution of the same value.
  const pa = rowWise.predictProba(L);
  const pb = patterned.predictProba(L);
  expect(pb.length).toBe(pa.length);
  for (let t = 0; t < pa.length; t++) expect(Math.abs(pb[t] - pa[t])).toBeLessThanOrEqual(1e-7);
}

describe('EM over unique vote patterns gives the row-wise fit', () => {
  const variants: { name: string; options: (k: number, L: LabelMatrix, Y: Int32Array) => FitOptions }[] = [
    { name: 'no prior', options: () => ({}) },
    { name: 'given class balance', options: (k) => ({ classBalance: Array.from({ length: k }, (_, y) => y + 1) }) },
    { name: 'dev-label prior', options: (_k, _L, Y) => ({ devY: Y.slice(0, 30) }) },
  ];
  for (const [model, make] of [
    ['ds', (dedupe: boolean) => new DawidSkene({ dedupe })],
    ['wmv', (dedupe: boolean) => new WeightedMajorityVote({ dedupe })],
  ] as const) {
    for (const v of variants) {
      it(`${model}, ${v.name}`, async () => {
        let onPatterns = 0;
        await fc.assert(
          fc.asyncProperty(matrixArb, async (a) => {
            const { L, Y } = matrix(a);
            if (votePatterns(L)) onPatterns++;
            await compare(make, L, v.options(a.k, L, Y));
          }),
          { numRuns: 25, seed: 5 },
        );
        // The comparison only means something if most fits really ran on patterns.
        expect(onPatterns).toBeGreaterThan(15);
      });
    }
  }

  it('all-abstain rows get the class prior either way', async () => {
    const L = new LabelMatrix(6, 3, [Int8Array.from([0, -1, 0, -1, 2, -1]), Int8Array.from([0, -1, 1, -1, 2, -1])]);
    for (const make of [(d: boolean) => new DawidSkene({ dedupe: d }), (d: boolean) => new WeightedMajorityVote({ dedupe: d })]) {
      const model = make(true);
      await model.fit(L, { classBalance: [0.5, 0.3, 0.2] });
      const p = model.predictProba(L);
      const prior = model.summary().classBalance!;
      for (const i of [1, 3, 5]) for (let y = 0; y < 3; y++) expect(p[i * 3 + y]).toBeCloseTo(prior[y], 6);
      await compare(make, L, { classBalance: [0.5, 0.3, 0.2] });
    }
  });

  it('the patterned fit really iterates over fewer rows on repetitive matrices', () => {
    const { L } = synthesize({ n: 5000, m: 4, k: 2, seed: 1, propensity: { range: [0.1, 0.3] } });
    const p = votePatterns(L)!;
    // 4 LFs × 3 outcomes: at most 81 patterns.
    expect(p.count).toBeLessThanOrEqual(81);
    expect(p.weight.reduce((s, w) => s + w, 0)).toBe(5000);
  });
});

describe('overlap counts over patterns', () => {
  it('equal overlapCounts(L) exactly (whole-number counts)', () => {
    fc.assert(
      fc.property(matrixArb, (a) => {
        const { L } = matrix(a);
        const p = votePatterns(L, 1)!;
        const weighted = overlapCountsWeighted(p, p.weight, L.n, L.m, L.k);
        const plain = overlapCounts(L);
        expect(weighted.n).toBe(plain.n);
        expect(Array.from(weighted.counts)).toEqual(Array.from(plain.counts));
        // What auto shares between its metal candidates is the same statistic.
        expect(Array.from(sharedOverlapCounts(L).counts)).toEqual(Array.from(plain.counts));
      }),
      { numRuns: 60, seed: 3 },
    );
  });
});
