/**
 * The word index in the composed session: a large-enough version gets its index built in the
 * background; whole-word keyword LFs are then answered from it with the votes a scan gives and
 * no pass over the rows; everything else, and a damaged index, is scanned.
 */
import { describe, expect, it, vi } from 'vitest';
import type { LfDef } from '../core/lf/index.ts';
import { shardOf } from '../core/text-index/index.ts';
import { memorySessionDeps } from './session-testing.ts';
import { Session } from './session.svelte.ts';

const texts = [
  'Win FREE money now',
  'lunch at noon?',
  'free-entry in a prize draw',
  'see you tomorrow, café',
  'claim your free gift',
  'meeting moved to 3',
  'Free Free free',
  'call me later, CAFÉ',
];
const csv = ['text,label', ...texts.map((t, i) => `"${t}",${i % 2 ? 'ham' : 'spam'}`)].join('\n');

const kw = (id: string, keywords: string[], extra: Partial<Record<string, unknown>> = {}): LfDef =>
  ({
    id,
    name: id,
    enabled: true,
    kind: 'keyword',
    label: 'spam',
    keywords,
    mode: 'any',
    match: 'word',
    caseSensitive: false,
    ...extra,
  }) as LfDef;

async function openWithIndex(minRows: number) {
  const m = memorySessionDeps();
  m.deps.textIndexMinRows = minRows;
  const s = new Session(m.deps);
  await s.init();
  const outcome = await s.importFiles(
    [new File([csv], 'sms.csv', { type: 'text/csv' })],
    { name: 'sms', labelField: 'label', classes: ['ham', 'spam'] },
    { name: 'SMS' },
  );
  if (!outcome.ok) throw new Error(outcome.message);
  const versionId = s.dataset!.versionId;
  if (minRows <= texts.length) await vi.waitFor(async () => expect(await m.storage.getTextIndexMeta(versionId)).toBeDefined());
  return { ...m, s, versionId };
}

async function runVotes(s: Session, def: LfDef): Promise<number[]> {
  const saved = await s.saveLf(def);
  await vi.waitFor(() => expect(s.runOf(saved.id)?.status).toMatch(/ok|error/));
  return Array.from(s.runs.get(saved.id)!.votes ?? []);
}

describe('the word index in the session', () => {
  it('answers whole-word keyword LFs without a pass over the rows, with the votes a scan gives', async () => {
    const indexed = await openWithIndex(1);
    expect(indexed.jobs.labels).toContain('Indexing words for instant keyword LFs');
    const scanned = await openWithIndex(1_000_000);
    expect(await scanned.storage.getTextIndexMeta(scanned.versionId)).toBeUndefined();

    const lfs = [kw('free', ['free']), kw('cafe_money', ['Café', 'money']), kw('both', ['free', 'money'], { mode: 'all' }), kw('none', [])];
    for (const def of lfs) {
      const before = indexed.jobs.labels.length;
      const fromIndex = await runVotes(indexed.s, def);
      // No job: the index answered, no worker read a row.
      expect(indexed.jobs.labels.slice(before)).toEqual([]);
      expect(fromIndex).toEqual(await runVotes(scanned.s, def));
    }
    expect(await runVotes(indexed.s, kw('free2', ['free']))).toEqual([1, -1, 1, -1, 1, -1, 1, -1]);
  });

  it('scans what the index cannot answer exactly: phrases, case-sensitive and substring matches, regexes, unknown classes', async () => {
    const { s, jobs } = await openWithIndex(1);
    const cases: [LfDef, number[]][] = [
      [kw('phrase', ['free money']), [1, -1, -1, -1, -1, -1, -1, -1]],
      [kw('cased', ['free'], { caseSensitive: true }), [-1, -1, 1, -1, 1, -1, 1, -1]],
      [kw('sub', ['fre'], { match: 'substring' }), [1, -1, 1, -1, 1, -1, 1, -1]],
      [{ id: 're', name: 're', enabled: true, kind: 'regex', label: 'spam', pattern: 'caf', flags: 'i' }, [-1, -1, -1, 1, -1, -1, -1, 1]],
    ];
    for (const [def, want] of cases) {
      const before = jobs.labels.length;
      expect(await runVotes(s, def)).toEqual(want);
      expect(jobs.labels.slice(before)).toEqual([`Running ${def.name}`]);
    }
    const before = jobs.labels.length;
    const saved = await s.saveLf(kw('bad', ['free'], { label: 'eggs' }));
    await vi.waitFor(() => expect(s.runOf(saved.id)?.status).toBe('error'));
    expect(s.runOf(saved.id)?.error).toMatch(/eggs/);
    expect(jobs.labels.slice(before)).toEqual(['Running bad']);
  });

  it('a damaged index (a shard gone) leaves the LF to the workers, with the right votes', async () => {
    const { s, jobs, storage, versionId } = await openWithIndex(1);
    const shards = await Promise.all(Array.from({ length: 64 }, (_, i) => storage.getTextIndexShard(versionId, i)));
    const meta = (await storage.getTextIndexMeta(versionId))!;
    shards[shardOf('gift')] = undefined;
    // The shard holding "gift" replaced by one whose arrays disagree: every other shard intact.
    await storage.putTextIndex(
      versionId,
      meta,
      shards.map(
        (sh, i) => sh ?? { shard: i, terms: 'x', counts: new Uint32Array(0), ends: new Uint32Array(0), postings: new Uint8Array(0) },
      ),
    );
    const before = jobs.labels.length;
    expect(await runVotes(s, kw('gift', ['gift']))).toEqual([-1, -1, -1, -1, 1, -1, -1, -1]);
    expect(jobs.labels.slice(before)).toEqual(['Running gift']);
  });

  it('refuses to store an index that does not cover the version', async () => {
    const { storage, versionId } = await openWithIndex(1);
    const meta = (await storage.getTextIndexMeta(versionId))!;
    await expect(storage.putTextIndex(versionId, { ...meta, rowCount: 7 }, [])).rejects.toThrow(/covers 7 rows; the dataset has 8/);
    await expect(storage.putTextIndex(versionId, meta, [])).rejects.toThrow(/0 of its 64 shards/);
  });

  it('reads each shard once for a lookup list whose values fall in every shard', async () => {
    const { s, storage, versionId } = await openWithIndex(1);
    const reads: number[] = [];
    const get = storage.getTextIndexShard.bind(storage);
    storage.getTextIndexShard = (v, shard) => {
      reads.push(shard);
      return get(v, shard);
    };
    const values = Array.from({ length: 2000 }, (_, i) => `drug${i}`).concat(['free', 'café']);
    const saved = await s.saveLf({
      id: 'meds',
      name: 'meds',
      enabled: true,
      kind: 'lookup',
      label: 'spam',
      values,
      match: 'word',
      caseSensitive: false,
    });
    await vi.waitFor(() => expect(s.runOf(saved.id)?.status).toBe('ok'));
    expect(Array.from(s.runs.get(saved.id)!.votes!)).toEqual([1, -1, 1, 1, 1, -1, 1, 1]);
    expect(new Set(reads).size).toBe(64);
    expect(reads).toHaveLength(64);
  });
});
