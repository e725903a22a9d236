/**
 * Builds a dataset version's word index (core/text-index) from its stored rows and stores it.
 * The page runs it in a worker of its own (text-index.worker.ts), which reads and writes
 * IndexedDB itself, so the text never passes through the page; Node tests call it inline with
 * the in-memory storage.
 */
import { fieldValues } from '../core/lf/columns.ts';
import { valueText } from '../core/lf/text.ts';
import { SHARDS, TEXT_INDEX_FORMAT, TextIndexBuilder, type TextIndexMeta } from '../core/text-index/index.ts';
import type { ShoalStorage } from '../storage/types.ts';

export interface IndexVersion {
  readonly id: string;
  readonly rowCount: number;
  readonly chunkCount: number;
}

export interface BuildIndexOptions {
  readonly signal?: AbortSignal;
  /** Rows indexed so far, of `rowCount`. */
  readonly onProgress?: (rowsDone: number, rowCount: number) => void;
}

/** Read every chunk of `version`, index `field`, store the index; its meta is returned. */
export async function buildTextIndex(
  storage: ShoalStorage,
  version: IndexVersion,
  field: string,
  opts: BuildIndexOptions = {},
): Promise<TextIndexMeta> {
  const builder = new TextIndexBuilder();
  let done = 0;
  for (let c = 0; c < version.chunkCount; c++) {
    opts.signal?.throwIfAborted();
    const chunk = await storage.getChunkColumns(version.id, c, [field]);
    if (!chunk) throw new Error(`row chunk ${c} of dataset version ${version.id} is missing (was the dataset deleted?)`);
    const values = fieldValues(chunk, field);
    for (let i = 0; i < values.length; i++) builder.add(chunk.start + i, valueText(values[i]));
    done += values.length;
    opts.onProgress?.(done, version.rowCount);
  }
  if (done !== version.rowCount) throw new Error(`the stored chunks hold ${done} rows; the dataset has ${version.rowCount}`);
  opts.signal?.throwIfAborted();
  const shards = builder.finish();
  const meta: TextIndexMeta = {
    format: TEXT_INDEX_FORMAT,
    field,
    rowCount: version.rowCount,
    shards: SHARDS,
    terms: builder.termCount,
    bytes: shards.reduce((s, sh) => s + sh.postings.byteLength + sh.ends.byteLength + sh.counts.byteLength + sh.terms.length * 2, 0),
  };
  await storage.putTextIndex(version.id, meta, shards);
  return meta;
}
