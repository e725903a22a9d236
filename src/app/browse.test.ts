import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { filterRows, textMatcher, type BrowseFilter } from './browse.ts';

const none: BrowseFilter = { split: null, lf: null, conflicts: false, allAbstain: false, gold: null, search: '' };

describe('browse filter', () => {
  const rows = [{ text: 'Free money' }, { text: 'hello there' }, { text: 'FREE stuff' }, { text: 'meeting' }];
  const split = Uint8Array.from([0, 1, 1, 2]);
  const gold = Int8Array.from([-1, 0, 1, -1]);
  const a = Int8Array.from([1, -1, 1, -1]);
  const b = Int8Array.from([0, -1, 1, -1]);

  it('keeps rows by split, gold, LF vote, conflicts, all-abstain and text', () => {
    expect([...filterRows(rows, split, gold, [a, b], none)]).toEqual([0, 1, 2, 3]);
    expect([...filterRows(rows, split, gold, [a, b], { ...none, split: 1 })]).toEqual([1, 2]);
    expect([...filterRows(rows, split, gold, [a, b], { ...none, gold: -1 })]).toEqual([0, 3]);
    expect([...filterRows(rows, split, gold, [a, b], { ...none, gold: 1 })]).toEqual([2]);
    expect([...filterRows(rows, split, gold, [a, b], { ...none, lf: { votes: a, mode: 'fires' } })]).toEqual([0, 2]);
    expect([...filterRows(rows, split, gold, [a, b], { ...none, lf: { votes: b, mode: 'abstains' } })]).toEqual([1, 3]);
    expect([...filterRows(rows, split, gold, [a, b], { ...none, lf: { votes: b, mode: 0 } })]).toEqual([0]);
    expect([...filterRows(rows, split, gold, [a, b], { ...none, conflicts: true })]).toEqual([0]);
    expect([...filterRows(rows, split, gold, [a, b], { ...none, allAbstain: true })]).toEqual([1, 3]);
    expect([...filterRows(rows, split, gold, [a, b], { ...none, search: 'free' })]).toEqual([0, 2]);
    expect([...filterRows(rows, split, gold, [a, b], { ...none, search: 'free', split: 1 })]).toEqual([2]);
  });

  it('conflicts and all-abstain never overlap, and each is what its definition says (seeded)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: -1, max: 2 }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 40 }),
        (matrix) => {
          const n = matrix.length;
          const cols = [0, 1, 2].map((j) => Int8Array.from(matrix, (r) => r[j]));
          const rs = Array.from({ length: n }, () => ({ text: '' }));
          const s = new Uint8Array(n);
          const g = new Int8Array(n).fill(-1);
          const conf = new Set(filterRows(rs, s, g, cols, { ...none, conflicts: true }));
          const abst = new Set(filterRows(rs, s, g, cols, { ...none, allAbstain: true }));
          for (let i = 0; i < n; i++) {
            const votes = matrix[i].filter((v) => v >= 0);
            expect(conf.has(i)).toBe(new Set(votes).size >= 2);
            expect(abst.has(i)).toBe(votes.length === 0);
          }
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });

  it('text search answers exactly as lowercase-includes, for any text and query (seeded)', () => {
    // Characters chosen to hit the edges: case pairs, regex metacharacters, the two characters
    // whose lowercase is ASCII (İ, Kelvin sign), other non-ASCII letters and a surrogate pair.
    const alphabet = [
      'a',
      'A',
      'k',
      'K',
      'i',
      'I',
      's',
      'S',
      'ſ',
      '\u0130',
      '\u212a',
      '.',
      '*',
      '(',
      '[',
      '\\',
      '$',
      ' ',
      'é',
      'É',
      'ß',
      '😀',
    ];
    const str = (max: number) => fc.array(fc.constantFrom(...alphabet), { maxLength: max }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(str(12), str(3), (text, query) => {
        const m = textMatcher(query);
        const want = query.trim() === '' ? true : text.toLowerCase().includes(query.trim().toLowerCase());
        expect(m === null ? true : m(text)).toBe(want);
      }),
      { seed: 61121, numRuns: 3000 },
    );
  });

  it('searches for regex metacharacters literally', () => {
    const rs = [{ text: 'price: $5 (approx.)' }, { text: 'price 5 approx' }];
    const s = new Uint8Array(2);
    const g = new Int8Array(2).fill(-1);
    expect([...filterRows(rs, s, g, [], { ...none, search: '$5 (APPROX.)' })]).toEqual([0]);
    expect([...filterRows(rs, s, g, [], { ...none, search: '.*' })]).toEqual([]);
  });
});
