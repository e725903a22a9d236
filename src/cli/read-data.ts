/**
 * Read a whole data file into rows for `shoal apply` (Node): CSV/TSV (papaparse, header row),
 * JSONL (one object per line), JSON (an array of objects) and Parquet (hyparquet). The CLI
 * holds the rows in memory anyway (it writes them back out as WRENCH `data`), so this reads
 * eagerly; the browser importer streams instead (src/core/formats).
 * Every failure is one ShoalError naming the file, the row and what to do.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import Papa from 'papaparse';
import { parquetReadObjects } from 'hyparquet';
import type { Row } from '../core/lf/index.ts';
import { ShoalError } from '../core/types.ts';

export type DataKind = 'csv' | 'tsv' | 'jsonl' | 'json' | 'parquet';

export function dataKind(path: string): DataKind {
  const ext = extname(path).toLowerCase().slice(1);
  if (ext === 'csv' || ext === 'tsv' || ext === 'jsonl' || ext === 'json' || ext === 'parquet') return ext;
  if (ext === 'ndjson') return 'jsonl';
  throw new ShoalError(`${path}: unknown data format ".${ext}"; use .csv, .tsv, .jsonl, .json or .parquet`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Parquet INT64 arrives as bigint; LFs expect plain numbers (exact up to 2^53) or text. */
function plain(row: Record<string, unknown>): Row {
  for (const k in row) {
    const v = row[k];
    if (typeof v === 'bigint') row[k] = Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  }
  return row;
}

export async function readRows(path: string): Promise<Row[]> {
  const kind = dataKind(path);
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (e) {
    throw new ShoalError(`${path}: cannot read the data file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (buf.length === 0) throw new ShoalError(`${path}: the file is empty`);
  if (kind === 'parquet') {
    try {
      const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
      return (await parquetReadObjects({ file: ab })).map(plain);
    } catch (e) {
      throw new ShoalError(`${path}: not a readable Parquet file (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(buf).replace(/^\uFEFF/, '');
  if (kind === 'jsonl') {
    const rows: Row[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i].trim();
      if (line === '') continue;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch (e) {
        throw new ShoalError(`${path}: line ${i + 1} is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
      }
      if (!isRecord(v)) throw new ShoalError(`${path}: line ${i + 1} is not a JSON object; each line must be one row like {"text": "..."}`);
      rows.push(v);
    }
    return rows;
  }
  if (kind === 'json') {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new ShoalError(`${path}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    if (!Array.isArray(v)) throw new ShoalError(`${path}: expected a JSON array of row objects`);
    v.forEach((r, i) => {
      if (!isRecord(r)) throw new ShoalError(`${path}: element ${i} is not an object; the array must hold rows like {"text": "..."}`);
    });
    return v as Row[];
  }
  const res = Papa.parse<Record<string, unknown>>(text, {
    header: true,
    delimiter: kind === 'tsv' ? '\t' : ',',
    skipEmptyLines: 'greedy',
    dynamicTyping: false,
  });
  const bad = res.errors.find((e) => e.type !== 'FieldMismatch' || e.code === 'TooManyFields');
  if (bad) throw new ShoalError(`${path}: row ${(bad.row ?? 0) + 1}: ${bad.message}`);
  if (!res.meta.fields || res.meta.fields.length === 0) throw new ShoalError(`${path}: no header row`);
  return res.data;
}
