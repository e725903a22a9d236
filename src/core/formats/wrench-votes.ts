/**
 * A WRENCH split's votes and gold labels read straight from the file's bytes, for the label
 * model (`shoal fit`), which never looks at the rows' `data`.
 *
 * `parseWrenchSplit` (wrench.ts) builds the whole file as JS objects with `JSON.parse`: at 1M
 * rows × 50 LFs (≈ 240 MB) that is most of `shoal fit`'s time, while the fit itself is a small
 * part. This reader walks the bytes once, keeps only each row's id, `label` and `weak_labels`,
 * and checks every other value against the JSON grammar without building it.
 *
 * The bytes may come a chunk at a time (`WrenchVotesScanner.feed`), so the caller never holds
 * the whole file: on the machines this runs on, first touching a fresh 240 MB buffer costs more
 * CPU than scanning it. Whole rows are read; a row cut by the end of a chunk is read again,
 * from its start, with the next one. The columns are sized once from the first row's length
 * and the file size when the caller knows it. Ids 0, 1, 2… in file order (what WRENCH and
 * `shoal apply` write) are checked as digits and become strings only when asked for.
 *
 * It answers exactly as `parseWrenchSplit` does or not at all: on anything it does not expect —
 * a BOM, a duplicate key, a non-integer number, a bad value, a grammar error, a length
 * mismatch — it answers null and the caller falls back to `parseWrenchSplit`, whose error
 * message then names the problem. Rows come in `Object.keys` order (integer-like ids first, in
 * numeric order, then the others in file order), as with `JSON.parse`.
 */
import { LabelMatrix } from '../matrix.ts';

export interface WrenchVotes {
  ids: string[];
  L: LabelMatrix;
  /** Gold class per row; -1 where the file has no gold. */
  labels: Int32Array;
}

/**
 * Votes whose ids are "0" … String(n − 1), made only when someone reads them: `shoal fit` never
 * does, and a million short strings cost a measurable share of its read.
 */
export function withIndexIds(votes: Omit<WrenchVotes, 'ids'>, n: number): WrenchVotes {
  let ids: string[] | undefined;
  return Object.defineProperty(votes, 'ids', {
    enumerable: true,
    get: () => (ids ??= Array.from({ length: n }, (_, i) => String(i))),
  }) as WrenchVotes;
}

const MAX_K = 127;
const QUOTE = 34;
const BACKSLASH = 92;

/** Votes and labels of a WRENCH split held in memory, or null when only the full parser can answer. */
export function scanWrenchVotes(bytes: Uint8Array, k?: number): WrenchVotes | null {
  const s = new WrenchVotesScanner(k, bytes.length);
  return s.feed(bytes, true) < 0 ? null : s.result();
}

const GIVE_UP = Symbol('give up');
function giveUp(): never {
  throw GIVE_UP;
}

/**
 * The chunked form: `feed` each chunk (the unread tail of the last one first), then `result()`.
 * `expectedBytes` (the file size) sizes the columns once; without it they grow.
 */
export class WrenchVotesScanner {
  private readonly r: Reader;
  /** 0: before the opening brace; 1: before the first row or the closing brace; 2: after a row; 3: after the closing brace. */
  private stage = 0;
  private failed = false;
  private readonly k: number | undefined;

  constructor(k?: number, expectedBytes?: number) {
    this.k = k;
    this.r = new Reader(k ?? MAX_K, expectedBytes);
  }

  /**
   * Read the whole rows at the start of `bytes` (the unread tail of the previous chunk, then new
   * bytes). Returns how many bytes were read: the caller passes the rest again, followed by more.
   * `last`: nothing follows, so a row cut short is an error. -1: only the full parser can answer.
   */
  feed(bytes: Uint8Array, last: boolean): number {
    if (this.failed) return -1;
    // A plain view: indexing a Node Buffer (a Uint8Array subclass) measured ~4× slower here.
    const b = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const r = this.r;
    r.b = b;
    r.p = 0;
    let done = 0;
    try {
      for (;;) {
        done = r.p;
        if (this.stage === 3) {
          r.ws();
          if (r.p !== b.length) giveUp();
          return b.length;
        }
        r.ws();
        if (r.p >= b.length) {
          if (last) giveUp();
          return done;
        }
        if (this.stage === 0) {
          if (b[r.p] !== 123) giveUp();
          r.p++;
          this.stage = 1;
          continue;
        }
        if (b[r.p] === 125) {
          r.p++;
          this.stage = 3;
          continue;
        }
        if (this.stage === 2) {
          if (b[r.p] !== 44) giveUp();
          r.p++;
        }
        r.entry();
        this.stage = 2;
      }
    } catch (e) {
      if (e !== GIVE_UP) throw e;
      // Cut short by the end of the chunk, most likely: read the entry again with more bytes.
      // (A broken entry comes back with every chunk until the last, which then fails.)
      if (!last) return done;
      this.failed = true;
      return -1;
    }
  }

  /** The split, once the last chunk was fed; null when only the full parser can answer. */
  result(): WrenchVotes | null {
    if (this.failed || this.stage !== 3) return null;
    return this.r.finish(this.k);
  }
}

const LABEL = Uint8Array.from('"label"', (c) => c.charCodeAt(0));
const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const ROW_HEAD = bytesOf('{"label": ');
const VOTES_HEAD = bytesOf(', "weak_labels": [');
const DATA_HEAD = bytesOf(', "data": ');
/** The longest common row, votes aside (4 bytes each at most: "-1, "): heads, a 1–2 byte label, `{}}`. */
const COMMON_ROW_BYTES = ROW_HEAD.length + 2 + VOTES_HEAD.length + DATA_HEAD.length + 3;
/** commonRow's answer for a row it leaves to row(). */
const NOT_COMMON = -2;
const WEAK = Uint8Array.from('"weak_labels"', (c) => c.charCodeAt(0));
const DATA = Uint8Array.from('"data"', (c) => c.charCodeAt(0));

/** The byte cursor and what it has read: fields on one object keep the hot loops fast. */
class Reader {
  b: Uint8Array = new Uint8Array(0);
  p = 0;
  /** LFs per row, set by the first row; -1 before it. */
  m = -1;
  /** One column per LF (rows in file order) and the gold labels, `capacity` rows each, set up by the first row. */
  cols: Int8Array[] = [];
  labels = new Int32Array(0);
  capacity = 0;
  /** Rows stored so far. */
  rows = 0;
  maxVote = -1;
  /** Ids so far are "0", "1", … in file order: none is kept as a string. */
  private sequential = true;
  /** Every id, once one broke the sequence (then `seen` catches duplicates). */
  private ids: string[] = [];
  private seen: Set<string> | null = null;
  /** The first row's votes, before the LF count is known. */
  private first: number[] = [];
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly hi: number,
    private readonly expectedBytes: number | undefined,
  ) {}

  /** One `"id": {row}` entry; nothing is kept unless all of it reads (a cut entry is read again). */
  entry(): void {
    this.ws();
    const b = this.b;
    const start = this.p;
    const row = this.rows;
    // The usual id: the row's position in digits. Anything else is read as a string.
    let id: string | null = null;
    let p = start;
    let asIndex = false;
    if (this.sequential && b[p] === QUOTE) {
      p++;
      const from = p;
      let v = 0;
      while (b[p] >= 48 && b[p] <= 57) v = v * 10 + (b[p++] - 48);
      const digits = p - from;
      asIndex = b[p] === QUOTE && digits > 0 && digits <= 9 && v === row && (digits === 1 || b[from] !== 48);
      if (asIndex) this.p = p + 1;
    }
    if (!asIndex) {
      this.p = start;
      id = this.readString();
      if (this.sequential ? isEarlierIndex(id, row) : this.seen!.has(id)) giveUp();
    }
    this.expect(58);
    this.ws();
    if (row > 0 && row === this.capacity) this.grow();
    let label = row > 0 ? this.commonRow() : NOT_COMMON;
    if (label === NOT_COMMON) label = this.row();
    // The entry is whole: keep it.
    if (id !== null) {
      if (this.sequential) {
        this.sequential = false;
        this.ids = Array.from({ length: row }, (_, i) => String(i));
        this.seen = new Set(this.ids);
      }
      this.seen!.add(id);
      this.ids.push(id);
    }
    if (row === 0) this.allocate(this.p - start);
    this.labels[row] = label;
    if (label > this.maxVote) this.maxVote = label;
    this.rows = row + 1;
  }

  /** The split read so far, in `Object.keys` order. */
  finish(k: number | undefined): WrenchVotes {
    const rows = this.rows;
    const m = Math.max(this.m, 0);
    const cols = this.cols.slice(0, m);
    const fit = (c: Int8Array) => (c.length - rows > rows / 8 ? c.slice(0, rows) : c.subarray(0, rows));
    const classes = k ?? Math.max(2, this.maxVote + 1);
    if (this.sequential) {
      // Already in Object.keys order.
      return withIndexIds({ L: new LabelMatrix(rows, classes, cols.map(fit)), labels: this.labels.slice(0, rows) }, rows);
    }
    const order = keysOrder(this.ids);
    const identity = order.every((at, i) => at === i);
    const reorder = <T extends Int8Array | Int32Array>(c: T, make: (n: number) => T): T => {
      const out = make(rows);
      for (let i = 0; i < rows; i++) out[i] = c[order[i]];
      return out;
    };
    return {
      ids: identity ? this.ids : Array.from(order, (at) => this.ids[at]),
      L: new LabelMatrix(
        rows,
        classes,
        cols.map((c) => (identity ? fit(c) : reorder(c, (n) => new Int8Array(n)))),
      ),
      labels: identity ? this.labels.slice(0, rows) : reorder(this.labels, (n) => new Int32Array(n)),
    };
  }

  ws(): void {
    const b = this.b;
    let p = this.p;
    for (;;) {
      const c = b[p];
      if (c === 32 || c === 9 || c === 10 || c === 13) p++;
      else break;
    }
    this.p = p;
  }

  expect(c: number): void {
    this.ws();
    if (this.b[this.p] !== c) giveUp();
    this.p++;
  }

  /** A string's end (after the closing quote), checking escapes and control characters; whether it had an escape. */
  skipString(): boolean {
    const b = this.b;
    let p = this.p;
    if (b[p] !== QUOTE) giveUp();
    p++;
    let escaped = false;
    for (;;) {
      if (p >= b.length) giveUp();
      const c = b[p++];
      if (c === QUOTE) break;
      if (c < 32) giveUp();
      if (c === BACKSLASH) {
        escaped = true;
        const e = b[p++];
        if (e === 117) {
          for (let t = 0; t < 4; t++) {
            const h = b[p++];
            if (!((h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) giveUp();
          }
        } else if (!(e === QUOTE || e === BACKSLASH || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116)) giveUp();
      }
    }
    this.p = p;
    return escaped;
  }

  /** A string's text: short ASCII without escapes built directly, anything else decoded (escapes by JSON.parse). */
  readString(): string {
    const start = this.p;
    const escaped = this.skipString();
    const b = this.b;
    const end = this.p - 1;
    if (!escaped && end - start <= 33) {
      let ascii = true;
      for (let q = start + 1; q < end; q++) if (b[q] >= 128) ascii = false;
      if (ascii) return String.fromCharCode.apply(null, b.subarray(start + 1, end) as unknown as number[]);
    }
    const raw = this.decoder.decode(b.subarray(start, this.p));
    return escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
  }

  /** Whether the bytes at the cursor are `word` (a quoted key), moving past it if so. */
  private key(word: Uint8Array): boolean {
    const b = this.b;
    const p = this.p;
    for (let t = 0; t < word.length; t++) if (b[p + t] !== word[t]) return false;
    this.p = p + word.length;
    return true;
  }

  /**
   * A row written the way WRENCH and `shoal apply` write them — `{"label": 1, "weak_labels": [0,
   * -1, …], "data": …}`, these keys in this order, one space after each colon and comma, one-digit
   * votes — read with few branches: this is most of the file. Anything else (another layout,
   * another key, a longer number, a row cut by the chunk's end) answers NOT_COMMON with the
   * cursor unmoved, and `row()` reads the row from its start.
   */
  commonRow(): number {
    const b = this.b;
    let p = this.p;
    // Near the chunk's end row() reads the row: reads past the end deoptimise the hot loop.
    if (b.length - p < COMMON_ROW_BYTES + 4 * this.m) return NOT_COMMON;
    for (let t = 0; t < ROW_HEAD.length; t++) if (b[p + t] !== ROW_HEAD[t]) return NOT_COMMON;
    p += ROW_HEAD.length;
    let label: number;
    if (b[p] === 45) {
      if (b[p + 1] !== 49) return NOT_COMMON;
      label = -1;
      p += 2;
    } else {
      label = b[p] - 48;
      if (!(label >= 0 && label <= 9)) return NOT_COMMON;
      p++;
    }
    if (label >= this.hi) return NOT_COMMON;
    for (let t = 0; t < VOTES_HEAD.length; t++) if (b[p + t] !== VOTES_HEAD[t]) return NOT_COMMON;
    p += VOTES_HEAD.length;
    const m = this.m;
    const cols = this.cols;
    const row = this.rows;
    // Every check folds into `bad`, tested once the row is read: a vote is "-1" or one digit,
    // followed by ", " or, after the last, "]". A byte past the chunk's end reads undefined,
    // which fails the separator check after it.
    let bad = m === 0 ? b[p] ^ 93 : 0;
    let max = -1;
    for (let j = 0; j < m; j++) {
      // Without a branch on the sign (abstains and votes alternate unpredictably): `neg` is 1 at
      // a '-', and the digit read is the one after it; "-" must be followed by "1".
      const neg = b[p] === 45 ? 1 : 0;
      const digit = b[p + neg] - 48;
      // Non-zero unless 0 ≤ digit ≤ 9 (the first term catches < 0 and > 15, the second 10…15).
      bad |= (digit & ~15) | ((digit + 6) & ~15) | (neg & (digit ^ 1));
      const v = digit - neg * (digit + 1);
      p += 1 + neg;
      cols[j][row] = v;
      if (v > max) max = v;
      if (j + 1 < m) {
        bad |= (b[p] ^ 44) | (b[p + 1] ^ 32);
        p += 2;
      } else bad |= b[p] ^ 93;
    }
    p++;
    if (bad !== 0 || max >= this.hi) return NOT_COMMON;
    if (b[p] === 125) p++;
    else {
      for (let t = 0; t < DATA_HEAD.length; t++) if (b[p + t] !== DATA_HEAD[t]) return NOT_COMMON;
      p += DATA_HEAD.length;
      // The full parser refuses data that is not an object (or null).
      if (b[p] !== 123 && b[p] !== 110) return NOT_COMMON;
      if (b[p] === 123 && b[p + 1] === 125 && b[p + 2] === 125) {
        // `{}`, as `shoal apply` writes rows without data.
        this.p = p + 3;
        if (max > this.maxVote) this.maxVote = max;
        return label;
      }
      const at = this.p;
      this.p = p;
      try {
        this.skipValue();
        this.ws();
      } catch (e) {
        this.p = at;
        if (e === GIVE_UP) return NOT_COMMON;
        throw e;
      }
      p = this.p;
      this.p = at;
      if (b[p] !== 125) return NOT_COMMON;
      p++;
    }
    this.p = p;
    if (max > this.maxVote) this.maxVote = max;
    return label;
  }

  /** One row object; returns its label, appends its votes. */
  row(): number {
    const b = this.b;
    this.expect(123);
    let label: number | null = null;
    let gotVotes = false;
    let gotData = false;
    let others: Set<string> | null = null;
    this.ws();
    if (b[this.p] === 125) giveUp();
    for (;;) {
      this.ws();
      if (this.key(LABEL)) {
        if (label !== null) giveUp();
        this.expect(58);
        label = this.readInt();
      } else if (this.key(WEAK)) {
        if (gotVotes) giveUp();
        gotVotes = true;
        this.expect(58);
        this.readVotes();
      } else if (this.key(DATA)) {
        if (gotData) giveUp();
        gotData = true;
        this.expect(58);
        // The full parser refuses data that is not an object (or null).
        this.ws();
        if (b[this.p] !== 123 && b[this.p] !== 110) giveUp();
        this.skipValue();
      } else {
        // Any other key (or one of ours written with escapes: the full parser reads those).
        const start = this.p;
        if (this.skipString()) giveUp();
        const name = this.decoder.decode(b.subarray(start + 1, this.p - 1));
        if (name === 'label' || name === 'weak_labels' || name === 'data') giveUp();
        others ??= new Set();
        if (others.has(name)) giveUp();
        others.add(name);
        this.expect(58);
        this.skipValue();
      }
      this.ws();
      const c = b[this.p];
      if (c === 44) this.p++;
      else if (c === 125) {
        this.p++;
        break;
      } else giveUp();
    }
    if (label === null || !gotVotes) giveUp();
    return label;
  }

  /** One row's weak labels, written into the columns; one tight loop, as this is most of the file. */
  private readVotes(): void {
    const b = this.b;
    const hi = this.hi;
    this.expect(91);
    const row = this.rows;
    const firstRow = row === 0;
    if (firstRow) this.first.length = 0;
    else if (row === this.capacity) this.grow();
    const cols = this.cols;
    const m = this.m;
    let count = 0;
    let max = this.maxVote;
    let p = this.p;
    while (b[p] === 32 || b[p] === 9 || b[p] === 10 || b[p] === 13) p++;
    if (b[p] === 93) p++;
    else {
      for (;;) {
        while (b[p] === 32 || b[p] === 9 || b[p] === 10 || b[p] === 13) p++;
        let neg = false;
        if (b[p] === 45) {
          neg = true;
          p++;
        }
        const start = p;
        let v = 0;
        while (b[p] >= 48 && b[p] <= 57) v = v * 10 + (b[p++] - 48);
        const digits = p - start;
        if (digits === 0 || digits > 3 || (digits > 1 && b[start] === 48)) giveUp();
        // `1.0`, `1e0` are integers to JSON.parse: let the full parser decide what they mean.
        if (b[p] === 46 || b[p] === 101 || b[p] === 69) giveUp();
        if (neg) v = -v;
        if (v < -1 || v >= hi) giveUp();
        if (firstRow) this.first.push(v);
        else if (count < m) cols[count][row] = v;
        count++;
        if (v > max) max = v;
        while (b[p] === 32 || b[p] === 9 || b[p] === 10 || b[p] === 13) p++;
        const c = b[p];
        if (c === 44) p++;
        else if (c === 93) {
          p++;
          break;
        } else giveUp();
      }
    }
    this.p = p;
    this.maxVote = max;
    // The first row sets the LF count (its columns are made once the whole entry is read).
    if (firstRow) this.m = count;
    else if (count !== m) giveUp();
  }

  /** Room for the rows, once the first entry is read: its length and the file's size tell how many to expect. */
  private allocate(entryBytes: number): void {
    const capacity = this.expectedBytes ? Math.ceil((this.expectedBytes / Math.max(1, entryBytes)) * 1.05) + 64 : 1024;
    this.capacity = capacity;
    // Pages of a fresh array cost only when first written: room left unused is nearly free.
    this.cols = Array.from({ length: this.m }, (_, j) => {
      const col = new Int8Array(capacity);
      col[0] = this.first[j];
      return col;
    });
    this.labels = new Int32Array(capacity);
  }

  private grow(): void {
    this.capacity = Math.ceil(this.capacity * 1.5) + 1024;
    const cap = this.capacity;
    this.cols = this.cols.map((c) => {
      const grown = new Int8Array(cap);
      grown.set(c);
      return grown;
    });
    const labels = new Int32Array(cap);
    labels.set(this.labels);
    this.labels = labels;
  }

  /** A small integer written plainly (`-1`, `0`, `12`) within -1..hi-1; anything else is the full parser's. */
  readInt(): number {
    this.ws();
    const b = this.b;
    let p = this.p;
    let neg = false;
    if (b[p] === 45) {
      neg = true;
      p++;
    }
    const start = p;
    let v = 0;
    while (b[p] >= 48 && b[p] <= 57) v = v * 10 + (b[p++] - 48);
    const digits = p - start;
    if (digits === 0 || digits > 3 || (digits > 1 && b[start] === 48)) giveUp();
    // `1.0`, `1e0` are integers to JSON.parse: let the full parser decide what they mean.
    if (b[p] === 46 || b[p] === 101 || b[p] === 69) giveUp();
    this.p = p;
    const out = neg ? -v : v;
    if (out < -1 || out >= this.hi) giveUp();
    return out;
  }

  private skipNumber(): void {
    const b = this.b;
    let p = this.p;
    if (b[p] === 45) p++;
    if (b[p] === 48) p++;
    else if (b[p] >= 49 && b[p] <= 57) while (b[p] >= 48 && b[p] <= 57) p++;
    else giveUp();
    if (b[p] === 46) {
      p++;
      if (!(b[p] >= 48 && b[p] <= 57)) giveUp();
      while (b[p] >= 48 && b[p] <= 57) p++;
    }
    if (b[p] === 101 || b[p] === 69) {
      p++;
      if (b[p] === 43 || b[p] === 45) p++;
      if (!(b[p] >= 48 && b[p] <= 57)) giveUp();
      while (b[p] >= 48 && b[p] <= 57) p++;
    }
    this.p = p;
  }

  private literal(word: string): void {
    for (let t = 0; t < word.length; t++) if (this.b[this.p++] !== word.charCodeAt(t)) giveUp();
  }

  /** Any JSON value, checked but not built; iterative, so deep nesting cannot overflow. */
  skipValue(): void {
    const b = this.b;
    const stack: number[] = [];
    for (;;) {
      this.ws();
      const c = b[this.p];
      if (c === 123 || c === 91) {
        this.p++;
        this.ws();
        if (b[this.p] === (c === 123 ? 125 : 93)) {
          this.p++;
        } else {
          stack.push(c);
          if (c === 123) {
            this.skipString();
            this.expect(58);
          }
          continue;
        }
      } else if (c === QUOTE) this.skipString();
      else if (c === 45 || (c >= 48 && c <= 57)) this.skipNumber();
      else if (c === 116) this.literal('true');
      else if (c === 102) this.literal('false');
      else if (c === 110) this.literal('null');
      else giveUp();
      // After a value: close containers or move to the next member.
      for (;;) {
        if (stack.length === 0) return;
        this.ws();
        const top = stack[stack.length - 1];
        if (b[this.p] === 44) {
          this.p++;
          if (top === 123) {
            this.ws();
            this.skipString();
            this.expect(58);
          }
          break;
        }
        if (b[this.p] === (top === 123 ? 125 : 93)) {
          this.p++;
          stack.pop();
          continue;
        }
        giveUp();
      }
    }
  }
}

/** Positions of `ids` in `Object.keys` order: array-index ids ascending, then the rest as written. */
function keysOrder(ids: readonly string[]): Int32Array {
  const n = ids.length;
  const num = new Float64Array(n);
  let indexCount = 0;
  let sorted = true;
  for (let i = 0; i < n; i++) {
    num[i] = isArrayIndex(ids[i]) ? Number(ids[i]) : -1;
    if (num[i] >= 0) {
      if (i !== indexCount || (i > 0 && num[i] < num[i - 1])) sorted = false;
      indexCount++;
    }
  }
  // The usual file: ids 0, 1, 2… in order — nothing to sort.
  if (sorted) return Int32Array.from({ length: n }, (_, i) => i);
  const index: number[] = [];
  const other: number[] = [];
  for (let i = 0; i < n; i++) (num[i] >= 0 ? index : other).push(i);
  index.sort((a, b) => num[a] - num[b]);
  return Int32Array.from([...index, ...other]);
}

/** Whether `id` is one of the ids "0" … String(row − 1) the sequential fast path kept no string of. */
function isEarlierIndex(id: string, row: number): boolean {
  return isArrayIndex(id) && Number(id) < row;
}

/** A canonical array index: "0" or digits without a leading zero, below 2^32 − 1. */
function isArrayIndex(s: string): boolean {
  if (!/^(0|[1-9]\d{0,9})$/.test(s)) return false;
  return Number(s) < 4294967295;
}
