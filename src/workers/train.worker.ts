/**
 * Browser entry of the train worker: tfjs (label model, classifier) and onnxruntime-web run
 * here, off the page's thread. `tf-browser.ts` must load first: it tells tfjs-wasm and ORT where
 * vite put their .wasm files and turns off threaded tfjs-wasm.
 */
import * as Comlink from 'comlink';
import { ort } from './tf-browser.ts';
import { createTrainWorkerApi } from './train-worker-api.ts';
import { DB_NAME, DexieStorage, declareSchema } from '../storage/dexie.ts';

// Stored texts (stored-texts.ts) are read from IndexedDB here, without the page's housekeeping
// (no tab watching, no cleanup of dead imports: that is the page's job).
let open: { name: string; storage: Promise<DexieStorage> } | null = null;
function storage(dbName = DB_NAME): Promise<DexieStorage> {
  if (!open || open.name !== dbName) {
    const db = declareSchema(dbName);
    open = { name: dbName, storage: db.open().then(() => new DexieStorage(db, { watchTabs: false })) };
  }
  return open.storage;
}

Comlink.expose(createTrainWorkerApi({ ort, transfer: Comlink.transfer, storage }));
