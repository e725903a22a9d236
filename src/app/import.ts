/**
 * The page's side of an import: start the import worker, forward progress, cancel, and a
 * stall watchdog. The watchdog matters because parsing third-party formats can spin inside
 * a library on a corrupt file (hyparquet on a broken page header): if no progress arrives
 * for `stallMs`, the worker is terminated, which also releases its import lock, so the
 * pending version is never visible. The client then removes it at once: it waits for the
 * dead worker's import lock to be released and deletes the pending version.
 */
import { errorText } from '../core/errors.ts';
import * as Comlink from 'comlink';
import type { FileParseOptions, Preview } from '../core/formats/parse.ts';
import type { ProfileOptions, TableProfile } from '../core/formats/profile.ts';
import type { ImportFile, ImportOutcome, ImportProgress, ImportRequest } from '../workers/import-run.ts';
import type { ImportWorkerApi } from '../workers/import.worker.ts';
import { openDexieStorage } from '../storage/dexie.ts';
import { withImportLock } from '../storage/locks.ts';

// What the import screen shows of a file (the UI reaches core through the app layer).
export { issueMessage } from '../core/formats/types.ts';
export { supportedEncodings } from '../core/formats/encoding.ts';
export { labelVariantGroups } from '../core/formats/label-variants.ts';

export type { ImportOutcome, ImportProgress, ImportRequest, Preview, TableProfile };

export interface ImportJob {
  /** Settles with the outcome; never rejects for bad input, cancel or a full disk. */
  readonly done: Promise<ImportOutcome>;
  cancel(): void;
}

export interface StartImportOptions {
  onProgress?: (p: ImportProgress) => void;
  /** Terminate the worker when no progress arrives for this long (default 60 s). */
  stallMs?: number;
  /** IndexedDB database name (tests). */
  dbName?: string;
}

function createWorker(): Worker {
  return new Worker(new URL('../workers/import.worker.ts', import.meta.url), { type: 'module', name: 'shoal-import' });
}

function failed(file: string, code: 'cancelled' | 'malformed', reason: string): ImportOutcome {
  return { ok: false, error: { file, code, reason }, message: `${file}: ${reason}` };
}

/** Import files into the project's storage in a worker. */
export function startImport(source: File | File[] | ImportFile[], request: ImportRequest, options: StartImportOptions = {}): ImportJob {
  const files = Array.isArray(source) ? source : [source];
  const fileName = files.map((f) => f.name).join(', ') || 'the file';
  const worker = createWorker();
  const remote = Comlink.wrap<ImportWorkerApi>(worker);
  const stallMs = options.stallMs ?? 60_000;
  let settle!: (o: ImportOutcome) => void;
  const done = new Promise<ImportOutcome>((resolve) => (settle = resolve));
  let finished = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  let versionId: string | undefined;
  const finish = (o: ImportOutcome): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    remote[Comlink.releaseProxy]();
    worker.terminate();
    // A worker stopped mid-import leaves its pending version; take it away before answering.
    if (!o.ok && versionId) void reclaim(versionId, options.dbName).finally(() => settle(o));
    else settle(o);
  };
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(
      () =>
        finish(
          failed(
            fileName,
            'malformed',
            `stopped making progress for ${Math.round(stallMs / 1000)} s (the file may be corrupted); nothing was imported`,
          ),
        ),
      stallMs,
    );
  };
  worker.addEventListener('error', (e) =>
    finish(failed(fileName, 'malformed', `the import worker crashed (${e.message || 'unknown error'}); nothing was imported, try again`)),
  );

  arm();
  const onProgress = Comlink.proxy((p: ImportProgress) => {
    versionId = p.versionId;
    arm();
    options.onProgress?.(p);
  });
  void (async () => {
    try {
      if (options.dbName) await remote.setDatabase(options.dbName);
      finish(await remote.importFile(files, request, onProgress));
    } catch (e) {
      finish(failed(fileName, 'malformed', `could not be imported (${errorText(e)})`));
    }
  })();

  return {
    done,
    cancel() {
      if (finished) return;
      void remote.abort();
      // A worker stuck inside a parser cannot hear the abort: stop it the hard way.
      setTimeout(() => finish(failed(fileName, 'cancelled', 'the import was cancelled')), 3000);
    },
  };
}

/**
 * Delete a pending import whose worker was terminated. Requesting its Web Lock waits until
 * the browser has released the dead worker's hold, so a live import is never touched; after
 * 10 s we give up (the next open cleans it up instead).
 */
async function reclaim(versionId: string, dbName?: string): Promise<void> {
  const work = withImportLock(versionId, async () => {
    const storage = await openDexieStorage({ name: dbName, watchTabs: false });
    try {
      await storage.abortImport(versionId);
    } finally {
      storage.close();
    }
  });
  await Promise.race([work.catch(() => undefined), new Promise((r) => setTimeout(r, 10_000))]);
}

/** The first rows and columns of a file, parsed in a short-lived worker. */
export async function previewFile(file: File, options: Partial<FileParseOptions> = {}, limit = 20): Promise<Preview> {
  const worker = createWorker();
  const remote = Comlink.wrap<ImportWorkerApi>(worker);
  try {
    return await remote.preview(file, { fileName: file.name, ...options }, limit);
  } finally {
    remote[Comlink.releaseProxy]();
    worker.terminate();
  }
}

/**
 * Read the whole file once in a short-lived worker, storing nothing: the rows skipping would
 * skip, label values and repeated ids, for the preview. `signal` stops it (the worker is ended).
 */
export async function profileFile(
  file: File,
  options: Partial<FileParseOptions> = {},
  profileOptions: ProfileOptions = {},
  signal?: AbortSignal,
): Promise<TableProfile | null> {
  const worker = createWorker();
  const remote = Comlink.wrap<ImportWorkerApi>(worker);
  const stopped = new Promise<null>((resolve) => signal?.addEventListener('abort', () => resolve(null), { once: true }));
  try {
    return await Promise.race([remote.profile(file, { fileName: file.name, ...options }, profileOptions), stopped]);
  } finally {
    remote[Comlink.releaseProxy]();
    worker.terminate();
  }
}
