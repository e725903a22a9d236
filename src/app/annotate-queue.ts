/**
 * Which rows to show next when labeling gold by hand. Three orders, each a list of rows
 * within one split (dev or test); `randomQueue` & co. leave rows already labeled to the end,
 * `queueOrder` keeps every row in the order's own place (the queue modes below filter it):
 * - random: a seeded permutation (same seed, same order: two people can split the work);
 * - conflict: rows where LFs disagree, most distinct labels and most votes first — where a
 *   gold label tells the most about which LF is wrong;
 * - uncertain: rows where the label model is least sure (smallest top-class margin) —
 *   uncertainty sampling (Lewis & Gale 1994).
 */
import type { LabelMatrix } from '../core/matrix.ts';
import { mulberry32, permutation } from '../core/rng.ts';

export type QueueKind = 'random' | 'conflict' | 'uncertain';

/**
 * Which rows of the order the annotator sees, as in Prodigy or Argilla:
 * - pending: rows without a gold label, checked live — a row labelled here or anywhere else
 *   leaves the queue at once, and the queue never shows a labelled row (but for the one row
 *   whose label could not be stored, kept on screen so the user sees it: `held`);
 * - review: rows that had a gold label when the queue was chosen, fixed for the visit, so
 *   clearing or changing a label never makes the row jump away;
 * - flagged: rows flagged when the queue was chosen (row-flags.svelte.ts), fixed likewise.
 */
export type QueueMode = 'pending' | 'review' | 'flagged';

const none = (n: number): Int8Array => new Int8Array(n).fill(-1);

/** The order of `kind` over every row of the split, labelled or not (conflict: only rows where LFs disagree). */
export function queueOrder(
  kind: QueueKind,
  n: number,
  opts: { seed: number; votes?: LabelMatrix | null; proba?: Float32Array | null; k: number },
): Uint32Array {
  if (kind === 'conflict' && opts.votes) return conflictQueue(opts.votes, none(opts.votes.n));
  if (kind === 'uncertain' && opts.proba) return uncertainQueue(opts.proba, opts.k, none(opts.proba.length / opts.k));
  return randomQueue(n, opts.seed, none(n));
}

/**
 * The queue of a mode from an order: pending keeps the whole order (rows are checked live, see
 * `keepOf`); review and flagged keep the rows labelled / flagged now.
 */
export function modeQueue(mode: QueueMode, order: Uint32Array, gold: ArrayLike<number>, flagged: ReadonlySet<number>): Uint32Array {
  if (mode === 'pending') return order;
  if (mode === 'review') return order.filter((t) => gold[t] >= 0);
  return order.filter((t) => flagged.has(t));
}

/** Which rows of a mode's queue are in it now: pending checks the gold label live; the others keep their rows. */
export function keepOf(mode: QueueMode, gold: ArrayLike<number>): (t: number) => boolean {
  return mode === 'pending' ? (t) => gold[t] < 0 : () => true;
}

/** The first index from `from` in direction `dir` whose row is kept, or -1. */
export function seek(queue: Uint32Array, from: number, dir: 1 | -1, keep: (t: number) => boolean): number {
  for (let i = from; i >= 0 && i < queue.length; i += dir) if (keep(queue[i])) return i;
  return -1;
}

/**
 * The queue index to show for a cursor at `at`: `at` itself if its row is kept (or is `held`),
 * else the next kept row after it, else the last kept one before it; -1 when none is left.
 */
export function shownIndex(queue: Uint32Array, at: number, keep: (t: number) => boolean, held: number | null): number {
  if (queue.length === 0) return -1;
  const a = Math.max(0, Math.min(queue.length - 1, at));
  if (held !== null && queue[a] === held) return a;
  const next = seek(queue, a, 1, keep);
  return next >= 0 ? next : seek(queue, a - 1, -1, keep);
}

/** How many rows of the queue are kept now, and how many of them come before index `at`. */
export function queueCounts(queue: Uint32Array, at: number, keep: (t: number) => boolean): { total: number; before: number } {
  let total = 0;
  let before = 0;
  for (let i = 0; i < queue.length; i++) {
    if (!keep(queue[i])) continue;
    total++;
    if (i < at) before++;
  }
  return { total, before };
}

function unlabeledFirst(order: number[], gold: ArrayLike<number>): Uint32Array {
  const a = order.filter((i) => gold[i] < 0);
  const b = order.filter((i) => gold[i] >= 0);
  return Uint32Array.from([...a, ...b]);
}

export function randomQueue(n: number, seed: number, gold: ArrayLike<number>): Uint32Array {
  return unlabeledFirst(Array.from(permutation(n, mulberry32(seed))), gold);
}

/** Rows with at least two distinct labels among their votes; then the rest is not queued. */
export function conflictQueue(L: LabelMatrix, gold: ArrayLike<number>): Uint32Array {
  const { rowPtr, label } = L.rows();
  const scored: { i: number; distinct: number; votes: number }[] = [];
  const seen = new Uint8Array(L.k);
  for (let i = 0; i < L.n; i++) {
    seen.fill(0);
    let distinct = 0;
    for (let p = rowPtr[i]; p < rowPtr[i + 1]; p++) {
      if (!seen[label[p]]) {
        seen[label[p]] = 1;
        distinct++;
      }
    }
    if (distinct >= 2) scored.push({ i, distinct, votes: rowPtr[i + 1] - rowPtr[i] });
  }
  scored.sort((a, b) => b.distinct - a.distinct || b.votes - a.votes || a.i - b.i);
  return unlabeledFirst(
    scored.map((s) => s.i),
    gold,
  );
}

/** Every row, smallest margin between the two most likely classes first. */
export function uncertainQueue(proba: Float32Array, k: number, gold: ArrayLike<number>): Uint32Array {
  const n = proba.length / k;
  const margin = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let a = -Infinity;
    let b = -Infinity;
    for (let c = 0; c < k; c++) {
      const p = proba[i * k + c];
      if (p > a) {
        b = a;
        a = p;
      } else if (p > b) b = p;
    }
    margin[i] = a - b;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => margin[x] - margin[y] || x - y);
  return unlabeledFirst(order, gold);
}

/** An undo stack entry: which row (of which split), what it was before. */
export interface GoldEdit {
  split?: 'dev' | 'test';
  row: number;
  before: number;
  after: number;
}
