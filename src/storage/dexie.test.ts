/**
 * What only the IndexedDB storage does: ordered schema migrations (each version opened over
 * a database written by the previous one), clearing dead imports on open, and telling the UI
 * about other tabs and schema upgrades elsewhere.
 */
import 'fake-indexeddb/auto';
import Dexie from 'dexie';
import { afterEach, describe, expect, it } from 'vitest';
import { CURRENT_SCHEMA, declareSchema, openDexieStorage, SCHEMA_VERSIONS } from './dexie.ts';
import { withImportLock } from './locks.ts';
import type { StorageEvent } from './types.ts';

let n = 0;
const fresh = (): string => `dexie-test-${n++}-${Date.now()}`;

/**
 * For each schema version v > 1: write data with the schema of v-1, then check it after
 * opening with the current code. A new version without an entry here fails the first test.
 */
const MIGRATIONS: Record<number, { write: (db: Dexie) => Promise<void>; check: (name: string) => Promise<void> }> = {
  2: {
    async write(db) {
      await db.table('projects').put({ id: 'p1', name: 'Old project', createdAt: 1, updatedAt: 1 });
      await db.table('runs').put({
        id: 'r1',
        projectId: 'p1',
        versionId: 'v1',
        model: 'mv',
        params: {},
        lfHashes: [],
        metrics: {},
        k: 2,
        n: 2,
        createdAt: 1,
        probs: Float32Array.from([0.25, 0.75, 1, 0]),
      });
      await db
        .table('runs')
        .put({ id: 'r2', projectId: 'p1', versionId: 'v1', model: 'mv', params: {}, lfHashes: [], metrics: {}, k: 2, n: 0, createdAt: 2 });
    },
    async check(name) {
      const s = await openDexieStorage({ name, watchTabs: false });
      try {
        expect((await s.listProjects()).map((p) => p.name)).toEqual(['Old project']);
        const runs = await s.listRuns('p1');
        expect(runs.map((r) => r.id)).toEqual(['r1', 'r2']);
        expect(runs.some((r) => 'probs' in r)).toBe(false);
        const probs = await s.getRunProbs('r1');
        expect(probs).toBeInstanceOf(Float32Array);
        expect(Array.from(probs!)).toEqual([0.25, 0.75, 1, 0]);
        expect(await s.getRunProbs('r2')).toBeUndefined();
        expect(s.dexie.verno).toBe(CURRENT_SCHEMA);
      } finally {
        s.close();
      }
    },
  },
  3: {
    async write(db) {
      await db.table('projects').put({ id: 'p1', name: 'Before classifiers', createdAt: 1, updatedAt: 1 });
      await db.table('datasets').put({ id: 'd1', projectId: 'p1', name: 'data', createdAt: 1, currentVersion: 'v1' });
      await db.table('versions').put({
        id: 'v1',
        datasetId: 'd1',
        projectId: 'p1',
        status: 'committed',
        createdAt: 1,
        heartbeatAt: 1,
        source: { fileNames: ['a.csv'], format: 'csv', bytes: 1 },
        rowCount: 2,
        chunkCount: 1,
        rowsPerChunk: 1000,
        columns: [],
        textFields: ['text'],
        fields: ['text'],
        classes: ['a', 'b'],
        splitCounts: { train: 0, dev: 1, test: 1 },
        skippedRows: 0,
        notes: [],
      });
      await db.table('chunks').put({ key: 'v1/0', versionId: 'v1', index: 0, rows: [{ text: 'x' }, { text: 'y' }] });
      await db.table('runs').put({
        id: 'r1',
        projectId: 'p1',
        versionId: 'v1',
        model: 'mv',
        params: {},
        lfHashes: ['h'],
        metrics: {},
        k: 2,
        n: 2,
        createdAt: 1,
      });
      await db.table('runProbs').put({ runId: 'r1', probs: Float32Array.from([0.5, 0.5, 1, 0]) });
    },
    async check(name) {
      const s = await openDexieStorage({ name, watchTabs: false });
      try {
        expect(s.dexie.verno).toBe(CURRENT_SCHEMA);
        // Earlier data is untouched, and the project has no classifier yet.
        expect((await s.readRows('v1', 0, 2)).map((r) => r.text)).toEqual(['x', 'y']);
        expect(Array.from((await s.getRunProbs('r1'))!)).toEqual([0.5, 0.5, 1, 0]);
        expect(await s.latestClassifier('v1')).toBeUndefined();
        expect(await s.listClassifiers('p1')).toEqual([]);
        // The new tables work on the migrated database, and cascade with the project.
        const classifier = {
          features: { buckets: 8, wordNgrams: [1, 1] as const, charNgrams: [0, 0] as const, sublinearTf: true, charWeight: 0.3 },
          vocab: { buckets: 8, remap: new Int32Array(8), idf: new Float32Array(1), size: 1 },
          model: { dim: 1, k: 2, weights: new Float32Array(2), bias: new Float32Array(2) },
          classes: ['a', 'b'],
        };
        await s.putClassifier(
          {
            id: 'c1',
            projectId: 'p1',
            versionId: 'v1',
            runId: 'r1',
            lfHashes: ['h'],
            labelModel: 'mv',
            settings: {},
            metrics: {},
            curve: [],
            bestEpoch: 1,
            targets: 'soft',
            trainRows: 0,
            backend: 'cpu',
            ms: 1,
            k: 2,
            createdAt: 2,
          },
          { classifier, proba: { dev: Float32Array.from([0.2, 0.8]), test: Float32Array.from([0.9, 0.1]) } },
        );
        expect((await s.latestClassifier('v1'))!.runId).toBe('r1');
        await s.deleteProject('p1');
        expect(await s.getClassifierModel('c1')).toBeUndefined();
      } finally {
        s.close();
      }
    },
  },
  4: {
    async write(db) {
      await db.table('projects').put({ id: 'p1', name: 'Row chunks', createdAt: 1, updatedAt: 1 });
      await db.table('datasets').put({ id: 'd1', projectId: 'p1', name: 'data', createdAt: 1, currentVersion: 'v1' });
      await db.table('versions').put({
        id: 'v1',
        datasetId: 'd1',
        projectId: 'p1',
        status: 'committed',
        createdAt: 1,
        heartbeatAt: 1,
        source: { fileNames: ['a.csv'], format: 'csv', bytes: 1 },
        rowCount: 5,
        chunkCount: 2,
        rowsPerChunk: 3,
        columns: [],
        textFields: ['text'],
        fields: ['text', 'n'],
        classes: ['a', 'b'],
        splitCounts: { train: 0, dev: 1, test: 1 },
        skippedRows: 0,
        notes: [],
      });
      await db.table('chunks').put({
        key: 'v1/0',
        versionId: 'v1',
        index: 0,
        rows: [
          { text: 'héllo', n: 1 },
          { text: '', n: null },
          { text: 'a b', n: 2.5 },
        ],
      });
      // Irregular rows (a JSONL field appearing late) stay row objects.
      await db.table('chunks').put({ key: 'v1/1', versionId: 'v1', index: 1, rows: [{ text: 'x' }, { text: 'y', extra: true }] });
    },
    async check(name) {
      const s = await openDexieStorage({ name, watchTabs: false });
      try {
        expect(s.dexie.verno).toBe(CURRENT_SCHEMA);
        const raw = await s.dexie.table('chunks').get('v1/0');
        expect(raw.rows).toBeUndefined();
        expect(raw.cols.fields).toEqual(['text', 'n']);
        expect(raw.cols.columns[0].text).toBe('héllo' + 'a b');
        expect((await s.dexie.table('chunks').get('v1/1')).rows).toHaveLength(2);
        const rows = await s.readRows('v1', 0, 5);
        expect(rows).toEqual([
          { text: 'héllo', n: 1 },
          { text: '', n: null },
          { text: 'a b', n: 2.5 },
          { text: 'x' },
          { text: 'y', extra: true },
        ]);
        expect(rows.map((r) => Object.keys(r))).toEqual([['text', 'n'], ['text', 'n'], ['text', 'n'], ['text'], ['text', 'extra']]);
        const cols = await s.getChunkColumns('v1', 0, ['text']);
        expect(cols).toEqual({
          start: 0,
          length: 3,
          fields: ['text'],
          columns: [{ text: 'hélloa b', offsets: Uint32Array.from([0, 5, 5, 8]) }],
        });
        expect(await s.getChunkColumns('v1', 1, ['text'])).toEqual({ start: 3, rows: [{ text: 'x' }, { text: 'y', extra: true }] });
      } finally {
        s.close();
      }
    },
  },
  5: {
    async write(db) {
      await db.table('projects').put({ id: 'p1', name: 'Before flags', createdAt: 1, updatedAt: 1 });
      await db.table('datasets').put({ id: 'd1', projectId: 'p1', name: 'data', createdAt: 1, currentVersion: 'v1' });
      await db.table('versions').put({
        id: 'v1',
        datasetId: 'd1',
        projectId: 'p1',
        status: 'committed',
        createdAt: 1,
        heartbeatAt: 1,
        source: { fileNames: ['a.csv'], format: 'csv', bytes: 1 },
        rowCount: 2,
        chunkCount: 1,
        rowsPerChunk: 1000,
        columns: [],
        textFields: ['text'],
        fields: ['text'],
        classes: ['a', 'b'],
        splitCounts: { train: 0, dev: 2, test: 0 },
        skippedRows: 0,
        notes: [],
      });
      await db.table('chunks').put({
        key: 'v1/0',
        versionId: 'v1',
        index: 0,
        rows: [{ text: 'x' }, { text: 'y' }],
      });
      await db.table('columns').put({ key: 'v1/gold', versionId: 'v1', name: 'gold', data: Int8Array.from([1, -1]) });
    },
    async check(name) {
      const s = await openDexieStorage({ name, watchTabs: false });
      try {
        expect(s.dexie.verno).toBe(CURRENT_SCHEMA);
        // Earlier data is untouched, and no row is flagged yet.
        expect((await s.readRows('v1', 0, 2)).map((r) => r.text)).toEqual(['x', 'y']);
        expect(Array.from((await s.getColumn('v1', 'gold'))!)).toEqual([1, -1]);
        expect(await s.listFlags('v1')).toEqual([]);
        // The new table works on the migrated database, and cascades with the project.
        await s.putFlag({ versionId: 'v1', projectId: 'p1', row: 1, reason: 'unsure', note: 'hm', createdAt: 2, updatedAt: 2 });
        expect((await s.listFlags('v1')).map((f) => f.note)).toEqual(['hm']);
        await s.deleteProject('p1');
        expect(await s.dexie.table('flags').count()).toBe(0);
      } finally {
        s.close();
      }
    },
  },
};

describe('schema migrations', () => {
  it('has a migration test for every schema version after the first, in order', () => {
    const versions = SCHEMA_VERSIONS.map((v) => v.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(Object.keys(MIGRATIONS).map(Number)).toEqual(versions.slice(1));
  });

  for (const v of SCHEMA_VERSIONS.slice(1)) {
    it(`opens a database written by schema v${v.version - 1} and migrates it to v${CURRENT_SCHEMA}`, async () => {
      const name = fresh();
      const old = declareSchema(name, v.version - 1);
      await old.open();
      expect(old.verno).toBe(v.version - 1);
      await MIGRATIONS[v.version].write(old);
      old.close();
      await MIGRATIONS[v.version].check(name);
    });
  }
});

describe('dead imports and other tabs', () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  afterEach(() => {
    if (saved) Object.defineProperty(globalThis, 'navigator', saved);
    else delete (globalThis as { navigator?: unknown }).navigator;
  });

  it('removes an import whose tab closed mid-way when the database is opened again', async () => {
    const name = fresh();
    const a = await openDexieStorage({ name, watchTabs: false });
    const p = await a.createProject('P');
    const pend = await a.beginImport({ projectId: p.id, name: 'half', source: { fileNames: ['h.csv'], format: 'csv', bytes: 1 } });
    await a.putRowChunk(pend.versionId, 0, [{ text: 'a' }]);
    a.close(); // the tab dies here
    // Without Web Locks, a recent heartbeat means "maybe alive in another tab": keep it hidden.
    const b = await openDexieStorage({ name, watchTabs: false });
    expect(await b.listDatasets(p.id)).toEqual([]);
    expect(await b.dexie.table('chunks').count()).toBe(1);
    b.close();
    const c = await openDexieStorage({ name, watchTabs: false, staleImportMs: 0 });
    expect(await c.dexie.table('chunks').count()).toBe(0);
    expect(await c.dexie.table('versions').count()).toBe(0);
    c.close();
  });

  it('with Web Locks, keeps imports whose lock is held and removes the rest at once', async () => {
    const held = new Set<string>();
    const fakeLocks = {
      async request<T>(lockName: string, cb: () => Promise<T>): Promise<T> {
        held.add(lockName);
        try {
          return await cb();
        } finally {
          held.delete(lockName);
        }
      },
      async query() {
        return { held: [...held].map((x) => ({ name: x })) };
      },
    };
    Object.defineProperty(globalThis, 'navigator', { value: { locks: fakeLocks }, configurable: true, writable: true });
    const name = fresh();
    const a = await openDexieStorage({ name, watchTabs: false });
    const p = await a.createProject('P');
    const live = await a.beginImport({ projectId: p.id, name: 'live', source: { fileNames: ['l'], format: 'csv', bytes: 1 } });
    const dead = await a.beginImport({ projectId: p.id, name: 'dead', source: { fileNames: ['d'], format: 'csv', bytes: 1 } });
    let release!: () => void;
    const running = withImportLock(live.versionId, () => new Promise<void>((r) => (release = r)));
    const b = await openDexieStorage({ name, watchTabs: false });
    const pending = (await b.dexie.table('versions').toArray()).map((v) => v.id);
    expect(pending).toEqual([live.versionId]);
    expect(pending).not.toContain(dead.versionId);
    release();
    await running;
    a.close();
    b.close();
  });

  it('tells each tab about the other one', async () => {
    const name = fresh();
    const a = await openDexieStorage({ name });
    const seenA: StorageEvent[] = [];
    a.onEvent((e) => seenA.push(e));
    const b = await openDexieStorage({ name });
    const seenB: StorageEvent[] = [];
    b.onEvent((e) => seenB.push(e));
    await new Promise((r) => setTimeout(r, 50));
    expect(seenA.some((e) => e.type === 'other-tab')).toBe(true);
    // b announced before subscribing here; it learns of a from a's reply, delivered async.
    expect(seenB.filter((e) => e.type === 'other-tab').length + seenA.filter((e) => e.type === 'other-tab').length).toBeGreaterThanOrEqual(
      1,
    );
    a.close();
    b.close();
  });

  it('closes and reports when another tab upgrades the schema', async () => {
    const name = fresh();
    const a = await openDexieStorage({ name, watchTabs: false });
    const events: StorageEvent[] = [];
    a.onEvent((e) => events.push(e));
    const newer = declareSchema(name);
    newer.version(CURRENT_SCHEMA + 1).stores({ extra: 'id' });
    await newer.open(); // would block forever if `a` kept its connection open
    expect(events.map((e) => e.type)).toContain('version-change');
    expect(a.dexie.isOpen()).toBe(false);
    newer.close();
  });
});
