import { describe, expect, it } from 'vitest';
import { hardenedSandbox } from './hardened-realm.ts';
import { lfHash, lfSpans, previewLf } from './index.ts';
import type { LfDef } from './types.ts';
import { mulberry32 } from '../rng.ts';

const classes = ['ham', 'spam'];
const free: LfDef = {
  id: 'a',
  name: 'free',
  enabled: true,
  kind: 'keyword',
  label: 'spam',
  keywords: ['free', 'prize'],
  mode: 'any',
  match: 'word',
  caseSensitive: false,
};

describe('lfHash', () => {
  it('ignores id, name, enabled and key order but not semantics or classes', () => {
    const h = lfHash(free, classes);
    expect(h).toMatch(/^[0-9a-f]{40}$/);
    const reordered = JSON.parse(
      JSON.stringify({
        caseSensitive: false,
        keywords: ['free', 'prize'],
        kind: 'keyword',
        match: 'word',
        mode: 'any',
        label: 'spam',
        id: 'zz',
        name: 'other',
        enabled: false,
      }),
    );
    expect(lfHash(reordered, classes)).toBe(h);
    expect(lfHash({ ...free, keywords: ['free'] }, classes)).not.toBe(h);
    expect(lfHash({ ...free, caseSensitive: true }, classes)).not.toBe(h);
    expect(lfHash(free, ['spam', 'ham'])).not.toBe(h);
    const c1: LfDef = { id: 'c', name: 'c', enabled: true, kind: 'code', source: '(x) => 1' };
    expect(lfHash(c1, classes)).not.toBe(lfHash({ ...c1, source: '(x) => 0' }, classes));
  });
});

describe('lfSpans', () => {
  it('returns offsets into the original text for keywords and regexes', () => {
    const text = 'FREE prize! Freedom is free.';
    expect(lfSpans(free, { text })).toEqual([
      [0, 4],
      [5, 10],
      [23, 27],
    ]);
    const re: LfDef = { id: 'r', name: 'r', enabled: true, kind: 'regex', label: 'spam', pattern: 'e+', flags: 'y' };
    expect(lfSpans(re, { text: 'free bee' })).toEqual([
      [2, 4],
      [6, 8],
    ]);
    const empty: LfDef = { ...re, pattern: 'x*' };
    expect(lfSpans(empty, { text: 'axxb' })).toEqual([[1, 3]]);
    expect(
      lfSpans({ id: 'l', name: 'l', enabled: true, kind: 'length', label: 'ham', unit: 'chars', op: '<', value: 3 }, { text: 'ab' }),
    ).toEqual([]);
  });
});

describe('previewLf', () => {
  it('computes coverage, accuracy, overlaps, conflicts and example hits', () => {
    const rows = ['free money', 'hello', 'win a prize', 'free time', 'nothing'].map((text) => ({ text }));
    const gold = [1, 0, 1, 0, -1];
    const other = Int8Array.from([1, -1, 0, -1, 0]);
    const p = previewLf(free, { rows, gold, others: [other], rowIds: [10, 11, 12, 13, 14] }, classes, { maxExamples: 2 });
    expect(Array.from(p.votes)).toEqual([1, -1, 1, 1, -1]);
    expect(p.coverage).toBeCloseTo(3 / 5);
    expect(p.correct).toBe(2);
    expect(p.incorrect).toBe(1);
    expect(p.accuracy).toBeCloseTo(2 / 3);
    expect(p.overlaps).toBeCloseTo(2 / 5);
    expect(p.conflicts).toBeCloseTo(1 / 5);
    expect(p.examples).toEqual([
      { row: 10, vote: 1, label: 'spam', gold: 1, spans: [[0, 4]] },
      { row: 12, vote: 1, label: 'spam', gold: 1, spans: [[6, 11]] },
    ]);
    expect(p.error).toBeNull();
  });

  it('reports a code LF error, counted over all 2000 rows', () => {
    const rng = mulberry32(7);
    const vocab = ['free', 'money', 'hello', 'the', 'song', 'great', 'video', 'check', 'out', 'now'];
    const rows = Array.from({ length: 2000 }, () => ({
      text: Array.from({ length: 5 + Math.floor(rng() * 25) }, () => vocab[Math.floor(rng() * vocab.length)]).join(' '),
    }));
    const others = Array.from({ length: 20 }, () => Int8Array.from({ length: 2000 }, () => (rng() < 0.2 ? (rng() < 0.5 ? 0 : 1) : -1)));
    const p = previewLf(
      {
        id: 'c',
        name: 'c',
        enabled: true,
        kind: 'code',
        source: `(x) => { if (x.text.startsWith('now')) throw new Error('nope'); return words(x).includes('song') ? 'ham' : null; }`,
      },
      { rows, others },
      classes,
      { sandbox: hardenedSandbox() },
    );
    expect(p.hits).toBeGreaterThan(0);
    expect(p.error?.message).toBe('threw nope');
    expect(p.error?.count).toBe(rows.filter((r) => r.text.startsWith('now')).length);
  });
});
