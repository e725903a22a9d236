import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lfHash } from '../core/lf/hash.ts';
import type { LfDef } from '../core/lf/types.ts';
import { createMemoryStorage } from '../storage/memory.ts';
import {
  enabledColumns,
  goldBySplit,
  lfErrorText,
  lfToRecord,
  loadRunStates,
  recordToLf,
  runStateOf,
  splitIndexOf,
  splitMatrices,
  type SplitColumnCache,
  uniqueLfName,
  unstoredVotesMessage,
  withNewId,
} from './project.ts';

const kw: LfDef = {
  id: 'lf_a',
  name: 'free',
  enabled: true,
  kind: 'keyword',
  label: 'spam',
  keywords: ['free'],
  mode: 'any',
  match: 'word',
  caseSensitive: false,
};

describe('project plumbing', () => {
  it('splits row numbers by split code, in dataset order, and gold follows them', () => {
    const split = Uint8Array.from([0, 1, 0, 2, 1, 0]);
    const idx = splitIndexOf(split);
    expect([...idx.train]).toEqual([0, 2, 5]);
    expect([...idx.dev]).toEqual([1, 4]);
    expect([...idx.test]).toEqual([3]);
    const g = goldBySplit(Int8Array.from([-1, 1, -1, 0, 0, -1]), idx);
    expect([...g.dev]).toEqual([1, 0]);
    expect([...g.test]).toEqual([0]);
    expect([...g.train]).toEqual([-1, -1, -1]);
  });

  it('split indexes partition the rows for any split column (seeded)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 200 }), (codes) => {
        const idx = splitIndexOf(Uint8Array.from(codes));
        const all = [...idx.train, ...idx.dev, ...idx.test].sort((a, b) => a - b);
        expect(all).toEqual(codes.map((_, i) => i));
        for (const [s, rows] of [idx.train, idx.dev, idx.test].entries()) for (const r of rows) expect(codes[r]).toBe(s);
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  it('per-split matrices pick the rows of each split from the whole-dataset columns', () => {
    const idx = splitIndexOf(Uint8Array.from([0, 1, 0, 2]));
    const m = splitMatrices([Int8Array.from([0, 1, -1, 1]), Int8Array.from([-1, -1, 1, 0])], 4, 2, idx);
    expect(m.train.n).toBe(2);
    expect([...m.train.column(0)]).toEqual([0, -1]);
    expect([...m.train.column(1)]).toEqual([-1, 1]);
    expect([...m.dev.column(0)]).toEqual([1]);
    expect([...m.test.column(1)]).toEqual([0]);
  });

  it('with a cache, cuts each column once per split index and gives the same matrices', () => {
    const a = Int8Array.from([0, 1, -1, 1]);
    const b = Int8Array.from([-1, -1, 1, 0]);
    const idx = splitIndexOf(Uint8Array.from([0, 1, 0, 2]));
    const cache: SplitColumnCache = new WeakMap();
    const first = splitMatrices([a, b], 4, 2, idx, cache);
    const again = splitMatrices([b, a], 4, 2, idx, cache);
    // The same cut arrays, in the new column order, with the same values as without a cache.
    expect(again.train.column(0)).toBe(first.train.column(1));
    expect(again.dev.column(1)).toBe(first.dev.column(0));
    const plain = splitMatrices([b, a], 4, 2, idx);
    for (const s of ['train', 'dev', 'test'] as const)
      for (let j = 0; j < 2; j++) expect([...again[s].column(j)]).toEqual([...plain[s].column(j)]);
    // Another split assignment cuts the columns again.
    const moved = splitMatrices([a], 4, 2, splitIndexOf(Uint8Array.from([1, 0, 0, 0])), cache);
    expect([...moved.dev.column(0)]).toEqual([0]);
    expect([...moved.train.column(0)]).toEqual([1, -1, 1]);
    // A value out of range is still refused, cached or not.
    const three = Int8Array.from([2, 0, 0, 0]);
    splitMatrices([three], 4, 3, idx, cache);
    expect(() => splitMatrices([three], 4, 2, idx, cache)).toThrow(/outside -1\.\.1/);
  });

  it('keeps only enabled LFs that have votes, in list order', () => {
    const v = Int8Array.from([0]);
    const states = new Map([
      ['a', { status: 'ok' as const, votes: v, error: null, ms: 1, hash: 'h' }],
      ['b', { status: 'ok' as const, votes: v, error: null, ms: 1, hash: 'h' }],
      ['c', { status: 'not-run' as const, votes: null, error: null, ms: null, hash: 'h' }],
    ]);
    const cols = enabledColumns(
      [
        { id: 'b', name: 'B', enabled: true },
        { id: 'a', name: 'A', enabled: false },
        { id: 'c', name: 'C', enabled: true },
      ],
      states,
    );
    expect(cols.lfIds).toEqual(['b']);
    expect(cols.lfNames).toEqual(['B']);
  });

  it('makes LF names unique', () => {
    expect(uniqueLfName('free', ['money'])).toBe('free');
    expect(uniqueLfName('free', ['free'])).toBe('free_2');
    expect(uniqueLfName('free', ['free', 'free_2'])).toBe('free_3');
    expect(uniqueLfName('free_2', ['free_2'])).toBe('free_3');
    expect(uniqueLfName('  ', [])).toBe('lf');
  });

  it('stores an LF as a record keyed by its vote hash and reads it back', async () => {
    const rec = lfToRecord(kw, 'prj_1', 3, ['ham', 'spam']);
    expect(rec.sourceHash).toBe(lfHash(kw, ['ham', 'spam']));
    expect(rec.order).toBe(3);
    expect(recordToLf({ ...rec, name: 'renamed', enabled: false })).toEqual({ ...kw, name: 'renamed', enabled: false });
    expect(recordToLf({ ...rec, kind: 'external' })).toBeNull();
    const copy = withNewId(kw, 'free_copy');
    expect(copy.id).not.toBe(kw.id);
    // Same semantics, same cached votes.
    expect(lfHash(copy, ['ham', 'spam'])).toBe(rec.sourceHash);
  });

  it('an LF without stored votes for its hash is "not run"; stored errors come back', async () => {
    const storage = createMemoryStorage();
    const p = await storage.createProject('p');
    const pending = await storage.beginImport({ projectId: p.id, name: 'd', source: { fileNames: ['x'], format: 'csv', bytes: 1 } });
    await storage.putRowChunk(pending.versionId, 0, [{ text: 'free' }, { text: 'hi' }]);
    await storage.commitImport(pending.versionId, {
      rowCount: 2,
      chunkCount: 1,
      columns: [{ name: 'text', kind: 'string' }],
      textFields: ['text'],
      fields: ['text'],
      classes: ['ham', 'spam'],
      splitCounts: { train: 2, dev: 0, test: 0 },
      skippedRows: 0,
      notes: [],
      gold: new Int8Array(2).fill(-1),
      split: new Uint8Array(2),
    });
    await storage.putVotes({ sourceHash: 'h1', versionId: pending.versionId, votes: Int8Array.from([1, -1]), computedAt: 1, ms: 3 });
    await storage.putVotes({
      sourceHash: 'h2',
      versionId: pending.versionId,
      votes: Int8Array.from([-1, -1]),
      error: 'row 1: boom',
      computedAt: 1,
    });
    const states = await loadRunStates(storage, pending.versionId, [
      { id: 'a', hash: 'h1' },
      { id: 'b', hash: 'h2' },
      { id: 'c', hash: 'h3' },
    ]);
    expect(states.get('a')).toMatchObject({ status: 'ok', ms: 3 });
    expect([...states.get('a')!.votes!]).toEqual([1, -1]);
    expect(states.get('b')).toMatchObject({ status: 'error', error: 'row 1: boom' });
    expect(states.get('c')).toMatchObject({ status: 'not-run', votes: null });
  });

  it('says where an LF failed', () => {
    expect(lfErrorText({ row: 4, message: 'x is undefined', count: 3 })).toBe('row 5: x is undefined (3 rows in all)');
    expect(lfErrorText({ row: -1, message: 'ran too long', count: 0 })).toBe('ran too long');
    // Text from LF code is bounded before it is stored or shown, and says how long it was.
    const huge = lfErrorText({ row: 0, message: 'A'.repeat(20_000_000), count: 2 });
    expect(huge.length).toBeLessThan(2300);
    // A message the runtime already bounded (cut, length stated, "threw " before it) is not cut again.
    const bounded = `threw ${'A'.repeat(2000)}… (20,000,000 characters in all)`;
    expect(lfErrorText({ row: 0, message: bounded, count: 1 })).toBe(`row 1: ${bounded}`);
    expect(huge).toMatch(/^row 1: A+… \(20,000,000 characters in all\) \(2 rows in all\)$/);
    // An error stored by an older version, unbounded, is bounded when it is read back.
    expect(
      runStateOf({ sourceHash: 'h', versionId: 'v', votes: new Int8Array(1), error: 'B'.repeat(5_000_000), computedAt: 0 }, 'h').error!
        .length,
    ).toBeLessThan(2300);
  });
  it('says which LFs ran but could not store their votes', () => {
    const why =
      'Browser storage is full, so the LF votes were not saved (earlier data is intact); delete old projects, datasets or runs, or allow persistent storage, then try again.';
    expect(unstoredVotesMessage(['money_words'], why)).toBe(
      `money_words ran, but its votes are only in this tab (a reload will show "not run"): ${why}`,
    );
    expect(unstoredVotesMessage(['a', 'b'], why)).toMatch(/^a, b ran, but their votes are only in this tab/);
  });
});
