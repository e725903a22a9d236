/**
 * The Browse search worker: reads a version's text from IndexedDB and matches it
 * (search-run.ts), off the page's thread. One worker per search: the page cancels by
 * terminating it. The mask so far is posted at most every 250 ms (a copy), the whole at the end.
 */
import * as Comlink from 'comlink';
import { DB_NAME, DexieStorage, declareSchema } from '../storage/dexie.ts';
import { searchStoredText } from './search-run.ts';

const api = {
  async search(
    dbName: string | undefined,
    versionId: string,
    search: string,
    field: string,
    onProgress: (done: number, total: number, hits: Uint8Array) => void,
  ): Promise<Uint8Array> {
    const db = declareSchema(dbName ?? DB_NAME);
    await db.open();
    const storage = new DexieStorage(db, { watchTabs: false });
    let postedAt = 0;
    try {
      const hits = await searchStoredText(storage, versionId, search, field, {
        onChunk: (done, total, mask) => {
          const now = performance.now();
          if (now - postedAt < 250 && done < total) return;
          postedAt = now;
          void onProgress(done, total, mask.slice());
        },
      });
      return Comlink.transfer(hits, [hits.buffer]);
    } finally {
      storage.close();
    }
  },
};

export type SearchWorkerApi = typeof api;

Comlink.expose(api);
