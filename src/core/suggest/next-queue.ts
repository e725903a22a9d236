/**
 * "Look here next": the train rows where a new LF would help most, in the spirit of Nemo
 * (Hsieh et al., "Nemo: Guiding and Contextualizing Weak Supervision for Interactive Data
 * Programming", VLDB 2022), which shows the user the rows an LF written next would most likely
 * improve: here, rows no enabled LF covers or where they disagree, the most uncertain first, and
 * grouped by the terms they share so one LF can cover many of them.
 *
 * - `queueOrder` ranks candidate rows by uncertainty (normalized entropy of a model's
 *   probabilities, `entropyOf`), highest first; ties — every row when there is no model — are
 *   broken by a seeded hash of the row number, so the order depends on the rows and the seed,
 *   not on the order they are listed in.
 * - `queueGroups` picks the terms shared by the rows at the head of the queue that are
 *   distinctive there: in at least `minRows` of them, and at least `minLift` times as common
 *   among them as among all train rows; the most shared first.
 */
import type { TermTable } from './suggestions.ts';

/** Entropy of row `i`'s k probabilities, divided by log k (0: certain, 1: uniform). */
export function entropyOf(proba: ArrayLike<number>, i: number, k: number): number {
  let h = 0;
  for (let c = 0; c < k; c++) {
    const p = proba[i * k + c];
    if (p > 0) h -= p * Math.log(p);
  }
  return k > 1 ? h / Math.log(k) : 0;
}

/** A 32-bit mix of a row number and a seed (the queue's tie-break). */
function mix(row: number, seed: number): number {
  let h = (row ^ Math.imul(seed | 0, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The positions in `rows` (dataset row numbers, distinct) of the `limit` rows to look at first:
 * by `uncertainty` (aligned with `rows`; null: none) descending, ties by the seeded hash.
 */
export function queueOrder(rows: ArrayLike<number>, uncertainty: ArrayLike<number> | null, seed: number, limit: number): number[] {
  const at = Array.from({ length: rows.length }, (_, i) => i);
  const key = Float64Array.from(at, (i) => (uncertainty ? uncertainty[i] : 0));
  const tie = Uint32Array.from(at, (i) => mix(rows[i], seed));
  at.sort((a, b) => key[b] - key[a] || tie[a] - tie[b] || rows[a] - rows[b]);
  return at.slice(0, Math.max(0, limit));
}

export interface QueueGroup {
  readonly term: string;
  /** Dataset rows at the head of the queue that contain it, in queue order. */
  readonly rows: readonly number[];
  /** All train rows containing it, and those of them no enabled LF covers. */
  readonly train: number;
  readonly trainNew: number;
  /** How many times more common it is among the queue's rows than among all train rows. */
  readonly lift: number;
}

export interface GroupOptions {
  /** A term must be in at least this many of the queue's rows (default 3). */
  readonly minRows?: number;
  /** …and at least this many times as common there as in all train rows (default 2). */
  readonly minLift?: number;
  /** At most this many groups (default 12). */
  readonly limit?: number;
}

export const DEFAULT_GROUP_MIN_ROWS = 3;
export const DEFAULT_GROUP_MIN_LIFT = 2;

/** The terms in at least `minRows` of the queue's rows (what the train pass must count for `queueGroups`). */
export function sharedTerms(queueTerms: readonly Iterable<string>[], minRows = DEFAULT_GROUP_MIN_ROWS): string[] {
  const df = new Map<string, number>();
  for (const ts of queueTerms) for (const t of ts) df.set(t, (df.get(t) ?? 0) + 1);
  return [...df].filter(([, c]) => c >= minRows).map(([t]) => t);
}

/**
 * The groups of the queue's rows (`queueRows[q]` has terms `queueTerms[q]`, in queue order),
 * with train counts from `table` (a term the table did not count is left out). Two terms shared
 * by exactly the same rows make one group: the first by the order below.
 */
export function queueGroups(
  queueRows: readonly number[],
  queueTerms: readonly Iterable<string>[],
  table: Pick<TermTable, 'indexOf' | 'train' | 'trainNew' | 'trainRows'>,
  opts: GroupOptions = {},
): QueueGroup[] {
  const minRows = opts.minRows ?? DEFAULT_GROUP_MIN_ROWS;
  const minLift = opts.minLift ?? DEFAULT_GROUP_MIN_LIFT;
  const members = new Map<string, number[]>();
  queueTerms.forEach((ts, q) => {
    for (const t of ts) {
      const list = members.get(t);
      if (list) list.push(q);
      else members.set(t, [q]);
    }
  });
  const size = queueRows.length;
  const out: QueueGroup[] = [];
  for (const [term, qs] of members) {
    if (qs.length < minRows) continue;
    const id = table.indexOf(term);
    if (id < 0 || table.train[id] === 0 || table.trainRows === 0) continue;
    const lift = qs.length / size / (table.train[id] / table.trainRows);
    if (lift < minLift) continue;
    out.push({ term, rows: qs.map((q) => queueRows[q]), train: table.train[id], trainNew: table.trainNew[id], lift });
  }
  // Among terms as shared and as distinctive, the longer one (a pair over its words) says more.
  out.sort(
    (a, b) =>
      b.rows.length - a.rows.length || b.lift - a.lift || b.term.length - a.term.length || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0),
  );
  const seen = new Set<string>();
  const kept: QueueGroup[] = [];
  for (const g of out) {
    const key = [...g.rows].sort((a, b) => a - b).join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    kept.push(g);
    if (kept.length >= (opts.limit ?? 12)) break;
  }
  return kept;
}
