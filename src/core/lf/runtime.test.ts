import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hardenedSandbox } from './hardened-realm.ts';
import { LfRuntime, loadNlp } from './index.ts';
import type { LfDef, Row } from './types.ts';

const sandbox = hardenedSandbox();

const classes = ['ham', 'spam'];
const base = { enabled: true } as const;
let nextId = 0;
function kw(
  keywords: string[],
  match: 'word' | 'token' | 'substring',
  extra: Partial<{ mode: 'any' | 'all'; caseSensitive: boolean; field: string }> = {},
): LfDef {
  const id = `k${nextId++}`;
  return {
    ...base,
    id,
    name: id,
    kind: 'keyword',
    label: 'spam',
    keywords,
    match,
    mode: extra.mode ?? 'any',
    caseSensitive: extra.caseSensitive ?? false,
    field: extra.field,
  };
}
function code(source: string, name = `c${nextId++}`): LfDef {
  return { ...base, id: name, name, kind: 'code', source };
}
/** Votes of each LF on the given texts, as plain arrays. */
function run(defs: LfDef[], texts: (string | Row)[], cls = classes) {
  const rt = LfRuntime.fromDefs(defs, cls, { sandbox });
  const rows = texts.map((t) => (typeof t === 'string' ? { text: t } : t));
  const r = rt.applyChunk({ start: 100, rows });
  const cols = r.lfs.map((_, j) => Array.from(r.votes.subarray(j * r.rows, (j + 1) * r.rows)));
  return { cols, errors: r.errors, compileErrors: rt.compileErrors };
}

describe('keyword templates', () => {
  it('word mode uses Unicode-aware boundaries, not ASCII \\b', () => {
    const { cols } = run(
      [kw(['café'], 'word'), kw(['caf'], 'word'), kw(['naïve'], 'word')],
      ['Un café noir', 'cafés partout', 'le café', 'so naïve!', 'naïveté'],
    );
    expect(cols[0]).toEqual([1, -1, 1, -1, -1]);
    // `caf` is a prefix of the word `café`: an ASCII \b would wrongly see a boundary before é.
    expect(cols[1]).toEqual([-1, -1, -1, -1, -1]);
    expect(cols[2]).toEqual([-1, -1, -1, 1, -1]);
  });

  it('word mode matches phrases and edge punctuation keywords exactly', () => {
    const { cols } = run(
      [kw(['new york'], 'word'), kw(['$5', 'c++'], 'word')],
      ['I love New York!', 'new yorker mag', 'new  york', 'only $5 now', 'x$50', 'I code c++ daily'],
    );
    expect(cols[0]).toEqual([1, -1, -1, -1, -1, -1]);
    expect(cols[1]).toEqual([-1, -1, -1, 1, -1, 1]);
  });

  it('token mode keeps punctuation attached and substring mode matches anywhere', () => {
    const { cols } = run([kw(['video'], 'token'), kw(['video'], 'substring')], ['my video', 'my video!', 'videos here', 'VIDEO']);
    expect(cols[0]).toEqual([1, -1, -1, 1]);
    expect(cols[1]).toEqual([1, 1, 1, 1]);
  });

  it('respects case sensitivity and all-mode', () => {
    const { cols } = run(
      [kw(['Free'], 'word', { caseSensitive: true }), kw(['free', 'money'], 'word', { mode: 'all' }), kw([], 'word')],
      ['Free money', 'free stuff', 'FREE MONEY', 'money money'],
    );
    expect(cols[0]).toEqual([1, -1, -1, -1]);
    expect(cols[1]).toEqual([1, -1, 1, -1]);
    expect(cols[2]).toEqual([-1, -1, -1, -1]);
  });

  it('matches a reference implementation on random text (one pass == N scans)', () => {
    const alphabet = ['a', 'b', 'é', ' ', '!', 'A', '_', '1', '\u0301', '😀'];
    const str = (max: number) => fc.array(fc.constantFrom(...alphabet), { minLength: 0, maxLength: max }).map((a) => a.join(''));
    fc.assert(
      fc.property(
        fc.array(
          str(4).filter((s) => s.length > 0),
          { minLength: 1, maxLength: 5 },
        ),
        fc.array(str(30), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (kws, texts, cs) => {
          const defs = [
            kw(kws, 'substring', { caseSensitive: cs }),
            kw(kws, 'word', { caseSensitive: cs }),
            kw(kws, 'token', { caseSensitive: cs }),
            kw(kws, 'word', { mode: 'all', caseSensitive: cs }),
          ];
          const { cols } = run(defs, texts);
          const W = '[\\p{L}\\p{N}\\p{M}_]';
          const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
          const wordRe = (k: string) =>
            new RegExp(
              `${/^[\p{L}\p{N}\p{M}_]/u.test(k) ? `(?<!${W})` : ''}${esc(k)}${/[\p{L}\p{N}\p{M}_]$/u.test(k) ? `(?!${W})` : ''}`,
              'u',
            );
          texts.forEach((raw, i) => {
            const t = cs ? raw : raw.toLowerCase();
            const ks = kws.map((k) => (cs ? k : k.toLowerCase()));
            const toks = t.split(/\s+/).filter((x) => x.length > 0);
            expect(cols[0][i]).toBe(ks.some((k) => t.includes(k)) ? 1 : -1);
            expect(cols[1][i]).toBe(ks.some((k) => wordRe(k).test(t)) ? 1 : -1);
            expect(cols[2][i]).toBe(ks.some((k) => toks.includes(k)) ? 1 : -1);
            expect(cols[3][i]).toBe(ks.every((k) => wordRe(k).test(t)) ? 1 : -1);
          });
        },
      ),
      { seed: 42, numRuns: 120 },
    );
  });
});

describe('regex, field, lookup and length templates', () => {
  it('regex ignores g/y (a global test would alternate on the same text) and reports bad patterns', () => {
    const { cols, compileErrors } = run(
      [
        { ...base, id: 'r', name: 'r', kind: 'regex', label: 'spam', pattern: 'fr[e3]+', flags: 'gi' },
        { ...base, id: 'bad', name: 'bad', kind: 'regex', label: 'spam', pattern: '(unclosed', flags: '' },
      ],
      ['FREE', 'FREE', 'fr33', 'fry'],
    );
    expect(cols[0]).toEqual([1, 1, 1, -1]);
    expect(cols[1]).toEqual([-1, -1, -1, -1]);
    expect(compileErrors[1]?.message).toMatch(/invalid regular expression/);
  });

  it('field comparisons read numbers as numbers and strings as strings', () => {
    const rows: Row[] = [{ n: 5, s: 'Alpha' }, { n: '12', s: 'beta' }, { n: 'x', s: '' }, { s: 'alphabet' }];
    const f = (op: string, value: string | number, field = 'n', caseSensitive?: boolean): LfDef => ({
      ...base,
      id: op + value + field,
      name: op + value + field,
      kind: 'field',
      label: 'ham',
      field,
      op: op as never,
      value,
      caseSensitive,
    });
    const { cols } = run(
      [f('>', 10), f('<=', 5), f('==', 'alpha', 's', false), f('startsWith', 'alpha', 's', false), f('empty', '', 's'), f('!=', 5)],
      rows,
    );
    expect(cols[0]).toEqual([-1, 0, -1, -1]);
    expect(cols[1]).toEqual([0, -1, -1, -1]);
    expect(cols[2]).toEqual([0, -1, -1, -1]);
    expect(cols[3]).toEqual([0, -1, -1, 0]);
    expect(cols[4]).toEqual([-1, -1, 0, -1]);
    expect(cols[5]).toEqual([-1, 0, -1, -1]); // 'x' and missing are not numbers: abstain
  });

  it('lookup lists match whole values or words, and scale to large lists', () => {
    const names = Array.from({ length: 5000 }, (_, i) => `name${i}`).concat(['Ada Lovelace']);
    const { cols } = run(
      [
        {
          ...base,
          id: 'l1',
          name: 'l1',
          kind: 'lookup',
          label: 'ham',
          field: 'from',
          values: ['bob@x.org', 'ann@y.com'],
          match: 'value',
          caseSensitive: false,
        },
        { ...base, id: 'l2', name: 'l2', kind: 'lookup', label: 'spam', values: names, match: 'word', caseSensitive: false },
      ],
      [
        { from: ' BOB@x.org ', text: 'hello name4999 there' },
        { from: 'bob@x.org.evil', text: 'about ada lovelace' },
        { from: '', text: 'name50000 no' },
      ],
    );
    expect(cols[0]).toEqual([0, -1, -1]);
    expect(cols[1]).toEqual([1, 1, -1]);
  });

  it('templates without a field read the runtime text field', () => {
    const rt = LfRuntime.fromDefs(
      [
        kw(['free'], 'word'),
        { ...base, id: 'r', name: 'r', kind: 'regex', label: 'ham', pattern: '^Hi', flags: '' },
        kw(['free'], 'word', { field: 'subject' }),
      ],
      classes,
      { textField: 'body', sandbox },
    );
    const r = rt.applyChunk({
      start: 0,
      rows: [
        { body: 'Hi, free pizza', subject: 'lunch' },
        { body: 'nothing', subject: 'free' },
      ],
    });
    expect(Array.from(r.votes)).toEqual([1, -1, 0, -1, -1, 1]);
  });

  it('length counts chars, Unicode words and whitespace tokens', () => {
    const len = (unit: 'chars' | 'words' | 'tokens', op: '<' | '>' | '==', value: number): LfDef => ({
      ...base,
      id: unit + op + value,
      name: unit + op + value,
      kind: 'length',
      label: 'ham',
      unit,
      op,
      value,
    });
    const { cols } = run(
      [len('chars', '<', 5), len('words', '==', 3), len('tokens', '==', 2)],
      ['abcd', 'a, b... c', 'x!! y??', ' spaced   out '],
    );
    expect(cols[0]).toEqual([0, -1, -1, -1]);
    expect(cols[1]).toEqual([-1, 0, -1, -1]);
    expect(cols[2]).toEqual([-1, -1, 0, 0]);
  });
});

describe('code LFs', () => {
  it('accepts arrow, function and body forms returning names, indices, constants or abstain', () => {
    const { cols, errors } = run(
      [
        code(`(x) => x.text.includes('free') ? 'spam' : null`),
        code(`function (x) { return x.text.length > 8 ? 0 : -1; }`),
        code(`return words(x).includes('free') ? SPAM : ABSTAIN;`),
        code(`export default (x) => x.text.startsWith('hi') && classes.ham;`),
        code(`(x) => x.text === 'free' ? 'SPAM' : undefined`),
      ],
      ['free stuff', 'hi there friend', 'free'],
    );
    expect(cols).toEqual([
      [1, -1, 1],
      [0, 0, -1],
      [1, -1, 1],
      [-1, 0, -1],
      [-1, -1, 1],
    ]);
    expect(errors.every((e) => e === null)).toBe(true);
  });

  it('an LF that throws or returns junk gets an error (first row, count) and others are unaffected', () => {
    const { cols, errors } = run(
      [
        code(`(x) => { if (x.text === 'boom') throw new TypeError('bad row'); return 'ham'; }`),
        code(`(x) => x.text === 'ok' ? 'spam' : 'eggs'`),
        code(`(x) => x.text.length`),
        code(`(x) => 'spam'`),
      ],
      ['ok', 'boom', 'boom', 'ok!'],
    );
    expect(cols[0]).toEqual([0, -1, -1, 0]);
    expect(errors[0]).toEqual({ row: 101, message: 'threw TypeError: bad row', count: 2 });
    expect(cols[1]).toEqual([1, -1, -1, -1]);
    expect(errors[1]?.row).toBe(101);
    expect(errors[1]?.count).toBe(3);
    expect(errors[1]?.message).toMatch(/returned 'eggs', which is not a class/);
    // Text lengths (2, 4, 4, 3) are not class indices for k = 2: junk on every row.
    expect(errors[2]?.count).toBe(4);
    expect(cols[3]).toEqual([1, 1, 1, 1]);
    expect(errors[3]).toBeNull();
  });

  it('names async LFs and objects in junk errors', () => {
    const { errors } = run([code(`async (x) => 'spam'`), code(`(x) => ({ label: 'spam' })`)], ['a']);
    expect(errors[0]?.message).toMatch(/returned a Promise \(LFs must be synchronous/);
    expect(errors[1]?.message).toMatch(/returned an object, which is not a class/);
  });

  it('reports syntax errors and non-functions at compile time', () => {
    const { compileErrors, cols } = run([code(`(x) => x.text.includes(`), code(`42`), code(`(x) => 'ham'`)], ['a']);
    expect(compileErrors[0]?.message).toMatch(/syntax error/);
    expect(compileErrors[1]?.message).toMatch(/not a function/);
    expect(compileErrors[2]).toBeNull();
    expect(cols[0]).toEqual([-1]);
    expect(cols[2]).toEqual([0]);
  });

  it('unknown template labels are compile errors for that LF only', () => {
    const bad: LfDef = {
      ...base,
      id: 'b',
      name: 'b',
      kind: 'keyword',
      label: 'eggs',
      keywords: ['a'],
      match: 'word',
      mode: 'any',
      caseSensitive: false,
    };
    const { compileErrors, cols } = run([bad, kw(['a'], 'word')], ['a']);
    expect(compileErrors[0]?.message).toMatch(/'eggs' is not a class/);
    expect(cols[1]).toEqual([1]);
  });

  it('helpers tokenize once per row and expose sentiment', () => {
    const { cols } = run(
      [
        code(`(x) => tokens(x).includes('video!') ? 'spam' : null`),
        code(`(x) => sentiment(x) > 0 ? 'ham' : sentiment(x) < 0 ? 'spam' : null`),
        code(`(x) => lower(x) === 'shout' ? 'ham' : null`),
      ],
      ['My VIDEO! now', 'I love this great song', 'this is not good, terrible', 'SHOUT'],
    );
    expect(cols[0]).toEqual([1, -1, -1, -1]);
    expect(cols[1]).toEqual([-1, 0, 1, -1]);
    expect(cols[2]).toEqual([-1, -1, -1, 0]);
  });

  it('code LFs see the same lower/tokens whether or not a keyword pass split the text first', () => {
    // With a token keyword on the text, the template pass seeds the helpers' per-row caches.
    const probe = code(
      `(x) => { const t = tokens(x); return lower(x) === t.join(' ') && Object.isFrozen(t) && t.length === 3 ? 'ham' : 'spam'; }`,
    );
    const mutate = code(`(x) => { try { tokens(x).sort(); return 'spam'; } catch { return 'ham'; } }`);
    const counts = code(`(x) => tokens(x).filter((w) => w === 'video!').length > 1 ? 'spam' : null`);
    const texts = ['My VIDEO! now', 'video! VIDEO! x', 'ÀB ÇD ÉF', 'a  b c', 'one two'];
    const alone = run([probe, mutate, counts], texts).cols;
    const withPass = run([kw(['video!'], 'token'), probe, mutate, counts], texts).cols.slice(1);
    expect(withPass).toEqual(alone);
    expect(alone[0]).toEqual([0, 0, 0, 1, 1]); // 'a  b c' lowercases to a double space; 'one two' has 2 tokens
    expect(alone[1]).toEqual([0, 0, 0, 0, 0]);
    expect(alone[2]).toEqual([-1, 1, -1, -1, -1]);
  });

  it('token keywords (a trie walked along the text) match exactly the whitespace tokens, any Unicode whitespace', () => {
    const alphabet = ['a', 'b', 'A', '!', 'é', '😀', ' ', '\t', '\n', '\u00a0', '\u2003', '\u3000', '\ufeff', '\u0085', '\u200b'];
    const str = (min: number, max: number) =>
      fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => a.join(''));
    fc.assert(
      fc.property(
        fc.array(str(1, 3), { minLength: 1, maxLength: 4 }),
        fc.array(str(0, 24), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (kws, texts, cs) => {
          const defs = [kw(kws, 'token', { caseSensitive: cs }), kw(kws, 'token', { caseSensitive: cs, mode: 'all' })];
          const { cols } = run(defs, texts);
          // A code LF calling tokens(x) makes the pass split the text and look tokens up by hash instead.
          expect(run([...defs, code(`(x) => tokens(x).length < 0 ? 'ham' : null`)], texts).cols.slice(0, 2)).toEqual(cols);
          texts.forEach((raw, i) => {
            const t = cs ? raw : raw.toLowerCase();
            const ks = [...new Set(kws.map((k) => (cs ? k : k.toLowerCase())))];
            // U+0085 and U+200B are not JS whitespace: they stay inside tokens.
            const toks = t.split(/\s+/).filter((x) => x.length > 0);
            expect(cols[0][i]).toBe(ks.some((k) => toks.includes(k)) ? 1 : -1);
            expect(cols[1][i]).toBe(ks.every((k) => toks.includes(k)) ? 1 : -1);
          });
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });

  it('a token-count length template counts the same whether or not the pass split its field for code LFs', () => {
    // With a code LF calling tokens(x), the pass splits the folded text once and the count reuses
    // it: lowercasing never adds or removes whitespace.
    const len = (value: number): LfDef => ({
      ...base,
      id: `l${value}`,
      name: `l${value}`,
      kind: 'length',
      label: 'ham',
      unit: 'tokens',
      op: '>',
      value,
    });
    const ws = [' ', '  ', '\t', '\u00a0', '\u2003', '\n'];
    const word = ['A', 'İ', 'ß', 'x!', 'ΣΑ', 'é'];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...ws), fc.constantFrom(...word)), { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        const defs = [len(0), len(1), len(2), len(3)];
        const plain = run(defs, [text]).cols;
        const shared = run([kw(['a'], 'token'), code(`(x) => tokens(x).length > 99 ? 'ham' : null`), ...defs], [text]).cols.slice(2);
        expect(shared).toEqual(plain);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('NLP helpers find people, places and organizations with compromise', async () => {
    const nlp = await loadNlp();
    const rt = LfRuntime.fromDefs(
      [code(`(x) => people(x).length > 0 ? 'ham' : null`), code(`(x) => places(x).some((p) => p.includes('Paris')) ? 'spam' : null`)],
      classes,
      { nlp, sandbox },
    );
    const r = rt.applyChunk({ start: 0, rows: [{ text: 'Barack Obama visited Paris last week.' }, { text: 'buy cheap pills now' }] });
    expect(Array.from(r.votes)).toEqual([0, -1, 1, -1]);
  });

  it('function LFs (module form) receive the row and the helpers', () => {
    const rt = LfRuntime.fromFunctions(
      [
        { name: 'free', apply: (x) => (/\bfree\b/i.test(String(x.text)) ? 'spam' : null) },
        { name: 'h', apply: (x, h) => ((h.words as (a: unknown) => string[])(x).length > 2 ? 0 : -1) },
      ],
      classes,
    );
    const r = rt.applyChunk({ start: 0, rows: [{ text: 'Free!' }, { text: 'one two three' }] });
    expect(Array.from(r.votes)).toEqual([1, -1, -1, 0]);
  });

  it('computes only the requested LFs and reports phases for the watchdog', () => {
    const rt = LfRuntime.fromDefs(
      [kw(['a'], 'word'), code(`(x) => 'ham'`), { ...base, id: 'r', name: 'r', kind: 'regex', label: 'ham', pattern: 'b', flags: '' }],
      classes,
      { sandbox },
    );
    const phases: number[][] = [];
    const r = rt.applyChunk({ start: 0, rows: [{ text: 'a b' }] }, { only: [2, 1], onPhase: (l) => phases.push([...l]) });
    expect(r.lfs).toEqual([1, 2]);
    expect(Array.from(r.votes)).toEqual([0, 0]);
    expect(phases).toEqual([[1], [2]]);
  });
});
