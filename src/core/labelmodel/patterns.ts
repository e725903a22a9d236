/**
 * Unique vote patterns of a label matrix, with how many rows share each one.
 *
 * Every label model here is a function of a row's votes alone, so rows with the same votes get
 * the same posterior. EM fits (ds, wmv) can therefore run their E-step once per unique pattern
 * and weight the M-step statistics by the pattern's row count: the same fixed point, up to the
 * order floating-point sums are taken in. With ~20 sparse LFs, 100k rows collapse to a few
 * thousand patterns, so each EM iteration costs O(pattern votes) instead of O(votes).
 *
 * Built in one pass over the rows with open addressing. When a row's votes fit one exact number
 * — (k+1)^m ≤ 2^53, e.g. up to 33 two-class LFs or 22 four-class ones — that number is the key,
 * read from the columns in blocks of rows, and the sparse row index is never needed (on 490k rows
 * × 20 LFs the index and the hashed rows cost ≈ 0.13–0.2 s, the keys ≈ 0.03 s). Otherwise each
 * row's (LF, label) sequence in the sparse row index is hashed and equal hashes are confirmed by
 * comparing the rows. Both give the same patterns in the same order. When patterns barely repeat
 * (many LFs on a large pool) the collapse would not pay for itself, so the pass gives up as soon
 * as the unique count passes MAX_UNIQUE_FRACTION of n and callers use the plain rows.
 */
import type { LabelMatrix, SparseRows } from '../matrix.ts';

/** Above this fraction of unique rows, iterating over patterns saves too little to bother. */
export const MAX_UNIQUE_FRACTION = 0.5;
/** Give up when this share of the first eighth of the rows are distinct (see patternsFromRows). */
const EARLY_UNIQUE_FRACTION = 0.8;

/** Rows (or unique patterns) as CSR with a weight per row: what the EM fits iterate over. */
export interface WeightedRows extends SparseRows {
  /** Number of rows in the CSR (patterns, or n for the plain-row fallback). */
  readonly count: number;
  /** How many matrix rows each CSR row stands for (all 1 for the plain-row fallback). */
  readonly weight: Float64Array;
  /** CSR row of each matrix row (undefined for the plain-row fallback: the identity). */
  readonly rowPattern: Uint32Array | undefined;
}

/**
 * The unique vote patterns of L (first-occurrence order; each pattern's votes sorted by LF, as
 * in L.rows()), or undefined when more than `maxUniqueFraction`·n rows are distinct.
 */
export function votePatterns(L: LabelMatrix, maxUniqueFraction = MAX_UNIQUE_FRACTION): WeightedRows | undefined {
  const build = () =>
    rowKeysAreExact(L.m, L.k)
      ? patternsFromColumns(L.columns(), L.n, L.k, maxUniqueFraction)
      : patternsFromRows(L.rows(), L.n, L.k, maxUniqueFraction);
  if (maxUniqueFraction !== MAX_UNIQUE_FRACTION) return build();
  // Cached on the matrix until a column changes (LabelMatrix.derived).
  return L.derived(votePatterns, () => build() ?? null) ?? undefined;
}

/** Whether every row's votes fit one exact number: digits 0..k (abstain, then the classes) in base k+1. */
export function rowKeysAreExact(m: number, k: number): boolean {
  return Math.pow(k + 1, m) <= Number.MAX_SAFE_INTEGER;
}

/** Patterns when they repeat enough, else the plain rows with unit weights (same results). */
export function weightedRows(L: LabelMatrix, dedupe = true): WeightedRows {
  const patterns = dedupe ? votePatterns(L) : undefined;
  if (patterns) return patterns;
  const rows = L.rows();
  return { ...rows, count: L.n, weight: new Float64Array(L.n).fill(1), rowPattern: undefined };
}

/** Copy per-pattern values (count × k) out to every row (n × k). */
export function scatterPatterns(perPattern: ArrayLike<number>, rowPattern: Uint32Array, k: number, out: Float32Array): void {
  const n = rowPattern.length;
  if (k === 2) {
    for (let i = 0; i < n; i++) {
      const p = rowPattern[i] * 2;
      out[2 * i] = perPattern[p];
      out[2 * i + 1] = perPattern[p + 1];
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const p = rowPattern[i] * k;
    for (let y = 0; y < k; y++) out[i * k + y] = perPattern[p + y];
  }
}

/** Rows per block while reading row keys from the columns: a block of keys and column slices stays in cache. */
const KEY_BLOCK = 4096;

/**
 * Patterns keyed by each row's votes as one exact number (`rowKeysAreExact` must hold): the same
 * patterns, order, weights and give-up points as `patternsFromRows`. Exported for that test.
 */
export function patternsFromColumns(cols: readonly Int8Array[], n: number, k: number, maxUniqueFraction: number): WeightedRows | undefined {
  const m = cols.length;
  const base = k + 1;
  const limit = Math.max(1, Math.floor(n * maxUniqueFraction));
  let size = 2;
  while (size < 2 * limit) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  const keyOf = new Float64Array(limit);
  const first = new Uint32Array(limit);
  const weight = new Float64Array(limit);
  const rowPattern = new Uint32Array(n);
  const keys = new Float64Array(KEY_BLOCK);
  let count = 0;
  let patternVotes = 0;
  const checkpoint = n >= 4096 ? n >> 3 : -1;
  for (let start = 0; start < n; start += KEY_BLOCK) {
    const end = Math.min(n, start + KEY_BLOCK);
    const len = end - start;
    keys.fill(0, 0, len);
    // Horner in LF order: key = Σ_j (vote_j + 1)·base^(m−1−j), below 2^53 so every step is exact.
    for (let j = 0; j < m; j++) {
      const c = cols[j];
      for (let t = 0; t < len; t++) keys[t] = keys[t] * base + (c[start + t] + 1);
    }
    for (let t = 0; t < len; t++) {
      const i = start + t;
      if (i === checkpoint && count > EARLY_UNIQUE_FRACTION * i) return undefined;
      const key = keys[t];
      // Both 32-bit halves of the key, mixed, then a murmur finaliser for the slot's low bits.
      let h = Math.imul((key >>> 0) ^ Math.imul((key / 4294967296) | 0, 0x9e3779b1), 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      let slot = h & mask;
      for (;;) {
        const id = table[slot];
        if (id < 0) {
          if (count === limit) return undefined;
          table[slot] = count;
          keyOf[count] = key;
          first[count] = i;
          weight[count] = 1;
          rowPattern[i] = count++;
          for (let j = 0; j < m; j++) patternVotes += 1 + (cols[j][i] >> 31);
          break;
        }
        if (keyOf[id] === key) {
          weight[id]++;
          rowPattern[i] = id;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
  }
  const pPtr = new Uint32Array(count + 1);
  const pLf = new Uint32Array(patternVotes);
  const pLabel = new Int8Array(patternVotes);
  for (let p = 0, q = 0; p < count; p++) {
    const r = first[p];
    for (let j = 0; j < m; j++) {
      const v = cols[j][r];
      if (v < 0) continue;
      pLf[q] = j;
      pLabel[q++] = v;
    }
    pPtr[p + 1] = q;
  }
  return { rowPtr: pPtr, lf: pLf, label: pLabel, count, weight: weight.slice(0, count), rowPattern };
}

/** Patterns from the sparse row index (any m and k). Exported for the equality test. */
export function patternsFromRows(rows: SparseRows, n: number, k: number, maxUniqueFraction: number): WeightedRows | undefined {
  const { rowPtr, lf, label } = rows;
  const limit = Math.max(1, Math.floor(n * maxUniqueFraction));
  // Power-of-two table at most half full when `limit` patterns are in it.
  let size = 2;
  while (size < 2 * limit) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  const hashOf = new Int32Array(limit);
  const first = new Uint32Array(limit);
  const weight = new Float64Array(limit);
  const rowPattern = new Uint32Array(n);
  let count = 0;
  let patternVotes = 0;
  // An early look: in a shuffled pool the share of new patterns only falls as rows go by, so
  // when most of the first eighth of the rows are new the whole pool will not collapse enough
  // to pay; stop there rather than hash half the pool (1M × 20 synthetic LFs: 117 ms → 17 ms).
  // A wrong guess costs only speed: the caller then iterates over the plain rows.
  const checkpoint = n >= 4096 ? n >> 3 : -1;
  for (let i = 0; i < n; i++) {
    if (i === checkpoint && count > EARLY_UNIQUE_FRACTION * i) return undefined;
    const start = rowPtr[i];
    const end = rowPtr[i + 1];
    // FNV-1a over the row's vote codes (LF·k + label), then a murmur finaliser so the low bits
    // used for the slot depend on every vote.
    let h = 0x811c9dc5 | 0;
    for (let v = start; v < end; v++) h = Math.imul(h ^ (lf[v] * k + label[v]), 0x01000193);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    let slot = h & mask;
    for (;;) {
      const id = table[slot];
      if (id < 0) {
        if (count === limit) return undefined;
        table[slot] = count;
        hashOf[count] = h;
        first[count] = i;
        weight[count] = 1;
        rowPattern[i] = count++;
        patternVotes += end - start;
        break;
      }
      if (hashOf[id] === h && sameVotes(rows, first[id], i)) {
        weight[id]++;
        rowPattern[i] = id;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  const pPtr = new Uint32Array(count + 1);
  const pLf = new Uint32Array(patternVotes);
  const pLabel = new Int8Array(patternVotes);
  for (let p = 0, q = 0; p < count; p++) {
    const r = first[p];
    for (let v = rowPtr[r]; v < rowPtr[r + 1]; v++, q++) {
      pLf[q] = lf[v];
      pLabel[q] = label[v];
    }
    pPtr[p + 1] = q;
  }
  return { rowPtr: pPtr, lf: pLf, label: pLabel, count, weight: weight.slice(0, count), rowPattern };
}

function sameVotes(rows: SparseRows, a: number, b: number): boolean {
  const { rowPtr, lf, label } = rows;
  const len = rowPtr[a + 1] - rowPtr[a];
  if (rowPtr[b + 1] - rowPtr[b] !== len) return false;
  for (let t = 0, va = rowPtr[a], vb = rowPtr[b]; t < len; t++, va++, vb++) {
    if (lf[va] !== lf[vb] || label[va] !== label[vb]) return false;
  }
  return true;
}
