/**
 * The storage seam: everything Shoal persists, behind one interface with two implementations
 * (Dexie/IndexedDB in the app, an in-memory twin in unit tests) that pass the same contract
 * suite (contract.ts).
 *
 * Layout, chosen for IndexedDB's costs (~100 µs per record, cheap large values):
 * - rows live in chunks of ~1000 per record, keyed by (dataset version, chunk index);
 * - per-row columns (gold, split) and LF votes are single typed arrays per record;
 * - votes are keyed by (LF source hash, dataset version), so editing one LF invalidates
 *   exactly one record and re-importing data invalidates every LF;
 * - label-model probabilities sit apart from the run records, so listing runs is cheap;
 * - likewise a trained classifier's weights sit apart from its record (one per version).
 *
 * Atomic import: rows are written under a *pending* dataset version; `commitImport` writes
 * the columns, external LFs and the commit record in one transaction. Readers only ever see
 * committed versions; pending leftovers (a tab closed mid-import) are removed on open.
 */
import type { TextIndexMeta, TextIndexShard } from '../core/text-index/index.ts';
import type { Row } from '../core/formats/types.ts';
import type { Split } from '../core/splits.ts';
import type { ColumnChunk } from '../core/lf/columns.ts';
import type { RowChunk } from '../core/lf/types.ts';
import type { DistilledClassifier } from '../core/classifier/model.ts';

export const ROWS_PER_CHUNK = 1000;
/** Very wide tables get fewer rows per chunk, so one record stays around this many cells. */
export const CELLS_PER_CHUNK = 200_000;

/** Rows per chunk for a table of `columns` columns: 1000, fewer for very wide tables. */
export function rowsPerChunkFor(columns: number): number {
  return Math.max(10, Math.min(ROWS_PER_CHUNK, Math.floor(CELLS_PER_CHUNK / Math.max(1, columns))));
}

export interface ProjectRecord {
  id: string;
  name: string;
  createdAt: number;
  /** The last change a user made: rename, imported data, LFs, gold labels, label-model runs, classifiers. */
  updatedAt: number;
}

export interface ColumnInfo {
  name: string;
  /** The JS type seen most, for the UI (field comparisons, sorting). */
  kind: 'string' | 'number' | 'boolean' | 'mixed' | 'empty';
}

export interface DatasetRecord {
  id: string;
  projectId: string;
  name: string;
  createdAt: number;
  /** The committed version readers use. */
  currentVersion: string;
}

export interface ImportSourceInfo {
  fileNames: string[];
  format: string;
  bytes: number;
}

export interface DatasetVersionRecord {
  id: string;
  datasetId: string;
  projectId: string;
  status: 'pending' | 'committed';
  createdAt: number;
  /** Refreshed while a pending import writes, so cleanup can tell a live import from a dead one. */
  heartbeatAt: number;
  source: ImportSourceInfo;
  rowCount: number;
  chunkCount: number;
  rowsPerChunk: number;
  columns: ColumnInfo[];
  textFields: string[];
  fields: string[];
  idField?: string;
  labelField?: string;
  /**
   * The user let LFs read the gold column (import opt-in). Absent: LFs never get it, also in
   * versions imported before this existed, whose rows may still hold it (core/lf/gold.ts).
   */
  lfsReadGold?: boolean;
  classes: string[];
  splitCounts: Record<Split, number>;
  skippedRows: number;
  /** Messages worth keeping with the data (skipped rows, unknown labels, renamed columns). */
  notes: string[];
}

export type LfKind = 'keyword' | 'regex' | 'compare' | 'lookup' | 'length' | 'code' | 'external';

/**
 * A row a user flagged while labelling ("unsure", with a note), one record per (dataset
 * version, dataset row): flags belong to rows, so they go with the version's data.
 */
export interface FlagRecord {
  versionId: string;
  projectId: string;
  /** Dataset row number (not the row within its split). */
  row: number;
  /** A short reason the user picked ("unsure", "ambiguous", …). */
  reason: string;
  /** Free text. */
  note: string;
  createdAt: number;
  updatedAt: number;
}

/** What applying a project file to an open dataset writes, all in one transaction. */
export interface ProjectParts {
  gold?: { versionId: string; gold: Int8Array };
  /** Flags of the project file; each replaces a flag at the same row, others stay. */
  flags?: readonly FlagRecord[];
  lfs: readonly LfRecord[];
  settings: readonly { key: string; value: unknown; projectId?: string }[];
}

export interface LfRecord {
  id: string;
  projectId: string;
  name: string;
  kind: LfKind;
  /** Template settings or code; owned by the LF module (src/core/lf). */
  config: unknown;
  /** Hash of what determines the votes; the vote cache key. */
  sourceHash: string;
  enabled: boolean;
  order: number;
  /** External LFs (imported WRENCH votes) cannot be edited. */
  readonly?: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface VoteRecord {
  sourceHash: string;
  versionId: string;
  votes: Int8Array;
  /** Set when the LF failed; votes then hold what was computed before (may be all abstain). */
  error?: string;
  computedAt: number;
  ms?: number;
}

export interface RunRecord {
  id: string;
  projectId: string;
  versionId: string;
  model: string;
  params: Record<string, unknown>;
  /** LF source hashes in column order, so a run knows which votes it saw. */
  lfHashes: string[];
  metrics: Record<string, number>;
  k: number;
  n: number;
  createdAt: number;
  /** Set when the run came in a project file rather than being fitted in this browser. */
  origin?: ModelOrigin;
}

/** The project file a stored label model or classifier came from. */
export interface ModelOrigin {
  file: string;
  /** When the file was exported (ISO 8601, as written in the file). */
  exportedAt: string;
}

/**
 * A trained distilled classifier of one dataset version (the newest one is kept per version),
 * with what it was trained from, so a reload can tell whether it still matches the LFs and the
 * label model on screen. Its weights and probabilities live apart (`StoredClassifierModel`).
 */
export interface ClassifierRecord {
  id: string;
  projectId: string;
  versionId: string;
  /** The label-model run (RunRecord id) whose probabilities it was trained on. */
  runId: string;
  /** LF source hashes (column order) of that run. */
  lfHashes: string[];
  /** The label model that produced the targets (the one `auto` chose, when it chose). */
  labelModel: string;
  /** Training settings as the user chose them (owned by the app: src/app/model-report.ts). */
  settings: Record<string, unknown>;
  /** Scores at training time (devAccuracy, devF1, testAccuracy, testF1). */
  metrics: Record<string, number>;
  /** Loss curve: one entry per epoch and target kind. */
  curve: { epoch: number; maxEpochs: number; loss: number; devScore?: number; best: boolean; targets: 'soft' | 'hard' }[];
  bestEpoch: number;
  targets: 'soft' | 'hard';
  trainRows: number;
  /** Set when it trained on a sample of the covered rows (core/classifier/stream.ts): the sentence that says so. */
  sampleNote?: string;
  backend: string;
  ms: number;
  k: number;
  createdAt: number;
  /** Set when the classifier came in a project file rather than being trained in this browser. */
  origin?: ModelOrigin;
}

export interface StoredClassifierModel {
  /** Featurization, vocabulary and weights: enough to predict and to export to ONNX. */
  classifier: DistilledClassifier;
  /** Its probabilities on the dev and test rows (split order, n × k), for scores and error analysis. */
  proba: { dev: Float32Array; test: Float32Array };
}

export interface ExternalLf {
  name: string;
  votes: Int8Array;
}

/** Everything written together with the commit record. */
export interface CommitMeta {
  rowCount: number;
  chunkCount: number;
  /** Rows in every chunk but the last (default ROWS_PER_CHUNK). */
  rowsPerChunk?: number;
  columns: ColumnInfo[];
  textFields: string[];
  fields: string[];
  idField?: string;
  labelField?: string;
  lfsReadGold?: boolean;
  classes: string[];
  splitCounts: Record<Split, number>;
  skippedRows: number;
  notes: string[];
  gold: Int8Array;
  split: Uint8Array;
  ids?: string[];
  /** Read-only LF columns shipped with the data (WRENCH weak_labels). */
  externalLfs?: ExternalLf[];
}

export interface BeginImport {
  projectId: string;
  name: string;
  source: ImportSourceInfo;
  /** Add a new version to an existing dataset instead of creating one. */
  datasetId?: string;
}

export interface PendingImport {
  versionId: string;
  datasetId: string;
}

/** Per-row columns of a version. */
export type ColumnName = 'gold' | 'split' | 'ids';

export type StorageEvent =
  | { type: 'other-tab'; tabId: string }
  | { type: 'version-change' } // another tab upgraded the schema: this one must reload
  | { type: 'blocked' } // an older tab keeps the database from upgrading
  | { type: 'closed' };

export interface UsageEstimate {
  usage: number | null;
  quota: number | null;
  persisted: boolean | null;
}

export interface ShoalStorage {
  readonly kind: 'dexie' | 'memory';

  createProject(name: string): Promise<ProjectRecord>;
  getProject(id: string): Promise<ProjectRecord | undefined>;
  listProjects(): Promise<ProjectRecord[]>;
  renameProject(id: string, name: string): Promise<void>;
  /** Removes the project and everything under it. */
  deleteProject(id: string): Promise<void>;
  /**
   * Dataset versions of a project, pending ones included: 0 means no import ever began in it
   * (what a tab closed between creating a project and starting its import leaves behind).
   */
  countVersions(projectId: string): Promise<number>;

  /** Committed datasets only. */
  listDatasets(projectId: string): Promise<DatasetRecord[]>;
  getDataset(id: string): Promise<DatasetRecord | undefined>;
  /** A committed version (pending ones are invisible). */
  getVersion(versionId: string): Promise<DatasetVersionRecord | undefined>;
  /** Committed versions of a dataset, oldest first. */
  listVersions(datasetId: string): Promise<DatasetVersionRecord[]>;
  /** Delete an old version with its rows, votes and runs (not the dataset's current one). */
  deleteVersion(versionId: string): Promise<void>;
  deleteDataset(id: string): Promise<void>;

  beginImport(init: BeginImport): Promise<PendingImport>;
  /** Chunk `index` holds rows [index·rowsPerChunk, …); `firstRow` only improves error messages. */
  putRowChunk(versionId: string, index: number, rows: Row[], firstRow?: number): Promise<void>;
  commitImport(versionId: string, meta: CommitMeta): Promise<DatasetVersionRecord>;
  abortImport(versionId: string): Promise<void>;
  /** Delete pending versions whose heartbeat is older than `olderThanMs` (default 0: all). Returns how many. */
  cleanupPending(olderThanMs?: number): Promise<number>;

  getRowChunk(versionId: string, index: number): Promise<Row[] | undefined>;
  /**
   * Chunk `index` column-wise with only `fields` (null: all), without building row objects (what
   * LF workers read; chunk-format.ts). Irregular rows come back as a row chunk.
   */
  getChunkColumns(versionId: string, index: number, fields?: readonly string[] | null): Promise<ColumnChunk | RowChunk | undefined>;
  /** Rows [start, end) of a committed version. */
  readRows(versionId: string, start: number, end: number): Promise<Row[]>;
  getColumn(versionId: string, name: 'gold'): Promise<Int8Array | undefined>;
  getColumn(versionId: string, name: 'split'): Promise<Uint8Array | undefined>;
  getColumn(versionId: string, name: 'ids'): Promise<string[] | undefined>;
  /** Replace gold labels (annotation); the array length must equal the row count. */
  putGold(versionId: string, gold: Int8Array): Promise<void>;
  /**
   * Store a version's word index (core/text-index): every shard and then the meta, in one
   * transaction, so a reader that finds the meta finds every shard. Replaces an older index.
   */
  putTextIndex(versionId: string, meta: TextIndexMeta, shards: readonly TextIndexShard[]): Promise<void>;
  /** The meta of a version's word index, or undefined when it has none. */
  getTextIndexMeta(versionId: string): Promise<TextIndexMeta | undefined>;
  getTextIndexShard(versionId: string, shard: number): Promise<TextIndexShard | undefined>;

  /** The flagged rows of a version, in row order. */
  listFlags(versionId: string): Promise<FlagRecord[]>;
  /** Flag a row of a committed version (replaces its flag). */
  putFlag(flag: FlagRecord): Promise<void>;
  deleteFlag(versionId: string, row: number): Promise<void>;

  putLf(lf: LfRecord): Promise<void>;
  /** Several LFs of one project in one transaction: all land, or none (names stay unique). */
  putLfs(lfs: readonly LfRecord[]): Promise<void>;
  /** Gold, LFs and settings of one project in one transaction (applying a project file). */
  putProjectParts(parts: ProjectParts): Promise<void>;
  getLf(id: string): Promise<LfRecord | undefined>;
  listLfs(projectId: string): Promise<LfRecord[]>;
  deleteLf(id: string): Promise<void>;

  putVotes(record: VoteRecord): Promise<void>;
  getVotes(sourceHash: string, versionId: string): Promise<VoteRecord | undefined>;
  /** Votes of many LFs on one version, in the order asked (undefined where not computed). */
  getVotesMany(sourceHashes: string[], versionId: string): Promise<(VoteRecord | undefined)[]>;

  putRun(run: RunRecord, probs: Float32Array): Promise<void>;
  listRuns(projectId: string): Promise<RunRecord[]>;
  getRunProbs(runId: string): Promise<Float32Array | undefined>;
  deleteRun(id: string): Promise<void>;

  /** Keep a trained classifier; it replaces the ones stored for the same dataset version. */
  putClassifier(record: ClassifierRecord, model: StoredClassifierModel): Promise<void>;
  /** The newest classifier of a dataset version. */
  latestClassifier(versionId: string): Promise<ClassifierRecord | undefined>;
  listClassifiers(projectId: string): Promise<ClassifierRecord[]>;
  getClassifierModel(id: string): Promise<StoredClassifierModel | undefined>;
  deleteClassifier(id: string): Promise<void>;

  getSetting<T = unknown>(key: string, projectId?: string): Promise<T | undefined>;
  putSetting(key: string, value: unknown, projectId?: string): Promise<void>;

  /** Storage events the UI should show (another tab, schema upgrade elsewhere). */
  onEvent(listener: (e: StorageEvent) => void): () => void;
  close(): void;
}

export function newId(prefix: string): string {
  const rnd = globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
  return `${prefix}_${rnd.replace(/-/g, '').slice(0, 16)}`;
}
