/**
 * The import worker: parsing and IndexedDB writes happen here so a 1M-row import never
 * freezes the page. Thin by design: it opens the storage and calls `importIntoStorage`.
 * Progress goes back through a Comlink-proxied callback, throttled to ~10 per second.
 */
import * as Comlink from 'comlink';
import { previewTable, type FileParseOptions, type Preview } from '../core/formats/parse.ts';
import { profileTable, type ProfileOptions, type TableProfile } from '../core/formats/profile.ts';
import { openDexieStorage, type DexieStorage } from '../storage/dexie.ts';
import { importIntoStorage, type ImportFile, type ImportOutcome, type ImportProgress, type ImportRequest } from './import-run.ts';

let storage: Promise<DexieStorage> | undefined;
let dbName: string | undefined;
let controller: AbortController | null = null;

function getStorage(): Promise<DexieStorage> {
  storage ??= openDexieStorage({ name: dbName, watchTabs: false });
  return storage;
}

function throttle(fn: ((p: ImportProgress) => void) | undefined, ms = 100): ((p: ImportProgress) => void) | undefined {
  if (!fn) return undefined;
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last >= ms || p.phase !== 'reading') {
      last = now;
      void fn(p);
    }
  };
}

const api = {
  /** Use a database other than the default (tests). Call before the first import. */
  setDatabase(name: string): void {
    dbName = name;
  },

  async importFile(
    source: File | Blob | ImportFile | (File | ImportFile)[],
    request: ImportRequest,
    onProgress?: (p: ImportProgress) => void,
  ): Promise<ImportOutcome> {
    if (controller) throw new Error('an import is already running in this worker');
    controller = new AbortController();
    try {
      const list = (Array.isArray(source) ? source : [source]).map((f): ImportFile =>
        'blob' in f ? f : { name: (f as File).name ?? 'data', blob: f as Blob },
      );
      return await importIntoStorage(list, request, await getStorage(), throttle(onProgress), controller.signal);
    } finally {
      controller = null;
    }
  },

  /** Cancel the running import; it resolves with a "cancelled" outcome and stores nothing. */
  abort(): void {
    controller?.abort();
  },

  preview(file: File | Blob, options: FileParseOptions, limit = 20): Promise<Preview> {
    return previewTable(file, options, limit);
  },

  /** The whole-file check behind the preview (skipped rows, label values, repeated ids). */
  profile(file: File | Blob, options: FileParseOptions, profileOptions: ProfileOptions = {}): Promise<TableProfile> {
    return profileTable(file, options, profileOptions);
  },
};

export type ImportWorkerApi = typeof api;

Comlink.expose(api);
