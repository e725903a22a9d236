/**
 * The LF list (lf-list.svelte.ts) with LF votes (lf-votes.svelte.ts) on the in-memory storage
 * twin and the inline pool: the order persists, undo restores an LF's place and its cached
 * votes, names stay unique, and a failed write leaves the list showing what is stored.
 */
import { describe, expect, it, vi } from 'vitest';
import type { LfDef } from '../core/lf/index.ts';
import { createLfWorkerApi } from '../workers/lf-worker-api.ts';
import { createInlineLfPool } from '../workers/pool.ts';
import { LfList } from './lf-list.svelte.ts';
import { LfRuns } from './lf-runs.ts';
import { LfVotes } from './lf-votes.svelte.ts';
import { RunCrumbs } from './run-crumbs.ts';
import { recordingJobs, storageChunkSource } from './session-testing.ts';
import { openMemoryDataset, quotaError } from './service-testing.ts';

const keyword = (id: string, word: string): LfDef => ({
  id,
  name: word,
  enabled: true,
  kind: 'keyword',
  label: 'spam',
  keywords: [word],
  mode: 'any',
  match: 'word',
  caseSensitive: false,
});

async function setup() {
  let full = false;
  const d = await openMemoryDataset({
    beforePut: (table) => {
      if (full && table === 'lfs') throw quotaError();
    },
  });
  const jobs = recordingJobs();
  const messages: string[] = [];
  const page = createInlineLfPool(() => createLfWorkerApi());
  let list!: LfList;
  const votes = new LfVotes({
    current: () => d.open,
    list: () => list,
    lfRuns: new LfRuns({ page: async () => page, isolated: () => Promise.reject(new Error('none')), probe: async () => 'none' }),
    jobs,
    chunkSource: storageChunkSource,
    crumbs: new RunCrumbs(null),
    messages: { error: (m) => messages.push(m), notice: (m) => messages.push(m), listError: (m) => messages.push(m) },
  });
  list = new LfList(() => d.open, votes);
  const storedOrder = async () =>
    (await d.storage.listLfs(d.open.projectId)).sort((a, b) => a.order - b.order).map((r) => `${r.order}:${r.name}`);
  const settle = () => vi.waitFor(() => expect(votes.running.size).toBe(0));
  return { d, list, votes, jobs, messages, storedOrder, settle, diskFull: (v: boolean) => (full = v) };
}

describe('LfList', () => {
  it('saves, runs once and keeps the order it is moved to in storage', async () => {
    const { list, votes, jobs, storedOrder, settle } = await setup();
    for (const w of ['free', 'prize', 'win']) await list.saveLf(keyword(`lf_${w}`, w));
    await settle();
    expect(jobs.labels).toEqual(['Running free', 'Running prize', 'Running win']);
    // Each run is a job of the votes service, which can find and cancel its own.
    expect(jobs.owners).toEqual([votes, votes, votes]);
    expect(votes.votes!.lfIds).toEqual(['lf_free', 'lf_prize', 'lf_win']);
    await list.move('lf_win', -1);
    await list.move('lf_free', 1);
    expect(list.lfs.map((l) => l.name)).toEqual(['win', 'free', 'prize']);
    expect(await storedOrder()).toEqual(['0:win', '1:free', '2:prize']);
    // The votes follow the list order.
    expect(votes.votes!.lfIds).toEqual(['lf_win', 'lf_free', 'lf_prize']);
    await list.move('lf_win', -1);
    expect(await storedOrder()).toEqual(['0:win', '1:free', '2:prize']);
  });

  it('undo brings a deleted LF back at its place, with its cached votes and no new run', async () => {
    const { list, votes, jobs, storedOrder, settle } = await setup();
    for (const w of ['free', 'prize', 'win']) await list.saveLf(keyword(`lf_${w}`, w));
    await settle();
    const runs = jobs.labels.length;
    await list.deleteLf('lf_prize');
    expect(list.deleted?.order).toBe(1);
    expect(votes.votes!.lfIds).toEqual(['lf_free', 'lf_win']);
    expect(await storedOrder()).toEqual(['0:free', '2:win']);
    await list.undoDelete();
    expect(list.deleted).toBeNull();
    expect(list.lfs.map((l) => l.id)).toEqual(['lf_free', 'lf_prize', 'lf_win']);
    expect(await storedOrder()).toEqual(['0:free', '1:prize', '2:win']);
    expect(votes.runOf('lf_prize')?.status).toBe('ok');
    expect(votes.votes!.lfIds).toEqual(['lf_free', 'lf_prize', 'lf_win']);
    // Saving the same definition again (a revert) reuses the stored votes too.
    await list.saveLf(list.lfs[1]);
    await settle();
    expect(jobs.labels.length).toBe(runs);
  });

  it('keeps names unique on save, rename and duplicate; a copy shares its original votes', async () => {
    const { list, votes, settle } = await setup();
    await list.saveLf(keyword('a', 'free'));
    await list.saveLf(keyword('b', 'free'));
    await settle();
    expect(list.lfs.map((l) => l.name)).toEqual(['free', 'free_2']);
    expect(await list.rename('b', 'free')).toBe('free_2');
    expect(await list.rename('b', ' prize ')).toBe('prize');
    const copy = (await list.duplicate('a'))!;
    expect(copy.name).toBe('free_copy');
    expect(votes.runOf(copy.id)).toEqual(votes.runOf('a'));
    expect(list.takenNames('a')).toEqual(['prize', 'free_copy']);
  });

  it('a failed write leaves the list showing what is stored, and says why', async () => {
    const { list, votes, storedOrder, settle, diskFull } = await setup();
    for (const w of ['free', 'prize']) await list.saveLf(keyword(`lf_${w}`, w));
    await settle();
    const shown = votes.votes!.version;
    diskFull(true);
    await list.move('lf_prize', -1);
    expect(list.lfListError).toMatch(/storage is full/);
    expect(list.lfs.map((l) => l.name)).toEqual(['free', 'prize']);
    expect(await storedOrder()).toEqual(['0:free', '1:prize']);
    expect(await list.rename('lf_free', 'gratis')).toBe('free');
    await list.setEnabled('lf_free', false);
    expect(list.lfs[0].enabled).toBe(true);
    expect(await list.duplicate('lf_free')).toBeNull();
    expect(list.lfs).toHaveLength(2);
    // Undo under a full disk: the LF stays deleted (as stored), and the undo is still offered.
    await list.deleteLf('lf_prize');
    expect(list.lfListError).toBeNull();
    await list.undoDelete();
    expect(list.lfListError).toMatch(/storage is full/);
    expect(list.lfs.map((l) => l.name)).toEqual(['free']);
    expect(await storedOrder()).toEqual(['0:free']);
    expect(list.deleted?.def.id).toBe('lf_prize');
    expect(votes.votes!.version).toBeGreaterThan(shown);
    diskFull(false);
    await list.undoDelete();
    expect(list.lfListError).toBeNull();
    expect(list.lfs.map((l) => l.name)).toEqual(['free', 'prize']);
    await list.setEnabled('lf_free', false);
    expect(list.lfs[0].enabled).toBe(false);
    expect((await storedOrder()).length).toBe(2);
    expect(votes.votes!.lfIds).toEqual(['lf_prize']);
  });
});
