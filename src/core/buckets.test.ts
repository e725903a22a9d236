import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lfBuckets } from './buckets.ts';

const vote = fc.integer({ min: -1, max: 2 });

describe('LF buckets', () => {
  it('puts each voted gold row in exactly one of correct / incorrect, and each unvoted gold row in abstains-on-gold', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(vote, vote, vote, vote), { minLength: 1, maxLength: 200 }), (rows) => {
        const votes = Int8Array.from(rows, (r) => r[0]);
        const gold = Int8Array.from(rows, (r) => r[1]);
        const model = Int8Array.from(rows, (r) => r[2]);
        const other = Int8Array.from(rows, (r) => r[3]);
        const b = Object.fromEntries(lfBuckets({ votes, gold, modelLabels: model, others: [other] }).map((x) => [x.kind, x]));
        const all = (kind: string) => Array.from(b[kind]?.rows ?? []);
        for (let r = 0; r < rows.length; r++) {
          const inCorrect = all('correct').includes(r);
          const inIncorrect = all('incorrect').includes(r);
          expect(inCorrect).toBe(votes[r] >= 0 && gold[r] >= 0 && votes[r] === gold[r]);
          expect(inIncorrect).toBe(votes[r] >= 0 && gold[r] >= 0 && votes[r] !== gold[r]);
          expect(all('abstains-on-gold').includes(r)).toBe(votes[r] < 0 && gold[r] >= 0);
          expect(all('disagrees-with-model').includes(r)).toBe(votes[r] >= 0 && model[r] >= 0 && votes[r] !== model[r]);
          expect(all('overlaps').includes(r)).toBe(votes[r] >= 0 && other[r] >= 0);
          expect(all('votes').includes(r)).toBe(votes[r] >= 0);
        }
        // Rows are ascending, so a browser pages through them in dataset order.
        for (const x of Object.values(b)) for (let t = 1; t < x.rows.length; t++) expect(x.rows[t]).toBeGreaterThan(x.rows[t - 1]);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('keeps to the rows asked for, has no model bucket before a fit, and no overlap bucket for an LF it never meets', () => {
    const votes = Int8Array.from([0, 1, -1, 0, 1]);
    const gold = Int8Array.from([0, 0, 1, -1, 1]);
    const apart = Int8Array.from([-1, -1, 0, -1, -1]);
    const b = lfBuckets({ votes, gold, modelLabels: null, others: [apart], within: Uint32Array.from([0, 1, 2]) });
    expect(b.map((x) => x.kind)).toEqual(['votes', 'correct', 'incorrect', 'abstains-on-gold']);
    expect(b.map((x) => Array.from(x.rows))).toEqual([[0, 1], [0], [1], [2]]);
  });

  it('refuses arrays of different lengths instead of reading past one', () => {
    expect(() => lfBuckets({ votes: new Int8Array(3), gold: new Int8Array(2), modelLabels: null, others: [] })).toThrow(/same rows/);
  });
});
