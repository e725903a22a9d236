/**
 * The LF correlation view of the Analysis screen: for every pair of enabled LFs, how often they
 * vote together and agree (from lfDependence in core/labelmodel/copies.ts, the statistic the
 * label models' copy rule uses), and the pairs worth a look — likely copies (the same vote on
 * ≥ 95% of the rows either votes on) and pairs that fire together more often than any two LFs
 * independent given the class could (beyond `liftCeiling`), which every label model here
 * counts as independent evidence.
 */
import { countGold } from '../core/gold-labels.ts';
import { beyondIndependence, COPY_AGREEMENT, lfDependence, liftCeiling, type LfPair } from '../core/labelmodel/copies.ts';
import type { LabelMatrix } from '../core/matrix.ts';

export type CorrelationMeasure = 'agreement' | 'overlap' | 'conflict' | 'lift';

export const CORRELATION_MEASURES: readonly { id: CorrelationMeasure; label: string; says: string }[] = [
  { id: 'agreement', label: 'Agreement', says: 'of the rows either LF votes on, the share where both cast the same vote' },
  { id: 'overlap', label: 'Overlap', says: 'of the rows either LF votes on, the share where both vote' },
  { id: 'conflict', label: 'Conflict', says: 'of the rows both LFs vote on, the share where they disagree' },
  { id: 'lift', label: 'Lift', says: 'how many times more often both vote than two independently firing LFs would' },
];

export interface FlaggedPair {
  a: string;
  b: string;
  kind: 'copy' | 'dependent';
  /** One sentence for the user. */
  says: string;
}

export interface CorrelationView {
  names: readonly string[];
  pairs: readonly LfPair[];
  flagged: FlaggedPair[];
  /** The lift two LFs independent given the class can reach at most (1 / smallest class prior). */
  ceiling: number;
  /** Where the class balance behind `ceiling` came from. */
  balanceFrom: 'dev gold' | 'majority vote';
}

/** Dev gold gives the class balance when it has this many labels and every class; else majority vote does. */
export const MIN_GOLD_FOR_BALANCE = 30;

export function lfCorrelations(L: LabelMatrix, names: readonly string[], devGold: ArrayLike<number>): CorrelationView {
  const { pairs } = lfDependence(L);
  const fromGold = goldBalance(devGold, L.k);
  const balance = fromGold ?? votedBalance(L);
  const ceiling = liftCeiling(balance);
  const flagged: FlaggedPair[] = [];
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  for (const p of pairs) {
    const a = names[p.i];
    const b = names[p.j];
    if (p.copy) {
      flagged.push({
        a,
        b,
        kind: 'copy',
        says: `${a} and ${b} cast the same vote on ${pct(p.agree / p.union)} of the ${p.union.toLocaleString('en-US')} rows either votes on (≥ ${pct(COPY_AGREEMENT)}): likely copies, which the label models count twice.`,
      });
    } else if (beyondIndependence(p, ceiling)) {
      flagged.push({
        a,
        b,
        kind: 'dependent',
        says: `${a} and ${b} vote together on ${p.overlap.toLocaleString('en-US')} rows, ${p.lift.toFixed(1)}× as often as independent LFs would; LFs independent given the class reach at most ${ceiling.toFixed(1)}×, so they share a cause the label models do not see.`,
      });
    }
  }
  return { names, pairs, flagged, ceiling, balanceFrom: fromGold ? 'dev gold' : 'majority vote' };
}

/** A pair's value under `measure`, or null where it is undefined (no shared rows). */
export function pairValue(p: LfPair, measure: CorrelationMeasure): number | null {
  switch (measure) {
    case 'agreement':
      return p.union > 0 ? p.agree / p.union : null;
    case 'overlap':
      return p.union > 0 ? p.overlap / p.union : null;
    case 'conflict':
      return p.overlap > 0 ? (p.overlap - p.agree) / p.overlap : null;
    case 'lift':
      return p.lift > 0 ? p.lift : null;
  }
}

function goldBalance(gold: ArrayLike<number>, k: number): number[] | null {
  if (countGold(gold) < MIN_GOLD_FOR_BALANCE) return null;
  const c = new Array<number>(k).fill(0);
  for (let i = 0; i < gold.length; i++) if (gold[i] >= 0 && gold[i] < k) c[gold[i]]++;
  if (c.some((x) => x === 0)) return null;
  const t = c.reduce((s, x) => s + x, 0);
  return c.map((x) => x / t);
}

/** Class shares of the majority vote over rows with a clear winner (each class counted at least once). */
function votedBalance(L: LabelMatrix): number[] {
  const c = new Array<number>(L.k).fill(1);
  const cols = L.columns();
  const tally = new Int32Array(L.k);
  for (let r = 0; r < L.n; r++) {
    tally.fill(0);
    for (const col of cols) if (col[r] >= 0) tally[col[r]]++;
    let best = -1;
    let top = 0;
    let tie = false;
    for (let y = 0; y < L.k; y++) {
      if (tally[y] > top) {
        top = tally[y];
        best = y;
        tie = false;
      } else if (tally[y] === top && top > 0) tie = true;
    }
    if (best >= 0 && !tie) c[best]++;
  }
  const t = c.reduce((s, x) => s + x, 0);
  return c.map((x) => x / t);
}
