/**
 * An LF's buckets for the data browser (core/buckets.ts): the rows it gets right or wrong on
 * gold, the gold rows it misses, the rows where it disagrees with the label model, and the rows
 * it shares with each other LF — each with its count, as the options of Browse's LF filter.
 * The Analysis table links each LF here (`#/browse?lf=<id>&bucket=<kind>`).
 */
import { lfBuckets, type BucketKind } from '../core/buckets.ts';
import { isSplit, SPLIT_NAMES, type Split } from '../core/splits.ts';
import { hardLabels, scatterSplits } from './model-report.ts';

export interface BucketOption {
  /** The filter's value: `correct`, `incorrect`, `abstains-on-gold`, `disagrees-with-model` or `overlaps:<lf id>`. */
  value: string;
  label: string;
  count: number;
  /** Dataset rows in the bucket, ascending. */
  rows: Uint32Array;
}

const SAYS: Record<Exclude<BucketKind, 'votes' | 'overlaps'>, string> = {
  correct: 'correct on gold',
  incorrect: 'incorrect on gold',
  'abstains-on-gold': 'abstains on gold rows',
  'disagrees-with-model': 'disagrees with the label model',
};

export interface BucketInputs {
  lfId: string;
  /** The LF's votes over the whole dataset. */
  votes: Int8Array;
  /** Gold per dataset row, -1 = unknown. */
  gold: Int8Array;
  /** The label model's posteriors per split (null before a fit). */
  modelProba: Record<Split, Float32Array> | null;
  splitIndex: Record<Split, Uint32Array>;
  k: number;
  /** The other enabled LFs, whole-dataset votes. */
  others: readonly { id: string; name: string; votes: Int8Array }[];
  /** Count only these dataset rows (ascending: one split), so counts match that split's analysis. */
  within?: Uint32Array;
}

export function bucketOptions(x: BucketInputs): BucketOption[] {
  const n = x.votes.length;
  let modelLabels: Int32Array | null = null;
  if (x.modelProba) {
    const proba = scatterSplits(
      n,
      x.k,
      SPLIT_NAMES.map((s) => ({ rows: x.splitIndex[s], proba: x.modelProba![s] })),
    );
    modelLabels = hardLabels(proba, x.k);
  }
  const others = x.others.filter((o) => o.id !== x.lfId && o.votes.length === n);
  const buckets = lfBuckets({ votes: x.votes, gold: x.gold, modelLabels, others: others.map((o) => o.votes), within: x.within });
  const out: BucketOption[] = [];
  for (const b of buckets) {
    if (b.kind === 'votes') continue;
    if (b.kind === 'overlaps') {
      const o = others[b.other!];
      out.push({ value: `overlaps:${o.id}`, label: `overlaps ${o.name}`, count: b.rows.length, rows: b.rows });
    } else out.push({ value: b.kind, label: SAYS[b.kind], count: b.rows.length, rows: b.rows });
  }
  return out;
}

/** A keep-mask (1 = in the bucket) of `n` rows, for the browser's filter. */
export function bucketMask(rows: Uint32Array, n: number): Uint8Array {
  const mask = new Uint8Array(n);
  for (const r of rows) mask[r] = 1;
  return mask;
}

/** The Browse deep link for an LF's rows, or one of its buckets, on one split or all (read back by `browseLink`). */
export function bucketHref(lfId: string, bucket?: string, split?: Split): string {
  const q = new URLSearchParams({ lf: lfId });
  if (bucket) q.set('bucket', bucket);
  if (split) q.set('split', split);
  return `#/browse?${q}`;
}

/** The LF, bucket and split a `#/browse?lf=…&bucket=…&split=…` link asks for. */
export function browseLink(hash: string): { lf: string | null; bucket: string | null; split: Split | null } {
  const q = new URLSearchParams(hash.split('?')[1] ?? '');
  const split = q.get('split');
  return { lf: q.get('lf'), bucket: q.get('bucket'), split: isSplit(split) ? split : null };
}

/**
 * A Browse deep link to a given list of rows (the rows of a "look here next" group), on one
 * split or all: `#/browse?rows=3,17,42&split=train` (read back by `linkedRows`).
 */
export function rowsHref(rows: readonly number[], split?: Split): string {
  const q = new URLSearchParams({ rows: rows.join(',') });
  if (split) q.set('split', split);
  return `#/browse?${q}`;
}

/** The rows a `#/browse?rows=…` link asks for (ascending, distinct, within `count` rows), or null. */
export function linkedRows(hash: string, count: number): Uint32Array | null {
  const raw = new URLSearchParams(hash.split('?')[1] ?? '').get('rows');
  if (raw === null) return null;
  const rows = new Set<number>();
  for (const part of raw.split(',')) {
    const r = Number(part);
    if (part !== '' && Number.isInteger(r) && r >= 0 && r < count) rows.add(r);
  }
  return Uint32Array.from([...rows].sort((a, b) => a - b));
}
