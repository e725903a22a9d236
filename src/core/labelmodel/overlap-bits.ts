/**
 * Overlap counts from column bitsets (kernel source: scripts/overlap-bits-wat.ts). Each (LF,
 * class) indicator over a block of rows becomes a bitset, and every pair count is a sum of
 * popcount(A & B) over 64-row words: d²/2 · n/64 word operations, with no row index and no
 * per-vote scatter. That wins when d = m·k is small and LFs vote often (1M × 50, k = 2), and
 * loses when d is large (100k × 200, k = 6), so callers ask `bitsetsPay` first; the answer only
 * changes speed, never the counts (both paths count whole numbers exactly).
 */
import { ABSTAIN } from '../types.ts';
import { kernelLoader } from './wasm-kernel.ts';
import { OVERLAP_BITS_WASM_BASE64 } from './overlap-bits-wasm.ts';

/** Rows per block: a multiple of 64 whose d bitsets stay in L2 for d up to a few hundred. */
export const BITSET_BLOCK_ROWS = 8192;
/** Past this many output bytes (d²·8) the row path is always cheaper anyway. */
const MAX_OUT_BYTES = 64 * 2 ** 20;

/**
 * Nanoseconds per unit, CPU time in Node on this kind of machine at 1M × 50 (k = 2 and 5) and
 * 100k × 200 (k = 6), both paths in the same process, 1-minute load ≈ 12: one popcount(A & B)
 * over a 64-row word, one int8 cell copied and packed (per class), one cell of building the row
 * index, one pair of votes scattered. Only their ratios matter. A scattered pair costs far more
 * than an earlier, idler calibration had it (1.8 ns): the scatter hits a d×d array out of cache,
 * which neighbours on the cores make worse, while the bitset words stream. At 100k × 200, k = 6
 * the bitsets took 0.78–0.87 CPU-s against 1.33–1.49 for the rows, index included.
 */
const NS_PER_WORD_PAIR = 0.65;
const NS_PER_CELL_PACK = 0.15;
const NS_PER_CELL_INDEX = 5.5;
const NS_PER_VOTE_PAIR = 6.5;

/**
 * Whether the bitset path is expected to be faster than the row path for an n × m matrix with
 * k classes, whose rows hold `pairsPerRow` vote pairs (diagonal included) on average.
 * `rowIndexBuilt`: the row path's index already exists and costs nothing more.
 */
export function bitsetsPay(m: number, k: number, pairsPerRow: number, rowIndexBuilt: boolean): boolean {
  const d = m * k;
  if (d * d * 8 > MAX_OUT_BYTES) return false;
  const bitsetNsPerRow = ((d * (d + 1)) / 2 / 64) * NS_PER_WORD_PAIR + m * k * NS_PER_CELL_PACK;
  const rowNsPerRow = (rowIndexBuilt ? 0 : m * NS_PER_CELL_INDEX) + pairsPerRow * NS_PER_VOTE_PAIR;
  return bitsetNsPerRow < rowNsPerRow;
}

/**
 * Mean of v(v+1)/2 over rows, v = a row's votes: what the row path's pair loop costs per row.
 * Read from `runs` runs of 64 consecutive rows spread over the matrix (all rows when n is
 * small), so each column read is one cache line rather than one line per sampled row.
 */
export function samplePairsPerRow(cols: readonly Int8Array[], n: number, runs = 48): number {
  if (n === 0) return 0;
  const RUN = 64;
  const starts = n <= RUN * runs ? [0] : Array.from({ length: runs }, (_, r) => Math.floor((r * (n - RUN)) / (runs - 1)));
  const len = Math.min(n, starts.length === 1 ? n : RUN);
  const votes = new Uint16Array(len);
  let pairs = 0;
  for (const start of starts) {
    votes.fill(0);
    for (const c of cols) for (let t = 0; t < len; t++) votes[t] += 1 + (c[start + t] >> 31);
    for (let t = 0; t < len; t++) pairs += (votes[t] * (votes[t] + 1)) / 2;
  }
  return pairs / (starts.length * len);
}

export interface BitsetOverlapCounter {
  /**
   * Add `rows` (≤ BITSET_BLOCK_ROWS) rows: `slice(j)` is LF j's votes on them (length `rows`),
   * or null when LF j abstains on all of them.
   */
  addBlock(slice: (j: number) => Int8Array | null, rows: number): void;
  /** Add rows [start, end) of whole columns (any length: split into blocks). */
  addColumns(cols: readonly Int8Array[], start: number, end: number): void;
  /** The counts so far: d×d, upper triangle and diagonal filled, lower triangle 0. Resets. */
  take(): Float64Array;
  /** The same counts without a copy (a view of the counter's memory): the counter's last use. */
  takeLast(): Float64Array;
}

const kernelModule = kernelLoader(OVERLAP_BITS_WASM_BASE64);

/** A counter for m LFs × k classes, or null where the kernel cannot run (the caller counts by rows). */
export function createBitsetCounter(m: number, k: number): BitsetOverlapCounter | null {
  const d = m * k;
  if (d === 0 || d * d * 8 > MAX_OUT_BYTES) return null;
  const mod = kernelModule();
  if (!mod) return null;
  const stride = BITSET_BLOCK_ROWS;
  const inAt = 0;
  const bitsAt = m * stride;
  const outAt = bitsAt + (d * stride) / 8; // a multiple of 8: stride is
  const bytes = outAt + d * d * 8;
  let memory: WebAssembly.Memory;
  let pack: (inPtr: number, cols: number, stride: number, k: number, bits: number) => void;
  let pairs: (bits: number, d: number, words: number, out: number) => void;
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
    const instance = new WebAssembly.Instance(mod, { env: { memory } });
    pack = instance.exports.pack as typeof pack;
    pairs = instance.exports.pairs as typeof pairs;
  } catch {
    return null;
  }
  const input = new Int8Array(memory.buffer, inAt, m * stride);
  const out = new Float64Array(memory.buffer, outAt, d * d);

  const counter: BitsetOverlapCounter = {
    addBlock(slice, rows) {
      if (rows > stride) throw new Error(`a bitset block holds at most ${stride} rows, got ${rows}`);
      if (rows === 0) return;
      // Pack only whole 64-row words; the padding rows abstain, so they add nothing.
      const padded = Math.ceil(rows / 64) * 64;
      for (let j = 0; j < m; j++) {
        const at = j * padded;
        const votes = slice(j);
        if (votes) {
          if (votes.length !== rows) throw new Error(`LF ${j}'s slice has ${votes.length} votes for ${rows} rows`);
          input.set(votes, at);
          input.fill(ABSTAIN, at + rows, at + padded);
        } else {
          input.fill(ABSTAIN, at, at + padded);
        }
      }
      pack(inAt, m, padded, k, bitsAt);
      pairs(bitsAt, d, padded / 64, outAt);
    },
    addColumns(cols, start, end) {
      if (cols.length !== m) throw new Error(`expected ${m} columns, got ${cols.length}`);
      for (let s = start; s < end; s += stride) {
        const e = Math.min(end, s + stride);
        counter.addBlock((j) => cols[j].subarray(s, e), e - s);
      }
    },
    take() {
      const counts = out.slice();
      out.fill(0);
      return counts;
    },
    takeLast() {
      return out;
    },
  };
  return counter;
}
