/**
 * A project's `updatedAt` is the last change a user made, so the project list can show
 * "modified": every such write moves it, computed votes and view settings do not. Runs on the
 * in-memory twin and on Dexie over fake-indexeddb (the writes share one transaction).
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDexieStorage } from './dexie.ts';
import { createMemoryStorage } from './memory.ts';
import type { LfRecord, ShoalStorage } from './types.ts';

let dbCount = 0;
const factories: [string, () => Promise<ShoalStorage>][] = [
  ['memory', async () => createMemoryStorage()],
  ['dexie (fake-indexeddb)', () => openDexieStorage({ name: `modified-${dbCount++}`, watchTabs: false })],
];

describe.each(factories)('project modified time: %s', (_name, make) => {
  let s: ShoalStorage;
  let clock = 1_000;
  const tick = (): number => {
    clock += 1_000;
    vi.setSystemTime(clock);
    return clock;
  };
  beforeEach(() => {
    // Only Date: IndexedDB's own timers keep running.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(clock);
  });
  afterEach(() => {
    vi.useRealTimers();
    s?.close();
  });

  it('moves on data, LF, gold, label-model run, classifier, project-file and rename writes, not on votes or settings', async () => {
    s = await make();
    const p = await s.createProject('P');
    const other = await s.createProject('Other');
    const modified = async (): Promise<number> => (await s.getProject(p.id))!.updatedAt;
    expect(await modified()).toBe(clock);

    let t = tick();
    const pend = await s.beginImport({ projectId: p.id, name: 'd', source: { fileNames: ['d.csv'], format: 'csv', bytes: 1 } });
    await s.putRowChunk(pend.versionId, 0, [{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
    await s.commitImport(pend.versionId, {
      rowCount: 3,
      chunkCount: 1,
      columns: [{ name: 'text', kind: 'string' }],
      textFields: ['text'],
      fields: ['text'],
      classes: ['ham', 'spam'],
      gold: Int8Array.from([-1, -1, -1]),
      split: Uint8Array.from([0, 1, 2]),
      splitCounts: { train: 1, dev: 1, test: 1 },
      skippedRows: 0,
      notes: [],
    });
    expect(await modified()).toBe(t);

    t = tick();
    const lf: LfRecord = {
      id: 'lf1',
      projectId: p.id,
      name: 'a',
      kind: 'keyword',
      config: {},
      sourceHash: 'h',
      enabled: true,
      order: 0,
      createdAt: t,
      updatedAt: t,
    };
    await s.putLf(lf);
    expect(await modified()).toBe(t);

    t = tick();
    await s.putLfs([{ ...lf, enabled: false }]);
    expect(await modified()).toBe(t);

    t = tick();
    await s.putGold(pend.versionId, Int8Array.from([1, -1, 0]));
    expect(await modified()).toBe(t);

    t = tick();
    await s.putRun(
      {
        id: 'r1',
        projectId: p.id,
        versionId: pend.versionId,
        model: 'mv',
        params: {},
        lfHashes: ['h'],
        metrics: {},
        k: 2,
        n: 3,
        createdAt: t,
      },
      new Float32Array(6),
    );
    expect(await modified()).toBe(t);

    t = tick();
    const dim = 2;
    await s.putClassifier(
      {
        id: 'c1',
        projectId: p.id,
        versionId: pend.versionId,
        runId: 'r1',
        lfHashes: ['h'],
        labelModel: 'mv',
        settings: {},
        metrics: {},
        curve: [],
        bestEpoch: 1,
        targets: 'soft',
        trainRows: 1,
        backend: 'cpu',
        ms: 1,
        k: 2,
        createdAt: t,
      },
      {
        classifier: {
          features: { buckets: 4, wordNgrams: [1, 1], charNgrams: [0, 0], sublinearTf: true, charWeight: 0.3 },
          vocab: { buckets: 4, remap: Int32Array.from([1, 2, 0, 0]), idf: Float32Array.from([1, 1]), size: 2 },
          model: { dim, k: 2, weights: new Float32Array(dim * 2), bias: new Float32Array(2) },
          classes: ['ham', 'spam'],
        },
        proba: { dev: new Float32Array(2), test: new Float32Array(2) },
      },
    );
    expect(await modified()).toBe(t);

    t = tick();
    await s.putProjectParts({ lfs: [{ ...lf, id: 'lf2', name: 'b' }], settings: [{ key: 'x', value: 1, projectId: p.id }] });
    expect(await modified()).toBe(t);

    t = tick();
    await s.deleteLf('lf2');
    expect(await modified()).toBe(t);

    t = tick();
    await s.renameProject(p.id, 'Q');
    expect(await modified()).toBe(t);

    // Computed votes and view settings are not the user's changes.
    const before = await modified();
    tick();
    await s.putVotes({ sourceHash: 'h', versionId: pend.versionId, votes: Int8Array.from([0, -1, 1]), computedAt: clock });
    await s.putSetting('view', { tab: 'lfs' }, p.id);
    expect(await modified()).toBe(before);
    // Only the project written to moves.
    expect((await s.getProject(other.id))!.updatedAt).toBe(1_000);
  });
});
