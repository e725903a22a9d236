/**
 * Where the Browse search runs: `TextSearch` is injected into the open dataset's rows
 * (dataset-rows.ts); the page's runs in a worker that reads IndexedDB itself
 * (workers/search.worker.ts), so the text never passes through the page and its thread stays
 * free while 500,000 notes are searched. Without one (Node tests), rows are scanned on the page.
 */
import { ShoalError } from '../core/types.ts';
import type { SearchProgress } from './browse.ts';

/** The match mask of `search` over version `versionId`'s `field` (1 = match), as `searchRows` gives it. */
export type TextSearch = (
  versionId: string,
  search: string,
  field: string,
  opts: { signal?: AbortSignal; onProgress?: (p: SearchProgress) => void },
) => Promise<Uint8Array>;

/** The page's search: one worker per search, terminated when it ends or is aborted. */
export function browserTextSearch(dbName?: string): TextSearch {
  return async (versionId, search, field, { signal, onProgress }) => {
    const Comlink = await import('comlink');
    const worker = new Worker(new URL('../workers/search.worker.ts', import.meta.url), { type: 'module', name: 'shoal-search' });
    const remote = Comlink.wrap<import('../workers/search.worker.ts').SearchWorkerApi>(worker);
    try {
      return await new Promise<Uint8Array>((resolve, reject) => {
        const onAbort = () => reject(new DOMException('the search was stopped', 'AbortError'));
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        worker.addEventListener('error', (e) =>
          reject(new ShoalError(`the search worker stopped (${e.message || 'unknown error'}); search again`)),
        );
        remote
          .search(
            dbName,
            versionId,
            search,
            field,
            Comlink.proxy((done: number, total: number, hits: Uint8Array) => onProgress?.({ done, total, hits })),
          )
          .then(resolve, (e: unknown) => reject(e instanceof Error ? new ShoalError(e.message) : new ShoalError(String(e))));
      });
    } finally {
      remote[Comlink.releaseProxy]();
      worker.terminate();
    }
  };
}
