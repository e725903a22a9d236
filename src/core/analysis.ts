/**
 * LF analysis with the meaning of Snorkel's `LFAnalysis` (snorkel/labeling/analysis.py):
 * - polarity: the sorted set of classes an LF voted;
 * - coverage: fraction of rows it voted on;
 * - overlaps: fraction of rows it voted on where at least one other LF also voted;
 * - conflicts: fraction of rows it voted on where some LF voted a different non-abstain label
 *   (Snorkel flags a row as conflicted when its non-abstain votes are not all equal, then
 *   counts that row for every LF voting on it — the same thing);
 * - with gold: correct, incorrect and empirical accuracy = correct / (correct + incorrect),
 *   0 for an LF that never voted (Snorkel's `nan_to_num`);
 * - whole matrix: label_coverage (≥1 vote), label_overlap (≥2 votes), label_conflict (≥2
 *   distinct labels), each as a fraction of rows.
 * All fractions are 0 on an empty matrix (Snorkel would give NaN).
 *
 * Two deliberate departures, both where Snorkel is inconsistent with itself:
 * - Rows whose gold is -1 (unknown) are ignored for correct/incorrect/accuracy. Snorkel's
 *   `lf_empirical_accuracies` counts a vote on such a row as incorrect, while its Correct /
 *   Incorrect columns drop it.
 * - Correct/Incorrect are plain counts of vote = gold / vote ≠ gold. Snorkel derives them from
 *   `confusion_matrix(Y, L[:, j])[1:, 1:]`, which drops the smallest label present: that is
 *   abstain when the LF abstains at least once, but class 0 for an LF that never abstains.
 *
 * Cost: O(n + non-abstain votes) through the matrix's sparse row view and per-LF vote
 * indexes; no per-pair or dense n × m scan.
 */
import type { LabelMatrix } from './matrix.ts';
import { ABSTAIN, ShoalError } from './types.ts';

export interface LfStats {
  /** Classes this LF voted, ascending. */
  polarity: number[];
  /** Number of rows it voted on. */
  votes: number;
  coverage: number;
  overlaps: number;
  conflicts: number;
  /** Present when gold labels were given. */
  correct?: number;
  incorrect?: number;
  empiricalAccuracy?: number;
}

export interface MatrixSummary {
  coverage: number;
  overlap: number;
  conflict: number;
}

const COVERED = 1;
const OVERLAPPED = 2;
const CONFLICTED = 4;

/** What one LF's column says by itself: how many rows it voted on and which classes. */
export interface ColumnStats {
  /** Classes this LF voted, ascending. */
  polarity: number[];
  /** Number of rows it voted on. */
  votes: number;
  coverage: number;
}

/**
 * Polarity, votes and coverage of each LF from its own column: one pass over the column bytes,
 * with no row index and no overlap flags. What a caller needs when it wants no overlaps or
 * conflicts: on 500k rows × 22 LFs it is a few milliseconds against `analyze`'s sparse-index
 * build. Equal to `analyze(L).lfs`'s fields of the same names (a test checks it).
 */
export function columnStats(L: LabelMatrix): ColumnStats[] {
  const n = L.n;
  const counts = new Int32Array(L.k + 1);
  return L.columns().map((col) => {
    counts.fill(0);
    // Index v + 1: abstain (-1) lands in slot 0; LabelMatrix guarantees -1 ≤ v < k.
    for (let i = 0; i < n; i++) counts[col[i] + 1]++;
    const polarity: number[] = [];
    for (let c = 0; c < L.k; c++) if (counts[c + 1] > 0) polarity.push(c);
    const votes = n - counts[0];
    return { polarity, votes, coverage: frac(votes, n) };
  });
}

/** Per-LF statistics in column order; gold adds correct / incorrect / empirical accuracy. */
export function lfSummary(L: LabelMatrix, gold?: ArrayLike<number>): LfStats[] {
  return analyze(L, gold).lfs;
}

/** Whole-matrix coverage, overlap and conflict (Snorkel's label_coverage/overlap/conflict). */
export function matrixSummary(L: LabelMatrix): MatrixSummary {
  return summarize(rowFlags(L), L.n);
}

/** Both tables from one pass over the rows. */
export function analyze(L: LabelMatrix, gold?: ArrayLike<number>): { lfs: LfStats[]; matrix: MatrixSummary } {
  if (gold) checkGold(L, gold);
  const flags = rowFlags(L);
  const n = L.n;
  const seen = new Uint8Array(L.k);
  const lfs: LfStats[] = [];
  for (let j = 0; j < L.m; j++) {
    const rows = L.votesOf(j);
    const col = L.column(j);
    seen.fill(0);
    let overlaps = 0;
    let conflicts = 0;
    let correct = 0;
    let incorrect = 0;
    for (let t = 0; t < rows.length; t++) {
      const i = rows[t];
      const v = col[i];
      seen[v] = 1;
      const f = flags[i];
      if (f & OVERLAPPED) overlaps++;
      if (f & CONFLICTED) conflicts++;
      if (gold) {
        const g = gold[i];
        if (g === ABSTAIN) continue;
        if (v === g) correct++;
        else incorrect++;
      }
    }
    const polarity: number[] = [];
    for (let c = 0; c < L.k; c++) if (seen[c]) polarity.push(c);
    const stats: LfStats = {
      polarity,
      votes: rows.length,
      coverage: frac(rows.length, n),
      overlaps: frac(overlaps, n),
      conflicts: frac(conflicts, n),
    };
    if (gold) {
      stats.correct = correct;
      stats.incorrect = incorrect;
      stats.empiricalAccuracy = frac(correct, correct + incorrect);
    }
    lfs.push(stats);
  }
  return { lfs, matrix: summarize(flags, n) };
}

/** One byte per row: covered (≥1 vote), overlapped (≥2 votes), conflicted (≥2 distinct labels). */
function rowFlags(L: LabelMatrix): Uint8Array {
  const { rowPtr, label } = L.rows();
  const flags = new Uint8Array(L.n);
  for (let i = 0; i < L.n; i++) {
    const start = rowPtr[i];
    const end = rowPtr[i + 1];
    if (end === start) continue;
    let f = COVERED;
    if (end - start > 1) {
      f |= OVERLAPPED;
      const first = label[start];
      for (let p = start + 1; p < end; p++) {
        if (label[p] !== first) {
          f |= CONFLICTED;
          break;
        }
      }
    }
    flags[i] = f;
  }
  return flags;
}

function summarize(flags: Uint8Array, n: number): MatrixSummary {
  let covered = 0;
  let overlapped = 0;
  let conflicted = 0;
  for (let i = 0; i < n; i++) {
    const f = flags[i];
    if (f & COVERED) covered++;
    if (f & OVERLAPPED) overlapped++;
    if (f & CONFLICTED) conflicted++;
  }
  return { coverage: frac(covered, n), overlap: frac(overlapped, n), conflict: frac(conflicted, n) };
}

function frac(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}

function checkGold(L: LabelMatrix, gold: ArrayLike<number>): void {
  if (gold.length !== L.n) {
    throw new ShoalError(`${gold.length} gold labels for a label matrix of ${L.n} rows; they must be the same rows`);
  }
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i];
    if (!Number.isInteger(g) || g < ABSTAIN || g >= L.k) {
      throw new ShoalError(`row ${i}: gold label ${g} is outside -1..${L.k - 1}`);
    }
  }
}
