/**
 * How a chunk of rows is stored (schema v4): column-wise, each all-string column as one joined
 * string plus a Uint32Array of offsets.
 *
 * Why: IndexedDB structured-clones every value it stores and returns. Row objects are the most
 * expensive shape for that. Every key of every row is written and read back, and each object is
 * rebuilt property by property: ≈ 1 µs per row to read back in V8. That was most of what the LF
 * workers paid to read their chunks (V8's serializer on 1000-row chunks). One string
 * and one typed array per column deserialize as two memory copies. Rows are sliced out of the
 * string on demand, and readers that want columns (the LF workers) never build row objects.
 *
 * Rows whose keys differ (or differ in order) from the first row's cannot be rebuilt from
 * columns without losing that; such a chunk keeps the v1 form `{ rows }`. Both forms decode.
 */
import type { Row } from '../core/formats/types.ts';
import { columnArray, packRows, type ColumnChunk, type ColumnValues } from '../core/lf/columns.ts';
import type { RowChunk } from '../core/lf/types.ts';
import type { Rec } from './backend.ts';

/** One stored column: all strings joined (value i = text[offsets[i], offsets[i+1])), or plain values. */
export type StoredColumn = { readonly text: string; readonly offsets: Uint32Array } | { readonly values: readonly unknown[] };

/** The payload of a chunk record: `cols` (v4) or `rows` (v1–v3, and chunks of irregular rows). */
export type StoredChunk =
  | { readonly cols: { readonly n: number; readonly fields: readonly string[]; readonly columns: readonly StoredColumn[] } }
  | { readonly rows: readonly Row[] };

/** The stored form of `rows`. */
export function encodeRowChunk(rows: readonly Row[]): StoredChunk {
  const packed = packRows({ start: 0, rows }, null);
  if (!packed) return { rows: rows as Row[] };
  // packRows gives arrays (it packs row objects; only stored chunks carry packed strings).
  const columns = (packed.columns as (readonly unknown[])[]).map((col): StoredColumn => {
    const offsets = new Uint32Array(col.length + 1);
    let at = 0;
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (typeof v !== 'string') return { values: col };
      at += v.length;
      offsets[i + 1] = at;
    }
    return { text: (col as string[]).join(''), offsets };
  });
  return { cols: { n: packed.length, fields: packed.fields, columns } };
}

function columnValues(c: StoredColumn, n: number): readonly unknown[] {
  return 'values' in c ? c.values : columnArray(c, n);
}

/** The rows of a chunk record in either form. */
export function decodeRows(rec: Rec): Row[] {
  if (rec.cols === undefined) return rec.rows as Row[];
  const { n, fields, columns } = rec.cols as { n: number; fields: string[]; columns: StoredColumn[] };
  const values = columns.map((c) => columnValues(c, n));
  const rows = new Array<Row>(n);
  for (let i = 0; i < n; i++) {
    const r: Row = {};
    for (let f = 0; f < fields.length; f++) r[fields[f]] = values[f][i] as Row[string];
    rows[i] = r;
  }
  return rows;
}

/**
 * A chunk record column-wise, keeping only `fields` (null: all), without building row objects:
 * what the LF workers read. All-string columns stay packed as stored (`PackedStrings`), so the
 * chunk is cheap to post on. `start` is the chunk's first dataset row. A chunk of irregular rows
 * (stored as `rows`) comes back as those rows.
 */
export function decodeColumns(rec: Rec, start: number, fields: readonly string[] | null): ColumnChunk | RowChunk {
  if (rec.cols === undefined) {
    const rows = rec.rows as Row[];
    return packRows({ start, rows }, fields) ?? { start, rows };
  }
  const { n, fields: all, columns } = rec.cols as { n: number; fields: string[]; columns: StoredColumn[] };
  const keep: string[] = [];
  const cols: ColumnValues[] = [];
  all.forEach((f, j) => {
    if (fields !== null && !fields.includes(f)) return;
    keep.push(f);
    const c = columns[j];
    cols.push('values' in c ? c.values : { text: c.text, offsets: c.offsets });
  });
  return { start, length: n, fields: keep, columns: cols };
}
