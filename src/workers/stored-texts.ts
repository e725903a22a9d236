/**
 * Texts the train worker reads from storage itself, so classifier training and its dev/test
 * predictions never pass every text through the page: the page sends only which rows (dataset
 * row numbers, ascending) of which version, and the worker reads their chunks (one field,
 * column-wise) from IndexedDB, as LF workers do (lf-chunk-reader.ts).
 */
import { fieldValues } from '../core/lf/columns.ts';
import { hiddenFields } from '../core/lf/gold.ts';
import { valueText } from '../core/lf/text.ts';
import { ShoalError } from '../core/types.ts';
import type { ShoalStorage } from '../storage/types.ts';
import type { TextSource } from '../core/classifier/stream.ts';

/** Rows of a stored dataset version whose `field` is wanted as text. */
export interface StoredTexts {
  readonly kind: 'stored-texts';
  /** Database name; default the app's. */
  readonly dbName?: string;
  readonly versionId: string;
  readonly field: string;
  /** Dataset row numbers, ascending. */
  readonly rows: Uint32Array;
}

export function isStoredTexts(x: unknown): x is StoredTexts {
  return typeof x === 'object' && x !== null && (x as StoredTexts).kind === 'stored-texts';
}

/** The text of each row of `src`, read as LFs and the page read a row's text (core fieldText / valueText), in order. */
export async function readStoredTexts(storage: ShoalStorage, src: StoredTexts, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  for await (const slice of storedTextSlices(storage, src, signal)) for (const t of slice) out.push(t);
  return out;
}

/**
 * The same texts as a source that reads one stored chunk at a time (core/classifier/stream.ts):
 * the classifier's featurization holds one chunk's texts, never all of them.
 */
export function storedTextSource(storage: ShoalStorage, src: StoredTexts): TextSource {
  return { n: src.rows.length, slices: (signal) => storedTextSlices(storage, src, signal) };
}

/** The texts of `src`'s rows, one stored chunk's worth at a time, in order. */
export async function* storedTextSlices(storage: ShoalStorage, src: StoredTexts, signal?: AbortSignal): AsyncGenerator<string[]> {
  const v = await storage.getVersion(src.versionId);
  if (!v) throw new ShoalError(`dataset version ${src.versionId} does not exist (was the project deleted in another tab?)`);
  if (hiddenFields(v).includes(src.field)) throw new ShoalError(`the gold column ${src.field} cannot be read as training text`);
  const rows = src.rows;
  const per = v.rowsPerChunk;
  let t = 0;
  while (t < rows.length) {
    if (signal?.aborted) throw new DOMException('reading the texts was cancelled', 'AbortError');
    const row = rows[t];
    if (row >= v.rowCount || (t > 0 && row < rows[t - 1]))
      throw new ShoalError(`row ${row} is outside the dataset or out of order (the texts must be ascending rows below ${v.rowCount})`);
    const c = Math.floor(row / per);
    const chunk = await storage.getChunkColumns(src.versionId, c, [src.field]);
    if (!chunk) throw new ShoalError(`row chunk ${c} of dataset version ${src.versionId} is missing`);
    const base = c * per;
    const values = fieldValues(chunk, src.field);
    const out: string[] = [];
    for (; t < rows.length && rows[t] < base + per; t++) {
      if (t > 0 && rows[t] < rows[t - 1]) throw new ShoalError(`row ${rows[t]} is out of order (the texts must be ascending rows)`);
      out.push(valueText(values[rows[t] - base]));
    }
    yield out;
  }
}
