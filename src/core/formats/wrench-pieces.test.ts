import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../matrix.ts';
import { writeWrenchSplit } from './wrench.ts';
import { wrenchSplitPieces } from './wrench-pieces.ts';

const joined = (...args: Parameters<typeof wrenchSplitPieces>) => [...wrenchSplitPieces(...args)].join('');

describe('wrenchSplitPieces', () => {
  it('writes exactly the bytes of writeWrenchSplit, however the pieces are cut', () => {
    const arb = fc
      .record({ n: fc.integer({ min: 0, max: 30 }), m: fc.integer({ min: 0, max: 6 }), k: fc.integer({ min: 2, max: 12 }) })
      .chain(({ n, m, k }) =>
        fc.record({
          k: fc.constant(k),
          m: fc.constant(m),
          rows: fc.array(fc.array(fc.integer({ min: -1, max: k - 1 }), { minLength: m, maxLength: m }), { minLength: n, maxLength: n }),
          labels: fc.array(fc.integer({ min: -1, max: k - 1 }), { minLength: n, maxLength: n }),
          texts: fc.array(fc.option(fc.string({ unit: 'grapheme', maxLength: 20 })), { minLength: n, maxLength: n }),
          pieceChars: fc.integer({ min: 1, max: 400 }),
        }),
      );
    fc.assert(
      fc.property(arb, ({ k, m, rows, labels, texts, pieceChars }) => {
        const ids = rows.map((_, i) => (i % 3 === 0 ? String(i) : `id "${i}"`));
        const L = LabelMatrix.fromRows(rows, k, m);
        const data = texts.map((text, i) => (text === null ? undefined : { text, i, nested: { ok: i % 2 === 0 } }));
        const pieces = [...wrenchSplitPieces(ids, L, labels, data, pieceChars)];
        expect(pieces.join('')).toBe(writeWrenchSplit(ids, L, labels, data));
        // Every piece but the last reaches the size asked for; none is empty.
        for (const p of pieces.slice(0, -1)) expect(p.length).toBeGreaterThanOrEqual(pieceChars);
        for (const p of pieces) expect(p.length).toBeGreaterThan(0);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('writes an empty split as {} and cuts a large one into pieces of about the size asked', () => {
    expect(joined([], new LabelMatrix(0, 2), [], [])).toBe('{}\n');
    const n = 2000;
    const L = new LabelMatrix(n, 3, [Int8Array.from({ length: n }, (_, i) => (i % 4) - 1)]);
    const ids = Array.from({ length: n }, (_, i) => String(i));
    const data = ids.map((id) => ({ text: `row ${id}` }));
    const pieces = [...wrenchSplitPieces(ids, L, new Int8Array(n).fill(-1), data, 1000)];
    expect(pieces.length).toBeGreaterThan(50);
    expect(pieces.join('')).toBe(writeWrenchSplit(ids, L, new Int8Array(n).fill(-1), data));
  });

  it('refuses what writeWrenchSplit refuses, with the same sentence', () => {
    const L = new LabelMatrix(2, 2, [Int8Array.of(-1, 0)]);
    const cases: [string[], number[], Record<string, unknown>[]][] = [
      [['0'], [0, 1], [{}, {}]],
      [
        ['a', 'a'],
        [0, 1],
        [{}, {}],
      ],
      [
        ['a', 'b'],
        [0, 2],
        [{}, {}],
      ],
      [
        ['a', 'b'],
        [0, 0.5],
        [{}, {}],
      ],
    ];
    for (const [ids, labels, data] of cases) {
      const message = (f: () => unknown) => {
        try {
          f();
        } catch (e) {
          return (e as Error).message;
        }
        return 'no error';
      };
      const want = message(() => writeWrenchSplit(ids, L, labels, data));
      expect(want).not.toBe('no error');
      expect(message(() => joined(ids, L, labels, data))).toBe(want);
    }
  });
});
