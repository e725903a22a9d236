/**
 * The plumbing every reader shares: strict text decoding of a Blob in fixed-size slices,
 * batching rows for the caller, skip-bad-row bookkeeping, progress and cancellation.
 *
 * Blobs are read with `slice().arrayBuffer()` rather than `stream()` so the step size is ours
 * (the same in Node, a worker and the page) and a File is never held in memory whole.
 */
import { errorText } from '../errors.ts';
import { detectEncoding, describeEncoding, firstInvalidUtf8 } from './encoding.ts';
import {
  DEFAULTS,
  MAX_BAD_SHARE,
  tooManySkipped,
  type BatchSink,
  type ParseIssue,
  type ParseOptions,
  type ParseResult,
  type ParseSuccess,
  type ReadInfo,
  type Row,
} from './types.ts';

export { firstInvalidUtf8 };

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
  /** How the text is read: encoding (set by `textChunks`), delimiter and quoting (by the reader). */
  readonly info: ReadInfo = {};
  private firstSkipped: ParseIssue | undefined;
  private batch: Row[] = [];
  private numbers: number[] = [];
  private lines: number[] = [];
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
  push(row: Row, rowNo: number, line?: number): void {
    this.batch.push(row);
    this.numbers.push(rowNo);
    if (line !== undefined) this.lines.push(line);
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
    this.firstSkipped ??= issue;
    this.opts.onSkip?.(issue);
    this.note(issue);
  }

  /** At the end: refuse when skipping took more than the allowed share of the records. */
  checkBadShare(): void {
    if (!this.skipBad) return;
    const refusal = tooManySkipped(
      this.file,
      this.skipped,
      this.rowsOut + this.skipped,
      this.firstSkipped,
      this.opts.maxBadShare ?? MAX_BAD_SHARE,
    );
    if (refusal) throw new IssueSignal(refusal);
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
      const hasLines = this.lines.length > 0;
      const lineNumbers = !hasLines ? undefined : whole ? this.lines : this.lines.splice(0, size);
      if (whole) {
        this.batch = [];
        this.numbers = [];
        this.lines = [];
      }
      const firstRow = this.rowsOut;
      this.rowsOut += rows.length;
      this.checkAbort();
      try {
        await this.sink({
          columns: this.columns.slice(),
          rows,
          rowNumbers,
          ...(lineNumbers ? { lineNumbers } : {}),
          firstRow,
          bytesRead: this.bytesRead,
          totalBytes: this.totalBytes,
        });
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
    if (e instanceof IssueSignal)
      return { ok: false, error: e.issue, rows: em.rowsOut, ...(Object.keys(em.info).length ? { read: { ...em.info } } : {}) };
    if (e instanceof RangeError && /string length|allocation|array length/i.test(e.message)) {
      return {
        ok: false,
        rows: em.rowsOut,
        error: { file: em.file, code: 'too-large', reason: 'is too large to read in this browser; split it into smaller files' },
      };
    }
    const msg = errorText(e);
    return { ok: false, rows: em.rowsOut, error: { file: em.file, code: 'malformed', reason: `could not be read (${msg})` } };
  }
}

export function success(em: Emitter, extra: Pick<ParseSuccess, 'format'> & Partial<ParseSuccess>): ParseSuccess {
  return { ok: true, columns: em.columns.slice(), rows: em.rowsOut, skipped: em.skipped, issues: em.issues, ...em.info, ...extra };
}

export interface TextChunk {
  text: string;
  bytesRead: number;
  last: boolean;
}

/**
 * Decode a Blob slice by slice. The text is decoded with `fatal: true`, so a file in another
 * encoding is reported (with its byte offset) instead of silently filling with U+FFFD. Without
 * an encoding (or with 'auto') it is detected from the first slice (encoding.ts) and recorded
 * on the emitter. `rowHint` gives the row reached so far, for the message.
 */
export async function* textChunks(blob: Blob, em: Emitter, rowHint: () => number): AsyncGenerator<TextChunk> {
  const opts = em.opts;
  const step = Math.max(16, opts.chunkBytes ?? DEFAULTS.chunkBytes);
  const size = blob.size;
  if (size === 0) em.fail({ code: 'empty', reason: 'is empty' });
  const auto = opts.encoding === undefined || opts.encoding === '' || opts.encoding.toLowerCase() === 'auto';
  let label = opts.encoding ?? 'utf-8';
  if (auto) {
    // The first 64 KiB decide; a later bad byte is still reported where it is.
    const head = new Uint8Array(await blob.slice(0, Math.min(size, 64 * 1024)).arrayBuffer());
    const guess = detectEncoding(head, size <= head.length);
    label = guess.encoding;
    em.info.encodingReason = guess.reason;
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    em.fail({ code: 'unsupported', reason: `the text encoding "${label}" is not known to this browser` });
  }
  em.info.encoding = decoder.encoding;
  const utf8 = decoder.encoding === 'utf-8';
  const wide = decoder.encoding.startsWith('utf-16');
  for (let off = 0; off < size; off += step) {
    em.checkAbort();
    const end = Math.min(size, off + step);
    const bytes = new Uint8Array(await blob.slice(off, end).arrayBuffer());
    if (off === 0) sniffBinary(bytes, em, utf8, wide);
    let text: string;
    try {
      // Always decode in stream mode and flush with an empty call: Node 20's one-shot
      // windows-1252 decode drops the bytes 0x80–0x9F (€, “, ” …), its stream mode does not.
      text = decoder.decode(bytes, { stream: true });
      if (end >= size) text += decoder.decode();
    } catch {
      const at = utf8 ? firstInvalidUtf8(bytes) : -1;
      em.fail({
        code: 'encoding',
        row: rowHint() + 1,
        byte: off + Math.max(0, at),
        reason: `is not valid ${describeEncoding(decoder.encoding)} text (${at >= 0 ? `first bad byte at offset ${off + at}` : `a bad byte in the ${end - off} bytes from offset ${off}`}); pick its encoding (e.g. windows-1252), or re-save it as UTF-8`,
      });
    }
    em.setBytes(end);
    yield { text, bytesRead: end, last: end >= size };
  }
}

/**
 * Refuse files that are not text in the chosen encoding. A few NUL characters are kept (they are
 * valid text and Python's csv keeps them); many (over a tenth of the first bytes) mean a
 * binary file.
 */
function sniffBinary(bytes: Uint8Array, em: Emitter, utf8: boolean, wide: boolean): void {
  if (utf8 && bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    em.fail({
      code: 'encoding',
      row: 1,
      byte: 0,
      reason: 'is UTF-16 text; pick utf-16le or utf-16be as its encoding, or re-save it as UTF-8',
    });
  }
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x41 && bytes[2] === 0x52 && bytes[3] === 0x31) {
    em.fail({ code: 'encoding', row: 1, byte: 0, reason: 'is a Parquet file; import it with the .parquet extension' });
  }
  if (wide) return;
  const probe = Math.min(bytes.length, 8192);
  let nul = 0;
  let firstNul = -1;
  for (let i = 0; i < probe; i++) {
    if (bytes[i] === 0) {
      nul++;
      if (firstNul < 0) firstNul = i;
    }
  }
  if (nul * 10 > probe) {
    em.fail({
      code: 'encoding',
      byte: firstNul,
      reason: 'looks like a binary file (it contains NUL bytes), not text; export the data as CSV, JSONL or Parquet',
    });
  }
}
