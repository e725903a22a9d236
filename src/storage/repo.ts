/**
 * The repository logic of the storage seam, written once over `Backend` (IndexedDB or
 * memory): cascading deletes, the pending → committed import protocol, vote and column
 * keys. See types.ts for the layout and why.
 */
import { uniqueLfName } from '../core/lf/names.ts';
import type { TextIndexMeta, TextIndexShard } from '../core/text-index/index.ts';
import { ShoalError } from '../core/types.ts';
import type { Row } from '../core/formats/types.ts';
import type { Backend, Rec, TableName } from './backend.ts';
import { guardWrite } from './errors.ts';
import { decodeColumns, decodeRows, encodeRowChunk } from './chunk-format.ts';
import type { ColumnChunk } from '../core/lf/columns.ts';
import type { RowChunk } from '../core/lf/types.ts';
import {
  newId,
  ROWS_PER_CHUNK,
  type BeginImport,
  type ClassifierRecord,
  type ColumnName,
  type CommitMeta,
  type DatasetRecord,
  type DatasetVersionRecord,
  type FlagRecord,
  type LfRecord,
  type PendingImport,
  type ProjectParts,
  type ProjectRecord,
  type RunRecord,
  type ShoalStorage,
  type StorageEvent,
  type StoredClassifierModel,
  type VoteRecord,
} from './types.ts';

const chunkKey = (versionId: string, index: number): string => `${versionId}/${index}`;
const columnKey = (versionId: string, name: ColumnName | TextIndexColumn): string => `${versionId}/${name}`;
const voteKey = (sourceHash: string, versionId: string): string => `${sourceHash}@${versionId}`;
const settingKey = (key: string, projectId?: string): string => `${projectId ?? '*'}/${key}`;
const flagKey = (versionId: string, row: number): string => `${versionId}/${row}`;

/** Typed views of stored records (the backend stores plain objects). */
const as = <T>(r: Rec | undefined): T | undefined => r as T | undefined;

export class RepoStorage implements Omit<ShoalStorage, 'kind'> {
  private readonly listeners = new Set<(e: StorageEvent) => void>();

  constructor(protected readonly db: Backend) {}

  protected emit(e: StorageEvent): void {
    for (const l of this.listeners) l(e);
  }

  onEvent(listener: (e: StorageEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.db.close();
    this.emit({ type: 'closed' });
  }

  // ── projects ─────────────────────────────────────────────────────────────────────────
  async createProject(name: string): Promise<ProjectRecord> {
    const now = Date.now();
    const p: ProjectRecord = { id: newId('prj'), name, createdAt: now, updatedAt: now };
    await guardWrite(`project "${name}"`, () => this.db.tx('rw', ['projects'], () => this.db.put('projects', p)));
    return p;
  }

  async getProject(id: string): Promise<ProjectRecord | undefined> {
    return as<ProjectRecord>(await this.db.get('projects', id));
  }

  async listProjects(): Promise<ProjectRecord[]> {
    const all = (await this.db.all('projects')) as ProjectRecord[];
    return all.sort((a, b) => a.createdAt - b.createdAt);
  }

  async renameProject(id: string, name: string): Promise<void> {
    await guardWrite('the project name', () =>
      this.db.tx('rw', ['projects'], async () => {
        const p = as<ProjectRecord>(await this.db.get('projects', id));
        if (!p) throw new ShoalError(`Project ${id} does not exist.`);
        await this.db.put('projects', { ...p, name, updatedAt: Date.now() });
      }),
    );
  }

  /**
   * Mark a project as changed now, inside the caller's transaction (which must include
   * 'projects'): the project list shows it as "modified". Called by writes a user makes — data,
   * LFs, gold labels, label-model runs, classifiers — not by computed votes or view settings.
   */
  private async touch(projectId: string): Promise<void> {
    const p = as<ProjectRecord>(await this.db.get('projects', projectId));
    if (p) await this.db.put('projects', { ...p, updatedAt: Date.now() });
  }

  async deleteProject(id: string): Promise<void> {
    const all: TableName[] = [
      'projects',
      'datasets',
      'versions',
      'chunks',
      'columns',
      'lfs',
      'votes',
      'runs',
      'runProbs',
      'classifiers',
      'classifierModels',
      'settings',
      'flags',
    ];
    await this.db.tx('rw', all, async () => {
      for (const v of (await this.db.where('versions', 'projectId', id)) as DatasetVersionRecord[]) await this.dropVersionData(v.id);
      await this.db.deleteWhere('versions', 'projectId', id);
      await this.db.deleteWhere('datasets', 'projectId', id);
      await this.db.deleteWhere('lfs', 'projectId', id);
      for (const r of (await this.db.where('runs', 'projectId', id)) as RunRecord[]) await this.db.delete('runProbs', r.id);
      await this.db.deleteWhere('runs', 'projectId', id);
      for (const c of (await this.db.where('classifiers', 'projectId', id)) as ClassifierRecord[])
        await this.db.delete('classifierModels', c.id);
      await this.db.deleteWhere('classifiers', 'projectId', id);
      await this.db.deleteWhere('settings', 'projectId', id);
      await this.db.deleteWhere('flags', 'projectId', id);
      await this.db.delete('projects', id);
    });
  }

  async countVersions(projectId: string): Promise<number> {
    return this.db.countWhere('versions', 'projectId', projectId);
  }

  /** Rows, columns, votes, runs, classifiers and flags of one version (not the version record itself). */
  private async dropVersionData(versionId: string): Promise<void> {
    await this.db.deleteWhere('chunks', 'versionId', versionId);
    await this.db.deleteWhere('flags', 'versionId', versionId);
    await this.db.deleteWhere('columns', 'versionId', versionId);
    await this.db.deleteWhere('votes', 'versionId', versionId);
    for (const r of (await this.db.where('runs', 'versionId', versionId)) as RunRecord[]) {
      await this.db.delete('runProbs', r.id);
      await this.db.delete('runs', r.id);
    }
    for (const c of (await this.db.where('classifiers', 'versionId', versionId)) as ClassifierRecord[]) {
      await this.db.delete('classifierModels', c.id);
      await this.db.delete('classifiers', c.id);
    }
  }

  // ── datasets and versions ────────────────────────────────────────────────────────────
  async listDatasets(projectId: string): Promise<DatasetRecord[]> {
    const all = (await this.db.where('datasets', 'projectId', projectId)) as DatasetRecord[];
    return all.sort((a, b) => a.createdAt - b.createdAt);
  }

  async getDataset(id: string): Promise<DatasetRecord | undefined> {
    return as<DatasetRecord>(await this.db.get('datasets', id));
  }

  async getVersion(versionId: string): Promise<DatasetVersionRecord | undefined> {
    const v = as<DatasetVersionRecord>(await this.db.get('versions', versionId));
    return v && v.status === 'committed' ? v : undefined;
  }

  async listVersions(datasetId: string): Promise<DatasetVersionRecord[]> {
    const all = (await this.db.where('versions', 'datasetId', datasetId)) as DatasetVersionRecord[];
    return all.filter((v) => v.status === 'committed').sort((a, b) => a.createdAt - b.createdAt);
  }

  async deleteVersion(versionId: string): Promise<void> {
    await this.db.tx(
      'rw',
      ['datasets', 'versions', 'chunks', 'columns', 'votes', 'runs', 'runProbs', 'classifiers', 'classifierModels', 'flags'],
      async () => {
        const v = as<DatasetVersionRecord>(await this.db.get('versions', versionId));
        if (!v || v.status !== 'committed') return;
        const ds = as<DatasetRecord>(await this.db.get('datasets', v.datasetId));
        if (ds?.currentVersion === versionId)
          throw new ShoalError(`Version ${versionId} is the current version of "${ds.name}"; delete the dataset instead.`);
        await this.dropVersionData(versionId);
        await this.db.delete('versions', versionId);
      },
    );
  }

  async deleteDataset(id: string): Promise<void> {
    await this.db.tx(
      'rw',
      ['datasets', 'versions', 'chunks', 'columns', 'votes', 'runs', 'runProbs', 'classifiers', 'classifierModels', 'flags'],
      async () => {
        for (const v of (await this.db.where('versions', 'datasetId', id)) as DatasetVersionRecord[]) {
          await this.dropVersionData(v.id);
          await this.db.delete('versions', v.id);
        }
        await this.db.delete('datasets', id);
      },
    );
  }

  // ── import: pending → committed ──────────────────────────────────────────────────────
  async beginImport(init: BeginImport): Promise<PendingImport> {
    if (!(await this.getProject(init.projectId))) throw new ShoalError(`Project ${init.projectId} does not exist.`);
    if (init.datasetId && !(await this.getDataset(init.datasetId))) throw new ShoalError(`Dataset ${init.datasetId} does not exist.`);
    const now = Date.now();
    const v: DatasetVersionRecord = {
      id: newId('ver'),
      datasetId: init.datasetId ?? newId('ds'),
      projectId: init.projectId,
      status: 'pending',
      createdAt: now,
      heartbeatAt: now,
      source: init.source,
      rowCount: 0,
      chunkCount: 0,
      rowsPerChunk: ROWS_PER_CHUNK,
      columns: [],
      textFields: [],
      fields: [],
      classes: [],
      splitCounts: { train: 0, dev: 0, test: 0 },
      skippedRows: 0,
      notes: [],
    };
    // The dataset name travels in the pending record until commit creates the dataset.
    await guardWrite(`the import of ${init.source.fileNames.join(', ')}`, () =>
      this.db.tx('rw', ['versions'], () => this.db.put('versions', { ...v, pendingName: init.name })),
    );
    return { versionId: v.id, datasetId: v.datasetId };
  }

  private async pending(versionId: string): Promise<DatasetVersionRecord & { pendingName?: string }> {
    const v = as<DatasetVersionRecord & { pendingName?: string }>(await this.db.get('versions', versionId));
    if (!v || v.status !== 'pending')
      throw new ShoalError(`Import ${versionId} is not in progress (it was cancelled, cleaned up or already finished).`);
    return v;
  }

  async putRowChunk(versionId: string, index: number, rows: Row[], firstRow = index * ROWS_PER_CHUNK): Promise<void> {
    await guardWrite(`the import (rows ${firstRow + 1}…)`, () =>
      this.db.tx('rw', ['versions', 'chunks'], async () => {
        const v = await this.pending(versionId);
        await this.db.put('chunks', { key: chunkKey(versionId, index), versionId, index, ...encodeRowChunk(rows) });
        await this.db.put('versions', { ...v, heartbeatAt: Date.now() });
      }),
    );
  }

  async commitImport(versionId: string, meta: CommitMeta): Promise<DatasetVersionRecord> {
    const n = meta.rowCount;
    if (meta.gold.length !== n || meta.split.length !== n || (meta.ids && meta.ids.length !== n)) {
      throw new ShoalError(`Import ${versionId}: gold, split and id columns must have ${n} rows.`);
    }
    for (const x of meta.externalLfs ?? []) {
      if (x.votes.length !== n) throw new ShoalError(`External LF "${x.name}" has ${x.votes.length} votes for ${n} rows.`);
    }
    const tables: TableName[] = ['versions', 'datasets', 'columns', 'chunks', 'lfs', 'votes', 'projects'];
    return guardWrite('the imported dataset', () =>
      this.db.tx('rw', tables, async () => {
        const v = await this.pending(versionId);
        // Count keys rather than read the chunks back: a 1M-row import holds ~500 MB of rows.
        const present = await this.db.countWhere('chunks', 'versionId', versionId);
        if (present !== meta.chunkCount)
          throw new ShoalError(`Import ${versionId} has ${present} row chunks; ${meta.chunkCount} were expected.`);
        const now = Date.now();
        await this.db.put('columns', { key: columnKey(versionId, 'gold'), versionId, name: 'gold', data: meta.gold });
        await this.db.put('columns', { key: columnKey(versionId, 'split'), versionId, name: 'split', data: meta.split });
        if (meta.ids) await this.db.put('columns', { key: columnKey(versionId, 'ids'), versionId, name: 'ids', data: meta.ids });
        const existingLfs = (await this.db.where('lfs', 'projectId', v.projectId)) as LfRecord[];
        let order = existingLfs.reduce((m, l) => Math.max(m, l.order + 1), 0);
        for (const [j, x] of (meta.externalLfs ?? []).entries()) {
          // One LF per external column of this dataset; a re-import reuses it by name.
          const sourceHash = `external:${v.datasetId}:${j}`;
          const existing = existingLfs.find((l) => l.sourceHash === sourceHash);
          if (!existing) {
            const lf: LfRecord = {
              id: newId('lf'),
              projectId: v.projectId,
              name: uniqueLfName(
                x.name,
                existingLfs.map((l) => l.name),
              ),
              kind: 'external',
              config: { datasetId: v.datasetId, column: j },
              sourceHash,
              enabled: true,
              order: order++,
              readonly: true,
              createdAt: now,
              updatedAt: now,
            };
            existingLfs.push(lf);
            await this.db.put('lfs', lf);
          }
          await this.db.put('votes', { key: voteKey(sourceHash, versionId), sourceHash, versionId, votes: x.votes, computedAt: now });
        }
        const ds = as<DatasetRecord>(await this.db.get('datasets', v.datasetId));
        await this.db.put(
          'datasets',
          ds
            ? { ...ds, currentVersion: versionId }
            : { id: v.datasetId, projectId: v.projectId, name: v.pendingName ?? 'dataset', createdAt: now, currentVersion: versionId },
        );
        const { pendingName: _drop, ...rest } = v;
        void _drop;
        const committed: DatasetVersionRecord = {
          ...rest,
          status: 'committed',
          heartbeatAt: now,
          rowCount: n,
          chunkCount: meta.chunkCount,
          rowsPerChunk: meta.rowsPerChunk ?? ROWS_PER_CHUNK,
          columns: meta.columns,
          textFields: meta.textFields,
          fields: meta.fields,
          idField: meta.idField,
          labelField: meta.labelField,
          ...(meta.lfsReadGold ? { lfsReadGold: true } : {}),
          classes: meta.classes,
          splitCounts: meta.splitCounts,
          skippedRows: meta.skippedRows,
          notes: meta.notes,
        };
        await this.touch(v.projectId);
        // The commit record goes last: until here nothing of this import is visible.
        await this.db.put('versions', committed);
        return committed;
      }),
    );
  }

  async abortImport(versionId: string): Promise<void> {
    const tables: TableName[] = ['versions', 'chunks', 'columns', 'votes', 'runs', 'runProbs', 'classifiers', 'classifierModels', 'flags'];
    await this.db.tx('rw', tables, async () => {
      const v = as<DatasetVersionRecord>(await this.db.get('versions', versionId));
      if (!v || v.status !== 'pending') return;
      await this.dropVersionData(versionId);
      await this.db.delete('versions', versionId);
    });
  }

  async cleanupPending(olderThanMs = 0): Promise<number> {
    const now = Date.now();
    const stale = ((await this.db.where('versions', 'status', 'pending')) as DatasetVersionRecord[]).filter(
      (v) => now - v.heartbeatAt >= olderThanMs,
    );
    for (const v of stale) await this.abortImport(v.id);
    return stale.length;
  }

  // ── rows and columns ─────────────────────────────────────────────────────────────────
  async getRowChunk(versionId: string, index: number): Promise<Row[] | undefined> {
    if (!(await this.getVersion(versionId))) return undefined;
    const rec = await this.db.get('chunks', chunkKey(versionId, index));
    return rec ? decodeRows(rec) : undefined;
  }

  /** Versions `getChunkColumns` found committed → their rows per chunk (see there). */
  private readonly committedRowsPerChunk = new Map<string, number>();

  async getChunkColumns(
    versionId: string,
    index: number,
    fields: readonly string[] | null = null,
  ): Promise<ColumnChunk | RowChunk | undefined> {
    // A version never goes back from committed, and deleting it deletes its chunks in the same
    // transaction: once seen committed, reading the chunk alone answers (one request per chunk
    // instead of two, for the LF workers' 1000 reads per million rows).
    let per = this.committedRowsPerChunk.get(versionId);
    if (per === undefined) {
      const v = await this.getVersion(versionId);
      if (!v) return undefined;
      per = v.rowsPerChunk;
      this.committedRowsPerChunk.set(versionId, per);
    }
    const rec = await this.db.get('chunks', chunkKey(versionId, index));
    return rec ? decodeColumns(rec, index * per, fields) : undefined;
  }

  async readRows(versionId: string, start: number, end: number): Promise<Row[]> {
    const v = await this.getVersion(versionId);
    if (!v) throw new ShoalError(`Dataset version ${versionId} does not exist.`);
    const from = Math.max(0, start);
    const to = Math.min(v.rowCount, end);
    if (to <= from) return [];
    const per = v.rowsPerChunk;
    const first = Math.floor(from / per);
    const last = Math.floor((to - 1) / per);
    const keys = Array.from({ length: last - first + 1 }, (_, i) => chunkKey(versionId, first + i));
    const chunks = await this.db.bulkGet('chunks', keys);
    const out: Row[] = [];
    chunks.forEach((c, i) => {
      const rows = c ? decodeRows(c) : [];
      const base = (first + i) * per;
      for (let r = Math.max(from - base, 0); r < rows.length && base + r < to; r++) out.push(rows[r]);
    });
    return out;
  }

  getColumn(versionId: string, name: 'gold'): Promise<Int8Array | undefined>;
  getColumn(versionId: string, name: 'split'): Promise<Uint8Array | undefined>;
  getColumn(versionId: string, name: 'ids'): Promise<string[] | undefined>;
  async getColumn(versionId: string, name: ColumnName): Promise<Int8Array | Uint8Array | string[] | undefined> {
    if (!(await this.getVersion(versionId))) return undefined;
    return (await this.db.get('columns', columnKey(versionId, name)))?.data;
  }

  async putGold(versionId: string, gold: Int8Array): Promise<void> {
    await guardWrite(
      'the gold labels',
      () => this.db.tx('rw', ['versions', 'columns', 'projects'], () => this.writeGold(versionId, gold)),
      true,
    );
  }

  async putTextIndex(versionId: string, meta: TextIndexMeta, shards: readonly TextIndexShard[]): Promise<void> {
    await guardWrite('the word index', () =>
      this.db.tx('rw', ['versions', 'columns'], async () => {
        const v = await this.getVersion(versionId);
        if (!v) throw new ShoalError(`Dataset version ${versionId} does not exist.`);
        if (meta.rowCount !== v.rowCount)
          throw new ShoalError(`The word index covers ${meta.rowCount} rows; the dataset has ${v.rowCount}.`);
        if (shards.length !== meta.shards) throw new ShoalError(`The word index has ${shards.length} of its ${meta.shards} shards.`);
        // Meta last: within the transaction order does not matter, but a reader keys on it.
        await this.db.delete('columns', columnKey(versionId, TEXT_INDEX_META));
        for (const sh of shards)
          await this.db.put('columns', {
            key: columnKey(versionId, textIndexShardName(sh.shard)),
            versionId,
            name: textIndexShardName(sh.shard),
            data: sh,
          });
        await this.db.put('columns', { key: columnKey(versionId, TEXT_INDEX_META), versionId, name: TEXT_INDEX_META, data: meta });
      }),
    );
  }

  async getTextIndexMeta(versionId: string): Promise<TextIndexMeta | undefined> {
    if (!(await this.getVersion(versionId))) return undefined;
    return (await this.db.get('columns', columnKey(versionId, TEXT_INDEX_META)))?.data;
  }

  async getTextIndexShard(versionId: string, shard: number): Promise<TextIndexShard | undefined> {
    return (await this.db.get('columns', columnKey(versionId, textIndexShardName(shard))))?.data;
  }

  /** The writes of putGold, inside the caller's transaction (the memory backend's do not nest). */
  private async writeGold(versionId: string, gold: Int8Array): Promise<void> {
    const v = await this.getVersion(versionId);
    if (!v) throw new ShoalError(`Dataset version ${versionId} does not exist.`);
    if (gold.length !== v.rowCount) throw new ShoalError(`Gold labels have ${gold.length} rows; the dataset has ${v.rowCount}.`);
    await this.db.put('columns', { key: columnKey(versionId, 'gold'), versionId, name: 'gold', data: gold });
    await this.touch(v.projectId);
  }

  // ── flags ────────────────────────────────────────────────────────────────────────────
  async listFlags(versionId: string): Promise<FlagRecord[]> {
    const all = (await this.db.where('flags', 'versionId', versionId)).map((r) => stripKey<FlagRecord>(r));
    return all.sort((a, b) => a.row - b.row);
  }

  async putFlag(flag: FlagRecord): Promise<void> {
    await guardWrite(`the flag on row ${flag.row + 1}`, () =>
      this.db.tx('rw', ['versions', 'flags', 'projects'], () => this.writeFlag(flag)),
    );
  }

  /** The writes of putFlag, inside the caller's transaction. */
  private async writeFlag(flag: FlagRecord): Promise<void> {
    const v = await this.getVersion(flag.versionId);
    if (!v) throw new ShoalError(`Dataset version ${flag.versionId} does not exist.`);
    if (!Number.isInteger(flag.row) || flag.row < 0 || flag.row >= v.rowCount)
      throw new ShoalError(`Row ${flag.row} is outside the dataset (${v.rowCount} rows); the flag was not saved.`);
    await this.db.put('flags', { ...flag, key: flagKey(flag.versionId, flag.row) });
    await this.touch(v.projectId);
  }

  async deleteFlag(versionId: string, row: number): Promise<void> {
    await this.db.tx('rw', ['flags', 'projects'], async () => {
      const had = (await this.db.get('flags', flagKey(versionId, row))) as FlagRecord | undefined;
      await this.db.delete('flags', flagKey(versionId, row));
      if (had) await this.touch(had.projectId);
    });
  }

  // ── LFs and votes ────────────────────────────────────────────────────────────────────
  async putLf(lf: LfRecord): Promise<void> {
    await guardWrite(`LF "${lf.name}"`, () =>
      this.db.tx('rw', ['lfs', 'projects'], async () => {
        const clash = ((await this.db.where('lfs', 'projectId', lf.projectId)) as LfRecord[]).find(
          (o) => o.name === lf.name && o.id !== lf.id,
        );
        if (clash) throw new ShoalError(`An LF named "${lf.name}" already exists in this project; pick another name.`);
        await this.db.put('lfs', lf);
        await this.touch(lf.projectId);
      }),
    );
  }

  /**
   * Store several LFs of one project in one transaction (a reorder, an undo that restores one
   * and moves the rest): a full disk leaves all of them as they were, never half the order.
   */
  async putLfs(lfs: readonly LfRecord[]): Promise<void> {
    if (lfs.length === 0) return;
    await guardWrite(
      lfs.length === 1 ? `LF "${lfs[0].name}"` : `the changes to ${lfs.length} LFs`,
      () => this.db.tx('rw', ['lfs', 'projects'], () => this.writeLfs(lfs)),
      lfs.length > 1,
    );
  }

  private async writeLfs(lfs: readonly LfRecord[]): Promise<void> {
    if (lfs.length === 0) return;
    const byId = new Map<string, LfRecord>();
    for (const o of (await this.db.where('lfs', 'projectId', lfs[0].projectId)) as LfRecord[]) byId.set(o.id, o);
    for (const lf of lfs) {
      if (lf.projectId !== lfs[0].projectId)
        throw new ShoalError(`LF "${lf.name}" belongs to another project than "${lfs[0].name}"; store them apart.`);
      byId.set(lf.id, lf);
    }
    const seen = new Map<string, string>();
    for (const o of byId.values()) {
      if (seen.has(o.name) && seen.get(o.name) !== o.id)
        throw new ShoalError(`An LF named "${o.name}" already exists in this project; pick another name.`);
      seen.set(o.name, o.id);
    }
    for (const lf of lfs) await this.db.put('lfs', lf);
    await this.touch(lfs[0].projectId);
  }

  /**
   * Gold labels, LFs and project settings in one transaction (a project file applied to the
   * open dataset): a full disk leaves the project exactly as it was.
   */
  async putProjectParts(parts: ProjectParts): Promise<void> {
    const { gold, lfs, settings, flags } = parts;
    await guardWrite('the imported project', () =>
      this.db.tx('rw', ['versions', 'columns', 'lfs', 'settings', 'projects', 'flags'], async () => {
        if (gold) await this.writeGold(gold.versionId, gold.gold);
        for (const f of flags ?? []) await this.writeFlag(f);
        await this.writeLfs(lfs);
        for (const x of settings)
          await this.db.put('settings', { key: settingKey(x.key, x.projectId), projectId: x.projectId ?? '*', value: x.value });
      }),
    );
  }

  async getLf(id: string): Promise<LfRecord | undefined> {
    return as<LfRecord>(await this.db.get('lfs', id));
  }

  async listLfs(projectId: string): Promise<LfRecord[]> {
    const all = (await this.db.where('lfs', 'projectId', projectId)) as LfRecord[];
    return all.sort((a, b) => a.order - b.order || a.createdAt - b.createdAt);
  }

  async deleteLf(id: string): Promise<void> {
    await this.db.tx('rw', ['lfs', 'projects'], async () => {
      const lf = as<LfRecord>(await this.db.get('lfs', id));
      await this.db.delete('lfs', id);
      if (lf) await this.touch(lf.projectId);
    });
  }

  async putVotes(record: VoteRecord): Promise<void> {
    const v = await this.getVersion(record.versionId);
    if (!v) throw new ShoalError(`Dataset version ${record.versionId} does not exist.`);
    if (record.votes.length !== v.rowCount) throw new ShoalError(`Votes have ${record.votes.length} rows; the dataset has ${v.rowCount}.`);
    await guardWrite(
      'the LF votes',
      () => this.db.tx('rw', ['votes'], () => this.db.put('votes', { ...record, key: voteKey(record.sourceHash, record.versionId) })),
      true,
    );
  }

  async getVotes(sourceHash: string, versionId: string): Promise<VoteRecord | undefined> {
    const r = await this.db.get('votes', voteKey(sourceHash, versionId));
    return r ? stripKey<VoteRecord>(r) : undefined;
  }

  async getVotesMany(sourceHashes: string[], versionId: string): Promise<(VoteRecord | undefined)[]> {
    const rs = await this.db.bulkGet(
      'votes',
      sourceHashes.map((h) => voteKey(h, versionId)),
    );
    return rs.map((r) => (r ? stripKey<VoteRecord>(r) : undefined));
  }

  // ── runs ─────────────────────────────────────────────────────────────────────────────
  async putRun(run: RunRecord, probs: Float32Array): Promise<void> {
    if (probs.length !== run.n * run.k)
      throw new ShoalError(`Run ${run.id}: probabilities have ${probs.length} values, expected ${run.n}×${run.k}.`);
    await guardWrite('the label-model run', () =>
      this.db.tx('rw', ['runs', 'runProbs', 'projects'], async () => {
        await this.db.put('runProbs', { runId: run.id, probs });
        await this.db.put('runs', run);
        await this.touch(run.projectId);
      }),
    );
  }

  async listRuns(projectId: string): Promise<RunRecord[]> {
    const all = (await this.db.where('runs', 'projectId', projectId)) as RunRecord[];
    return all.sort((a, b) => a.createdAt - b.createdAt);
  }

  async getRunProbs(runId: string): Promise<Float32Array | undefined> {
    return (await this.db.get('runProbs', runId))?.probs as Float32Array | undefined;
  }

  async deleteRun(id: string): Promise<void> {
    await this.db.tx('rw', ['runs', 'runProbs'], async () => {
      await this.db.delete('runProbs', id);
      await this.db.delete('runs', id);
    });
  }

  // ── classifiers ──────────────────────────────────────────────────────────────────────
  async putClassifier(record: ClassifierRecord, model: StoredClassifierModel): Promise<void> {
    const v = await this.getVersion(record.versionId);
    if (!v) throw new ShoalError(`Dataset version ${record.versionId} does not exist; the classifier was not saved.`);
    const m = model.classifier.model;
    if (m.k !== record.k || m.weights.length !== m.dim * m.k || m.bias.length !== m.k) {
      throw new ShoalError(`Classifier ${record.id}: weights are not ${m.dim}×${record.k} with ${record.k} biases.`);
    }
    for (const s of ['dev', 'test'] as const) {
      const want = v.splitCounts[s] * record.k;
      if (model.proba[s].length !== want)
        throw new ShoalError(
          `Classifier ${record.id}: ${s} probabilities have ${model.proba[s].length} values, expected ${v.splitCounts[s]}×${record.k}.`,
        );
    }
    await guardWrite('the trained classifier', () =>
      this.db.tx('rw', ['classifiers', 'classifierModels', 'projects'], async () => {
        // One classifier per version: the new one supersedes the rest.
        for (const old of (await this.db.where('classifiers', 'versionId', record.versionId)) as ClassifierRecord[]) {
          if (old.id === record.id) continue;
          await this.db.delete('classifierModels', old.id);
          await this.db.delete('classifiers', old.id);
        }
        await this.db.put('classifierModels', { id: record.id, ...model });
        await this.db.put('classifiers', record);
        await this.touch(record.projectId);
      }),
    );
  }

  async latestClassifier(versionId: string): Promise<ClassifierRecord | undefined> {
    const all = (await this.db.where('classifiers', 'versionId', versionId)) as ClassifierRecord[];
    return all.sort((a, b) => b.createdAt - a.createdAt)[0];
  }

  async listClassifiers(projectId: string): Promise<ClassifierRecord[]> {
    const all = (await this.db.where('classifiers', 'projectId', projectId)) as ClassifierRecord[];
    return all.sort((a, b) => a.createdAt - b.createdAt);
  }

  async getClassifierModel(id: string): Promise<StoredClassifierModel | undefined> {
    const r = await this.db.get('classifierModels', id);
    if (!r) return undefined;
    return { classifier: r.classifier, proba: r.proba } as StoredClassifierModel;
  }

  async deleteClassifier(id: string): Promise<void> {
    await this.db.tx('rw', ['classifiers', 'classifierModels'], async () => {
      await this.db.delete('classifierModels', id);
      await this.db.delete('classifiers', id);
    });
  }

  // ── settings ─────────────────────────────────────────────────────────────────────────
  async getSetting<T = unknown>(key: string, projectId?: string): Promise<T | undefined> {
    return (await this.db.get('settings', settingKey(key, projectId)))?.value as T | undefined;
  }

  async putSetting(key: string, value: unknown, projectId?: string): Promise<void> {
    await guardWrite(`the setting "${key}"`, () =>
      this.db.tx('rw', ['settings'], () =>
        this.db.put('settings', { key: settingKey(key, projectId), projectId: projectId ?? '*', value }),
      ),
    );
  }
}

function stripKey<T>(r: Rec): T {
  const { key: _k, ...rest } = r;
  void _k;
  return rest as T;
}

/** Where a version's word index lives: beside its gold and split columns, so deleting the version deletes it. */
const TEXT_INDEX_META = 'text-index:meta';
type TextIndexColumn = typeof TEXT_INDEX_META | `text-index:${number}`;
function textIndexShardName(shard: number): TextIndexColumn {
  return `text-index:${shard}`;
}
