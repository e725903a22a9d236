/**
 * The few table operations `RepoStorage` needs, so the repository logic (cascades, atomic
 * import, vote keys) is written once and runs on IndexedDB (dexie.ts) and in memory
 * (memory.ts) alike. Every record has a string primary key in a field named by TABLES.
 */

export const TABLES = {
  projects: { key: 'id', indexes: [] },
  datasets: { key: 'id', indexes: ['projectId'] },
  versions: { key: 'id', indexes: ['datasetId', 'projectId', 'status'] },
  chunks: { key: 'key', indexes: ['versionId'] },
  columns: { key: 'key', indexes: ['versionId'] },
  lfs: { key: 'id', indexes: ['projectId'] },
  votes: { key: 'key', indexes: ['versionId', 'sourceHash'] },
  runs: { key: 'id', indexes: ['projectId', 'versionId'] },
  runProbs: { key: 'runId', indexes: [] },
  settings: { key: 'key', indexes: ['projectId'] },
  // v3: the distilled classifier of a dataset version; its weights and probabilities apart,
  // as for label-model runs.
  classifiers: { key: 'id', indexes: ['projectId', 'versionId'] },
  classifierModels: { key: 'id', indexes: [] },
  // v5: rows flagged while labelling, one record per (version, row).
  flags: { key: 'key', indexes: ['versionId', 'projectId'] },
} as const;

export type TableName = keyof typeof TABLES;
// Records are plain structured-clonable objects; each repository method knows its shape.
export type Rec = Record<string, any>;

export interface Backend {
  /** Run `fn` in one transaction over `tables`: all its writes land, or none. */
  tx<T>(mode: 'r' | 'rw', tables: TableName[], fn: () => Promise<T>): Promise<T>;
  get(table: TableName, key: string): Promise<Rec | undefined>;
  bulkGet(table: TableName, keys: string[]): Promise<(Rec | undefined)[]>;
  put(table: TableName, value: Rec): Promise<void>;
  delete(table: TableName, key: string): Promise<void>;
  where(table: TableName, index: string, value: string): Promise<Rec[]>;
  deleteWhere(table: TableName, index: string, value: string): Promise<void>;
  /** How many records have `index` = `value` (reads keys only, not the records). */
  countWhere(table: TableName, index: string, value: string): Promise<number>;
  all(table: TableName): Promise<Rec[]>;
  close(): void;
}
