/**
 * The common shape every dataset reader produces, so import, preview and the CLI handle CSV,
 * TSV, JSONL, JSON arrays, Parquet and WRENCH the same way.
 *
 * Readers stream: they hand rows to an async callback in batches (awaited, so a slow consumer
 * such as IndexedDB applies back-pressure) and report progress in bytes. Bad input is a value,
 * not an exception: a reader resolves to `{ ok: false, error }` where `error` names the file,
 * the row and the reason in one sentence. Only errors thrown by the caller's own callback
 * propagate.
 */
import { ShoalError } from '../types.ts';

/** One cell. Nested JSON/Parquet values are flattened to their JSON text. */
export type Cell = string | number | boolean | null;
/** One row, keyed by column name. */
export type Row = Record<string, Cell>;

export type DataFormat = 'csv' | 'tsv' | 'jsonl' | 'json' | 'parquet' | 'wrench';

export type IssueCode =
  | 'empty' // no rows at all
  | 'encoding' // not decodable text (not UTF-8, binary)
  | 'malformed' // a row that does not parse (bad quotes, bad JSON, not an object)
  | 'ragged' // a delimited row with the wrong number of fields
  | 'line-too-long' // one row longer than the limit (usually a wrong format or delimiter)
  | 'too-many-columns'
  | 'too-many-bad-rows'
  | 'missing-column' // an import option names a column the file lacks
  | 'duplicate-id'
  | 'bad-label' // gold label value not among the class names
  | 'bad-split' // split column value not train/dev/test
  | 'duplicate-column' // a warning: header names renamed
  | 'note' // information for the preview, not a problem
  | 'unsupported'
  | 'too-large'
  | 'storage' // the browser could not store the data (full disk, database closed)
  | 'cancelled';

/** A problem with the input, located as precisely as the format allows. */
export interface ParseIssue {
  file: string;
  code: IssueCode;
  /** 1-based data row (header excluded); for JSONL the 1-based line number. */
  row?: number;
  /** 1-based line of the file where the problem is (delimited text: where the record starts). */
  line?: number;
  /** Byte offset, when the row cannot be known (encoding errors). */
  byte?: number;
  reason: string;
}

/**
 * One sentence for the user: "data.csv, row 17 (line 18): has 3 fields but the header has 4".
 * The line is what a text editor shows; the row counts data records (header excluded).
 */
export function issueMessage(issue: ParseIssue): string {
  let where = issue.row !== undefined && issue.row > 0 ? `, ${issue.code === 'encoding' ? 'near row' : 'row'} ${issue.row}` : '';
  if (issue.line !== undefined) where = where ? `${where} (line ${issue.line})` : `, line ${issue.line}`;
  return `${issue.file}${where}: ${issue.reason}`;
}

/**
 * "Skip malformed rows" refuses once more than this share of a file's records would be skipped:
 * so many bad rows mean the format, delimiter or encoding is wrong, not a few rows.
 */
export const MAX_BAD_SHARE = 0.01;

/** The refusal when `skipped` of `records` is more than `share`, or null. */
export function tooManySkipped(
  file: string,
  skipped: number,
  records: number,
  first: ParseIssue | undefined,
  share = MAX_BAD_SHARE,
): ParseIssue | null {
  if (skipped === 0 || skipped <= share * records) return null;
  const pct = (100 * skipped) / Math.max(1, records);
  const firstText = first
    ? `; the first is ${first.line !== undefined ? `line ${first.line}` : `row ${first.row}`}, which ${first.reason}`
    : '';
  return {
    file,
    code: 'too-many-bad-rows',
    ...(first?.row !== undefined ? { row: first.row } : {}),
    ...(first?.line !== undefined ? { line: first.line } : {}),
    reason: `${skipped.toLocaleString('en-US')} of ${records.toLocaleString('en-US')} rows (${pct < 10 ? pct.toFixed(1) : Math.round(pct)}%) could not be read, more than the ${+(share * 100).toFixed(2)}% that skipping allows, so the file is not imported (check the format, delimiter and encoding${firstText})`,
  };
}

/** A ShoalError that carries the located issue, for boundaries that must throw. */
export class ImportError extends ShoalError {
  readonly issue: ParseIssue;
  constructor(issue: ParseIssue) {
    super(issueMessage(issue));
    this.name = 'ImportError';
    this.issue = issue;
  }
}

export interface RowBatch {
  /** Every column seen so far, in first-appearance order (JSONL may add columns later). */
  columns: readonly string[];
  rows: Row[];
  /** Each row's 1-based line in the file, for delimited text. */
  lineNumbers?: number[];
  /** 0-based index of rows[0] among the rows delivered so far (skipped rows not counted). */
  firstRow: number;
  /** Each row's 1-based number in the file, as messages give it (skipped rows counted). */
  rowNumbers?: number[];
  bytesRead: number;
  totalBytes: number;
}

export interface ParseProgress {
  bytesRead: number;
  totalBytes: number;
  rows: number;
  skipped: number;
}

export interface ParseOptions {
  /** Used in every message; File.name when parsing a File. */
  fileName: string;
  /** Field delimiter for CSV; auto-detected (, tab ; |) when omitted. */
  delimiter?: string;
  /** First row holds column names (default true); otherwise columns are col1..colN. */
  header?: boolean;
  /**
   * A TextDecoder label, decoded strictly so a wrong encoding is reported; default (or 'auto'):
   * detected from a BOM, UTF-8 validity and a Windows-1252 guess (see encoding.ts).
   */
  encoding?: string;
  /**
   * Delimited text: whether fields may be quoted. Default: yes for CSV (RFC 4180); for TSV only
   * when the file is clearly quoted TSV, else a quote is an ordinary character (IANA).
   */
  quoted?: boolean;
  /** Rows per batch handed to the callback (default 1000). */
  batchSize?: number;
  /** Skip rows that do not parse, counting them, instead of stopping at the first. */
  skipBadRows?: boolean;
  /** With skipBadRows, give up after this many skipped rows (default: no limit). */
  maxBadRows?: number;
  /** With skipBadRows, refuse when more than this share of the records is skipped (default MAX_BAD_SHARE). */
  maxBadShare?: number;
  /** Called with every skipped row (the result keeps only the first 100). */
  onSkip?: (issue: ParseIssue) => void;
  /** Longest single row accepted, in characters (default 32 Mi). */
  maxRowChars?: number;
  /** Most columns accepted (default 16384). */
  maxColumns?: number;
  /** Bytes read per step (default 1 MiB). */
  chunkBytes?: number;
  signal?: AbortSignal;
  onProgress?: (p: ParseProgress) => void;
}

/** How a text file was read, as far as it was decided (also reported when reading stops early). */
export interface ReadInfo {
  /** The delimiter used, for delimited text. */
  delimiter?: string;
  /** Delimited text: whether quotes were read as quoting. */
  quoted?: boolean;
  /** TSV read as quoted: why it was taken for quoted TSV. */
  quotedReason?: string;
  /** The text encoding used (a TextDecoder encoding name), for text formats. */
  encoding?: string;
  /** How the encoding was chosen when it was not given. */
  encodingReason?: string;
}

export interface ParseSuccess extends ReadInfo {
  ok: true;
  format: DataFormat;
  columns: string[];
  rows: number;
  skipped: number;
  /** The first skipped rows' reasons and any warnings (at most 100). */
  issues: ParseIssue[];
}

export interface ParseFailure {
  ok: false;
  error: ParseIssue;
  /** Rows delivered before the failure (the caller must discard them). */
  rows: number;
  /** How the text was being read when it stopped. */
  read?: ReadInfo;
}

export type ParseResult = ParseSuccess | ParseFailure;

export type BatchSink = (batch: RowBatch) => void | Promise<void>;

export const DEFAULTS = {
  batchSize: 1000,
  maxRowChars: 32 * 1024 * 1024,
  maxColumns: 16384,
  chunkBytes: 1024 * 1024,
  maxIssues: 100,
} as const;

/** Flatten any decoded value into a cell: nested structures become JSON text. */
export function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'bigint':
      return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
    case 'object':
      if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
      return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
    default:
      return String(v);
  }
}

/** Guess the format from the file name; content sniffing happens in `parseFile`. */
export function formatFromName(fileName: string): DataFormat | undefined {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.tsv') || lower.endsWith('.tab')) return 'tsv';
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return 'jsonl';
  if (lower.endsWith('.parquet') || lower.endsWith('.pq')) return 'parquet';
  if (lower.endsWith('.json')) return 'json';
  return undefined;
}
