/**
 * Gold labels are one integer array (per dataset or per split) of class indices, -1 where the
 * label is unknown. Counting them and picking the labelled rows is defined once here, so every
 * screen and export counts the same rows.
 */
export const NO_GOLD = -1;

/** How many rows carry a gold label. */
export function countGold(gold: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < gold.length; i++) if (gold[i] >= 0) n++;
  return n;
}

/** Positions of the rows that carry a gold label, in order. */
export function goldRows(gold: ArrayLike<number>): Uint32Array {
  const out = new Uint32Array(countGold(gold));
  let at = 0;
  for (let i = 0; i < gold.length; i++) if (gold[i] >= 0) out[at++] = i;
  return out;
}
