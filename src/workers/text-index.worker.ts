/**
 * The word-index worker: reads a dataset version's rows from IndexedDB, builds its word index
 * (text-index-build.ts) and stores it, off the page's thread and without the text passing
 * through the page. One worker per build: the page cancels by terminating it.
 */
import * as Comlink from 'comlink';
import type { TextIndexMeta } from '../core/text-index/index.ts';
import { DB_NAME, DexieStorage, declareSchema } from '../storage/dexie.ts';
import { buildTextIndex } from './text-index-build.ts';

const api = {
  async build(
    dbName: string | undefined,
    versionId: string,
    field: string,
    onProgress: (done: number, total: number) => void,
  ): Promise<TextIndexMeta> {
    const db = declareSchema(dbName ?? DB_NAME);
    await db.open();
    const storage = new DexieStorage(db, { watchTabs: false });
    try {
      const version = await storage.getVersion(versionId);
      if (!version) throw new Error(`dataset version ${versionId} no longer exists`);
      return await buildTextIndex(storage, version, field, { onProgress });
    } finally {
      storage.close();
    }
  },
};

export type TextIndexWorkerApi = typeof api;

Comlink.expose(api);
