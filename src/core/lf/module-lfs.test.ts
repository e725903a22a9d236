import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isFunctionLf, moduleEntry, type ModuleLf } from './module-lfs.ts';
import { LfRuntime } from './runtime.ts';
import type { LfDef, Row } from './types.ts';

const W = 'lfs.mjs';
const classes = ['HAM', 'SPAM'];

describe('moduleEntry', () => {
  it('keeps function LFs, named by `name` or by the function', () => {
    const f = moduleEntry({ name: 'a', apply: () => 1 }, 0, W);
    expect(isFunctionLf(f) && f.name).toBe('a');
    function named() {
      return null;
    }
    expect(moduleEntry(named, 1, W).name).toBe('named');
  });

  it('turns template entries into LF definitions with the app defaults', () => {
    expect(moduleEntry({ name: 'k', kind: 'keyword', keywords: ['free'], label: 'SPAM' }, 0, W)).toEqual({
      id: 'k',
      name: 'k',
      enabled: true,
      kind: 'keyword',
      label: 'SPAM',
      keywords: ['free'],
      match: 'word',
      mode: 'any',
      caseSensitive: false,
    });
    expect(moduleEntry({ name: 'r', kind: 'regex', pattern: '!{2,}', label: 'SPAM', field: 'body' }, 0, W)).toEqual({
      id: 'r',
      name: 'r',
      enabled: true,
      kind: 'regex',
      label: 'SPAM',
      field: 'body',
      pattern: '!{2,}',
      flags: '',
    });
    const len = moduleEntry({ name: 'l', kind: 'length', unit: 'chars', op: '<', value: 40, label: 'HAM' }, 0, W);
    expect(!isFunctionLf(len) && len.kind).toBe('length');
  });

  it('says in one sentence which LF is wrong and how', () => {
    expect(() => moduleEntry({}, 3, W)).toThrow('lfs.mjs: LF #3 has no name');
    expect(() => moduleEntry({ name: 'x' }, 0, W)).toThrow(/LF "x" has no apply function \(or a template kind: keyword, regex, length\)/);
    expect(() => moduleEntry({ name: 'x', kind: 'code', label: 'HAM' }, 0, W)).toThrow(/template LF "x" \(code\): unknown kind/);
    expect(() => moduleEntry({ name: 'x', kind: 'keyword', keywords: [], label: 'HAM' }, 0, W)).toThrow(
      /`keywords` must be a non-empty array/,
    );
    expect(() => moduleEntry({ name: 'x', kind: 'keyword', keywords: ['a'] }, 0, W)).toThrow(/`label` must be a class name/);
    expect(() => moduleEntry({ name: 'x', kind: 'keyword', keywords: ['a'], label: 'HAM', match: 'exact' }, 0, W)).toThrow(
      /`match` must be one of word, token, substring/,
    );
    expect(() => moduleEntry({ name: 'x', kind: 'regex', label: 'HAM' }, 0, W)).toThrow(/`pattern` must be a non-empty string/);
    expect(() => moduleEntry({ name: 'x', kind: 'length', unit: 'lines', op: '<', value: 1, label: 'HAM' }, 0, W)).toThrow(/`unit`/);
    expect(() => moduleEntry({ name: 'x', kind: 'length', unit: 'chars', op: '=', value: 1, label: 'HAM' }, 0, W)).toThrow(/`op`/);
    expect(() => moduleEntry({ name: 'x', kind: 'length', unit: 'chars', op: '<', value: '1', label: 'HAM' }, 0, W)).toThrow(/`value`/);
  });
});

describe('LfRuntime.fromModule', () => {
  const templates: Record<string, unknown>[] = [
    { name: 'sub', kind: 'keyword', keywords: ['free', '$'], match: 'substring', label: 'SPAM' },
    { name: 'tok', kind: 'keyword', keywords: ['my', 'video'], match: 'token', label: 'SPAM' },
    { name: 'word', kind: 'keyword', keywords: ['thanks'], label: 'HAM' },
    { name: 're', kind: 'regex', pattern: 'check.*(out|this)', flags: 'i', label: 'SPAM' },
    { name: 'short', kind: 'length', unit: 'chars', op: '<', value: 12, label: 'HAM' },
    { name: 'long', kind: 'length', unit: 'tokens', op: '>', value: 4, label: 'SPAM' },
  ];
  const asDefs = (entries: ModuleLf[]) => entries.filter((e): e is Exclude<ModuleLf, { apply: unknown }> => !isFunctionLf(e)) as LfDef[];
  const word = fc.constantFrom('free', 'my', 'video', 'Thanks', 'check', 'out', 'this', 'a', '$5', 'video!', 'MY', 'hello');
  const rows = fc.array(
    fc.array(word, { minLength: 1, maxLength: 8 }).map((ws) => ({ text: ws.join(' ') }) as Row),
    { minLength: 1, maxLength: 30 },
  );

  it('votes as the same templates do in the app (fromDefs), with function LFs beside them', () => {
    const entries = templates.map((t, j) => moduleEntry(t, j, W));
    const fns: ModuleLf[] = [
      { name: 'repeat', apply: (x, h) => ((h.tokens as (r: Row) => string[])(x).length > 3 ? 'SPAM' : null) },
      { name: 'bang', apply: (x) => (String(x.text).includes('!') ? 1 : -1) },
    ];
    fc.assert(
      fc.property(rows, (rs) => {
        const mixed = LfRuntime.fromModule([...entries.slice(0, 3), fns[0], ...entries.slice(3), fns[1]], classes).applyChunk({
          start: 0,
          rows: rs,
        });
        const defs = LfRuntime.fromDefs(asDefs(entries), classes).applyChunk({ start: 0, rows: rs });
        const only = LfRuntime.fromFunctions(fns as never, classes).applyChunk({ start: 0, rows: rs });
        const n = rs.length;
        const col = (v: Int8Array, j: number) => Array.from(v.subarray(j * n, (j + 1) * n));
        // Mixed order: sub tok word repeat re short long bang.
        const want = [
          col(defs.votes, 0),
          col(defs.votes, 1),
          col(defs.votes, 2),
          col(only.votes, 0),
          col(defs.votes, 3),
          col(defs.votes, 4),
          col(defs.votes, 5),
          col(only.votes, 1),
        ];
        expect(want.map((_, j) => col(mixed.votes, j))).toEqual(want);
      }),
      { numRuns: 50 },
    );
  });

  it('reports a template whose label is not a class as that LF error, and runs the others', () => {
    const rt = LfRuntime.fromModule(
      [moduleEntry({ name: 'k', kind: 'keyword', keywords: ['a'], label: 'EGGS' }, 0, W), { name: 'f', apply: () => 'HAM' }],
      classes,
    );
    expect(rt.compileErrors[0]?.message).toMatch(/EGGS/);
    expect(Array.from(rt.applyChunk({ start: 0, rows: [{ text: 'a' }] }).votes)).toEqual([-1, 0]);
  });
});
