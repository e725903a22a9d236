/**
 * The data browser's filter: which dataset rows pass the split / LF-vote / conflict /
 * all-abstain / gold / text filters, as an index array (columnar; no per-row objects), so the
 * virtualized list renders only the rows in view. The text search is the one filter that needs
 * the rows: `searchRows` streams them from storage chunk by chunk into a match mask, and
 * `filterIndex` combines that mask with the typed-array filters.
 */
import { textMatcher } from '../core/text-search.ts';
import type { DatasetRows } from './dataset-rows.ts';
import { fieldText } from '../core/lf/text.ts';

// What the data browser highlights with (the UI reaches core through the app layer).
export { lfSpans } from '../core/lf/spans.ts';
// A row's text, as LFs and the search see it.
export { fieldText } from '../core/lf/text.ts';
export { textMatcher } from '../core/text-search.ts';
export interface BrowseFilter {
  /** Split code (index into train/dev/test), or null for all. */
  split: number | null;
  /** One LF's votes over the dataset and what to keep: rows it votes on, abstains on, or votes a class. */
  lf: { votes: Int8Array | null; mode: 'fires' | 'abstains' | number } | null;
  /** Rows where the enabled LFs vote at least two different classes. */
  conflicts: boolean;
  /** Rows where every enabled LF abstains. */
  allAbstain: boolean;
  /** Gold class, -1 for rows without gold, null for any. */
  gold: number | null;
  /** Case-insensitive substring of the text field. */
  search: string;
  /** Rows to keep (1) — an LF's bucket (lf-buckets.ts) — or null for all. */
  only?: Uint8Array | null;
}

/** `filterIndex` over rows held in memory (small tables, tests): the text search runs on `rows`. */
export function filterRows(
  rows: readonly Record<string, unknown>[],
  split: Uint8Array,
  gold: Int8Array,
  columns: readonly Int8Array[],
  f: BrowseFilter,
  textField = 'text',
): Uint32Array {
  const matches = textMatcher(f.search);
  const hits = matches ? Uint8Array.from(rows, (r) => (matches(fieldText(r, textField)) ? 1 : 0)) : null;
  return filterIndex(rows.length, split, gold, columns, f, hits);
}

/**
 * Rows 0..n-1 that pass every filter but the text search, and where `textHits` is given, whose
 * entry there is 1 (the search's match mask; `f.search` itself is not read here).
 */
export function filterIndex(
  n: number,
  split: Uint8Array,
  gold: Int8Array,
  columns: readonly Int8Array[],
  f: BrowseFilter,
  textHits: Uint8Array | null,
): Uint32Array {
  const out = new Uint32Array(n);
  let k = 0;
  const lf = f.lf && f.lf.votes ? f.lf : null;
  const m = columns.length;
  for (let i = 0; i < n; i++) {
    if (f.split !== null && split[i] !== f.split) continue;
    if (f.gold !== null && gold[i] !== f.gold) continue;
    if (lf) {
      const v = lf.votes![i];
      if (lf.mode === 'fires' ? v < 0 : lf.mode === 'abstains' ? v >= 0 : v !== lf.mode) continue;
    }
    if (f.conflicts || f.allAbstain) {
      let first = -1;
      let conflict = false;
      for (let j = 0; j < m; j++) {
        const v = columns[j][i];
        if (v < 0) continue;
        if (first < 0) first = v;
        else if (v !== first) {
          conflict = true;
          break;
        }
      }
      if (f.conflicts && !conflict) continue;
      if (f.allAbstain && first >= 0) continue;
    }
    if (textHits && !textHits[i]) continue;
    if (f.only && !f.only[i]) continue;
    out[k++] = i;
  }
  return out.slice(0, k);
}

export interface SearchProgress {
  /** Rows searched so far (from row 0), and in all. */
  readonly done: number;
  readonly total: number;
  /** The match mask so far: 1 where a searched row matches (rows not yet searched are 0). */
  readonly hits: Uint8Array;
}

/**
 * Search the text field of every row for `search` (textMatcher): in the search worker when the
 * rows have one, else streaming the rows from storage one chunk at a time (the page holds one
 * chunk and a byte per row). `onProgress` gets
 * the mask so far after each chunk; an aborted signal rejects with an AbortError.
 */
export async function searchRows(
  rows: DatasetRows,
  search: string,
  textField: string,
  opts: { signal?: AbortSignal; onProgress?: (p: SearchProgress) => void } = {},
): Promise<Uint8Array> {
  const hits = new Uint8Array(rows.count);
  const matches = textMatcher(search);
  if (!matches) return hits.fill(1);
  // The page's rows come with a search worker (text-search.ts): the text is read and matched
  // there, and the page gets the mask.
  if (rows.search) return rows.search(rows.versionId, search, textField, opts);
  await rows.scan(
    (chunk, start) => {
      for (let r = 0; r < chunk.length; r++) if (matches(fieldText(chunk[r], textField))) hits[start + r] = 1;
    },
    { signal: opts.signal, onProgress: (done, total) => opts.onProgress?.({ done, total, hits }) },
  );
  return hits;
}
