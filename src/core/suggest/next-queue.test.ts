import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { entropyOf, queueGroups, queueOrder, sharedTerms } from './next-queue.ts';
import { DevTermCounts } from './suggestions.ts';

describe('the look-here-next queue', () => {
  it('puts the most uncertain rows first, whatever order they are listed in', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 60 }),
        fc.integer(),
        fc.boolean(),
        (rows, seed, withModel) => {
          // Few distinct values, so ties occur.
          const u = rows.map((r) => (r % 5) / 4);
          const limit = Math.ceil(rows.length / 2);
          const pick = (rs: number[]) => queueOrder(rs, withModel ? rs.map((r) => (r % 5) / 4) : null, seed, limit).map((i) => rs[i]);
          const base = pick(rows);
          expect(pick([...rows].reverse())).toEqual(base);
          expect(base).toHaveLength(limit);
          if (withModel) {
            const picked = base.map((r) => (r % 5) / 4);
            for (let i = 1; i < picked.length; i++) expect(picked[i]).toBeLessThanOrEqual(picked[i - 1]);
            // Nothing left out is more uncertain than the last row in.
            const left = rows.filter((r) => !base.includes(r)).map((r) => u[rows.indexOf(r)]);
            for (const x of left) expect(x).toBeLessThanOrEqual(picked[picked.length - 1]);
          }
        },
      ),
      { seed: 19, numRuns: 200 },
    );
  });

  it('measures uncertainty as entropy over log k', () => {
    expect(entropyOf([0.5, 0.5], 0, 2)).toBeCloseTo(1, 12);
    expect(entropyOf([1, 0, 0.25, 0.75], 0, 2)).toBe(0);
    expect(entropyOf([1, 0, 0.25, 0.75], 1, 2)).toBeCloseTo(-(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75)) / Math.log(2), 12);
    expect(entropyOf([1 / 3, 1 / 3, 1 / 3], 0, 3)).toBeCloseTo(1, 12);
  });

  it('groups the queue by the distinctive terms its rows share', () => {
    // 40 train rows: 'the' in all, 'refund' in the 6 queue rows 0..5 and 2 others, 'pair a' and
    // 'pair b' in exactly the same 3 queue rows (one group), 'odd' in 2 queue rows only.
    const trainTerms: string[][] = Array.from({ length: 40 }, (_, i) => {
      const t = ['the'];
      if (i < 6 || i === 30 || i === 31) t.push('refund');
      if (i >= 6 && i < 9) t.push('pair a', 'pair b');
      if (i === 9 || i === 10) t.push('odd');
      return t;
    });
    const queueRows = Array.from({ length: 12 }, (_, i) => 100 + i);
    const queueTerms = queueRows.map((_, q) => trainTerms[q]);
    const shared = sharedTerms(queueTerms);
    expect(shared.sort()).toEqual(['pair a', 'pair b', 'refund', 'the']);
    const table = new DevTermCounts(2).table({ minDev: 1, extra: shared });
    trainTerms.forEach((t, i) => table.addTrain(t, i % 2 === 0));
    const groups = queueGroups(queueRows, queueTerms, table);
    expect(groups.map((g) => [g.term, g.rows, g.train, g.trainNew])).toEqual([
      ['refund', [100, 101, 102, 103, 104, 105], 8, 4],
      ['pair a', [106, 107, 108], 3, 2],
    ]);
    expect(groups[0].lift).toBeCloseTo(6 / 12 / (8 / 40), 12);
  });
});
