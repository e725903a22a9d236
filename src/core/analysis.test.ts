import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze, columnStats, lfSummary, matrixSummary } from './analysis.ts';
import { LabelMatrix } from './matrix.ts';
import { ShoalError } from './types.ts';

// The example from Snorkel's LFAnalysis docstrings. Row by row:
//   row 0: [-1, 0, 0]   2 votes, all 0      → covered, overlapped
//   row 1: [-1,-1,-1]   no votes
//   row 2: [ 1, 0,-1]   2 votes, 1 vs 0     → covered, overlapped, conflicted
//   row 3: [-1, 0,-1]   1 vote              → covered
//   row 4: [ 0, 0, 0]   3 votes, all 0      → covered, overlapped
// LF0 votes rows 2,4: coverage 2/5, overlaps 2/5 (both rows), conflicts 1/5 (row 2)
// LF1 votes rows 0,2,3,4: coverage 4/5, overlaps 3/5 (0,2,4), conflicts 1/5 (row 2)
// LF2 votes rows 0,4: coverage 2/5, overlaps 2/5, conflicts 0
// Snorkel prints: lf_polarities [[0, 1], [0], [0]], lf_coverages [0.4, 0.8, 0.4],
// lf_overlaps [0.4, 0.6, 0.4], lf_conflicts [0.2, 0.2, 0.], label_coverage 0.8,
// label_overlap 0.6, label_conflict 0.2.
const snorkelExample = () =>
  LabelMatrix.fromRows(
    [
      [-1, 0, 0],
      [-1, -1, -1],
      [1, 0, -1],
      [-1, 0, -1],
      [0, 0, 0],
    ],
    2,
  );

describe('lfSummary / matrixSummary on Snorkel’s docstring example', () => {
  it('gives the numbers Snorkel prints', () => {
    const s = lfSummary(snorkelExample());
    expect(s.map((x) => x.polarity)).toEqual([[0, 1], [0], [0]]);
    expect(s.map((x) => x.votes)).toEqual([2, 4, 2]);
    expect(s.map((x) => x.coverage)).toEqual([0.4, 0.8, 0.4]);
    expect(s.map((x) => x.overlaps)).toEqual([0.4, 0.6, 0.4]);
    expect(s.map((x) => x.conflicts)).toEqual([0.2, 0.2, 0]);
    expect(s[0].correct).toBeUndefined();
    expect(matrixSummary(snorkelExample())).toEqual({ coverage: 0.8, overlap: 0.6, conflict: 0.2 });
  });

  it('adds Correct / Incorrect / Emp. Acc. with gold', () => {
    // gold [0, 1, 1, 0, 0]:
    // LF0: row 2 votes 1 = gold 1 ✓, row 4 votes 0 = gold 0 ✓                 → 2 / 0 / 1.0
    // LF1: row 0 ✓, row 2 votes 0 ≠ 1 ✗, row 3 ✓, row 4 ✓                    → 3 / 1 / 0.75
    // LF2: row 0 ✓, row 4 ✓                                                   → 2 / 0 / 1.0
    const s = lfSummary(snorkelExample(), [0, 1, 1, 0, 0]);
    expect(s.map((x) => [x.correct, x.incorrect, x.empiricalAccuracy])).toEqual([
      [2, 0, 1],
      [3, 1, 0.75],
      [2, 0, 1],
    ]);
    // Unknown gold (-1) on row 2 removes that row from every LF's counts.
    const u = lfSummary(snorkelExample(), [0, 1, -1, 0, 0]);
    expect(u.map((x) => [x.correct, x.incorrect, x.empiricalAccuracy])).toEqual([
      [1, 0, 1],
      [3, 0, 1],
      [2, 0, 1],
    ]);
  });
});

describe('multi-class conflicts', () => {
  it('flags a row for every LF on it once its labels differ', () => {
    // k = 3, 4 LFs.
    //   row 0: [0, 0, 2, -1]  labels {0,2} → conflicted; LF0, LF1, LF2 get a conflict
    //   row 1: [1, 1, -1, 1]  agree        → overlap only (LF0, LF1, LF3)
    //   row 2: [-1,-1,-1, 2]  single vote
    //   row 3: [-1,-1,-1,-1]  nothing
    // LF0 rows 0,1: cov .5, ovl .5, conf .25; LF1 same; LF2 row 0: .25/.25/.25; LF3 rows 1,2: .5/.25/0
    const L = LabelMatrix.fromRows(
      [
        [0, 0, 2, -1],
        [1, 1, -1, 1],
        [-1, -1, -1, 2],
        [-1, -1, -1, -1],
      ],
      3,
    );
    const { lfs, matrix } = analyze(L, [0, 1, 1, 2]);
    expect(lfs.map((x) => [x.coverage, x.overlaps, x.conflicts])).toEqual([
      [0.5, 0.5, 0.25],
      [0.5, 0.5, 0.25],
      [0.25, 0.25, 0.25],
      [0.5, 0.25, 0],
    ]);
    expect(lfs.map((x) => x.polarity)).toEqual([[0, 1], [0, 1], [2], [1, 2]]);
    // LF3: row 1 votes 1 = gold 1 ✓, row 2 votes 2 ≠ gold 1 ✗.
    expect([lfs[3].correct, lfs[3].incorrect, lfs[3].empiricalAccuracy]).toEqual([1, 1, 0.5]);
    expect(matrix).toEqual({ coverage: 0.75, overlap: 0.5, conflict: 0.25 });
  });

  it('gives 0 (not NaN) for an LF that never votes and for an empty matrix', () => {
    const L = new LabelMatrix(3, 2, [Int8Array.of(-1, -1, -1)]);
    expect(lfSummary(L, [0, 1, 0])[0]).toEqual({
      polarity: [],
      votes: 0,
      coverage: 0,
      overlaps: 0,
      conflicts: 0,
      correct: 0,
      incorrect: 0,
      empiricalAccuracy: 0,
    });
    expect(matrixSummary(new LabelMatrix(0, 2, [new Int8Array(0)]))).toEqual({ coverage: 0, overlap: 0, conflict: 0 });
  });

  it('rejects gold of the wrong length or out of range', () => {
    expect(() => lfSummary(snorkelExample(), [0, 1])).toThrow(ShoalError);
    expect(() => lfSummary(snorkelExample(), [0, 1, 2, 0, 0])).toThrow(/row 2: gold label 2 is outside -1..1/);
  });
});

/** Straight-from-the-definitions dense reference, O(n·m²): only for checking. */
function naive(rows: number[][], m: number, gold: number[]) {
  const n = rows.length;
  const lfs = Array.from({ length: m }, (_, j) => {
    let cov = 0,
      ovl = 0,
      con = 0,
      cor = 0,
      inc = 0;
    const pol = new Set<number>();
    for (let i = 0; i < n; i++) {
      const v = rows[i][j];
      if (v === -1) continue;
      cov++;
      pol.add(v);
      if (rows[i].some((w, o) => o !== j && w !== -1)) ovl++;
      if (rows[i].some((w, o) => o !== j && w !== -1 && w !== v)) con++;
      if (v === gold[i]) cor++;
      else inc++;
    }
    return { polarity: [...pol].sort(), coverage: cov / n, overlaps: ovl / n, conflicts: con / n, correct: cor, incorrect: inc };
  });
  const voted = rows.map((r) => r.filter((v) => v !== -1));
  return {
    lfs,
    matrix: {
      coverage: voted.filter((v) => v.length >= 1).length / n,
      overlap: voted.filter((v) => v.length >= 2).length / n,
      conflict: voted.filter((v) => new Set(v).size >= 2).length / n,
    },
  };
}

const matrixArb = fc
  .record({ n: fc.integer({ min: 1, max: 40 }), m: fc.integer({ min: 1, max: 7 }), k: fc.integer({ min: 2, max: 4 }) })
  .chain(({ n, m, k }) =>
    fc.record({
      k: fc.constant(k),
      m: fc.constant(m),
      // Abstain-heavy so rows with 0, 1 and several votes all occur.
      rows: fc.array(
        fc.array(fc.oneof(fc.constant(-1), fc.constant(-1), fc.integer({ min: 0, max: k - 1 })), { minLength: m, maxLength: m }),
        {
          minLength: n,
          maxLength: n,
        },
      ),
      gold: fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: n, maxLength: n }),
      perm: fc.shuffledSubarray([...Array(m).keys()], { minLength: m, maxLength: m }),
    }),
  );

describe('analysis properties', () => {
  it('matches the dense definition on random matrices', () => {
    fc.assert(
      fc.property(matrixArb, ({ k, m, rows, gold }) => {
        const got = analyze(LabelMatrix.fromRows(rows, k, m), gold);
        const want = naive(rows, m, gold);
        got.lfs.forEach((s, j) => {
          expect(s.polarity).toEqual(want.lfs[j].polarity);
          expect(s.coverage).toBeCloseTo(want.lfs[j].coverage, 12);
          expect(s.overlaps).toBeCloseTo(want.lfs[j].overlaps, 12);
          expect(s.conflicts).toBeCloseTo(want.lfs[j].conflicts, 12);
          expect([s.correct, s.incorrect]).toEqual([want.lfs[j].correct, want.lfs[j].incorrect]);
        });
        expect(got.matrix.coverage).toBeCloseTo(want.matrix.coverage, 12);
        expect(got.matrix.overlap).toBeCloseTo(want.matrix.overlap, 12);
        expect(got.matrix.conflict).toBeCloseTo(want.matrix.conflict, 12);
      }),
      { seed: 17, numRuns: 300 },
    );
  });

  it('columnStats gives analyze’s polarity, votes and coverage from the columns alone', () => {
    fc.assert(
      fc.property(matrixArb, ({ k, m, rows }) => {
        const L = LabelMatrix.fromRows(rows, k, m);
        const want = analyze(L).lfs.map(({ polarity, votes, coverage }) => ({ polarity, votes, coverage }));
        expect(columnStats(LabelMatrix.fromRows(rows, k, m))).toEqual(want);
      }),
      { seed: 29, numRuns: 300 },
    );
    expect(columnStats(new LabelMatrix(0, 2, [new Int8Array(0)]))).toEqual([{ polarity: [], votes: 0, coverage: 0 }]);
  });

  it('permuting LF columns permutes the per-LF stats and leaves the matrix summary alone', () => {
    fc.assert(
      fc.property(matrixArb, ({ k, m, rows, gold, perm }) => {
        const L = LabelMatrix.fromRows(rows, k, m);
        const base = analyze(L, gold);
        const shuffled = analyze(L.selectColumns(perm), gold);
        expect(shuffled.lfs).toEqual(perm.map((j) => base.lfs[j]));
        expect(shuffled.matrix).toEqual(base.matrix);
      }),
      { seed: 23, numRuns: 200 },
    );
  });

  it('conflicts ≤ overlaps ≤ coverage, and correct + incorrect = votes with full gold', () => {
    fc.assert(
      fc.property(matrixArb, ({ k, m, rows, gold }) => {
        const { lfs, matrix } = analyze(LabelMatrix.fromRows(rows, k, m), gold);
        for (const s of lfs) {
          expect(s.conflicts).toBeLessThanOrEqual(s.overlaps);
          expect(s.overlaps).toBeLessThanOrEqual(s.coverage);
          expect(s.coverage).toBeLessThanOrEqual(matrix.coverage);
          expect(s.correct! + s.incorrect!).toBe(s.votes);
          expect(s.empiricalAccuracy).toBeGreaterThanOrEqual(0);
          expect(s.empiricalAccuracy).toBeLessThanOrEqual(1);
        }
        expect(matrix.conflict).toBeLessThanOrEqual(matrix.overlap);
        expect(matrix.overlap).toBeLessThanOrEqual(matrix.coverage);
      }),
      { seed: 29, numRuns: 200 },
    );
  });
});
