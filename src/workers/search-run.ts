/**
 * The Browse search where the rows are: read the text field of a dataset version chunk by chunk
 * (column-wise, no row objects) and mark the rows that match the search box's rule
 * (core/text-search.ts). The search worker (search.worker.ts) runs it with its own Dexie
 * connection, so a search over 500,000 long notes neither reads them into the page nor holds
 * the page's thread; tests call it with the in-memory storage.
 */
import { fieldValues } from '../core/lf/columns.ts';
import { valueText } from '../core/lf/text.ts';
import { textMatcher } from '../core/text-search.ts';
import type { ShoalStorage } from '../storage/types.ts';

export interface SearchRunOptions {
  readonly signal?: AbortSignal;
  /** After each chunk: rows searched (from row 0) and the mask so far (the same array, filled as it goes). */
  readonly onChunk?: (done: number, total: number, hits: Uint8Array) => void;
}

/** 1 where row i's `field` matches `search`; every row for an empty search. */
export async function searchStoredText(
  storage: Pick<ShoalStorage, 'getVersion' | 'getChunkColumns'>,
  versionId: string,
  search: string,
  field: string,
  opts: SearchRunOptions = {},
): Promise<Uint8Array> {
  const version = await storage.getVersion(versionId);
  if (!version) throw new Error(`dataset version ${versionId} no longer exists`);
  const hits = new Uint8Array(version.rowCount);
  const matches = textMatcher(search);
  if (!matches) return hits.fill(1);
  let done = 0;
  for (let c = 0; c < version.chunkCount; c++) {
    opts.signal?.throwIfAborted();
    const chunk = await storage.getChunkColumns(versionId, c, [field]);
    if (!chunk) throw new Error(`row chunk ${c} of dataset version ${versionId} is missing (was the dataset deleted?)`);
    const values = fieldValues(chunk, field);
    for (let i = 0; i < values.length; i++) if (matches(valueText(values[i]))) hits[chunk.start + i] = 1;
    done = chunk.start + values.length;
    opts.onChunk?.(done, version.rowCount, hits);
  }
  return hits;
}
