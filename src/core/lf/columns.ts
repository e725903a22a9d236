/**
 * Row chunks column-wise, for sending them to LF workers. Structured clone (postMessage) of an
 * array of row objects writes and re-reads every key of every row and rebuilds each object
 * property by property; measured here at ≈ 0.33 µs per row to serialize and ≈ 0.95 µs to
 * deserialize for one-field rows, more than the 20 spec LFs cost per row on a warm worker. One
 * array per field costs ≈ 0.06 + 0.07 µs (V8's serializer, 1000-row chunks of the spec rows).
 *
 * A column may also arrive packed (`PackedStrings`: every value a string, joined, with offsets),
 * as row chunks are stored (storage/chunk-format.ts): readers forward it unsliced, so a chunk
 * relayed to another process (chunk-relay.ts) is cloned as two buffers instead of one string per
 * row, and the LF worker slices the rows out itself.
 *
 * Packing is exact: `unpackRows(packRows(c, null))` gives rows with the same keys in the same
 * order and the same values. It applies only when every row has exactly the first row's keys,
 * in its order (a CSV or JSONL import makes such rows); otherwise `packRows` returns null and the
 * caller sends the rows as they are. With `fields`, only those fields travel (the LFs read no
 * others); rows then carry just those keys.
 */
import type { LfDef, Row, RowChunk } from './types.ts';

/** An all-string column as one string: value i is `text.slice(offsets[i], offsets[i + 1])`. */
export interface PackedStrings {
  readonly text: string;
  readonly offsets: Uint32Array;
}

/** One field's values for every row of a chunk, as an array or packed. */
export type ColumnValues = readonly unknown[] | PackedStrings;

/** A chunk as one column per field: value i of `columns[f]` is field `fields[f]` of row `start + i`. */
export interface ColumnChunk {
  readonly start: number;
  readonly length: number;
  readonly fields: readonly string[];
  readonly columns: readonly ColumnValues[];
}

/** A column's values as an array (packed strings are sliced out). */
export function columnArray(c: ColumnValues, n: number): readonly unknown[] {
  if (Array.isArray(c)) return c;
  const { text, offsets } = c as PackedStrings;
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = text.slice(offsets[i], offsets[i + 1]);
  return out;
}

/** One field's values for every row of a chunk, in either form (undefined where a row lacks it). */
export function fieldValues(chunk: RowChunk | ColumnChunk, field: string): readonly unknown[] {
  if (!isColumnChunk(chunk)) return chunk.rows.map((r) => r[field]);
  const f = chunk.fields.indexOf(field);
  return f < 0 ? new Array<unknown>(chunk.length) : columnArray(chunk.columns[f], chunk.length);
}

export function isColumnChunk(c: RowChunk | ColumnChunk): c is ColumnChunk {
  return (c as ColumnChunk).columns !== undefined;
}

/**
 * Pack a row chunk column-wise, keeping only `fields` (null: every field). Null when the rows do
 * not all have the first row's keys in the same order (then keys would be lost or reordered).
 */
export function packRows(chunk: RowChunk, fields: readonly string[] | null): ColumnChunk | null {
  const rows = chunk.rows;
  const n = rows.length;
  const keys = n > 0 ? Object.keys(rows[0]) : [];
  for (let i = 1; i < n; i++) {
    let k = 0;
    for (const key in rows[i]) {
      if (key !== keys[k++]) return null;
    }
    if (k !== keys.length) return null;
  }
  // Keep the rows' key order; a wanted field no row has stays absent, as it was.
  const keep = fields === null ? keys : keys.filter((k) => fields.includes(k));
  const columns = keep.map((f) => {
    const col = new Array<unknown>(n);
    for (let i = 0; i < n; i++) col[i] = rows[i][f];
    return col;
  });
  return { start: chunk.start, length: n, fields: keep, columns };
}

/** Rows again, keys in the packed order. */
export function unpackRows(chunk: ColumnChunk): Row[] {
  const { fields, length } = chunk;
  const columns = chunk.columns.map((c) => columnArray(c, length));
  const rows = new Array<Row>(length);
  for (let i = 0; i < length; i++) {
    const r: Record<string, unknown> = {};
    for (let f = 0; f < fields.length; f++) r[fields[f]] = columns[f][i];
    rows[i] = r;
  }
  return rows;
}

/**
 * The fields an LF set reads, or null when it cannot be known (a code LF reads the row object
 * however it likes). `textField` is where templates without a `field` read.
 */
export function fieldsRead(defs: readonly LfDef[], textField: string): string[] | null {
  const out = new Set<string>();
  for (const d of defs) {
    if (d.kind === 'code') return null;
    out.add(d.field ?? textField);
  }
  return [...out];
}
