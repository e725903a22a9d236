/**
 * Read a whole data file into rows for `shoal apply` (Node): CSV, TSV, JSONL, JSON arrays and
 * Parquet, through the same streaming readers the browser importer uses (src/core/formats) over
 * a file-backed Blob. The CLI keeps the rows in memory anyway (it writes them back out as WRENCH
 * `data`). Every failure is one ShoalError naming the file, the row and what to do.
 */
import { openAsBlob } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseTable } from '../core/formats/parse.ts';
import { issueMessage, type DataFormat } from '../core/formats/types.ts';
import type { Row } from '../core/lf/index.ts';
import { ShoalError } from '../core/types.ts';

const FORMATS: Record<string, DataFormat> = { csv: 'csv', tsv: 'tsv', jsonl: 'jsonl', ndjson: 'jsonl', json: 'json', parquet: 'parquet' };

export function dataFormat(path: string): DataFormat {
  const ext = extname(path).toLowerCase().slice(1);
  const f = FORMATS[ext];
  if (!f) throw new ShoalError(`${path}: unknown data format ".${ext}"; use .csv, .tsv, .jsonl, .json or .parquet`);
  return f;
}

export async function readRows(path: string): Promise<Row[]> {
  const format = dataFormat(path);
  let blob: Blob;
  try {
    blob = await openAsBlob(path);
  } catch (e) {
    throw new ShoalError(`${path}: cannot read the data file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const rows: Row[] = [];
  const result = await parseTable(blob, { fileName: basename(path), format, batchSize: 10_000 }, (batch) => {
    for (const r of batch.rows) rows.push(r);
  });
  if (!result.ok) throw new ShoalError(issueMessage(result.error));
  return rows;
}
