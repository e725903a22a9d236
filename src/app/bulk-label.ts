/**
 * Bulk labelling from Browse: "label all N shown rows as <class>" on one split, through the
 * gold-labels service (one change, one queued write, full-disk mode: gold-labels.svelte.ts).
 *
 * `planBulkLabel` says exactly what would change before anything does — rows getting a first
 * gold label, rows whose label is overwritten (per class they had), rows that already have
 * it — so the confirmation can name every count. `applyBulkLabel` writes only the rows that
 * change and returns what an undo needs; `undoBulkLabel` puts back the rows that still hold
 * the bulk label (a row relabelled since keeps its newer label, and is counted as kept).
 *
 * On the test split a filter picks rows by what the LFs or the text say, so labelling them in
 * bulk biases the test set: the screen asks for an explicit acknowledgement (TEST_SPLIT_WARNING).
 */
import { ShoalError, type GoldLabel } from '../core/types.ts';
import type { Split, SplitIndex } from './project.ts';
import type { GoldLabels } from './gold-labels.svelte.ts';

export const TEST_SPLIT_WARNING =
  'Labelling test rows chosen by a filter biases the test set: its scores stop estimating accuracy on rows nobody picked.';

export interface BulkPlan {
  split: Split;
  label: number;
  /** Rows shown (all in `split`). */
  total: number;
  /** Rows without gold that get one. */
  added: number;
  /** Rows whose gold label is replaced, and how many had each class (index = class). */
  overwritten: number;
  overwrittenFrom: number[];
  /** Rows that already have this label: left alone. */
  same: number;
  /** Positions within the split of the rows that change, and their labels before. */
  rows: Uint32Array;
  before: Int8Array;
}

export interface BulkUndo {
  split: Split;
  label: number;
  rows: Uint32Array;
  before: Int8Array;
}

/** Position of dataset row `row` in the split's ascending row list, or -1. */
function positionIn(idx: Uint32Array, row: number): number {
  let lo = 0;
  let hi = idx.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (idx[mid] === row) return mid;
    if (idx[mid] < row) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * What labelling `shown` (dataset row numbers, all of `split`) as `label` would change, given
 * the whole-dataset gold column. A row outside the split is refused: the count would lie.
 */
export function planBulkLabel(
  shown: ArrayLike<number>,
  split: Split,
  splitIndex: SplitIndex,
  fullGold: Int8Array,
  label: number,
  classCount: number,
): BulkPlan {
  if (!Number.isInteger(label) || label < 0 || label >= classCount)
    throw new ShoalError(`label ${label} is not one of the ${classCount} classes`);
  const idx = splitIndex[split];
  const rows: number[] = [];
  const before: number[] = [];
  const from = new Array<number>(classCount).fill(0);
  let added = 0;
  let same = 0;
  for (let i = 0; i < shown.length; i++) {
    const r = shown[i];
    const t = positionIn(idx, r);
    if (t < 0) throw new ShoalError(`row ${r + 1} is not a ${split} row; choose one split in the filters before labelling in bulk`);
    const g = fullGold[r];
    if (g === label) {
      same++;
      continue;
    }
    if (g < 0) added++;
    else from[g]++;
    rows.push(t);
    before.push(g);
  }
  return {
    split,
    label,
    total: shown.length,
    added,
    overwritten: rows.length - added,
    overwrittenFrom: from,
    same,
    rows: Uint32Array.from(rows),
    before: Int8Array.from(before),
  };
}

/** The confirmation's sentence: how many rows change, and how. */
export function planText(p: BulkPlan, classes: readonly string[]): string {
  const fmt = (n: number) => n.toLocaleString('en-US');
  const c = classes[p.label];
  const rows = (n: number) => `${fmt(n)} ${n === 1 ? 'row' : 'rows'}`;
  const changes = p.added + p.overwritten;
  const parts = [`${rows(p.added)} ${p.added === 1 ? 'gets a first gold label' : 'get a first gold label'}`];
  if (p.overwritten) {
    const from = p.overwrittenFrom
      .map((n, y) => (n ? `${fmt(n)} ${n === 1 ? 'was' : 'were'} ${classes[y]}` : ''))
      .filter(Boolean)
      .join(', ');
    const one = p.overwritten === 1;
    parts.push(
      `${fmt(p.overwritten)} gold ${one ? 'label is' : 'labels are'} overwritten (${one ? `it was ${classes[p.overwrittenFrom.findIndex((n) => n > 0)]}` : from})`,
    );
  } else parts.push('no gold label is overwritten');
  if (p.same)
    parts.push(
      `${rows(p.same)} ${p.same === 1 ? 'is' : 'are'} ${c} already and ${p.same === 1 ? 'stays' : 'stay'} as ${p.same === 1 ? 'it is' : 'they are'}`,
    );
  return `${changes === 0 ? `Nothing changes (0 of ${fmt(p.total)} rows)` : `${rows(changes)} of ${fmt(p.total)} change to ${c}`}: ${parts.join('; ')}.`;
}

/** Write the plan's changes (one change, one write); resolves to what undoes it. */
export async function applyBulkLabel(golds: GoldLabels, p: BulkPlan): Promise<BulkUndo> {
  const undo: BulkUndo = { split: p.split, label: p.label, rows: p.rows, before: p.before };
  if (p.rows.length) await golds.setMany(p.split, p.rows, p.label as GoldLabel);
  return undo;
}

/**
 * Put back the labels a bulk change replaced, on the rows that still hold its label. Resolves to
 * how many rows were put back and how many kept a label given since.
 */
export async function undoBulkLabel(golds: GoldLabels, u: BulkUndo): Promise<{ restored: number; kept: number }> {
  const col = golds.gold[u.split];
  const rows: number[] = [];
  const labels: number[] = [];
  u.rows.forEach((t, i) => {
    if (col[t] !== u.label) return;
    rows.push(t);
    labels.push(u.before[i]);
  });
  if (rows.length) await golds.setMany(u.split, rows, labels, { undo: true });
  return { restored: rows.length, kept: u.rows.length - rows.length };
}
