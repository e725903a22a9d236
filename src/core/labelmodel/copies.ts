/**
 * LFs that are copies of each other, found from the votes alone; `auto` reports them, compares
 * its candidates with each group counted once, and when asked (`copies: 'once'`, `shoal fit
 * --copies once`) counts each group once only.
 *
 * Every label model here assumes LFs are conditionally independent given Y. Two LFs that vote
 * the same on (nearly) every row they touch violate that in the plainest way: a weak LF pasted
 * five times outvotes five good ones (a known Snorkel failure), however its accuracy is learned.
 * The rule, stated once: LFs i and j are copies when, over the rows where either votes, both
 * cast the same vote on at least `COPY_AGREEMENT` of them (at least `MIN_ROWS` such rows). Copies
 * are grouped transitively; a group is represented by its first LF, and the others are left out
 * of the fit and of predictions — their votes add no information the first does not carry.
 * Matrices without copies are untouched (the fit is then bit for bit what it was).
 *
 * By default `auto` compares both: its candidates on every column and, after them in its order
 * of preference, the same fitted with each group counted once (`metal_once`, …), taken only
 * when they beat every candidate that counts each copy beyond noise on dev (select.ts). Counting
 * once unconditionally (`copies: 'once'`) is not the default: on a weak LF pasted five times
 * beside five good ones it lifts `auto` from 0.596 to within a point of the Bayes-optimal 0.787
 * (copies.test.ts), but on WRENCH sets whose LFs really coincide it moved `auto`'s dev-set
 * choice to worse test scores (trec 0.648 → 0.644, trec with 100 random n-gram LFs 0.504 →
 * 0.472, `npm run bench:wrench`), and the WRENCH results must not drop; the comparison keeps
 * them (bench/NOTES.md).
 *
 * `lfDependence` also gives, per pair, how much more often the two vote together than two
 * independent LFs with their coverages would (the lift), for the correlation view.
 */
import type { LabelMatrix } from '../matrix.ts';
import { sharedOverlapCounts, TooLargeError, type OverlapCounts } from './overlap.ts';

export const COPY_AGREEMENT = 0.95;
export const MIN_ROWS = 20;

export interface LfPair {
  readonly i: number;
  readonly j: number;
  /** Rows where both vote. */
  readonly overlap: number;
  /** Rows where both vote the same class. */
  readonly agree: number;
  /** Rows where either votes. */
  readonly union: number;
  /** overlap ÷ (n · coverage_i · coverage_j): 1 for independent firing. */
  readonly lift: number;
  /** agree ÷ union ≥ COPY_AGREEMENT over ≥ MIN_ROWS rows. */
  readonly copy: boolean;
}

export interface LfDependence {
  readonly pairs: readonly LfPair[];
  /** Groups of copies (LF indices, ascending), each of two or more; LFs in no group are omitted. */
  readonly groups: readonly (readonly number[])[];
}

/**
 * Pairwise overlap, agreement and lift of every LF pair, and the groups of copies. From the
 * overlap counts the label models use anyway (`sharedOverlapCounts`, one pass, cached on the
 * unique vote patterns) when they fit in memory, else by a pass over the rows (sparse LFs).
 */
export function lfDependence(L: LabelMatrix): LfDependence {
  const { n, m, k } = L;
  const overlap = new Float64Array(m * m);
  const agree = new Float64Array(m * m);
  const cover = new Float64Array(m);
  let counts: OverlapCounts | null = null;
  try {
    counts = sharedOverlapCounts(L, 'LF dependence');
  } catch (e) {
    if (!(e instanceof TooLargeError)) throw e;
  }
  if (counts) {
    const d = m * k;
    const c = counts.counts;
    for (let i = 0; i < m; i++) {
      for (let a = 0; a < k; a++) cover[i] += c[(i * k + a) * d + i * k + a];
      for (let j = i + 1; j < m; j++) {
        let o = 0;
        let same = 0;
        for (let a = 0; a < k; a++) {
          const row = (i * k + a) * d + j * k;
          for (let b = 0; b < k; b++) o += c[row + b];
          same += c[row + a];
        }
        overlap[i * m + j] = o;
        agree[i * m + j] = same;
      }
    }
  } else {
    const cols = L.columns();
    const voters: number[] = [];
    for (let r = 0; r < n; r++) {
      voters.length = 0;
      for (let j = 0; j < m; j++) if (cols[j][r] >= 0) voters.push(j);
      for (let x = 0; x < voters.length; x++) {
        const i = voters[x];
        cover[i]++;
        const vi = cols[i][r];
        for (let y = x + 1; y < voters.length; y++) {
          const j = voters[y];
          overlap[i * m + j]++;
          if (cols[j][r] === vi) agree[i * m + j]++;
        }
      }
    }
  }
  const pairs: LfPair[] = [];
  const parent = Array.from({ length: m }, (_, j) => j);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x])));
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const o = overlap[i * m + j];
      const union = cover[i] + cover[j] - o;
      const a = agree[i * m + j];
      const expected = n > 0 ? (cover[i] * cover[j]) / n : 0;
      const copy = union >= MIN_ROWS && a >= COPY_AGREEMENT * union;
      pairs.push({ i, j, overlap: o, agree: a, union, lift: expected > 0 ? o / expected : 0, copy });
      if (copy) parent[find(j)] = find(i);
    }
  }
  const byRoot = new Map<number, number[]>();
  for (let j = 0; j < m; j++) byRoot.set(find(j), [...(byRoot.get(find(j)) ?? []), j]);
  const groups = [...byRoot.values()].filter((g) => g.length > 1);
  return { pairs, groups };
}

/** The columns a fit keeps: every LF but the second and later members of each group of copies. */
export function representatives(m: number, groups: readonly (readonly number[])[]): number[] {
  const drop = new Set(groups.flatMap((g) => g.slice(1)));
  return Array.from({ length: m }, (_, j) => j).filter((j) => !drop.has(j));
}

/** How a fit treats groups of copies: count each once, or keep every column (and say so). */
export type CopiesRule = 'once' | 'keep';

/** The warning a fit gives about groups of copies (LFs numbered from 1, in list order). */
export function copiesWarning(groups: readonly (readonly number[])[], rule: CopiesRule): string {
  const said = groups.map((g) => `LFs ${g.map((j) => j + 1).join(', ')}`).join('; ');
  const same = `each group votes the same on ≥ ${Math.round(COPY_AGREEMENT * 100)}% of the rows any of them votes on`;
  return rule === 'once'
    ? `${said}: ${same}, so it is counted as one LF`
    : `${said}: ${same}, which the label models count as independent evidence; delete the copies, or fit with copies counted once`;
}

/**
 * The largest lift two LFs can show if they are independent given the class: 1 / (smallest
 * class prior). Why: with a_y = P(i votes | y) and b_y = P(j votes | y), conditional
 * independence gives P(both) = Σ π_y a_y b_y ≤ max_y b_y · P(i), and b_y ≤ P(j) / π_y, so
 * P(both) ≤ P(i) P(j) / min_y π_y. Two LFs that fire only on the rarest class reach it.
 */
export function liftCeiling(classBalance: ArrayLike<number>): number {
  let min = Infinity;
  for (let y = 0; y < classBalance.length; y++) min = Math.min(min, classBalance[y]);
  return min > 0 && Number.isFinite(min) ? 1 / min : Infinity;
}

/**
 * Whether a pair fires together more often than any pair of LFs independent given the class
 * could: its overlap exceeds the ceiling × the independent expectation by more than three
 * standard deviations of a Poisson count (so a small sample is not flagged by chance), over at
 * least `MIN_ROWS` shared rows.
 */
export function beyondIndependence(pair: LfPair, ceiling: number): boolean {
  if (pair.overlap < MIN_ROWS || pair.lift <= 0 || !Number.isFinite(ceiling)) return false;
  const most = (pair.overlap / pair.lift) * ceiling;
  return pair.overlap > most + 3 * Math.sqrt(most);
}
