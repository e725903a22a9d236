/**
 * Lets LF workers read their row chunks straight from IndexedDB (the storage seam's Dexie
 * implementation), so a million rows never pass through the page's thread on their way to the
 * LFs: the page sends only `{ dbName, versionId, rowsPerChunk }` and chunk indices.
 *
 * Imported by `lf.worker.ts` (which registers the reader) and by the page (which builds the
 * chunk source with `storedChunkSource`). The worker opens the database without the page's
 * housekeeping (no tab watching, no cleanup of dead imports: that is the page's job).
 */
import { allowedFields, lfReadableFields, restrictChunk, type FieldPolicy } from '../core/lf/gold.ts';
import { DB_NAME, DexieStorage, declareSchema } from '../storage/dexie.ts';
import { registerChunkReader } from './lf-worker-api.ts';
import type { ChunkSource } from './pool.ts';

export const STORED_CHUNKS = 'shoal-dexie-rows';

export interface StoredChunkParams {
  /** Database name; default the app's. */
  readonly dbName?: string;
  readonly versionId: string;
  readonly rowsPerChunk: number;
  /**
   * The only fields a chunk may carry, whatever the LFs ask for (a code LF asks for all): the
   * dataset's fields less the gold column (core/lf/gold.ts). Absent: every stored field.
   */
  readonly fields?: readonly string[];
}

/** The chunk source of a committed dataset version, read by the workers themselves. */
export function storedChunkSource(
  version: {
    readonly id: string;
    readonly rowCount: number;
    readonly chunkCount: number;
    readonly rowsPerChunk: number;
  } & Partial<FieldPolicy>,
  dbName?: string,
): ChunkSource {
  const fields = version.fields
    ? lfReadableFields({ fields: version.fields, labelField: version.labelField, lfsReadGold: version.lfsReadGold })
    : undefined;
  const params: StoredChunkParams = { dbName, versionId: version.id, rowsPerChunk: version.rowsPerChunk, ...(fields ? { fields } : {}) };
  return { rowCount: version.rowCount, chunkCount: version.chunkCount, remote: { kind: STORED_CHUNKS, params } };
}

let open: { name: string; storage: Promise<DexieStorage> } | null = null;

registerChunkReader(STORED_CHUNKS, (raw) => {
  const p = raw as StoredChunkParams;
  const name = p.dbName ?? DB_NAME;
  if (!open || open.name !== name) {
    const db = declareSchema(name);
    open = { name, storage: db.open().then(() => new DexieStorage(db, { watchTabs: false })) };
  }
  const storage = open.storage;
  // The version record itself says what LFs may read: params reach an isolated LF worker's
  // chunk server through that worker, so a narrowing there is honoured but never trusted alone.
  const allowed = storage
    .then((s) => s.getVersion(p.versionId))
    .then((v) => {
      if (!v) return p.fields ?? null;
      const readable = lfReadableFields(v);
      return p.fields ? readable.filter((f) => p.fields!.includes(f)) : readable;
    });
  return async (index, fields) => {
    const only = await allowed;
    const want = only ? allowedFields(fields, only) : fields;
    // Column-wise and only the fields the LFs read: no row objects cloned out of IndexedDB.
    const chunk = await (await storage).getChunkColumns(p.versionId, index, want);
    if (!chunk) throw new Error(`row chunk ${index} of dataset version ${p.versionId} is missing (was the dataset deleted?)`);
    // Rows stored as objects come back whole when their keys differ: cut those too.
    return only && want ? restrictChunk(chunk, want) : chunk;
  };
});
