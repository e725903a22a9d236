/**
 * A WRENCH split's votes and gold labels read straight from the file's bytes, for the label
 * model (`shoal fit`), which never looks at the rows' `data`.
 *
 * `parseWrenchSplit` (wrench.ts) builds the whole file as JS objects with `JSON.parse`: at 1M
 * rows × 50 LFs (≈ 180 MB) that is most of `shoal fit`'s time, while the fit itself is a small
 * part. This reader walks the bytes once, keeps only each row's id, `label` and `weak_labels`,
 * and checks every other value against the JSON grammar without building it.
 *
 * It answers exactly as `parseWrenchSplit` does or not at all: on anything it does not expect —
 * a BOM, a duplicate key, a non-integer number, a bad value, a grammar error, a length
 * mismatch — it returns null and the caller falls back to `parseWrenchSplit`, whose error
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

const MAX_K = 127;
const QUOTE = 34;
const BACKSLASH = 92;

/** Votes and labels of a WRENCH split, or null when only the full parser can answer. */
export function scanWrenchVotes(bytes: Uint8Array, k?: number): WrenchVotes | null {
  try {
    // A plain view: indexing a Node Buffer (a Uint8Array subclass) measured ~4× slower here.
    return scan(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), k ?? MAX_K, k);
  } catch (e) {
    if (e === GIVE_UP) return null;
    throw e;
  }
}

const GIVE_UP = Symbol('give up');
function giveUp(): never {
  throw GIVE_UP;
}

function scan(b: Uint8Array, hi: number, k: number | undefined): WrenchVotes {
  const r = new Reader(b, hi);
  r.expect(123);
  const rowIds: string[] = [];
  const rowLabels: number[] = [];
  const seen = new Set<string>();
  r.ws();
  if (b[r.p] === 125) r.p++;
  else {
    for (;;) {
      r.ws();
      const id = r.readString();
      if (seen.has(id)) giveUp();
      seen.add(id);
      r.expect(58);
      rowLabels.push(r.row());
      rowIds.push(id);
      r.ws();
      if (b[r.p] === 44) r.p++;
      else if (b[r.p] === 125) {
        r.p++;
        break;
      } else giveUp();
    }
  }
  r.ws();
  if (r.p !== b.length) giveUp();

  const m = Math.max(r.m, 0);
  const order = keysOrder(rowIds);
  const rows = order.length;
  const identity = order.every((at, i) => at === i);
  const cols = r.cols.map((c) => {
    if (identity) return c.slice(0, rows);
    const out = new Int8Array(rows);
    for (let i = 0; i < rows; i++) out[i] = c[order[i]];
    return out;
  });
  if (cols.length !== m) giveUp();
  const labels = new Int32Array(rows);
  const ids = new Array<string>(rows);
  let maxSeen = r.maxVote;
  for (let i = 0; i < rows; i++) {
    const at = order[i];
    ids[i] = rowIds[at];
    labels[i] = rowLabels[at];
    if (rowLabels[at] > maxSeen) maxSeen = rowLabels[at];
  }
  return { ids, L: new LabelMatrix(rows, k ?? Math.max(2, maxSeen + 1), cols), labels };
}

const LABEL = Uint8Array.from('"label"', (c) => c.charCodeAt(0));
const WEAK = Uint8Array.from('"weak_labels"', (c) => c.charCodeAt(0));
const DATA = Uint8Array.from('"data"', (c) => c.charCodeAt(0));

/** The byte cursor: fields on one object keep the hot loops fast. */
class Reader {
  p = 0;
  /** LFs per row, set by the first row; -1 before it. */
  m = -1;
  /** One growable column per LF (rows in file order), set up by the first row. */
  cols: Int8Array[] = [];
  /** Rows stored so far. */
  rows = 0;
  maxVote = -1;
  /** The first row's votes, before the LF count is known. */
  private first: number[] = [];
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly b: Uint8Array,
    private readonly hi: number,
  ) {}

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
    if (this.m >= 0 && row === this.cols[0]?.length) this.grow();
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
        if (m < 0) this.first.push(v);
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
    if (m < 0) {
      this.m = count;
      this.cols = Array.from({ length: count }, (_, j) => {
        const col = new Int8Array(1024);
        col[0] = this.first[j];
        return col;
      });
    } else if (count !== m) giveUp();
    this.rows++;
  }

  private grow(): void {
    this.cols = this.cols.map((c) => {
      const grown = new Int8Array(c.length * 2);
      grown.set(c);
      return grown;
    });
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

/** A canonical array index: "0" or digits without a leading zero, below 2^32 − 1. */
function isArrayIndex(s: string): boolean {
  if (!/^(0|[1-9]\d{0,9})$/.test(s)) return false;
  return Number(s) < 4294967295;
}
