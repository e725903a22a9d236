import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { requiredChars } from './regex-prefilter.ts';

describe('requiredChars', () => {
  it('finds the literals every match needs, and nothing optional', () => {
    expect(requiredChars('[a-z0-9._]+@[a-z0-9-]+\\.[a-z]{2,}', '').sort()).toEqual(['.', '@']);
    expect(requiredChars('https?://', '').sort()).toEqual(['/', ':', 'h', 'p', 't']);
    expect(requiredChars('https?://', 'i').sort()).toEqual(['/', ':']);
    expect(requiredChars('!{2,}', '')).toEqual(['!']);
    expect(requiredChars('\\d{4,}', '')).toEqual([]);
    expect(requiredChars('check.*(out|this)', 'i')).toEqual([]);
    expect(requiredChars('^(hi|hello|hey)\\b', 'i')).toEqual([]);
    expect(requiredChars('a|b', '')).toEqual([]);
    expect(requiredChars('x?y*z{0,2}w{0}', '')).toEqual([]);
    expect(requiredChars('\\cJ\\x41', '')).toEqual([]);
    expect(requiredChars('[@]+#', '')).toEqual(['#']);
    expect(requiredChars('(a|b)c', '')).toEqual(['c']);
    expect(requiredChars('😀+', 'u')).toEqual(['😀']);
  });

  it('never rejects a text the RegExp matches (random patterns and texts)', () => {
    const piece = fc.oneof(
      fc.constantFrom('a', 'b', 'A', '@', '.', '-', ':', '/', '!', '1', 'é'),
      fc.constantFrom(
        '\\.',
        '\\@',
        '\\-',
        '\\d',
        '\\w',
        '\\s',
        '\\b',
        '.',
        '^',
        '$',
        '[a@]',
        '[^b]',
        '[\\]a]',
        '(a|@)',
        '(?:b|-)',
        '(?=a)',
        '(?!@)',
        '\\1',
      ),
    );
    const quant = fc.constantFrom('', '', '', '?', '*', '+', '{2}', '{0,1}', '{1,}', '*?', '+?');
    const pattern = fc
      .array(fc.tuple(piece, quant), { minLength: 1, maxLength: 6 })
      .chain((ps) => fc.constantFrom('', '|a', '|@').map((alt) => ps.map(([p, q]) => p + q).join('') + alt));
    const text = fc
      .array(fc.constantFrom('a', 'b', 'A', 'B', '@', '.', '-', ':', '/', '!', '1', ' ', 'é', 'É'), { maxLength: 12 })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(pattern, fc.constantFrom('', 'i', 'u', 'iu'), fc.array(text, { minLength: 1, maxLength: 10 }), (p, flags, texts) => {
        let re: RegExp;
        try {
          re = new RegExp(p, flags);
        } catch {
          return; // not a valid pattern under these flags
        }
        const req = requiredChars(p, flags);
        for (const t of texts)
          if (re.test(t)) for (const c of req) expect(t.includes(c), `${p}/${flags} matched ${JSON.stringify(t)} without ${c}`).toBe(true);
      }),
      { seed: 7, numRuns: 400 },
    );
  });
});
