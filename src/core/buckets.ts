/**
 * An LF's rows split into buckets, as Snorkel users know them from `get_label_buckets`: where
 * it is right or wrong on gold, where it abstains on gold rows (what it misses), where it
 * disagrees with the label model's label, and where it overlaps each other LF. Columnar in and
 * out: dataset row numbers, ascending, so a browser can page through a bucket.
 */
import { ShoalError } from './types.ts';

export type BucketKind = 'votes' | 'correct' | 'incorrect' | 'abstains-on-gold' | 'disagrees-with-model' | 'overlaps';

export interface Bucket {
  kind: BucketKind;
  /** For `overlaps`: the other LF's position in `others`. */
  other?: number;
  rows: Uint32Array;
}

export interface BucketInput {
  /** The LF's votes per dataset row, -1 = abstain. */
  votes: Int8Array;
  /** Gold class per row, -1 = unknown. */
  gold: ArrayLike<number>;
  /** The label model's label per row (-1 where it gives none), or null before a fit. */
  modelLabels: ArrayLike<number> | null;
  /** The other enabled LFs' votes, for the overlap buckets. */
  others: readonly Int8Array[];
  /** Rows to consider (e.g. one split), ascending; all rows when absent. */
  within?: Uint32Array;
}

/** Every bucket of one LF, the overlap buckets only for LFs it shares at least one row with. */
export function lfBuckets(input: BucketInput): Bucket[] {
  const { votes, gold, modelLabels, others } = input;
  const n = votes.length;
  if (gold.length !== n || (modelLabels && modelLabels.length !== n) || others.some((o) => o.length !== n)) {
    throw new ShoalError('buckets: the votes, gold labels and model labels must cover the same rows');
  }
  const within = input.within ?? null;
  const count = within ? within.length : n;
  const take = (keep: (r: number) => boolean): Uint32Array => {
    const out = new Uint32Array(count);
    let k = 0;
    for (let t = 0; t < count; t++) {
      const r = within ? within[t] : t;
      if (keep(r)) out[k++] = r;
    }
    return out.slice(0, k);
  };
  const buckets: Bucket[] = [
    { kind: 'votes', rows: take((r) => votes[r] >= 0) },
    { kind: 'correct', rows: take((r) => votes[r] >= 0 && gold[r] >= 0 && votes[r] === gold[r]) },
    { kind: 'incorrect', rows: take((r) => votes[r] >= 0 && gold[r] >= 0 && votes[r] !== gold[r]) },
    { kind: 'abstains-on-gold', rows: take((r) => votes[r] < 0 && gold[r] >= 0) },
  ];
  if (modelLabels) {
    buckets.push({ kind: 'disagrees-with-model', rows: take((r) => votes[r] >= 0 && modelLabels[r] >= 0 && votes[r] !== modelLabels[r]) });
  }
  others.forEach((o, j) => {
    const rows = take((r) => votes[r] >= 0 && o[r] >= 0);
    if (rows.length) buckets.push({ kind: 'overlaps', other: j, rows });
  });
  return buckets;
}
