import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LfRuntime } from '../lf/runtime.ts';
import type { LfDef, Row } from '../lf/types.ts';
import { indexPlan, votesFromIndex } from './answer.ts';
import { SHARDS, ShardReader, TextIndexBuilder, shardOf } from './index.ts';
import { decodePostings, PostingWriter } from './postings.ts';
import { keywordTerm, MAX_TERM_LENGTH } from './terms.ts';

const classes = ['ham', 'spam'];
// Words chosen to hit the edges of folding and word boundaries: case, accents and combining
// marks, a final sigma (folded by context), a dotted capital I (its fold is two units), digits,
// underscores, astral letters and emoji, punctuation that splits words, and a too-long word.
const VOCAB = [
  'free',
  'FREE',
  'Free',
  'money',
  'café',
  'CAFÉ',
  'cafe\u0301',
  'ΟΔΟΣ',
  'οδος',
  'İstanbul',
  'istanbul',
  'x_1',
  '2024',
  'follow-up',
  'c++',
  '$5',
  'e.g.',
  '𝒳yz',
  '😀',
  'a'.repeat(MAX_TERM_LENGTH + 1),
  'a'.repeat(MAX_TERM_LENGTH),
  'ñame',
  "don't",
];
const SEPS = [' ', '  ', '\n', ', ', '. ', '-', '\t', '', '!'];

function indexOf(texts: readonly string[]) {
  const b = new TextIndexBuilder();
  texts.forEach((t, r) => b.add(r, t));
  const readers = b.finish().map((s) => new ShardReader(structuredClone(s)));
  return (term: string) => readers[shardOf(term)].rows(term);
}

function scanVotes(def: LfDef, rows: readonly Row[]): Int8Array {
  const rt = LfRuntime.fromDefs([def], classes);
  expect(rt.compileErrors[0]).toBeNull();
  return rt.applyChunk({ start: 0, rows }).votes;
}

describe('text index', () => {
  it('answers every LF it plans for with exactly the votes a scan gives (seeded)', () => {
    let planned = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc
            .array(fc.tuple(fc.constantFrom(...VOCAB), fc.constantFrom(...SEPS)), { maxLength: 12 })
            .map((ws) => ws.map(([w, s]) => w + s).join('')),
          { minLength: 1, maxLength: 40 },
        ),
        fc.array(fc.constantFrom(...VOCAB, 'free money', '', 'absent'), { maxLength: 4 }),
        fc.constantFrom('any' as const, 'all' as const),
        fc.constantFrom('keyword' as const, 'lookup' as const),
        (texts, keywords, mode, kind) => {
          const def: LfDef =
            kind === 'keyword'
              ? { id: 'k', name: 'k', enabled: true, kind, label: 'spam', keywords, mode, match: 'word', caseSensitive: false }
              : { id: 'k', name: 'k', enabled: true, kind, label: 'spam', values: keywords, match: 'word', caseSensitive: false };
          const plan = indexPlan(def, 'text', 'text');
          if (!plan) return;
          planned++;
          const rows = texts.map((text) => ({ text }));
          expect(Array.from(votesFromIndex(plan, texts.length, 1, indexOf(texts)))).toEqual(Array.from(scanVotes(def, rows)));
        },
      ),
      { seed: 20261207, numRuns: 400 },
    );
    // The property is not vacuous: most generated LFs are answerable.
    expect(planned).toBeGreaterThan(150);
  });

  it('plans only what it can answer exactly', () => {
    const kw = (keywords: string[], extra: Partial<Record<string, unknown>> = {}): LfDef =>
      ({
        id: 'k',
        name: 'k',
        enabled: true,
        kind: 'keyword',
        label: 'spam',
        keywords,
        mode: 'any',
        match: 'word',
        caseSensitive: false,
        ...extra,
      }) as LfDef;
    expect(indexPlan(kw(['Free', 'money', 'free', '']), 'text', 'text')).toEqual({ terms: ['free', 'money'], mode: 'any' });
    expect(indexPlan(kw(['free money']), 'text', 'text')).toBeNull();
    expect(indexPlan(kw(['follow-up']), 'text', 'text')).toBeNull();
    expect(indexPlan(kw([' free']), 'text', 'text')).toBeNull();
    expect(indexPlan(kw(['free'], { caseSensitive: true }), 'text', 'text')).toBeNull();
    expect(indexPlan(kw(['free'], { match: 'substring' }), 'text', 'text')).toBeNull();
    expect(indexPlan(kw(['free'], { field: 'title' }), 'text', 'text')).toBeNull();
    expect(indexPlan(kw(['free'], { field: 'body' }), 'body', 'text')).not.toBeNull();
    expect(
      indexPlan({ id: 'r', name: 'r', enabled: true, kind: 'regex', label: 'spam', pattern: 'free', flags: '' }, 'text', 'text'),
    ).toBeNull();
    expect(keywordTerm('a'.repeat(MAX_TERM_LENGTH + 1))).toBeNull();
  });

  it('an LF with no keywords never fires, in either mode', () => {
    const rowsOf = indexOf(['free', 'money']);
    expect(Array.from(votesFromIndex({ terms: [], mode: 'any' }, 2, 1, rowsOf))).toEqual([-1, -1]);
    expect(Array.from(votesFromIndex({ terms: [], mode: 'all' }, 2, 1, rowsOf))).toEqual([-1, -1]);
  });

  it('posting lists round-trip, far gaps included (seeded)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 31 - 2 }), { maxLength: 200 }), (rows) => {
        rows.sort((a, b) => a - b);
        const w = new PostingWriter();
        for (const r of rows) w.add(r);
        if (rows.length > 0) w.add(rows[rows.length - 1]); // a repeat is ignored
        expect(w.count).toBe(rows.length);
        expect(Array.from(decodePostings(w.bytes, 0, w.length, w.count))).toEqual(rows);
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('refuses rows out of order and a damaged shard', () => {
    const b = new TextIndexBuilder();
    b.add(3, 'free');
    expect(() => b.add(3, 'money')).toThrow(/ascending/);
    const shards = b.finish();
    expect(shards).toHaveLength(SHARDS);
    const s = shards[shardOf('free')];
    expect(() => new ShardReader({ ...s, counts: new Uint32Array(0) })).toThrow(/damaged/);
    expect(() => decodePostings(new Uint8Array([0x81]), 0, 1, 1)).toThrow(/inside a number/);
  });
});
