/**
 * One entry point for every tabular format: pick the reader from the options, the file name
 * or the first bytes, and stream rows to the caller. Also a small preview helper (first rows
 * and columns) for the import screen.
 */
import { parseDelimited } from './csv.ts';
import { parseJsonArray, parseJsonLines } from './jsonl.ts';
import { parseParquet } from './parquet.ts';
import { parseWrenchSplit } from './wrench.ts';
import { ShoalError } from '../types.ts';
import {
  formatFromName,
  toCell,
  type BatchSink,
  type DataFormat,
  type ParseIssue,
  type ParseOptions,
  type ParseResult,
  type ReadInfo,
  type Row,
} from './types.ts';

export interface FileParseOptions extends ParseOptions {
  /** Force a format; otherwise from the extension, then from the first bytes. */
  format?: DataFormat;
}

/** Format by extension, falling back to the first bytes (PAR1, '[', '{', text). */
export async function detectFormat(blob: Blob, fileName: string): Promise<DataFormat> {
  const head = new Uint8Array(await blob.slice(0, 4096).arrayBuffer());
  const byName = formatFromName(fileName);
  const text = new TextDecoder('utf-8', { fatal: false })
    .decode(head)
    .replace(/^\ufeff/, '')
    .trimStart();
  if (byName === 'json' && text.startsWith('{')) return 'wrench';
  if (byName) return byName;
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31) return 'parquet';
  if (text.startsWith('[')) return 'json';
  if (text.startsWith('{')) return /"weak_labels"\s*:/.test(text) && !/}\s*\n\s*{/.test(text) ? 'wrench' : 'jsonl';
  const firstLine = text.split('\n', 1)[0];
  return firstLine.includes('\t') && !firstLine.includes(',') ? 'tsv' : 'csv';
}

/**
 * Stream a tabular file (CSV, TSV, JSONL, JSON array, Parquet) to `sink`. WRENCH files go
 * through `readWrench` (they carry votes and labels, not only rows).
 */
export async function parseTable(blob: Blob, opts: FileParseOptions, sink: BatchSink): Promise<ParseResult> {
  const format = opts.format ?? (await detectFormat(blob, opts.fileName));
  switch (format) {
    case 'csv':
      return parseDelimited(blob, opts, sink);
    case 'tsv':
      return parseDelimited(blob, { ...opts, delimiter: opts.delimiter ?? '\t' }, sink);
    case 'jsonl':
      return parseJsonLines(blob, opts, sink);
    case 'json':
      return parseJsonArray(blob, opts, sink);
    case 'parquet':
      return parseParquet(blob, opts, sink);
    case 'wrench':
      return {
        ok: false,
        rows: 0,
        error: { file: opts.fileName, code: 'unsupported', reason: 'is a WRENCH file; import it as a WRENCH dataset' },
      };
  }
}

export interface Preview extends ReadInfo {
  format: DataFormat;
  columns: string[];
  rows: Row[];
  /** Why the file cannot be imported, if the first rows already show it. */
  error?: ParseIssue;
  /** Rows skipped among the first ones, and warnings. */
  issues: ParseIssue[];
}

/** The first `limit` rows and the columns they show, stopping the read early. */
export async function previewTable(blob: Blob, opts: FileParseOptions, limit = 20): Promise<Preview> {
  const format = opts.format ?? (await detectFormat(blob, opts.fileName));
  if (format === 'wrench') return previewWrench(blob, opts.fileName, limit);
  const rows: Row[] = [];
  let columns: string[] = [];
  const stop = new AbortController();
  const outer = opts.signal;
  const onOuter = (): void => stop.abort();
  outer?.addEventListener('abort', onOuter);
  try {
    const result = await parseTable(
      blob,
      { ...opts, format, batchSize: limit, signal: stop.signal, skipBadRows: true, maxBadShare: 1 },
      (b) => {
        columns = b.columns.slice();
        for (const r of b.rows) if (rows.length < limit) rows.push(r);
        if (rows.length >= limit) stop.abort();
      },
    );
    // How the text was read is known once the first rows arrived, also when we stopped there.
    const info = result.ok ? result : (result.read ?? {});
    const read: ReadInfo = {
      ...(info.encoding ? { encoding: info.encoding } : {}),
      ...(info.encodingReason ? { encodingReason: info.encodingReason } : {}),
      ...(info.delimiter ? { delimiter: info.delimiter } : {}),
      ...(info.quoted !== undefined ? { quoted: info.quoted } : {}),
      ...(info.quotedReason ? { quotedReason: info.quotedReason } : {}),
    };
    if (result.ok) return { format, columns: result.columns, rows, issues: result.issues, ...read };
    const stoppedByUs = result.error.code === 'cancelled' && !outer?.aborted;
    return { format, columns, rows, issues: [], error: stoppedByUs ? undefined : result.error, ...read };
  } finally {
    outer?.removeEventListener('abort', onOuter);
  }
}

/** WRENCH split files are one JSON object, so the preview parses it whole (they are small). */
async function previewWrench(blob: Blob, fileName: string, limit: number): Promise<Preview> {
  if (blob.size > 512 * 1024 * 1024) {
    return {
      format: 'wrench',
      columns: [],
      rows: [],
      issues: [],
      error: { file: fileName, code: 'too-large', reason: 'is larger than 512 MB; WRENCH files are read whole' },
    };
  }
  try {
    const split = parseWrenchSplit(await blob.text(), fileName);
    const columns: string[] = [];
    const seen = new Set<string>();
    const rows: Row[] = split.data.slice(0, limit).map((d, i) => {
      const r: Row = {};
      for (const k of Object.keys(d)) {
        if (!seen.has(k)) (seen.add(k), columns.push(k));
        r[k] = toCell(d[k]);
      }
      r.label = split.labels[i];
      return r;
    });
    columns.push('label');
    const note = {
      file: fileName,
      code: 'note' as const,
      reason: `has ${split.ids.length} rows and ${split.L.m} weak-label columns (imported as read-only LFs)`,
    };
    return { format: 'wrench', columns, rows, issues: [note] };
  } catch (e) {
    if (!(e instanceof ShoalError)) throw e;
    return {
      format: 'wrench',
      columns: [],
      rows: [],
      issues: [],
      error: { file: fileName, code: 'malformed', reason: e.message.replace(`${fileName}: `, '') },
    };
  }
}
