/**
 * Where the Browse search runs: `TextSearch` is injected into the open dataset's rows
 * (dataset-rows.ts); the page's runs in a worker that reads IndexedDB itself
 * (workers/search.worker.ts), so the text never passes through the page and its thread stays
 * free while 500,000 notes are searched. Without one (Node tests), rows are scanned on the page.
 */
import type { SearchWorkerApi } from '../workers/search.worker.ts';
import { inJobWorker } from './job-worker.ts';
import type { SearchProgress } from './browse.ts';

/** The match mask of `search` over version `versionId`'s `field` (1 = match), as `searchRows` gives it. */
export type TextSearch = (
  versionId: string,
  search: string,
  field: string,
  opts: { signal?: AbortSignal; onProgress?: (p: SearchProgress) => void },
) => Promise<Uint8Array>;

/** The page's search: one worker per search (job-worker.ts), terminated when it ends or is aborted. */
export function browserTextSearch(dbName?: string): TextSearch {
  return (versionId, search, field, { signal, onProgress }) =>
    inJobWorker<SearchWorkerApi, Uint8Array>(
      () => new Worker(new URL('../workers/search.worker.ts', import.meta.url), { type: 'module', name: 'shoal-search' }),
      signal,
      { aborted: 'the search was stopped', stopped: 'the search worker stopped; search again' },
      (remote, Comlink) =>
        remote.search(
          dbName,
          versionId,
          search,
          field,
          Comlink.proxy((done: number, total: number, hits: Uint8Array) => onProgress?.({ done, total, hits })),
        ),
    );
}
