/**
 * Read a whole data file into rows for `shoal apply` (Node): CSV, TSV, JSONL, JSON arrays and
 * Parquet, through the same streaming readers the browser importer uses (src/core/formats) over
 * a file-backed Blob. The CLI keeps the rows in memory anyway (it writes them back out as WRENCH
 * `data`). Every failure is one ShoalError naming the file, the row and what to do; skipped rows
 * and how the text was read (a guessed encoding, quoted TSV) go to stderr, one line each.
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

export interface ReadOptions {
  /** A TextDecoder label (`--encoding`); default: detected (BOM, UTF-8, else Windows-1252). */
  encoding?: string;
  /** Skip malformed rows (each is reported on stderr) instead of stopping at the first. */
  skipBadRows?: boolean;
  /** Where skipped rows and notes go, one line each (default: stderr). */
  log?: (line: string) => void;
}

export async function readRows(path: string, options: ReadOptions = {}): Promise<Row[]> {
  const format = dataFormat(path);
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const encoding = options.encoding;
  if (encoding !== undefined && encoding.toLowerCase() !== 'auto') {
    try {
      new TextDecoder(encoding);
    } catch {
      throw new ShoalError(
        `--encoding "${encoding}" is not an encoding this Node knows; use a WHATWG label such as utf-8, windows-1252, iso-8859-15 or utf-16le`,
      );
    }
  }
  let blob: Blob;
  try {
    blob = await openAsBlob(path);
  } catch (e) {
    throw new ShoalError(`${path}: cannot read the data file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  const rows: Row[] = [];
  const result = await parseTable(
    blob,
    {
      fileName: basename(path),
      format,
      batchSize: 10_000,
      ...(encoding !== undefined ? { encoding } : {}),
      skipBadRows: options.skipBadRows ?? false,
      onSkip: (issue) => log(`skipped ${issueMessage(issue)}`),
    },
    (batch) => {
      for (const r of batch.rows) rows.push(r);
    },
  );
  if (!result.ok)
    throw new ShoalError(
      issueMessage(result.error) + (result.error.code === 'encoding' && encoding === undefined ? ' (give it with --encoding NAME)' : ''),
    );
  if (result.encodingReason && result.encoding !== 'utf-8')
    log(`${basename(path)}: read as ${result.encoding} (${result.encodingReason}); give --encoding to choose another`);
  if (result.quotedReason) log(`${basename(path)}: read as quoted TSV because ${result.quotedReason}`);
  if (result.skipped > 0)
    log(`${basename(path)}: ${result.skipped} row${result.skipped === 1 ? ' was' : 's were'} skipped, ${result.rows} read`);
  return rows;
}
