import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LfRuntime } from '../lf/runtime.ts';
import { scanWords } from '../lf/text.ts';
import type { LfDef, Row } from '../lf/types.ts';
import { DevTermCounts } from './suggestions.ts';
import { addTextTerms, addValueTerms, parseTerm, rowTerms, scanTextTerms, valueTerm } from './terms.ts';

/** Whether a one-entry template LF fires on `row`, as the LF runtime decides it. */
function fires(def: LfDef, row: Row): boolean {
  const rt = LfRuntime.fromDefs([def], ['a', 'b']);
  return rt.applyChunk({ start: 0, rows: [row] }).votes[0] >= 0;
}

const keyword = (kw: string): LfDef => ({
  id: 'k',
  name: 'k',
  enabled: true,
  kind: 'keyword',
  label: 'b',
  keywords: [kw],
  mode: 'any',
  match: 'word',
  caseSensitive: false,
});

const lookup = (field: string, value: string): LfDef => ({
  id: 'l',
  name: 'l',
  enabled: true,
  kind: 'lookup',
  label: 'b',
  field,
  values: [value],
  match: 'value',
  caseSensitive: false,
});

// Words, case, accents, punctuation and every kind of separator the pairs rule must tell apart.
const piece = fc.constantFrom(
  'Free',
  'free',
  'MONEY',
  'café',
  'Ünïcode',
  'x_1',
  '42',
  'İ',
  'ß',
  ' ',
  ' ',
  '  ',
  '\n',
  '\t',
  ',',
  '-',
  "'",
  '!',
  '$',
);
const textArb = fc.array(piece, { maxLength: 14 }).map((p) => p.join(''));

describe('suggestion terms', () => {
  it('every word and pair term is a keyword a case-insensitive whole-word LF fires on, and no other adjacent pair is', () => {
    fc.assert(
      fc.property(textArb, (text) => {
        const terms = addTextTerms(text, new Set());
        const row = { text };
        for (const t of terms) expect(fires(keyword(t), row), `${JSON.stringify(t)} in ${JSON.stringify(text)}`).toBe(true);
        // Candidate pairs the other way round: consecutive words joined by one space, whatever
        // separated them. The LF fires on exactly those that are terms.
        const lower = text.toLowerCase();
        const words: string[] = [];
        scanWords(lower, (a, b) => words.push(lower.slice(a, b)));
        for (let i = 1; i < words.length; i++) {
          const pair = `${words[i - 1]} ${words[i]}`;
          expect(fires(keyword(pair), row), `${JSON.stringify(pair)} in ${JSON.stringify(text)}`).toBe(terms.has(pair));
        }
      }),
      { seed: 41, numRuns: 300 },
    );
  });

  it('a field value term is a value a case-insensitive lookup LF fires on', () => {
    fc.assert(
      fc.property(textArb, textArb, (v, other) => {
        const row = { from: v };
        const terms = addValueTerms(row, ['from'], new Set());
        for (const t of terms) {
          const p = parseTerm(t);
          expect(p.kind).toBe('value');
          if (p.kind !== 'value') continue;
          expect(p.field).toBe('from');
          expect(fires(lookup('from', p.value), row)).toBe(true);
          // Another value is a term of its own row only when the LF would fire on it too.
          expect(fires(lookup('from', p.value), { from: other })).toBe(addValueTerms({ from: other }, ['from'], new Set()).has(t));
        }
        if (v.trim() !== '' && !/[\r\n]/.test(v)) expect(terms.size).toBe(1);
      }),
      { seed: 43, numRuns: 300 },
    );
  });

  it('counts a train row the same from its streamed terms (only the pairs the table wants) as from its term set', () => {
    fc.assert(
      fc.property(
        fc.array(textArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        (texts, pick) => {
          // Candidates: some of the rows' own terms, pairs included.
          const all = [...new Set(texts.flatMap((t) => [...addTextTerms(t, new Set())]))].sort();
          const dev = new DevTermCounts(2);
          dev.add(
            all.filter((_, i) => pick[i % pick.length]),
            0,
          );
          const a = dev.table({ minDev: 1 });
          const b = dev.table({ minDev: 1 });
          texts.forEach((t, i) => {
            a.addTrain(addTextTerms(t, new Set()), i % 2 === 0);
            b.addTrainTerms((emit) => scanTextTerms(t, emit, true, b.pairFirstWords), i % 2 === 0);
          });
          expect(Array.from(b.train)).toEqual(Array.from(a.train));
          expect(Array.from(b.trainNew)).toEqual(Array.from(a.trainNew));
          expect([b.trainRows, b.trainUncovered]).toEqual([a.trainRows, a.trainUncovered]);
        },
      ),
      { seed: 47, numRuns: 200 },
    );
  });

  it('keeps words, pairs and values apart in one key space', () => {
    const terms = rowTerms({ text: 'Click here, NOW', from: '  Bob  ', body: 'x'.repeat(101) }, 'text', ['from', 'body', 'missing']);
    expect([...terms].sort()).toEqual([valueTerm('from', 'bob'), 'click', 'click here', 'here', 'now'].sort());
    expect(parseTerm('click here')).toEqual({ kind: 'words', text: 'click here' });
    expect(parseTerm(valueTerm('from', 'a\u0000b'))).toEqual({ kind: 'value', field: 'from', value: 'a\u0000b' });
  });
});
