/**
 * Unique vote patterns of a label matrix, with how many rows share each one.
 *
 * Every label model here is a function of a row's votes alone, so rows with the same votes get
 * the same posterior. EM fits (ds, wmv) can therefore run their E-step once per unique pattern
 * and weight the M-step statistics by the pattern's row count: the same fixed point, up to the
 * order floating-point sums are taken in. With ~20 sparse LFs, 100k rows collapse to a few
 * thousand patterns, so each EM iteration costs O(pattern votes) instead of O(votes).
 *
 * Built in one pass over the sparse row index (hash of each row's (LF, label) sequence, open
 * addressing, equal hashes confirmed by comparing the rows). When patterns barely repeat (many
 * LFs on a large pool) the collapse would not pay for itself, so the pass gives up as soon as
 * the unique count passes MAX_UNIQUE_FRACTION of n and callers use the plain rows.
 */
import type { LabelMatrix, SparseRows } from '../matrix.ts';

/** Above this fraction of unique rows, iterating over patterns saves too little to bother. */
export const MAX_UNIQUE_FRACTION = 0.5;
/** Give up when this share of the first eighth of the rows are distinct (see buildPatterns). */
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

// Keyed on the matrix's cached sparse index: it is replaced whenever a column changes, so a
// stale entry can never be returned, and it is dropped with the matrix.
const cache = new WeakMap<SparseRows, WeightedRows | null>();

/**
 * The unique vote patterns of L (first-occurrence order; each pattern's votes sorted by LF, as
 * in L.rows()), or undefined when more than `maxUniqueFraction`·n rows are distinct.
 */
export function votePatterns(L: LabelMatrix, maxUniqueFraction = MAX_UNIQUE_FRACTION): WeightedRows | undefined {
  const rows = L.rows();
  const useCache = maxUniqueFraction === MAX_UNIQUE_FRACTION;
  if (useCache) {
    const hit = cache.get(rows);
    if (hit !== undefined) return hit ?? undefined;
  }
  const result = buildPatterns(rows, L.n, L.k, maxUniqueFraction);
  if (useCache) cache.set(rows, result ?? null);
  return result;
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

function buildPatterns(rows: SparseRows, n: number, k: number, maxUniqueFraction: number): WeightedRows | undefined {
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
