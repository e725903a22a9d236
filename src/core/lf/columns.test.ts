import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fieldsRead, isColumnChunk, packRows, unpackRows } from './columns.ts';
import type { LfDef, Row } from './types.ts';

const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.double({ noNaN: true }));

describe('column-wise chunks', () => {
  it('round-trips rows that share their keys exactly (keys, order and values), through structured clone', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom('text', 'note', 'b', '2', '10', 'x y'), { minLength: 1, maxLength: 5 }),
        fc.array(fc.array(value, { minLength: 5, maxLength: 5 }), { maxLength: 20 }),
        fc.nat(1e6),
        (keys, vals, start) => {
          const rows: Row[] = vals.map((v) => Object.fromEntries(keys.map((k, i) => [k, v[i]])));
          const packed = packRows({ start, rows }, null);
          expect(packed).not.toBeNull();
          expect(isColumnChunk(packed!)).toBe(true);
          const back = unpackRows(structuredClone(packed!));
          expect(back.map((r) => Object.keys(r))).toEqual(rows.map((r) => Object.keys(r)));
          expect(back).toEqual(rows);
          expect(packed!.start).toBe(start);
        },
      ),
      { seed: 3, numRuns: 200 },
    );
  });

  it('refuses rows whose keys differ or are ordered differently, so nothing is lost', () => {
    expect(packRows({ start: 0, rows: [{ text: 'a', note: 1 }, { text: 'b' }] }, null)).toBeNull();
    expect(packRows({ start: 0, rows: [{ text: 'a' }, { text: 'b', note: 1 }] }, null)).toBeNull();
    expect(
      packRows(
        {
          start: 0,
          rows: [
            { text: 'a', note: 1 },
            { note: 2, text: 'b' },
          ],
        },
        null,
      ),
    ).toBeNull();
    expect(
      packRows(
        {
          start: 0,
          rows: [
            { text: 'a', note: 1 },
            { text: 'b', other: 1 },
          ],
        },
        null,
      ),
    ).toBeNull();
    // A key present with the value undefined is still that key.
    const rows = [
      { text: 'a', note: undefined },
      { text: 'b', note: 2 },
    ];
    expect(unpackRows(packRows({ start: 0, rows }, null)!).map((r) => 'note' in r)).toEqual([true, true]);
    expect(unpackRows(packRows({ start: 5, rows: [] }, null)!)).toEqual([]);
  });

  it('unpacks packed string columns (as stored chunks arrive) after a structured clone', () => {
    const chunk = {
      start: 7,
      length: 3,
      fields: ['text', 'n'],
      columns: [{ text: 'abcé😀', offsets: Uint32Array.from([0, 1, 1, 6]) }, [1, 2, 3]],
    };
    expect(unpackRows(structuredClone(chunk))).toEqual([
      { text: 'a', n: 1 },
      { text: '', n: 2 },
      { text: 'bcé😀', n: 3 },
    ]);
  });

  it('keeps only the fields asked for, in the rows’ order', () => {
    const p = packRows(
      {
        start: 0,
        rows: [
          { id: 1, text: 'a', note: 'x' },
          { id: 2, text: 'b', note: 'y' },
        ],
      },
      ['note', 'text', 'missing'],
    )!;
    expect(p.fields).toEqual(['text', 'note']);
    expect(unpackRows(p)).toEqual([
      { text: 'a', note: 'x' },
      { text: 'b', note: 'y' },
    ]);
  });

  it('fieldsRead names the template fields, and gives up on code LFs', () => {
    const base = { enabled: true, label: 'spam' } as const;
    const defs: LfDef[] = [
      { ...base, id: 'a', name: 'a', kind: 'keyword', keywords: ['x'], mode: 'any', match: 'word', caseSensitive: false },
      { ...base, id: 'b', name: 'b', kind: 'regex', pattern: 'x', flags: '', field: 'title' },
      { ...base, id: 'c', name: 'c', kind: 'field', field: 'stars', op: '<', value: 2 },
      { ...base, id: 'd', name: 'd', kind: 'length', unit: 'chars', op: '<', value: 2 },
    ];
    expect(fieldsRead(defs, 'body')).toEqual(['body', 'title', 'stars']);
    expect(fieldsRead([...defs, { id: 'e', name: 'e', enabled: true, kind: 'code', source: '(x) => null' }], 'body')).toBeNull();
  });
});
