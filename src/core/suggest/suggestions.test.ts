import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTerms, DevTermCounts, rankSuggestions, suggestFromRows, voteStates, wilsonLower, type RowsInput } from './suggestions.ts';

const NOISE = ['alpha', 'beta', 'gamma', 'delta', 'eps', 'zeta', 'eta', 'theta'];

/**
 * Random rows: split, gold (dev rows are labelled, classes alternate so both occur), noise words
 * (each in about a quarter of the rows, independent of the class) and two LF columns.
 */
const rowsArb = fc
  .record({ n: fc.integer({ min: 60, max: 140 }), seed: fc.integer() })
  .chain(({ n }) =>
    fc.record({
      split: fc.array(fc.constantFrom(0, 0, 1, 2), { minLength: n, maxLength: n }),
      words: fc.array(fc.subarray(NOISE, { maxLength: 3 }), { minLength: n, maxLength: n }),
      lfA: fc.array(fc.constantFrom(-1, -1, -1, 0, 1), { minLength: n, maxLength: n }),
      lfB: fc.array(fc.constantFrom(-1, -1, -1, -1, 1), { minLength: n, maxLength: n }),
      perm: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
    }),
  )
  .map(({ split, words, lfA, lfB, perm }) => {
    const n = split.length;
    let d = 0;
    const gold = split.map((s) => (s === 1 ? d++ % 2 : -1));
    return { split, words, gold, votes: [Int8Array.from(lfA), Int8Array.from(lfB)], perm, n };
  });

function input(r: { split: number[]; gold: number[]; votes: Int8Array[]; n: number }, terms: string[][]): RowsInput {
  return { terms, split: r.split, gold: r.gold, votes: r.votes, k: 2 };
}

describe('LF suggestions from dev gold', () => {
  it('ranks a planted perfect keyword first', () => {
    fc.assert(
      fc.property(rowsArb, (r) => {
        // In every dev row of class 1 and every train row; in no dev row of class 0.
        const terms = r.words.map((w, i) => (r.split[i] === 0 || (r.split[i] === 1 && r.gold[i] === 1) ? [...w, 'planted'] : [...w]));
        const devOnes = r.gold.filter((g) => g === 1).length;
        fc.pre(devOnes >= 5);
        const got = suggestFromRows(input(r, terms));
        expect(got[0].term).toBe('planted');
        expect(got[0]).toMatchObject({ label: 1, devN: devOnes, devCorrect: devOnes, accuracy: 1 });
        const states = voteStates(r.votes, r.n);
        const train = r.split.filter((s) => s === 0).length;
        const uncovered = r.split.filter((s, i) => s === 0 && states[i] === 0).length;
        expect(got[0].train).toBe(train);
        expect(got[0].trainNew).toBe(uncovered);
        expect(got[0].newCoverage).toBeCloseTo(uncovered / train, 12);
      }),
      { seed: 5, numRuns: 150 },
    );
  });

  it('gives a keyword that an enabled LF already covers wherever it occurs zero new coverage', () => {
    fc.assert(
      fc.property(rowsArb, (r) => {
        const terms = r.words.map((w, i) => (i % 3 === 0 ? [...w, 'covered'] : [...w]));
        // An LF voting on every row with the keyword (and on some others).
        const lf = Int8Array.from(terms, (t, i) => (t.includes('covered') || i % 7 === 0 ? 1 : -1));
        const t = countTerms({ ...input(r, terms), votes: [...r.votes, lf] }, { minDev: 1 });
        const at = t.indexOf('covered');
        expect(at).toBeGreaterThanOrEqual(0);
        expect(t.train[at]).toBeGreaterThan(0);
        expect(t.trainNew[at]).toBe(0);
        for (const s of rankSuggestions(t, { minDev: 1 })) if (s.term === 'covered') expect([s.newCoverage, s.score]).toEqual([0, 0]);
      }),
      { seed: 7, numRuns: 150 },
    );
  });

  it('counts exactly what the definitions say', () => {
    fc.assert(
      fc.property(rowsArb, (r) => {
        const t = countTerms(input(r, r.words), { minDev: 1 });
        const states = voteStates(r.votes, r.n);
        for (const w of NOISE) {
          const has = r.words.map((ws) => ws.includes(w));
          const dev = [0, 1].map((c) => has.filter((h, i) => h && r.split[i] === 1 && r.gold[i] === c).length);
          const at = t.indexOf(w);
          if (dev[0] + dev[1] === 0) {
            expect(at).toBe(-1);
            continue;
          }
          expect(Array.from(t.dev.subarray(at * 2, at * 2 + 2))).toEqual(dev);
          expect(t.train[at]).toBe(has.filter((h, i) => h && r.split[i] === 0).length);
          expect(t.trainNew[at]).toBe(has.filter((h, i) => h && r.split[i] === 0 && states[i] === 0).length);
        }
      }),
      { seed: 11, numRuns: 100 },
    );
  });

  it('ranks the same whatever order the rows come in', () => {
    fc.assert(
      fc.property(rowsArb, (r) => {
        const terms = r.words.map((w, i) => (r.gold[i] === 1 || i % 4 === 0 ? [...w, 'mostly'] : [...w]));
        const base = suggestFromRows(input(r, terms), { minDev: 2 });
        const p = r.perm;
        const shuffled = suggestFromRows(
          {
            terms: p.map((i) => terms[i]),
            split: p.map((i) => r.split[i]),
            gold: p.map((i) => r.gold[i]),
            votes: r.votes.map((col) => Int8Array.from(p, (i) => col[i])),
            k: 2,
          },
          { minDev: 2 },
        );
        expect(shuffled).toEqual(base);
      }),
      { seed: 13, numRuns: 100 },
    );
  });

  it('ranks by the lower bound measured from the class prior times new coverage, above the prior and with the minimum support', () => {
    const terms = [
      // dev: 'sure' in 10 rows of class 1; 'coin' in 4 of each class; 'rare' in 4 of class 1;
      // 14 more rows of class 0 with no term, so each class is half of dev.
      ...Array.from({ length: 10 }, () => ['sure']),
      ...Array.from({ length: 4 }, () => ['coin']),
      ...Array.from({ length: 4 }, () => ['coin']),
      ...Array.from({ length: 4 }, () => ['rare']),
      ...Array.from({ length: 14 }, (): string[] => []),
      // train: 4 rows, 'sure' in all of them (one covered), 'coin' and 'rare' in one each.
      ['sure', 'coin'],
      ['sure', 'rare'],
      ['sure'],
      ['sure'],
    ];
    const split = terms.map((_, i) => (i < 36 ? 1 : 0));
    const gold = terms.map((_, i) => (i < 10 ? 1 : i < 14 ? 0 : i < 22 ? 1 : i < 36 ? 0 : -1));
    const lf = Int8Array.from(terms, (_, i) => (i === 39 ? 0 : -1));
    const got = suggestFromRows({ terms, split, gold, votes: [lf], k: 2 });
    expect(got.map((s) => s.term)).toEqual(['sure']);
    const lower = wilsonLower(10, 10);
    expect(got[0]).toMatchObject({ label: 1, prior: 0.5, trainNew: 3 });
    expect(got[0].precision).toBeCloseTo((lower - 0.5) / 0.5, 12);
    expect(got[0].score).toBeCloseTo(((lower - 0.5) / 0.5) * (3 / 4), 12);
    const four = suggestFromRows({ terms, split, gold, votes: [lf], k: 2 }, { minDev: 4 });
    expect(four.map((s) => s.term)).toEqual(['sure', 'rare']);
    expect(four[1].score).toBeCloseTo(((wilsonLower(4, 4) - 0.5) / 0.5) * (1 / 4), 12);
    // Where class 1 is 89% of dev, being right about it 10 times in 10 is no better than the prior,
    // while 'coin', half class 0, is much better than class 0's 11%.
    const skewed = gold.map((g, i) => (i >= 22 && i < 36 ? 1 : g));
    expect(suggestFromRows({ terms, split, gold: skewed, votes: [lf], k: 2 }).map((s) => [s.term, s.label])).toEqual([['coin', 0]]);
  });

  it('has the textbook Wilson bound', () => {
    expect(wilsonLower(8, 10)).toBeCloseTo(0.4902, 4);
    expect(wilsonLower(0, 10)).toBe(0);
    expect(wilsonLower(0, 0)).toBe(0);
    expect(wilsonLower(10, 10)).toBeCloseTo(0.7225, 4);
  });

  it('caps the dev vocabulary without changing a kept count, and says so', () => {
    const dev = new DevTermCounts(2, { maxVocab: 2 });
    dev.add(['a', 'b'], 0);
    dev.add(['c', 'a'], 1);
    dev.add(['a'], 1);
    expect(dev.capped).toBe(true);
    expect(Array.from(dev.of('a'))).toEqual([1, 2]);
    expect(Array.from(dev.of('c'))).toEqual([0, 0]);
    const t = dev.table({ minDev: 1, extra: ['c', 'a'] });
    expect(t.terms).toEqual(['a', 'b', 'c']);
    expect(() => dev.add(['x'], 2)).toThrow(/not one of 2 classes/);
  });
});
