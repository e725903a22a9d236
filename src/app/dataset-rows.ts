/**
 * The rows of one dataset version, read by range from storage: the page never holds the whole
 * dataset as JS objects (half a million long documents would take gigabytes of page heap). It
 * holds indexes and typed arrays; screens ask this service for the rows they show.
 *
 * - `read(start, end)` and `get(indices)` go through a small LRU of stored chunks (bounded in
 *   chunks and in approximate bytes), so scrolling or paging reads each chunk once.
 * - `scan` and `texts` stream every chunk they need once, without filling the cache: a search
 *   over the dataset or the texts for the classifier never evict the rows on screen.
 * - Fields hidden from page-side readers (the gold column, core/lf/gold.ts) are cut when a chunk
 *   is read, so neither the cache nor any caller ever sees them.
 *
 * Every read takes an optional AbortSignal; an aborted read rejects with an AbortError.
 */
// A row's text is what LFs see too: core's one definition.
import { fieldText } from '../core/lf/text.ts';
import { withoutFields } from '../core/lf/gold.ts';
import type { Row } from '../core/lf/types.ts';
import { ShoalError } from '../core/types.ts';
import type { ShoalStorage } from '../storage/types.ts';
import type { TextSearch } from './text-search.ts';

/** What the service needs to know of a committed dataset version. */
export interface RowsVersion {
  readonly id: string;
  readonly rowCount: number;
  readonly rowsPerChunk: number;
}

export interface DatasetRowsOptions {
  /** Fields no caller may see (hiddenFields of the version). */
  readonly hidden?: readonly string[];
  /** At most this many chunks cached (default 16). */
  readonly maxChunks?: number;
  /** At most about this many bytes of cached row text (default 64 MB); one chunk is always kept. */
  readonly maxBytes?: number;
  /** Searches the text off the page (the page's search worker, text-search.ts); absent: rows are scanned here. */
  readonly search?: TextSearch;
}

export interface ScanOptions {
  readonly signal?: AbortSignal;
  /** Rows done and rows in all, after each chunk. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Only rows [from, to) (default all). */
  readonly from?: number;
  readonly to?: number;
}

interface Cached {
  rows: Row[];
  bytes: number;
}

const DEFAULT_MAX_CHUNKS = 16;
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export class DatasetRows {
  readonly count: number;
  readonly versionId: string;
  readonly search: TextSearch | undefined;
  private readonly per: number;
  private readonly hidden: readonly string[];
  private readonly maxChunks: number;
  private readonly maxBytes: number;
  /** Chunk index → rows; Map order is the recency order (oldest first). */
  private readonly cache = new Map<number, Cached>();
  private bytes = 0;
  /** Reads in flight, shared by concurrent callers of the same chunk. */
  private readonly pending = new Map<number, Promise<Cached>>();

  constructor(
    private readonly storage: ShoalStorage,
    version: RowsVersion,
    opts: DatasetRowsOptions = {},
  ) {
    this.count = version.rowCount;
    this.versionId = version.id;
    this.search = opts.search;
    this.per = Math.max(1, version.rowsPerChunk);
    this.hidden = opts.hidden ?? [];
    this.maxChunks = Math.max(1, opts.maxChunks ?? DEFAULT_MAX_CHUNKS);
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  }

  /** Rows [start, end) in order (clamped to the dataset). */
  async read(start: number, end: number, signal?: AbortSignal): Promise<Row[]> {
    const from = Math.max(0, Math.floor(start));
    const to = Math.min(this.count, Math.ceil(end));
    const out: Row[] = [];
    if (to <= from) return out;
    for (let c = Math.floor(from / this.per); c * this.per < to; c++) {
      const rows = (await this.chunk(c, signal)).rows;
      const base = c * this.per;
      for (let r = Math.max(from - base, 0); r < rows.length && base + r < to; r++) out.push(rows[r]);
    }
    return out;
  }

  /** The rows at `indices`, in the order asked (an index may repeat). */
  async get(indices: ArrayLike<number>, signal?: AbortSignal): Promise<Row[]> {
    const out = new Array<Row>(indices.length);
    // Chunk by chunk, so each chunk is read once however the indices are ordered.
    const byChunk = new Map<number, number[]>();
    for (let t = 0; t < indices.length; t++) {
      const i = indices[t];
      if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new ShoalError(`row ${i} is outside the dataset (${this.count} rows)`);
      const c = Math.floor(i / this.per);
      const list = byChunk.get(c);
      if (list) list.push(t);
      else byChunk.set(c, [t]);
    }
    for (const c of [...byChunk.keys()].sort((a, b) => a - b)) {
      const rows = (await this.chunk(c, signal)).rows;
      for (const t of byChunk.get(c)!) out[t] = rows[indices[t] - c * this.per];
    }
    return out;
  }

  /**
   * Stream rows [from, to) chunk by chunk to `onChunk` (its rows and the dataset index of the
   * first), without caching them: a pass over the whole dataset holds one chunk at a time.
   */
  async scan(onChunk: (rows: readonly Row[], start: number) => void | Promise<void>, opts: ScanOptions = {}): Promise<void> {
    const from = Math.max(0, opts.from ?? 0);
    const to = Math.min(this.count, opts.to ?? this.count);
    for (let c = Math.floor(from / this.per); c * this.per < to; c++) {
      abortIf(opts.signal);
      const base = c * this.per;
      const cached = this.cache.get(c);
      let rows = cached ? cached.rows : (await this.load(c)).rows;
      abortIf(opts.signal);
      if (base < from || base + rows.length > to) rows = rows.slice(Math.max(0, from - base), to - base);
      await onChunk(rows, Math.max(base, from));
      opts.onProgress?.(Math.min(to, base + this.per) - from, to - from);
    }
  }

  /**
   * The text (`field` as a string; '' when missing) of the rows at `indices` (ascending), or of
   * rows [from, to) when `indices` is null (default every row), streamed chunk by chunk: only
   * the strings are kept.
   */
  async texts(indices: ArrayLike<number> | null, field: string, opts: ScanOptions = {}): Promise<string[]> {
    if (!indices) {
      const from = Math.max(0, opts.from ?? 0);
      const out = new Array<string>(Math.max(0, Math.min(this.count, opts.to ?? this.count) - from));
      await this.scan((rows, start) => {
        for (let r = 0; r < rows.length; r++) out[start - from + r] = fieldText(rows[r], field);
      }, opts);
      return out;
    }
    const n = indices.length;
    const out = new Array<string>(n);
    for (let i = 1; i < n; i++) if (indices[i] < indices[i - 1]) throw new ShoalError('row indices for texts must be ascending');
    let t = 0;
    while (t < n) {
      abortIf(opts.signal);
      const c = Math.floor(indices[t] / this.per);
      const cached = this.cache.get(c);
      const rows = cached ? cached.rows : (await this.load(c)).rows;
      const base = c * this.per;
      for (; t < n && indices[t] < base + this.per; t++) out[t] = fieldText(rows[indices[t] - base], field);
      opts.onProgress?.(t, n);
    }
    return out;
  }

  /** Row `i` if its chunk is cached (no read, no change of recency), else undefined. */
  peek(i: number): Row | undefined {
    const c = this.cache.get(Math.floor(i / this.per));
    return c?.rows[i - Math.floor(i / this.per) * this.per];
  }

  /**
   * Fill the cache from the first chunk on while it stays within its bounds: a small dataset
   * (the demo) is then held whole and its screens render rows without waiting; a big one keeps
   * its first chunks, the first page of every list.
   */
  async warm(signal?: AbortSignal): Promise<void> {
    let largest = 0;
    for (let c = 0; c * this.per < this.count && this.cache.size < this.maxChunks; c++) {
      if (this.cache.size > 0 && this.bytes + largest > this.maxBytes) return;
      largest = Math.max(largest, (await this.chunk(c, signal)).bytes);
    }
  }

  /** What the cache holds now (chunks and approximate bytes of their text). */
  held(): { chunks: number; bytes: number } {
    return { chunks: this.cache.size, bytes: this.bytes };
  }

  /** Drop every cached chunk. */
  clear(): void {
    this.cache.clear();
    this.bytes = 0;
  }

  private async chunk(c: number, signal?: AbortSignal): Promise<Cached> {
    abortIf(signal);
    const hit = this.cache.get(c);
    if (hit) {
      // Most recently used goes last.
      this.cache.delete(c);
      this.cache.set(c, hit);
      return hit;
    }
    let p = this.pending.get(c);
    if (!p) {
      p = this.load(c).finally(() => this.pending.delete(c));
      this.pending.set(c, p);
    }
    const got = await p;
    abortIf(signal);
    if (!this.cache.has(c)) {
      this.cache.set(c, got);
      this.bytes += got.bytes;
      this.evict();
    }
    return got;
  }

  private async load(c: number): Promise<Cached> {
    const stored = await this.storage.getRowChunk(this.versionId, c);
    if (!stored)
      throw new ShoalError(`row chunk ${c} of dataset version ${this.versionId} is missing (was the dataset deleted in another tab?)`);
    const rows = this.hidden.length ? stored.map((r) => withoutFields(r, this.hidden)) : stored;
    return { rows, bytes: sizeOf(rows) };
  }

  private evict(): void {
    while (this.cache.size > 1 && (this.cache.size > this.maxChunks || this.bytes > this.maxBytes)) {
      const oldest = this.cache.keys().next().value as number;
      this.bytes -= this.cache.get(oldest)!.bytes;
      this.cache.delete(oldest);
    }
  }
}

/** The text of a row's field: strings as they are, other values as String(v), '' when missing. */

function abortIf(signal?: AbortSignal): void {
  if (signal?.aborted) throw new DOMException('the read was cancelled', 'AbortError');
}

/** Approximate bytes of a chunk: two per string character, eight per other value. */
function sizeOf(rows: readonly Row[]): number {
  let b = 0;
  for (const r of rows) {
    for (const k in r) {
      const v = r[k];
      b += k.length * 2 + (typeof v === 'string' ? v.length * 2 : 8);
    }
  }
  return b;
}
