/**
 * The plumbing every reader shares: strict text decoding of a Blob in fixed-size slices,
 * batching rows for the caller, skip-bad-row bookkeeping, progress and cancellation.
 *
 * Blobs are read with `slice().arrayBuffer()` rather than `stream()` so the step size is ours
 * (the same in Node, a worker and the page) and a File is never held in memory whole.
 */
import {
  DEFAULTS,
  type BatchSink,
  type ParseIssue,
  type ParseOptions,
  type ParseResult,
  type ParseSuccess,
  type Row,
} from './types.ts';

/** Thrown inside a reader to stop with a located issue; never escapes `guard`. */
export class IssueSignal {
  constructor(readonly issue: ParseIssue) {}
}

/** Wraps an exception thrown by the caller's sink so `guard` rethrows it untouched. */
class SinkFailure {
  constructor(readonly cause: unknown) {}
}

export class Emitter {
  readonly file: string;
  rowsOut = 0;
  skipped = 0;
  readonly issues: ParseIssue[] = [];
  columns: string[] = [];
  private batch: Row[] = [];
  private numbers: number[] = [];
  private readonly batchSize: number;
  private readonly skipBad: boolean;
  private readonly maxBad: number;
  private bytesRead = 0;

  constructor(
    readonly opts: ParseOptions,
    private readonly sink: BatchSink,
    readonly totalBytes: number,
  ) {
    this.file = opts.fileName;
    this.batchSize = Math.max(1, opts.batchSize ?? DEFAULTS.batchSize);
    this.skipBad = opts.skipBadRows ?? false;
    this.maxBad = opts.maxBadRows ?? Infinity;
  }

  /** Rows per batch, shrunk for very wide tables so one batch stays about a million cells. */
  get effectiveBatch(): number {
    const width = Math.max(1, this.columns.length);
    return Math.max(1, Math.min(this.batchSize, Math.floor(1_000_000 / width)));
  }

  /** `rowNo`: the row's 1-based number in the file (as in messages), kept for later checks. */
  push(row: Row, rowNo: number): void {
    this.batch.push(row);
    this.numbers.push(rowNo);
  }

  get pending(): number {
    return this.batch.length;
  }

  /** A bad row: recorded and skipped when allowed, otherwise the reader stops with it. */
  bad(issue: ParseIssue): void {
    if (!this.skipBad) throw new IssueSignal(issue);
    this.skipped++;
    if (this.skipped > this.maxBad) {
      throw new IssueSignal({
        file: this.file,
        code: 'too-many-bad-rows',
        row: issue.row,
        reason: `more than ${this.maxBad} rows could not be read (the last: ${issue.reason}); check the format and delimiter`,
      });
    }
    this.note(issue);
  }

  note(issue: ParseIssue): void {
    if (this.issues.length < DEFAULTS.maxIssues) this.issues.push(issue);
  }

  fail(issue: Omit<ParseIssue, 'file'>): never {
    throw new IssueSignal({ file: this.file, ...issue });
  }

  checkAbort(): void {
    if (this.opts.signal?.aborted) this.fail({ code: 'cancelled', reason: 'the import was cancelled' });
  }

  setBytes(bytesRead: number): void {
    this.bytesRead = bytesRead;
    this.opts.onProgress?.({ bytesRead, totalBytes: this.totalBytes, rows: this.rowsOut + this.batch.length, skipped: this.skipped });
  }

  /** Hand full batches to the sink; `all` also flushes a partial one (end of input). */
  async flush(all = false): Promise<void> {
    const size = this.effectiveBatch;
    while (this.batch.length >= size || (all && this.batch.length > 0)) {
      const whole = this.batch.length <= size;
      const rows = whole ? this.batch : this.batch.splice(0, size);
      const rowNumbers = whole ? this.numbers : this.numbers.splice(0, size);
      if (whole) {
        this.batch = [];
        this.numbers = [];
      }
      const firstRow = this.rowsOut;
      this.rowsOut += rows.length;
      this.checkAbort();
      try {
        await this.sink({ columns: this.columns.slice(), rows, rowNumbers, firstRow, bytesRead: this.bytesRead, totalBytes: this.totalBytes });
      } catch (e) {
        throw new SinkFailure(e);
      }
    }
  }
}

/**
 * Run a reader body, turning every internal failure into a located issue. Errors thrown by
 * the caller's sink are rethrown as they are (they belong to the caller).
 */
export async function guard(em: Emitter, body: () => Promise<ParseSuccess>): Promise<ParseResult> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof SinkFailure) throw e.cause;
    if (e instanceof IssueSignal) return { ok: false, error: e.issue, rows: em.rowsOut };
    if (e instanceof RangeError && /string length|allocation|array length/i.test(e.message)) {
      return { ok: false, rows: em.rowsOut, error: { file: em.file, code: 'too-large', reason: 'is too large to read in this browser; split it into smaller files' } };
    }
    const msg = e instanceof Error ? e.message : String(e);
    return { ok: false, rows: em.rowsOut, error: { file: em.file, code: 'malformed', reason: `could not be read (${msg})` } };
  }
}

export function success(em: Emitter, extra: Pick<ParseSuccess, 'format'> & Partial<ParseSuccess>): ParseSuccess {
  return { ok: true, columns: em.columns.slice(), rows: em.rowsOut, skipped: em.skipped, issues: em.issues, ...extra };
}

/** Index of the first byte that breaks UTF-8, or -1 (used only to locate a decode error). */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  const n = b.length;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) (need = 1), (min = 0x80);
    else if (c >= 0xe0 && c <= 0xef) (need = 2), (min = 0x800);
    else if (c >= 0xf0 && c <= 0xf4) (need = 3), (min = 0x10000);
    else return i;
    let cp = c & (0xff >> (need + 2));
    for (let t = 1; t <= need; t++) {
      if (i + t >= n) return -1; // truncated at the slice end: the next slice completes it
      const d = b[i + t];
      if ((d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

export interface TextChunk {
  text: string;
  bytesRead: number;
  last: boolean;
}

/**
 * Decode a Blob slice by slice. UTF-8 is decoded with `fatal: true`, so a Latin-1 or UTF-16
 * file is reported (with its byte offset) instead of silently filling with U+FFFD.
 * `rowHint` gives the row reached so far, for the message.
 */
export async function* textChunks(blob: Blob, em: Emitter, rowHint: () => number): AsyncGenerator<TextChunk> {
  const opts = em.opts;
  const step = Math.max(16, opts.chunkBytes ?? DEFAULTS.chunkBytes);
  const label = opts.encoding ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    em.fail({ code: 'unsupported', reason: `the text encoding "${label}" is not known to this browser` });
  }
  const utf8 = decoder.encoding === 'utf-8';
  const size = blob.size;
  if (size === 0) em.fail({ code: 'empty', reason: 'is empty' });
  for (let off = 0; off < size; off += step) {
    em.checkAbort();
    const end = Math.min(size, off + step);
    const bytes = new Uint8Array(await blob.slice(off, end).arrayBuffer());
    if (off === 0) sniffBinary(bytes, em, utf8);
    let text: string;
    try {
      text = decoder.decode(bytes, { stream: end < size });
    } catch {
      const at = firstInvalidUtf8(bytes);
      em.fail({
        code: 'encoding',
        row: rowHint() + 1,
        byte: off + Math.max(0, at),
        reason: `is not valid ${utf8 ? 'UTF-8' : label} text (first bad byte at offset ${off + Math.max(0, at)}); re-save it as UTF-8, or pick its encoding (e.g. windows-1252) in the import options`,
      });
    }
    em.setBytes(end);
    yield { text, bytesRead: end, last: end >= size };
  }
}

function sniffBinary(bytes: Uint8Array, em: Emitter, utf8: boolean): void {
  if (utf8 && bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    em.fail({ code: 'encoding', row: 1, byte: 0, reason: 'is UTF-16 text; re-save it as UTF-8' });
  }
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31) {
    em.fail({ code: 'encoding', row: 1, byte: 0, reason: 'is a Parquet file; import it with the .parquet extension' });
  }
  const probe = Math.min(bytes.length, 8192);
  for (let i = 0; i < probe; i++) {
    if (bytes[i] === 0) {
      em.fail({ code: 'encoding', byte: i, reason: 'looks like a binary file (it contains NUL bytes), not text; export the data as CSV, JSONL or Parquet' });
    }
  }
}
