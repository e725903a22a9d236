/**
 * The n-grams of each text, hashed once: per text, its distinct word and char n-grams in order of
 * first appearance, each as its signed MurmurHash3 (featurize.ts's header has the tokens, n-grams
 * and seeds) and its count. `bucketGrams` turns them into hashed rows for a table of any size,
 * exactly what hashing the texts into that table gives (featurize.ts `hashTexts` is
 * `bucketGrams(hashGrams(…))`).
 *
 * Why: the table is sized to the corpus (`corpusBuckets`, from how many buckets its n-grams
 * occupy), so a corpus that outgrows 2^18 buckets was tokenized and hashed twice, once to count
 * and once into the larger table: at 100k short documents, half of featurization's time.
 * Tokenizing, UTF-8 encoding and hashing is the expensive part; putting hashed n-grams into
 * buckets is a sort of a few dozen numbers a row.
 *
 * How it hashes without building a string per n-gram: each text's tokens are written once as
 * UTF-8, joined by single spaces with one space before and after (" tok1 tok2 … "), so a word
 * n-gram (tokens joined by one space) and a padded token's char n-gram (" tok " in code points)
 * are each a byte range of that buffer, hashed where it lies.
 */
import { ShoalError } from '../types.ts';
import { murmur3Range, utf8Into } from './hash.ts';

export const TOKEN_PATTERN = '[\\p{L}\\p{N}_]{2,}';
export const TOKEN_FLAGS = 'gu';
export const WORD_SEED = 0;
export const CHAR_SEED = 1;

const TOKEN_RE = new RegExp(TOKEN_PATTERN, TOKEN_FLAGS);

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(TOKEN_RE) ?? [];
}

/** Which n-grams (inclusive ranges; [0, 0] is none) — the part of a FeatureSpec hashing needs. */
export interface GramSpec {
  wordNgrams: readonly [number, number];
  charNgrams: readonly [number, number];
}

/** Per text, its distinct hashed n-grams: entries rowPtr[i] … rowPtr[i+1]−1, in order of first appearance. */
export interface GramRows {
  readonly n: number;
  readonly rowPtr: Int32Array;
  /** Signed MurmurHash3 of the n-gram's UTF-8 (WORD_SEED or CHAR_SEED). */
  readonly hashes: Int32Array;
  /** How often the n-gram occurs in the text; negative for a char n-gram. */
  readonly counts: Int32Array;
  readonly spec: GramSpec;
}

/** Buffers `hashGrams` reuses from one text (and call) to the next. */
export interface GramScratch {
  bytes: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  /** Code point starts of one padded token. */
  cps: Int32Array;
  /** Open-addressing table of one text's n-grams: hash, kind (0 empty, 1 word, 2 char), entry. */
  tabHash: Int32Array;
  tabKind: Uint8Array;
  tabEntry: Int32Array;
  hashes: Int32Array;
  counts: Int32Array;
}

export function gramScratch(): GramScratch {
  return {
    bytes: new Uint8Array(1 << 12),
    starts: new Int32Array(256),
    ends: new Int32Array(256),
    cps: new Int32Array(256),
    tabHash: new Int32Array(1 << 10),
    tabKind: new Uint8Array(1 << 10),
    tabEntry: new Int32Array(1 << 10),
    hashes: new Int32Array(1 << 16),
    counts: new Int32Array(1 << 16),
  };
}

function grown<T extends Int32Array | Uint8Array>(a: T, need: number, keep: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, 2 * a.length));
  b.set(a.subarray(0, keep));
  return b;
}

function checkRange(name: string, [a, b]: readonly [number, number]): void {
  const off = a === 0 && b === 0;
  if (!off && !(Number.isInteger(a) && Number.isInteger(b) && a >= 1 && b >= a && b <= 16)) {
    throw new ShoalError(`${name} n-gram range must be [0, 0] or 1 ≤ min ≤ max ≤ 16, got [${a}, ${b}]`);
  }
}

/**
 * Hash every text's n-grams once. With `scratch` the result's arrays are views into its buffers,
 * valid until its next use; copy them (`copyGrams`) to keep them.
 */
export function hashGrams(texts: readonly string[], spec: GramSpec, scratch: GramScratch = gramScratch()): GramRows {
  checkRange('word', spec.wordNgrams);
  checkRange('char', spec.charNgrams);
  const [wMin, wMax] = spec.wordNgrams;
  const [cMin, cMax] = spec.charNgrams;
  const n = texts.length;
  const rowPtr = new Int32Array(n + 1);
  let nnz = 0;
  const s = scratch;
  for (let i = 0; i < n; i++) {
    const text = texts[i];
    if (typeof text !== 'string') throw new ShoalError(`row ${i}: text is ${typeof text}, expected a string`);
    const tokens = tokenize(text);
    const T = tokens.length;
    // " tok1 tok2 … tokT " as UTF-8, each token's byte range recorded.
    let room = 2;
    for (let t = 0; t < T; t++) room += 3 * tokens[t].length + 1;
    if (room > s.bytes.length) s.bytes = new Uint8Array(Math.max(room, 2 * s.bytes.length));
    if (T > s.starts.length) {
      s.starts = new Int32Array(Math.max(T, 2 * s.starts.length));
      s.ends = new Int32Array(s.starts.length);
    }
    const { bytes, starts, ends } = s;
    let p = 0;
    bytes[p++] = 32;
    for (let t = 0; t < T; t++) {
      starts[t] = p;
      p = utf8Into(tokens[t], bytes, p);
      ends[t] = p;
      bytes[p++] = 32;
    }
    // Table room for every n-gram this text can have, at most half full.
    let most = 0;
    if (wMax > 0) most += T * (wMax - wMin + 1);
    if (cMax > 0) for (let t = 0; t < T; t++) most += (cMax - cMin + 1) * (ends[t] - starts[t] + 2);
    let size = s.tabHash.length;
    while (size < 2 * most) size *= 2;
    if (size !== s.tabHash.length) {
      s.tabHash = new Int32Array(size);
      s.tabKind = new Uint8Array(size);
      s.tabEntry = new Int32Array(size);
    }
    s.hashes = grown(s.hashes, nnz + most, nnz);
    s.counts = grown(s.counts, nnz + most, nnz);
    const { tabHash, tabKind, tabEntry, hashes, counts } = s;
    const mask = size - 1;
    const rowStart = nnz;
    const add = (h: number, kind: number) => {
      let slot = (h ^ (kind << 29)) & mask;
      for (;;) {
        const k = tabKind[slot];
        if (k === 0) {
          tabHash[slot] = h;
          tabKind[slot] = kind;
          tabEntry[slot] = nnz;
          hashes[nnz] = h;
          counts[nnz++] = kind === 1 ? 1 : -1;
          return;
        }
        if (k === kind && tabHash[slot] === h) {
          counts[tabEntry[slot]] += kind === 1 ? 1 : -1;
          return;
        }
        slot = (slot + 1) & mask;
      }
    };
    if (wMax > 0) {
      for (let t = 0; t < T; t++) {
        for (let m = 1; m <= wMax && t + m <= T; m++) {
          if (m >= wMin) add(murmur3Range(bytes, starts[t], ends[t + m - 1], WORD_SEED), 1);
        }
      }
    }
    if (cMax > 0) {
      for (let t = 0; t < T; t++) {
        // Code point starts of " tok " (a UTF-8 lead byte is anything but 10xxxxxx), then its end.
        const from = starts[t] - 1;
        const to = ends[t] + 1;
        if (to - from + 1 > s.cps.length) s.cps = new Int32Array(Math.max(to - from + 1, 2 * s.cps.length));
        const cps = s.cps;
        let m = 0;
        for (let q = from; q < to; q++) if ((bytes[q] & 0xc0) !== 0x80) cps[m++] = q;
        cps[m] = to;
        for (let g = cMin; g <= cMax && g <= m; g++) {
          for (let j = 0; j + g <= m; j++) add(murmur3Range(bytes, cps[j], cps[j + g], CHAR_SEED), 2);
        }
      }
    }
    // Empty the table for the next text: only the slots this one used.
    for (let e = rowStart; e < nnz; e++) {
      const h = hashes[e];
      const kind = counts[e] > 0 ? 1 : 2;
      let slot = (h ^ (kind << 29)) & mask;
      while (!(tabKind[slot] === kind && tabHash[slot] === h)) slot = (slot + 1) & mask;
      tabKind[slot] = 0;
    }
    rowPtr[i + 1] = nnz;
  }
  return {
    n,
    rowPtr,
    hashes: s.hashes.subarray(0, nnz),
    counts: s.counts.subarray(0, nnz),
    spec: { wordNgrams: spec.wordNgrams, charNgrams: spec.charNgrams },
  };
}

/** A copy that owns its arrays (for gram rows hashed into reused buffers). */
export function copyGrams(g: GramRows): GramRows {
  return { n: g.n, rowPtr: g.rowPtr.slice(), hashes: g.hashes.slice(), counts: g.counts.slice(), spec: g.spec };
}

/** Entries of `g` (n-grams over all its texts). */
export function gramEntries(g: GramRows): number {
  return g.hashes.length;
}

/**
 * Mark in `seen` (one byte per bucket of a `seen.length`-bucket table) the buckets `g`'s n-grams
 * hash to; returns how many were newly marked. The occupancy `corpusBuckets` sizes the table
 * from: buckets some n-gram of the corpus hashes to.
 */
export function markBuckets(g: GramRows, seen: Uint8Array): number {
  const B = seen.length;
  let fresh = 0;
  for (let e = 0; e < g.hashes.length; e++) {
    const b = Math.abs(g.hashes[e]) % B;
    if (seen[b] === 0) {
      seen[b] = 1;
      fresh++;
    }
  }
  return fresh;
}
