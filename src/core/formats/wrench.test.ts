import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../matrix.ts';
import { ShoalError } from '../types.ts';
import { jsonErrorPosition, parseWrenchLabels, parseWrenchSplit, writeWrenchSplit } from './wrench.ts';

const row = (label: unknown, weak: unknown, data: unknown = { text: 'x' }) => ({ label, weak_labels: weak, data });
const file = (rows: Record<string, unknown>) => JSON.stringify(rows);

describe('parseWrenchSplit', () => {
  it('reads ids, columns, labels and data', () => {
    const text = file({
      '0': row(1, [-1, 1, 0], { text: 'buy now', extra: 3 }),
      '1': row(0, [0, -1, -1], { text: 'hello' }),
    });
    const s = parseWrenchSplit(text, 'train.json', 2);
    expect(s.ids).toEqual(['0', '1']);
    expect(s.L.n).toBe(2);
    expect(s.L.m).toBe(3);
    expect(s.L.k).toBe(2);
    expect(Array.from(s.L.column(0))).toEqual([-1, 0]);
    expect(Array.from(s.L.column(1))).toEqual([1, -1]);
    expect(Array.from(s.L.column(2))).toEqual([0, -1]);
    expect(Array.from(s.labels)).toEqual([1, 0]);
    expect(s.data).toEqual([{ text: 'buy now', extra: 3 }, { text: 'hello' }]);
  });

  it('orders rows as JSON.parse does: integer-like ids numerically, then the rest in file order', () => {
    const text =
      '{"b": {"label": 0, "weak_labels": [0]}, "10": {"label": 1, "weak_labels": [1]}, "2": {"label": 0, "weak_labels": [-1]}, "a": {"label": 1, "weak_labels": [1]}}';
    const s = parseWrenchSplit(text, 't.json');
    expect(s.ids).toEqual(['2', '10', 'b', 'a']);
    expect(Array.from(s.labels)).toEqual([0, 1, 0, 1]);
    expect(Array.from(s.L.column(0))).toEqual([-1, 1, 0, 1]);
    expect(s.data).toEqual([{}, {}, {}, {}]);
  });

  it('infers k as the largest label or weak label + 1, at least 2', () => {
    expect(parseWrenchSplit(file({ a: row(0, [-1, -1]) }), 'f').L.k).toBe(2);
    expect(parseWrenchSplit(file({ a: row(0, [-1, 4]) }), 'f').L.k).toBe(5);
    expect(parseWrenchSplit(file({ a: row(6, [-1, 4]) }), 'f').L.k).toBe(7);
    expect(parseWrenchSplit(file({ a: row(-1, [-1]) }), 'f').L.k).toBe(2);
    expect(parseWrenchSplit('{}', 'f').L.n).toBe(0);
  });

  it('accepts a UTF-8 byte-order mark', () => {
    expect(parseWrenchSplit('\ufeff' + file({ a: row(1, [1]) }), 'f', 2).ids).toEqual(['a']);
  });

  const bad: [string, string, RegExp][] = [
    ['not JSON', '{"0": {"label": 1,}}', /^train\.json: invalid JSON at position 18 \(line 1, column 19\): unexpected "}"$/],
    ['truncated', '{"0": {"label": 1', /^train\.json: invalid JSON at position 17 \(line 1, column 18\): unexpected end of input$/],
    [
      'bad token on line 3',
      '{\n\t"0": {"label": 1, "weak_labels": [1]},\n\t"1": {"label": 1, "weak_labels": [1,,]}\n}',
      /position \d+ \(line 3, column 38\): unexpected ","/,
    ],
    ['an array', '[1, 2]', /^train\.json: expected a JSON object mapping row ids to \{label, weak_labels, data\}, got an array$/],
    ['a number', '42', /got number 42$/],
    ['a row that is not an object', '{"7": 3}', /^train\.json, row "7": expected an object \{label, weak_labels, data\}, got number 3$/],
    ['missing weak_labels', file({ '0': row(1, [1]), '3': { label: 1, data: {} } }), /^train\.json, row "3": has no weak_labels array$/],
    [
      'a ragged row',
      file({ '0': row(1, [1, -1, 0]), '1': row(0, [1, 0]) }),
      /^train\.json, row "1": has 2 weak labels, expected 3 as in row "0"$/,
    ],
    ['a label ≥ k', file({ '0': row(2, [1]) }), /^train\.json, row "0": label 2 is outside 0\.\.1 \(or -1 for unlabelled\)$/],
    ['a fractional label', file({ '0': row(0.5, [1]) }), /row "0": label 0\.5 is outside/],
    ['a missing label', file({ x: { weak_labels: [1] } }), /^train\.json, row "x": has no label \(use -1 for an unlabelled row\)$/],
    ['a weak label ≥ k', file({ '0': row(1, [-1, 5]) }), /^train\.json, row "0": weak label 5 of LF 1 is outside -1\.\.1$/],
    ['a weak label < -1', file({ '0': row(1, [-2]) }), /row "0": weak label -2 of LF 0 is outside -1\.\.1$/],
    ['a string weak label', file({ '0': row(1, ['1']) }), /row "0": weak label "1" of LF 0 is outside/],
    ['data that is a string', file({ '0': row(1, [1], 'hi') }), /row "0": data must be an object, got string "hi"$/],
  ];
  for (const [what, text, message] of bad) {
    it(`rejects ${what} with a one-line message`, () => {
      let err: unknown;
      try {
        parseWrenchSplit(text, 'train.json', 2);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ShoalError);
      expect((err as Error).message).toMatch(message);
      expect((err as Error).message).not.toContain('\n');
    });
  }

  it('rejects an impossible k', () => {
    expect(() => parseWrenchSplit('{}', 'f.json', 1)).toThrow(/f\.json: class count must be an integer in 2\.\.127, got 1/);
  });
});

describe('parseWrenchLabels', () => {
  it('maps class ids to names by id, whatever the key order', () => {
    expect(parseWrenchLabels('{"0": "HAM", "1": "SPAM"}', 'label.json')).toEqual(['HAM', 'SPAM']);
    expect(parseWrenchLabels('{"2": "c", "0": "a", "1": "b"}', 'label.json')).toEqual(['a', 'b', 'c']);
  });
  it('rejects gaps, non-integer ids, non-string names and a single class', () => {
    expect(() => parseWrenchLabels('{"0": "a", "2": "c"}', 'label.json')).toThrow(/label\.json: class id "2" is not one of 0\.\.1/);
    expect(() => parseWrenchLabels('{"0": "a", "01": "b"}', 'label.json')).toThrow(/class id "01"/);
    expect(() => parseWrenchLabels('{"0": "a", "1": 5}', 'label.json')).toThrow(/name of class 1 must be a string, got number 5/);
    expect(() => parseWrenchLabels('{"0": "a"}', 'label.json')).toThrow(/needs at least 2 classes, found 1/);
    expect(() => parseWrenchLabels('["a", "b"]', 'label.json')).toThrow(/got an array/);
    expect(() => parseWrenchLabels('{"0": "a",', 'label.json')).toThrow(/label\.json: invalid JSON at position 10/);
  });
});

describe('writeWrenchSplit', () => {
  it('writes WRENCH’s layout, one row per line', () => {
    const L = new LabelMatrix(2, 2, [Int8Array.of(-1, 0), Int8Array.of(1, -1)]);
    const text = writeWrenchSplit(['0', '1'], L, [1, -1], [{ text: 'a "b"' }, undefined]);
    expect(text).toBe(
      '{\n\t"0": {"label": 1, "weak_labels": [-1, 1], "data": {"text":"a \\"b\\""}},\n\t"1": {"label": -1, "weak_labels": [0, -1], "data": {}}\n}\n',
    );
    expect(writeWrenchSplit([], new LabelMatrix(0, 2), [], [])).toBe('{}\n');
  });

  it('rejects mismatched lengths, duplicate ids and out-of-range labels', () => {
    const L = new LabelMatrix(2, 2, [Int8Array.of(-1, 0)]);
    expect(() => writeWrenchSplit(['0'], L, [0, 1], [{}, {}])).toThrow(/1 ids, 2 label-matrix rows, 2 labels and 2 data rows/);
    expect(() => writeWrenchSplit(['a', 'a'], L, [0, 1], [{}, {}])).toThrow(/id "a" appears twice \(row 1\)/);
    expect(() => writeWrenchSplit(['a', 'b'], L, [0, 2], [{}, {}])).toThrow(/row "b" has label 2, outside -1\.\.1/);
  });

  it('round-trips through parseWrenchSplit', () => {
    const arb = fc
      .record({ n: fc.integer({ min: 0, max: 30 }), m: fc.integer({ min: 0, max: 6 }), k: fc.integer({ min: 2, max: 6 }) })
      .chain(({ n, m, k }) =>
        fc.record({
          k: fc.constant(k),
          m: fc.constant(m),
          rows: fc.array(fc.array(fc.integer({ min: -1, max: k - 1 }), { minLength: m, maxLength: m }), { minLength: n, maxLength: n }),
          labels: fc.array(fc.integer({ min: -1, max: k - 1 }), { minLength: n, maxLength: n }),
          texts: fc.array(fc.string({ unit: 'grapheme', maxLength: 20 }), { minLength: n, maxLength: n }),
          // Non-numeric ids keep file order; numeric ids in ascending order also survive JSON.parse.
          numericIds: fc.boolean(),
        }),
      );
    fc.assert(
      fc.property(arb, ({ k, m, rows, labels, texts, numericIds }) => {
        const n = rows.length;
        const ids = rows.map((_, i) => (numericIds ? String(i * 3) : `id-${(i * 7919) % 1000}-${i}`));
        const L = LabelMatrix.fromRows(rows, k, m);
        const data = texts.map((text, i) => ({ text, i, nested: { ok: i % 2 === 0 } }));
        const back = parseWrenchSplit(writeWrenchSplit(ids, L, labels, data), 'out.json', k);
        expect(back.ids).toEqual(ids);
        expect(back.L.n).toBe(n);
        if (n > 0) expect(back.L.m).toBe(m);
        expect(Array.from(back.L.toRowMajor())).toEqual(Array.from(L.toRowMajor()));
        expect(Array.from(back.labels)).toEqual(labels);
        expect(back.data).toEqual(data);
      }),
      { seed: 31, numRuns: 200 },
    );
  });
});

describe('jsonErrorPosition', () => {
  it('returns -1 exactly when JSON.parse accepts, and V8’s position whenever V8 gives one', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        fc.json(),
        fc.nat(),
        fc.nat(),
        fc.constantFrom('', ',', '}', ']', '"', '-', '.', 'e', ' ', '\\', '\n', '0', ':', 'x', '{', '[', 'nul', 'tru'),
        (json, a, b, insert) => {
          // Splice a small edit into valid JSON so both valid and broken texts occur.
          const at = a % (json.length + 1);
          const text = json.slice(0, at) + insert + json.slice(Math.min(json.length, at + (b % 3)));
          let v8: string | undefined;
          try {
            JSON.parse(text);
          } catch (e) {
            v8 = (e as Error).message;
          }
          const pos = jsonErrorPosition(text);
          if (v8 === undefined) return pos === -1;
          if (pos < 0 || pos > text.length) return false;
          const m = /position (\d+)/.exec(v8);
          if (m) {
            compared++;
            return Number(m[1]) === pos;
          }
          return true;
        },
      ),
      { seed: 1, numRuns: 3000 },
    );
    expect(compared).toBeGreaterThan(1000);
  });

  it('handles deep nesting without recursion', () => {
    expect(jsonErrorPosition('['.repeat(100_000) + ']'.repeat(100_000))).toBe(-1);
    expect(jsonErrorPosition('['.repeat(100_000))).toBe(100_000);
  });
});
