/**
 * The export worker: a labels export reads its rows from IndexedDB and writes CSV / JSONL /
 * Parquet here, off the page's thread. Thin by design: it opens the database the way the LF
 * workers do (no tab watching, no housekeeping: that is the page's job) and calls
 * `runLabelsExport`. One worker per export: the page cancels by terminating it.
 */
import * as Comlink from 'comlink';
import { DB_NAME, DexieStorage, declareSchema } from '../storage/dexie.ts';
import { runLabelsExport, type LabelsExportProgress, type LabelsExportRequest, type LabelsExportResult } from './export-run.ts';

async function open(name: string): Promise<DexieStorage> {
  const db = declareSchema(name);
  await db.open();
  return new DexieStorage(db, { watchTabs: false });
}

const api = {
  async labels(
    req: LabelsExportRequest,
    dbName: string | undefined,
    onProgress: (p: LabelsExportProgress) => void,
  ): Promise<LabelsExportResult> {
    const storage = await open(dbName ?? DB_NAME);
    try {
      return await runLabelsExport(req, storage, onProgress);
    } finally {
      storage.close();
    }
  },
};

export type ExportWorkerApi = typeof api;

Comlink.expose(api);
