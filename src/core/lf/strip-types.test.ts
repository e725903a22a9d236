import { describe, expect, it } from 'vitest';
import { hardenedSandbox } from './hardened-realm.ts';
import { LfRuntime } from './runtime.ts';
import { stripTypes } from './strip-types.ts';

describe('stripTypes', () => {
  it('removes the annotations small LFs use', () => {
    expect(stripTypes(`(x: Row): string | null => x.text.length > 3 ? 'spam' : null`)).toBe(`(x) => x.text.length > 3 ? 'spam' : null`);
    expect(stripTypes(`function (x: Record<string, unknown>, i?: number): number { return 1; }`)).toBe(`function (x, i) { return 1; }`);
    expect(stripTypes(`(x) => { const t: string = x.text as string; return words(x)!.length > 2 ? SPAM : ABSTAIN; }`)).toBe(
      `(x) => { const t = x.text; return words(x).length > 2 ? SPAM : ABSTAIN; }`,
    );
    expect(stripTypes(`(x: { text: string }) => 1`)).toBe(`(x: { text: string }) => 1`); // object types: out of scope
  });

  it('never rewrites strings, templates or comments', () => {
    const src = `(x: Row) => x.text === "(a: b): c =>" || \`as string\` === x.t /* (y: T) */ ? 'ham' : null`;
    expect(stripTypes(src)).toBe(`(x) => x.text === "(a: b): c =>" || \`as string\` === x.t /* (y: T) */ ? 'ham' : null`);
  });

  it('lets the runtime run typed code LFs and leaves valid JS alone', () => {
    const rt = LfRuntime.fromDefs(
      [
        {
          id: 'a',
          name: 'a',
          enabled: true,
          kind: 'code',
          source: `(x: Row): string | null => (x.text as string).includes('free') ? 'spam' : null`,
        },
        { id: 'b', name: 'b', enabled: true, kind: 'code', source: `(x) => x.text !== 'a' ? 'ham' : null` },
        { id: 'c', name: 'c', enabled: true, kind: 'code', source: `interface R { text: string }; (x: R) => 1` },
      ],
      ['ham', 'spam'],
      { sandbox: hardenedSandbox() },
    );
    expect(rt.compileErrors[0]).toBeNull();
    expect(rt.compileErrors[2]?.message).toMatch(/^syntax error/);
    const r = rt.applyChunk({ start: 0, rows: [{ text: 'free!' }, { text: 'a' }] });
    expect(Array.from(r.votes)).toEqual([1, -1, 0, -1, -1, -1]);
  });
});
