import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countTokens, isSpaceUnit, tokensOf } from './text.ts';

describe('whitespace tokens', () => {
  it('isSpaceUnit is JS \\s, for every UTF-16 code unit', () => {
    const wrong: number[] = [];
    for (let c = 0; c <= 0xffff; c++) if (isSpaceUnit(c) !== /\s/.test(String.fromCharCode(c))) wrong.push(c);
    expect(wrong).toEqual([]);
  });

  it('tokensOf and countTokens agree with splitting on runs of \\s', () => {
    const alphabet = ['a', 'B', '!', 'é', '😀', ' ', '  ', '\t', '\n', '\u00a0', '\u2003', '\u3000', '\ufeff', '\u0085', '\u200b'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 30 }), (parts) => {
        const s = parts.join('');
        const want = s.split(/\s+/).filter((t) => t.length > 0);
        expect(tokensOf(s)).toEqual(want);
        expect(countTokens(s)).toBe(want.length);
      }),
      { seed: 5, numRuns: 500 },
    );
  });
});
