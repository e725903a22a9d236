/**
 * Which rows to show next when labeling gold by hand. Three queues, each a list of rows
 * within one split (dev or test), rows already labeled left to the end so the count of new
 * labels grows as fast as possible:
 * - random: a seeded permutation (same seed, same order: two people can split the work);
 * - conflict: rows where LFs disagree, most distinct labels and most votes first — where a
 *   gold label tells the most about which LF is wrong;
 * - uncertain: rows where the label model is least sure (smallest top-class margin) —
 *   uncertainty sampling (Lewis & Gale 1994).
 */
import type { LabelMatrix } from '../core/matrix.ts';
import { mulberry32, permutation } from '../core/rng.ts';

export type QueueKind = 'random' | 'conflict' | 'uncertain';

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

/** An undo stack entry: which row, what it was before. */
export interface GoldEdit {
  row: number;
  before: number;
  after: number;
}
