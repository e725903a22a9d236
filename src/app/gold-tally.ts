/**
 * What the gold labels of this session did, per split: how many rows got a first label (new),
 * a different one (changed) or lost theirs (cleared). Relabelling an existing gold label is
 * never silent: it counts as changed. Counted per edit, as an annotator thinks of them (clear
 * a label, then give it again: one cleared, one new); an undo takes its edit back out.
 */
import type { Split } from '../core/splits.ts';

export interface GoldTally {
  new: number;
  changed: number;
  cleared: number;
}

export type TallyBySplit = Readonly<Record<Split, GoldTally>>;

export const EMPTY_TALLY: TallyBySplit = {
  train: { new: 0, changed: 0, cleared: 0 },
  dev: { new: 0, changed: 0, cleared: 0 },
  test: { new: 0, changed: 0, cleared: 0 },
};

/** The kind of one edit of a gold label (-1 = none), or null when it changes nothing. */
export function editKind(before: number, after: number): keyof GoldTally | null {
  if (before === after) return null;
  if (before < 0) return 'new';
  return after < 0 ? 'cleared' : 'changed';
}

/**
 * `t` with the edits before[i] → after[i] added (sign 1) or taken back out (sign -1, an undo).
 * Counts never go below 0 (an undo of an edit another screen already changed again).
 */
export function tallyEdits(t: GoldTally, before: ArrayLike<number>, after: ArrayLike<number>, sign: 1 | -1): GoldTally {
  const out = { ...t };
  for (let i = 0; i < before.length; i++) {
    const k = editKind(before[i], after[i]);
    if (k) out[k] = Math.max(0, out[k] + sign);
  }
  return out;
}

/** "12 new, 3 changed" and ", 1 cleared" when labels were cleared. */
export function tallyText(t: GoldTally): string {
  const parts = [`${t.new.toLocaleString('en-US')} new`, `${t.changed.toLocaleString('en-US')} changed`];
  if (t.cleared) parts.push(`${t.cleared.toLocaleString('en-US')} cleared`);
  return parts.join(', ');
}
