/**
 * The storage contract: the same suite runs against the in-memory twin and against Dexie on
 * fake-indexeddb, so the twin the other unit tests use behaves like the real thing.
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { ShoalError } from '../core/types.ts';
import type { Row } from '../core/formats/types.ts';
import type { TableName, Rec } from './backend.ts';
import { columnArray, unpackRows, type ColumnChunk } from '../core/lf/columns.ts';
import { openDexieStorage } from './dexie.ts';
import { StorageFullError } from './errors.ts';
import { createMemoryStorage } from './memory.ts';
import type { ClassifierRecord, CommitMeta, LfRecord, ShoalStorage, StoredClassifierModel } from './types.ts';

type Fault = (table: TableName, value: Rec) => boolean;
let fault: Fault | null = null;

// Simulate a full disk at the IndexedDB level: the put throws QuotaExceededError, which
// Dexie reports wrapped in the transaction's AbortError.
const proto = (globalThis as unknown as { IDBObjectStore: { prototype: { put: (...a: unknown[]) => unknown; name: string } } })
  .IDBObjectStore.prototype;
const realPut = proto.put;
proto.put = function (this: { name: string }, ...args: unknown[]) {
  if (fault?.(this.name as TableName, args[0] as Rec)) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  return realPut.apply(this, args);
};

let dbCount = 0;
const factories: [string, () => Promise<ShoalStorage>][] = [
  [
    'memory',
    async () =>
      createMemoryStorage({
        beforePut: (t, v) => {
          if (fault?.(t, v)) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        },
      }),
  ],
  ['dexie (fake-indexeddb)', () => openDexieStorage({ name: `contract-${dbCount++}`, watchTabs: false })],
];

const rowsOf = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ text: `row ${from + i}`, n: from + i }));

function meta(n: number, chunkCount: number, extra: Partial<CommitMeta> = {}): CommitMeta {
  return {
    rowCount: n,
    chunkCount,
    columns: [
      { name: 'text', kind: 'string' },
      { name: 'n', kind: 'number' },
    ],
    textFields: ['text'],
    fields: ['text', 'n'],
    classes: ['ham', 'spam'],
    splitCounts: { train: n, dev: 0, test: 0 },
    skippedRows: 0,
    notes: [],
    gold: new Int8Array(n).fill(-1),
    split: new Uint8Array(n),
    ...extra,
  };
}

/** Import n rows in chunks of 1000 and commit. */
async function importRows(s: ShoalStorage, projectId: string, n: number, extra: Partial<CommitMeta> = {}, datasetId?: string) {
  const p = await s.beginImport({ projectId, name: 'data', source: { fileNames: ['d.csv'], format: 'csv', bytes: 10 }, datasetId });
  const chunks = Math.ceil(n / 1000);
  for (let c = 0; c < chunks; c++) await s.putRowChunk(p.versionId, c, rowsOf(c * 1000, Math.min(1000, n - c * 1000)));
  const v = await s.commitImport(p.versionId, meta(n, chunks, extra));
  return { ...p, v };
}

/** A small classifier of a version with `dev` dev and `test` test rows, k = 2. */
function classifierOf(
  projectId: string,
  versionId: string,
  id: string,
  createdAt: number,
  dev: number,
  test: number,
): [ClassifierRecord, StoredClassifierModel] {
  const dim = 4;
  const record: ClassifierRecord = {
    id,
    projectId,
    versionId,
    runId: 'run-1',
    lfHashes: ['hA', 'hB'],
    labelModel: 'metal',
    settings: { wordNgrams: [1, 2], learningRate: 0.5 },
    metrics: { devAccuracy: 0.75, testAccuracy: 0.5 },
    curve: [{ epoch: 1, maxEpochs: 3, loss: 0.6, devScore: 0.7, best: true, targets: 'soft' }],
    bestEpoch: 1,
    targets: 'soft',
    trainRows: 10,
    backend: 'cpu',
    ms: 12,
    k: 2,
    createdAt,
  };
  const model: StoredClassifierModel = {
    classifier: {
      features: { buckets: 16, wordNgrams: [1, 2], charNgrams: [0, 0], sublinearTf: true, charWeight: 0.3 },
      vocab: {
        buckets: 16,
        remap: Int32Array.from({ length: 16 }, (_, i) => (i < 3 ? i + 1 : 0)),
        idf: Float32Array.from([0, 1, 1.5, 2]),
        size: 4,
      },
      model: { dim, k: 2, weights: Float32Array.from({ length: dim * 2 }, (_, i) => i / 10), bias: Float32Array.from([0.1, -0.1]) },
      classes: ['ham', 'spam'],
    },
    proba: { dev: new Float32Array(dev * 2).fill(0.5), test: Float32Array.from({ length: test * 2 }, (_, i) => (i % 2 ? 0.25 : 0.75)) },
  };
  return [record, model];
}

function lf(projectId: string, name: string, hash: string, order = 0): LfRecord {
  return {
    id: `lf-${name}`,
    projectId,
    name,
    kind: 'keyword',
    config: { words: [name] },
    sourceHash: hash,
    enabled: true,
    order,
    createdAt: 1,
    updatedAt: 1,
  };
}

describe.each(factories)('storage contract: %s', (_name, make) => {
  let s: ShoalStorage;
  afterEach(() => {
    fault = null;
    s?.close();
  });

  it('creates, lists, renames and deletes projects with everything under them', async () => {
    s = await make();
    const a = await s.createProject('A');
    const b = await s.createProject('B');
    await s.renameProject(a.id, 'A2');
    expect((await s.listProjects()).map((p) => p.name)).toEqual(['A2', 'B']);
    const { versionId } = await importRows(s, a.id, 10);
    await s.putLf(lf(a.id, 'kw', 'h1'));
    await s.putVotes({ sourceHash: 'h1', versionId, votes: new Int8Array(10), computedAt: 1 });
    await s.putSetting('theme', 'dark', a.id);
    await s.deleteProject(a.id);
    expect((await s.listProjects()).map((p) => p.id)).toEqual([b.id]);
    expect(await s.listDatasets(a.id)).toEqual([]);
    expect(await s.getVersion(versionId)).toBeUndefined();
    expect(await s.getVotes('h1', versionId)).toBeUndefined();
    expect(await s.listLfs(a.id)).toEqual([]);
    expect(await s.getSetting('theme', a.id)).toBeUndefined();
    await expect(s.renameProject(a.id, 'x')).rejects.toBeInstanceOf(ShoalError);
  });

  it("counts a project's dataset versions, pending ones included", async () => {
    s = await make();
    const empty = await s.createProject('E');
    const p = await s.createProject('P');
    expect(await s.countVersions(p.id)).toBe(0);
    const pend = await s.beginImport({ projectId: p.id, name: 'x', source: { fileNames: ['x'], format: 'csv', bytes: 1 } });
    expect(await s.countVersions(p.id)).toBe(1);
    await s.putRowChunk(pend.versionId, 0, rowsOf(0, 3));
    await s.commitImport(pend.versionId, meta(3, 1));
    await importRows(s, p.id, 2);
    expect(await s.countVersions(p.id)).toBe(2);
    expect(await s.countVersions(empty.id)).toBe(0);
    await s.deleteProject(p.id);
    expect(await s.countVersions(p.id)).toBe(0);
  });

  it('keeps an import invisible until its commit record is written', async () => {
    s = await make();
    const p = await s.createProject('P');
    const pend = await s.beginImport({ projectId: p.id, name: 'emails', source: { fileNames: ['e.csv'], format: 'csv', bytes: 1 } });
    await s.putRowChunk(pend.versionId, 0, rowsOf(0, 1000));
    await s.putRowChunk(pend.versionId, 1, rowsOf(1000, 500));
    expect(await s.listDatasets(p.id)).toEqual([]);
    expect(await s.getVersion(pend.versionId)).toBeUndefined();
    expect(await s.getRowChunk(pend.versionId, 0)).toBeUndefined();
    await expect(s.readRows(pend.versionId, 0, 10)).rejects.toThrow(/does not exist/);
    const gold = Int8Array.from({ length: 1500 }, (_, i) => (i % 3 === 0 ? -1 : i % 2));
    const split = Uint8Array.from({ length: 1500 }, (_, i) => i % 3);
    const v = await s.commitImport(pend.versionId, meta(1500, 2, { gold, split, ids: rowsOf(0, 1500).map((r) => `id${r.n}`) }));
    expect(v).toMatchObject({ status: 'committed', rowCount: 1500, chunkCount: 2 });
    const ds = await s.listDatasets(p.id);
    expect(ds).toMatchObject([{ id: pend.datasetId, name: 'emails', currentVersion: pend.versionId }]);
    const rows = await s.readRows(pend.versionId, 995, 1003);
    expect(rows.map((r) => r.n)).toEqual([995, 996, 997, 998, 999, 1000, 1001, 1002]);
    expect((await s.readRows(pend.versionId, 1490, 9999)).length).toBe(10);
    const g = await s.getColumn(pend.versionId, 'gold');
    expect(g).toBeInstanceOf(Int8Array);
    expect(Array.from(g!)).toEqual(Array.from(gold));
    expect(await s.getColumn(pend.versionId, 'split')).toBeInstanceOf(Uint8Array);
    expect((await s.getColumn(pend.versionId, 'ids'))![1499]).toBe('id1499');
    await expect(s.putRowChunk(pend.versionId, 2, [])).rejects.toThrow(/not in progress/);
  });

  it('refuses to commit an import with missing chunks or mis-sized columns', async () => {
    s = await make();
    const p = await s.createProject('P');
    const pend = await s.beginImport({ projectId: p.id, name: 'x', source: { fileNames: ['x'], format: 'csv', bytes: 1 } });
    await s.putRowChunk(pend.versionId, 0, rowsOf(0, 1000));
    await expect(s.commitImport(pend.versionId, meta(1500, 2))).rejects.toThrow(/has 1 row chunks; 2 were expected/);
    await expect(s.commitImport(pend.versionId, { ...meta(1000, 1), gold: new Int8Array(3) })).rejects.toThrow(/must have 1000 rows/);
    expect(await s.listDatasets(p.id)).toEqual([]);
  });

  it('aborts and cleans up pending imports, leaving committed data alone', async () => {
    s = await make();
    const p = await s.createProject('P');
    const kept = await importRows(s, p.id, 5);
    const a = await s.beginImport({ projectId: p.id, name: 'a', source: { fileNames: ['a'], format: 'csv', bytes: 1 } });
    await s.putRowChunk(a.versionId, 0, rowsOf(0, 10));
    await s.abortImport(a.versionId);
    await expect(s.putRowChunk(a.versionId, 1, rowsOf(0, 1))).rejects.toThrow(/not in progress/);
    const b = await s.beginImport({ projectId: p.id, name: 'b', source: { fileNames: ['b'], format: 'csv', bytes: 1 } });
    await s.putRowChunk(b.versionId, 0, rowsOf(0, 10));
    expect(await s.cleanupPending(60_000)).toBe(0); // still fresh: another tab may be writing it
    expect(await s.cleanupPending()).toBe(1);
    await expect(s.commitImport(b.versionId, meta(10, 1))).rejects.toThrow(/not in progress/);
    expect((await s.listDatasets(p.id)).map((d) => d.id)).toEqual([kept.datasetId]);
    expect((await s.readRows(kept.versionId, 0, 10)).length).toBe(5);
  });

  it('switches a dataset to a new version only when that version commits', async () => {
    s = await make();
    const p = await s.createProject('P');
    const first = await importRows(s, p.id, 3);
    const pend = await s.beginImport({
      projectId: p.id,
      name: 'data',
      source: { fileNames: ['d2'], format: 'csv', bytes: 1 },
      datasetId: first.datasetId,
    });
    await s.putRowChunk(pend.versionId, 0, rowsOf(100, 4));
    expect((await s.getDataset(first.datasetId))!.currentVersion).toBe(first.versionId);
    await s.commitImport(pend.versionId, meta(4, 1));
    expect((await s.getDataset(first.datasetId))!.currentVersion).toBe(pend.versionId);
    expect((await s.readRows(pend.versionId, 0, 10)).map((r) => r.n)).toEqual([100, 101, 102, 103]);
    expect((await s.listDatasets(p.id)).length).toBe(1);
    expect((await s.listVersions(first.datasetId)).map((v) => v.id)).toEqual([first.versionId, pend.versionId]);
    await expect(s.deleteVersion(pend.versionId)).rejects.toThrow(/current version/);
    await s.putVotes({ sourceHash: 'h', versionId: first.versionId, votes: new Int8Array(3), computedAt: 1 });
    await s.deleteVersion(first.versionId);
    expect((await s.listVersions(first.datasetId)).map((v) => v.id)).toEqual([pend.versionId]);
    expect(await s.getVotes('h', first.versionId)).toBeUndefined();
    expect(await s.getRowChunk(first.versionId, 0)).toBeUndefined();
  });

  it('stores external LF columns read-only with their votes, atomically with the commit', async () => {
    s = await make();
    const p = await s.createProject('P');
    const votes = Int8Array.from([0, -1, 1, 1]);
    const { versionId } = await importRows(s, p.id, 4, {
      externalLfs: [
        { name: 'wrench_lf_0', votes },
        { name: 'wrench_lf_1', votes: new Int8Array(4).fill(-1) },
      ],
    });
    const lfs = await s.listLfs(p.id);
    expect(lfs.map((l) => [l.name, l.kind, l.readonly])).toEqual([
      ['wrench_lf_0', 'external', true],
      ['wrench_lf_1', 'external', true],
    ]);
    const got = await s.getVotesMany([lfs[0].sourceHash, 'nope', lfs[1].sourceHash], versionId);
    expect(Array.from(got[0]!.votes)).toEqual([0, -1, 1, 1]);
    expect(got[1]).toBeUndefined();
    expect(got[2]!.votes).toBeInstanceOf(Int8Array);
  });

  it('keys votes by (LF source hash, dataset version) and keeps LF names unique', async () => {
    s = await make();
    const p = await s.createProject('P');
    const d1 = await importRows(s, p.id, 3);
    const d2 = await importRows(s, p.id, 2);
    await s.putLf(lf(p.id, 'free', 'hA', 1));
    await s.putLf(lf(p.id, 'money', 'hB', 0));
    await expect(s.putLf({ ...lf(p.id, 'free', 'hC'), id: 'other' })).rejects.toThrow(/already exists/);
    expect((await s.listLfs(p.id)).map((l) => l.name)).toEqual(['money', 'free']);
    await s.putVotes({ sourceHash: 'hA', versionId: d1.versionId, votes: Int8Array.from([1, -1, 0]), computedAt: 1 });
    await s.putVotes({ sourceHash: 'hA', versionId: d2.versionId, votes: Int8Array.from([0, 0]), computedAt: 1, error: 'row 2: boom' });
    expect(Array.from((await s.getVotes('hA', d1.versionId))!.votes)).toEqual([1, -1, 0]);
    expect((await s.getVotes('hA', d2.versionId))!.error).toBe('row 2: boom');
    expect(await s.getVotes('hB', d1.versionId)).toBeUndefined();
    await expect(s.putVotes({ sourceHash: 'hA', versionId: d1.versionId, votes: new Int8Array(2), computedAt: 1 })).rejects.toThrow(/3/);
    await s.deleteLf('lf-free');
    expect((await s.listLfs(p.id)).map((l) => l.name)).toEqual(['money']);
  });

  it('stores runs apart from their probabilities, and gold labels', async () => {
    s = await make();
    const p = await s.createProject('P');
    const { versionId } = await importRows(s, p.id, 3);
    const probs = Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.5, 0.5]);
    await s.putRun(
      { id: 'r1', projectId: p.id, versionId, model: 'mv', params: {}, lfHashes: ['hA'], metrics: { acc: 0.5 }, k: 2, n: 3, createdAt: 1 },
      probs,
    );
    const runs = await s.listRuns(p.id);
    expect(runs).toHaveLength(1);
    expect('probs' in runs[0]).toBe(false);
    const got = await s.getRunProbs('r1');
    expect(got).toBeInstanceOf(Float32Array);
    expect(Array.from(got!)).toEqual(Array.from(probs));
    await expect(s.putRun({ ...runs[0], id: 'r2' }, new Float32Array(5))).rejects.toThrow(/expected 3×2/);
    await s.deleteRun('r1');
    expect(await s.getRunProbs('r1')).toBeUndefined();
    await s.putGold(versionId, Int8Array.from([1, 0, -1]));
    expect(Array.from((await s.getColumn(versionId, 'gold'))!)).toEqual([1, 0, -1]);
    await expect(s.putGold(versionId, new Int8Array(2))).rejects.toThrow(/3/);
  });

  it('keeps flags per (version, row): replaced, listed in row order, deleted alone or with their version', async () => {
    s = await make();
    const p = await s.createProject('P');
    const { versionId } = await importRows(s, p.id, 5);
    const flag = (row: number, note: string) => ({ versionId, projectId: p.id, row, reason: 'unsure', note, createdAt: 1, updatedAt: 1 });
    await s.putFlag(flag(3, 'sarcasm?'));
    await s.putFlag(flag(1, 'two topics'));
    await s.putFlag(flag(3, 'sarcasm, surely'));
    expect((await s.listFlags(versionId)).map((f) => [f.row, f.note])).toEqual([
      [1, 'two topics'],
      [3, 'sarcasm, surely'],
    ]);
    expect(Object.keys((await s.listFlags(versionId))[0]).sort()).toEqual(
      ['createdAt', 'note', 'projectId', 'reason', 'row', 'updatedAt', 'versionId'].sort(),
    );
    await expect(s.putFlag(flag(5, 'past the end'))).rejects.toThrow(/Row 5 is outside the dataset \(5 rows\)/);
    await s.deleteFlag(versionId, 1);
    expect((await s.listFlags(versionId)).map((f) => f.row)).toEqual([3]);
    // Through a project file, in the same transaction as the gold labels.
    await s.putProjectParts({
      gold: { versionId, gold: Int8Array.from([0, -1, -1, 1, -1]) },
      lfs: [],
      settings: [],
      flags: [flag(0, 'from a file')],
    });
    expect((await s.listFlags(versionId)).map((f) => f.row)).toEqual([0, 3]);
    await s.deleteProject(p.id);
    expect(await s.listFlags(versionId)).toEqual([]);
  });

  it('keeps the newest trained classifier of a version, with its weights, and deletes it with its data', async () => {
    s = await make();
    const p = await s.createProject('P');
    const split = Uint8Array.from([0, 0, 1, 1, 1, 2]); // 2 train, 3 dev, 1 test
    const { versionId, datasetId } = await importRows(s, p.id, 6, { split, splitCounts: { train: 2, dev: 3, test: 1 } });
    const [rec1, m1] = classifierOf(p.id, versionId, 'clf-1', 1, 3, 1);
    await s.putClassifier(rec1, m1);
    expect(await s.latestClassifier(versionId)).toEqual(rec1);
    const got = (await s.getClassifierModel('clf-1'))!;
    // Typed arrays come back as typed arrays, bit for bit: ONNX export must work from them.
    expect(got.classifier.model.weights).toBeInstanceOf(Float32Array);
    expect(Array.from(got.classifier.model.weights)).toEqual(Array.from(m1.classifier.model.weights));
    expect(got.classifier.vocab.remap).toBeInstanceOf(Int32Array);
    expect(Array.from(got.classifier.vocab.idf)).toEqual(Array.from(m1.classifier.vocab.idf));
    expect(got.classifier.features.wordNgrams).toEqual([1, 2]);
    expect(Array.from(got.proba.test)).toEqual([0.75, 0.25]);
    // A newer one replaces it.
    const [rec2, m2] = classifierOf(p.id, versionId, 'clf-2', 2, 3, 1);
    await s.putClassifier({ ...rec2, runId: 'run-2' }, m2);
    expect((await s.latestClassifier(versionId))!.runId).toBe('run-2');
    expect((await s.listClassifiers(p.id)).map((c) => c.id)).toEqual(['clf-2']);
    expect(await s.getClassifierModel('clf-1')).toBeUndefined();
    // Wrong shapes are refused with the reason.
    const [bad, badModel] = classifierOf(p.id, versionId, 'clf-3', 3, 2, 1);
    await expect(s.putClassifier(bad, badModel)).rejects.toThrow(/dev probabilities have 4 values, expected 3×2/);
    await expect(s.putClassifier({ ...bad, versionId: 'nope' }, m2)).rejects.toThrow(/does not exist/);
    await s.deleteClassifier('clf-2');
    expect(await s.latestClassifier(versionId)).toBeUndefined();
    expect(await s.getClassifierModel('clf-2')).toBeUndefined();
    // Deleting the dataset, or the project, takes its classifier along.
    await s.putClassifier(...classifierOf(p.id, versionId, 'clf-4', 4, 3, 1));
    await s.deleteDataset(datasetId);
    expect(await s.latestClassifier(versionId)).toBeUndefined();
    expect(await s.getClassifierModel('clf-4')).toBeUndefined();
    const again = await importRows(s, p.id, 6, { split, splitCounts: { train: 2, dev: 3, test: 1 } });
    await s.putClassifier(...classifierOf(p.id, again.versionId, 'clf-5', 5, 3, 1));
    await s.deleteProject(p.id);
    expect(await s.listClassifiers(p.id)).toEqual([]);
    expect(await s.getClassifierModel('clf-5')).toBeUndefined();
  });

  it('returns stored row chunks exactly, as rows or column-wise, whatever their shape', async () => {
    s = await make();
    const { id: projectId } = await s.createProject('rows');
    const p = await s.beginImport({
      projectId,
      name: 'data',
      source: { fileNames: ['d.jsonl'], format: 'jsonl', bytes: 10 },
      datasetId: undefined,
    });
    const regular: Row[] = [
      { text: 'Ünïcode 😀', n: 1, ok: true },
      { text: '', n: null, ok: false },
      { text: 'a\u0000b', n: -2.5, ok: true },
    ];
    const irregular: Row[] = [{ text: 'x', n: 1 }, { n: 2, text: 'y' }, { text: 'z' }];
    await s.putRowChunk(p.versionId, 0, regular);
    await s.putRowChunk(p.versionId, 1, irregular);
    await s.commitImport(p.versionId, meta(6, 2, { rowsPerChunk: 3 }));
    const all = await s.readRows(p.versionId, 0, 6);
    expect(all).toEqual([...regular, ...irregular]);
    expect(all.map((r) => Object.keys(r))).toEqual([...regular, ...irregular].map((r) => Object.keys(r)));
    expect(await s.getRowChunk(p.versionId, 0)).toEqual(regular);
    const all0 = (await s.getChunkColumns(p.versionId, 0)) as ColumnChunk;
    expect({ ...all0, columns: all0.columns.map((c) => columnArray(c, 3)) }).toEqual({
      start: 0,
      length: 3,
      fields: ['text', 'n', 'ok'],
      columns: [regular.map((r) => r.text), [1, null, -2.5], [true, false, true]],
    });
    // The string column stays packed (one string and its offsets): cheap to post to a worker.
    expect(all0.columns[0]).toEqual({ text: regular.map((r) => r.text).join(''), offsets: Uint32Array.from([0, 10, 10, 13]) });
    const some = (await s.getChunkColumns(p.versionId, 0, ['ok', 'text'])) as ColumnChunk;
    expect(unpackRows(structuredClone(some))).toEqual(regular.map((r) => ({ text: r.text, ok: r.ok })));
    expect(await s.getChunkColumns(p.versionId, 1, ['text'])).toEqual({ start: 3, rows: irregular });
    expect(await s.getChunkColumns(p.versionId, 2)).toBeUndefined();
    expect(await s.getChunkColumns('nope', 0)).toBeUndefined();
    // A pending import's chunks are not readable; a deleted version's chunks are gone.
    const pending = await s.beginImport({ projectId, name: 'more', source: { fileNames: ['e.csv'], format: 'csv', bytes: 1 } });
    await s.putRowChunk(pending.versionId, 0, regular);
    expect(await s.getChunkColumns(pending.versionId, 0)).toBeUndefined();
    await s.deleteDataset(p.datasetId);
    expect(await s.getChunkColumns(p.versionId, 0)).toBeUndefined();
  });

  it('keeps global and per-project settings apart', async () => {
    s = await make();
    await s.putSetting('seed', 1);
    await s.putSetting('seed', 2, 'p1');
    expect(await s.getSetting('seed')).toBe(1);
    expect(await s.getSetting('seed', 'p1')).toBe(2);
    expect(await s.getSetting('missing')).toBeUndefined();
  });

  it('turns a full disk into a clear message and keeps earlier data intact', async () => {
    s = await make();
    const p = await s.createProject('P');
    const before = await importRows(s, p.id, 1500, { externalLfs: [{ name: 'x', votes: new Int8Array(1500) }] });
    // Full while writing rows.
    const pend = await s.beginImport({ projectId: p.id, name: 'big', source: { fileNames: ['big.csv'], format: 'csv', bytes: 1 } });
    await s.putRowChunk(pend.versionId, 0, rowsOf(0, 1000));
    fault = (t) => t === 'chunks';
    const err = await s.putRowChunk(pend.versionId, 1, rowsOf(1000, 1000)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageFullError);
    expect((err as Error).message).toMatch(
      /^Browser storage is full, so the import \(rows 1001…\) was not saved \(earlier data is intact\)/,
    );
    // Full at the very last write of the commit: nothing of the commit may remain.
    fault = (t, v) => t === 'versions' && v.status === 'committed';
    await expect(
      s.commitImport(pend.versionId, meta(1000, 1, { externalLfs: [{ name: 'y', votes: new Int8Array(1000) }] })),
    ).rejects.toBeInstanceOf(StorageFullError);
    fault = null;
    expect((await s.listDatasets(p.id)).map((d) => d.id)).toEqual([before.datasetId]);
    expect(await s.getVersion(pend.versionId)).toBeUndefined();
    expect((await s.listLfs(p.id)).map((l) => l.name)).toEqual(['x']);
    expect(await s.getColumn(pend.versionId, 'gold')).toBeUndefined();
    expect((await s.readRows(before.versionId, 0, 2000)).length).toBe(1500);
    // The failed import can be cleaned up and retried.
    expect(await s.cleanupPending()).toBe(1);
    const again = await importRows(s, p.id, 10);
    expect((await s.getVersion(again.versionId))!.rowCount).toBe(10);
  });
  it('stores several LFs in one transaction: a full disk midway keeps the old order whole', async () => {
    s = await make();
    const p = await s.createProject('P');
    const a = lf(p.id, 'a', 'hA', 0);
    const b = lf(p.id, 'b', 'hB', 1);
    const c = lf(p.id, 'c', 'hC', 2);
    await s.putLfs([a, b, c]);
    expect((await s.listLfs(p.id)).map((l) => l.name)).toEqual(['a', 'b', 'c']);
    // Reverse the order; the second put finds the disk full.
    let puts = 0;
    fault = (t) => t === 'lfs' && ++puts === 2;
    const err = await s
      .putLfs([
        { ...a, order: 2 },
        { ...b, order: 1 },
        { ...c, order: 0 },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageFullError);
    expect((err as Error).message).toMatch(/^Browser storage is full, so the changes to 3 LFs were not saved \(earlier data is intact\)/);
    fault = null;
    expect((await s.listLfs(p.id)).map((l) => `${l.name}${l.order}`)).toEqual(['a0', 'b1', 'c2']);
    await s.putLfs([
      { ...a, order: 2 },
      { ...c, order: 0 },
    ]);
    expect((await s.listLfs(p.id)).map((l) => l.name)).toEqual(['c', 'b', 'a']);
    // Names stay unique across the batch and the stored LFs.
    await expect(s.putLfs([{ ...lf(p.id, 'b', 'hD', 3), id: 'other' }])).rejects.toThrow(/"b" already exists/);
    await expect(
      s.putLfs([
        { ...a, name: 'x' },
        { ...b, name: 'x' },
      ]),
    ).rejects.toThrow(/"x" already exists/);
    expect((await s.listLfs(p.id)).map((l) => l.name)).toEqual(['c', 'b', 'a']);
  });
  it('applies gold, LFs and settings of a project file in one transaction', async () => {
    s = await make();
    const p = await s.createProject('P');
    const { versionId } = await importRows(s, p.id, 3);
    await s.putLf(lf(p.id, 'a', 'hA', 0));
    await s.putSetting('model', { name: 'mv' }, p.id);
    const parts = {
      gold: { versionId, gold: Int8Array.from([1, 0, -1]) },
      lfs: [lf(p.id, 'b', 'hB', 1), lf(p.id, 'c', 'hC', 2)],
      settings: [{ key: 'model', value: { name: 'metal' }, projectId: p.id }],
    };
    // Full at the last write (the setting): the gold and LFs before it must not stay.
    fault = (t) => t === 'settings';
    const err = await s.putProjectParts(parts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageFullError);
    expect((err as Error).message).toMatch(/^Browser storage is full, so the imported project was not saved \(earlier data is intact\)/);
    fault = null;
    expect(Array.from((await s.getColumn(versionId, 'gold'))!)).toEqual([-1, -1, -1]);
    expect((await s.listLfs(p.id)).map((l) => l.name)).toEqual(['a']);
    expect(await s.getSetting('model', p.id)).toEqual({ name: 'mv' });
    await s.putProjectParts(parts);
    expect(Array.from((await s.getColumn(versionId, 'gold'))!)).toEqual([1, 0, -1]);
    expect((await s.listLfs(p.id)).map((l) => l.name)).toEqual(['a', 'b', 'c']);
    expect(await s.getSetting('model', p.id)).toEqual({ name: 'metal' });
  });
});
