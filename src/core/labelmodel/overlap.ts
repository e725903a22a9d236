/**
 * Sufficient statistics of a label matrix for moment-based label models: the overlap matrix
 * of one-hot votes, O[a, b] = #rows where (LF a/k voted a%k) and (LF b/k voted b%k), a, b in
 * [0, m·k). Counts add across row chunks, so workers can compute them where the votes are made.
 * Cost O(Σ votes_per_row²), memory O((m·k)²) — never an n × m·k one-hot matrix.
 */
import type { LabelMatrix, SparseRows } from '../matrix.ts';
import { ShoalError } from '../types.ts';
import { bitsetsPay, createBitsetCounter, samplePairsPerRow } from './overlap-bits.ts';
import { votePatterns } from './patterns.ts';

/**
 * Most entries a model may hold in (m·k)² overlap arrays: 2^25 (268 MB as float64). metal keeps
 * up to ~5 such arrays (counts, O, the dense O∘M and its wasm copy, the off-block triples), so
 * this caps it near 1.3 GB; past it a tab runs out of memory or the array cannot be allocated.
 * That is Snorkel's #1656 (1,200 LFs × 56 classes, d = 67,200, 36 GB for one array): there the
 * models that work on the votes themselves (mv, wmv, ds) still run.
 */
export const MAX_OVERLAP_ENTRIES = 2 ** 25;

/** A model needs more memory than this runs with; `auto` skips such candidates and says why. */
export class TooLargeError extends ShoalError {
  /** The message without the model's name: the same for every model that needs the matrix. */
  readonly detail: string;
  constructor(model: string, detail: string) {
    super(`${model} ${detail}`);
    this.name = 'TooLargeError';
    this.detail = detail;
  }
}

/** Throws a TooLargeError naming the model, the shape and the way out, before any allocation. */
export function assertOverlapFits(model: string, m: number, k: number, limit = MAX_OVERLAP_ENTRIES): void {
  const d = m * k;
  if (d * d <= limit) return;
  const gb = (d * d * 8) / 1e9;
  throw new TooLargeError(
    model,
    `needs the (LFs × classes)² overlap matrix: ${m.toLocaleString('en-US')} LFs × ${k} classes is ${d.toLocaleString('en-US')}² entries ` +
      `(${gb >= 1 ? `${gb.toFixed(1)} GB` : `${Math.round(gb * 1000)} MB`} per copy), over the ${Math.floor(Math.sqrt(limit)).toLocaleString('en-US')}² this runs with; ` +
      'use mv, wmv or ds, which work on the votes themselves, or fewer LFs or classes',
  );
}

export interface OverlapCounts {
  n: number;
  m: number;
  k: number;
  /** (m·k)² row-major pair counts; the diagonal holds per-(LF, class) vote counts. */
  counts: Float64Array;
}

/**
 * How pair counts are made: 'auto' picks by cost (overlap-bits.ts: bitsetsPay); 'rows' and
 * 'bitsets' force one (tests compare them; 'bitsets' falls back to rows without wasm SIMD).
 */
export type CountingPath = 'auto' | 'rows' | 'bitsets';

export function overlapCounts(L: LabelMatrix, model = 'this label model', path: CountingPath = 'auto'): OverlapCounts {
  const { n, k, m } = L;
  assertOverlapFits(model, m, k);
  const d = m * k;
  // Few (LF, class) indicators voting often are counted faster as column bitsets
  // (overlap-bits.ts), which need no row index: the same whole numbers either way.
  const cols = L.columns();
  const useBits = path === 'bitsets' || (path === 'auto' && bitsetsPay(m, k, samplePairsPerRow(cols, n), L.hasRowIndex()));
  const counter = useBits ? createBitsetCounter(m, k) : null;
  if (counter) {
    counter.addColumns(cols, 0, n);
    // A view of the counter's memory: one d×d copy fewer (fresh memory is costly to touch here).
    return { n, m, k, counts: mirrorUpper(counter.takeLast(), d) };
  }
  const counts = new Float64Array(d * d);
  const { rowPtr, lf, label } = L.rows();
  const idx = new Int32Array(m);
  for (let i = 0; i < n; i++) {
    const start = rowPtr[i];
    const v = rowPtr[i + 1] - start;
    for (let s = 0; s < v; s++) idx[s] = lf[start + s] * k + label[start + s];
    // A row's votes are sorted by LF, so idx ascends and every pair (s < t) lands in the upper
    // triangle: count each pair once and mirror at the end (half the scattered writes).
    for (let s = 0; s < v; s++) {
      const row = idx[s] * d;
      counts[row + idx[s]]++;
      for (let t = s + 1; t < v; t++) counts[row + idx[t]]++;
    }
  }
  return { n, m, k, counts: mirrorUpper(counts, d) };
}

/** Copies the upper triangle of a d×d matrix onto its lower one (pairs are counted once). */
export function mirrorUpper(counts: Float64Array, d: number): Float64Array {
  for (let a = 0; a < d; a++) for (let b = a + 1; b < d; b++) counts[b * d + a] = counts[a * d + b];
  return counts;
}

export function mergeOverlapCounts(a: OverlapCounts, b: OverlapCounts): OverlapCounts {
  if (a.m !== b.m || a.k !== b.k) throw new Error('overlap counts of different shapes cannot be merged');
  const counts = new Float64Array(a.counts);
  for (let t = 0; t < counts.length; t++) counts[t] += b.counts[t];
  return { n: a.n + b.n, m: a.m, k: a.k, counts };
}

/**
 * overlapCounts over rows that each stand for `weight[i]` matrix rows — the unique vote patterns
 * of patterns.ts — so one pass over a few thousand patterns replaces one over every row. Counts
 * are whole numbers, so the result is exactly overlapCounts(L) (sums below 2^53 are exact).
 */
export function overlapCountsWeighted(
  rows: SparseRows,
  weight: ArrayLike<number>,
  n: number,
  m: number,
  k: number,
  model = 'this label model',
): OverlapCounts {
  assertOverlapFits(model, m, k);
  const d = m * k;
  const counts = new Float64Array(d * d);
  const { rowPtr, lf, label } = rows;
  const idx = new Int32Array(m);
  for (let i = 0; i < weight.length; i++) {
    const start = rowPtr[i];
    const v = rowPtr[i + 1] - start;
    const c = weight[i];
    for (let s = 0; s < v; s++) idx[s] = lf[start + s] * k + label[start + s];
    // Votes sorted by LF: pairs land in the upper triangle, mirrored at the end (as above).
    for (let s = 0; s < v; s++) {
      const row = idx[s] * d;
      counts[row + idx[s]] += c;
      for (let t = s + 1; t < v; t++) counts[row + idx[t]] += c;
    }
  }
  return { n, m, k, counts: mirrorUpper(counts, d) };
}

/** overlapCounts(L), summed over the unique vote patterns when there are few enough (cached on L). */
export function sharedOverlapCounts(L: LabelMatrix, model?: string): OverlapCounts {
  const patterns = votePatterns(L);
  return patterns ? overlapCountsWeighted(patterns, patterns.weight, L.n, L.m, L.k, model) : overlapCounts(L, model);
}
