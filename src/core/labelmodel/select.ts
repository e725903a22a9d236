/**
 * How `auto` picks among its fitted candidates from their hard labels on the dev gold rows.
 *
 * A dev set of 100–500 rows cannot tell label models a point or two apart, and the candidates
 * are scored on the same rows, so their scores move together: what is noise is the spread of
 * the *difference* between two candidates, not each score's own binomial error. The rule:
 *
 * 1. Draw `resamples` stratified bootstrap resamples of the gold dev rows (each class keeps its
 *    count; seeded). For each candidate c, the standard error of (best − c) over the resamples,
 *    where best is the candidate with the highest dev score on all rows, is its noise.
 * 2. c is *tied* with the best when best − c ≤ that standard error (the one-standard-error rule
 *    of Breiman et al. 1984, on paired differences).
 * 3. Majority vote, when tied with the best, is taken: a learned model has to beat it beyond
 *    noise. Otherwise the first tied candidate in the fixed order of preference is taken.
 *
 * With fewer than `MIN_DEV_ROWS` gold dev rows, or gold of fewer than two classes, no difference
 * can be told from noise: majority vote. Classes no gold dev row has are reported (the scores are
 * blind to them) but do not stop the comparison: with many classes a small dev set often misses
 * one, and the comparison on the others still holds.
 *
 * Why no averaging of tied candidates: averaging their posteriors scored 0.674 (tied at 25% of
 * the resamples) and 0.669 (10%) mean test score over the ten WRENCH sets of bench:wrench,
 * against 0.686 for this rule; one candidate that is tied on dev and bad on test (Dawid–Skene on
 * trec: 0.552 dev, 0.376 test) drags the average down (bench/studies/auto-rules.ts).
 */
import { scoreFor } from '../metrics.ts';
import { deriveSeed, Mulberry32 } from '../rng.ts';
import { ABSTAIN, ShoalError, type Metric } from '../types.ts';

/** Fewer gold dev rows than this: majority vote (a 1-point difference is ±4 points of noise at 30 rows). */
export const MIN_DEV_ROWS = 30;
export const RESAMPLES = 500;

export type SelectionRule = 'paired-bootstrap' | 'few-dev-labels' | 'no-dev-labels';

export interface CandidateScore {
  name: string;
  /** Score on every gold dev row. */
  devScore: number;
  /** Standard error of (best − this) over the bootstrap resamples; absent when no resampling ran. */
  se?: number;
  /** Within one standard error of the best. */
  tied?: boolean;
}

export interface Selection {
  rule: SelectionRule;
  /** Gold dev rows scored. */
  devRows: number;
  resamples: number;
  metric: Metric;
  /** Highest dev score on every row. */
  best?: string;
  /** Classes no gold dev row has: every score is blind to them. */
  missingClasses?: number[];
}

/**
 * Picks one of `preds` (hard dev labels per candidate, in the order of preference; one of them
 * named `mv`) by the rule above. Returns the index and each candidate's score, SE and tie.
 */
export function selectPaired(
  preds: readonly { name: string; pred: ArrayLike<number> }[],
  devY: ArrayLike<number>,
  k: number,
  metric: Metric,
  seed: number,
  resamples = RESAMPLES,
): { index: number; scores: CandidateScore[]; selection: Selection } {
  const rows: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < devY.length; i++) {
    const y = devY[i];
    if (y === ABSTAIN) continue;
    if (!Number.isInteger(y) || y < 0 || y >= k) throw new ShoalError(`dev row ${i}: gold label ${y} is outside 0..${k - 1}`);
    rows[y].push(i);
  }
  const devRows = rows.reduce((s, r) => s + r.length, 0);
  const gold = Int32Array.from(rows.flat(), (i) => devY[i]);
  const order = Int32Array.from(rows.flat());
  const cand = preds.map((p) => Int32Array.from(order, (i) => p.pred[i]));
  const scores: CandidateScore[] = preds.map((p, c) => ({ name: p.name, devScore: devRows ? scoreFor(metric, cand[c], gold, k) : NaN }));
  const mv = Math.max(
    0,
    preds.findIndex((p) => p.name === 'mv'),
  );
  const missingClasses = rows.flatMap((r, y) => (r.length === 0 ? [y] : []));
  const missing = missingClasses.length ? { missingClasses } : {};
  if (devRows < MIN_DEV_ROWS || k - missingClasses.length < 2) {
    return {
      index: mv,
      scores,
      selection: { rule: 'few-dev-labels', devRows, resamples: 0, metric, ...missing },
    };
  }
  let best = 0;
  for (let c = 1; c < scores.length; c++) if (scores[c].devScore > scores[best].devScore) best = c;

  // Stratified resamples: positions into `gold`, class blocks kept at their sizes.
  const rng = new Mulberry32(deriveSeed(seed, 'auto-selection'));
  const draws = new Float64Array(devRows);
  const blocks = Int32Array.from(rows, (r) => r.length);
  const sum = new Float64Array(preds.length);
  const sumSq = new Float64Array(preds.length);
  const idx = new Int32Array(devRows);
  const g = new Int32Array(devRows);
  const p = new Int32Array(devRows);
  // Accuracy on a resample is the count of its rows a candidate got right over devRows. Which
  // candidates got a dev row right is fixed, and few such right/wrong patterns occur (most rows
  // are right for all or for none), so a resample only counts how often each pattern was drawn;
  // a candidate's hits are the counts of the patterns it is right in. The same integers, so the
  // same score as scoreFor, without a pass over the drawn rows per candidate.
  const right = metric === 'acc' ? rightPatterns(cand, gold) : null;
  const drawn = right ? new Float64Array(right.patterns.length) : null;
  for (let b = 0; b < resamples; b++) {
    drawResample(rng, draws, blocks, idx);
    if (!right) for (let t = 0; t < devRows; t++) g[t] = gold[idx[t]];
    let s: number[];
    if (right && drawn) {
      drawn.fill(0);
      const { patternOf, patterns } = right;
      for (let t = 0; t < devRows; t++) drawn[patternOf[idx[t]]]++;
      s = cand.map((_, c) => {
        let hits = 0;
        for (let q = 0; q < patterns.length; q++) if (patterns[q][c]) hits += drawn[q];
        return hits / devRows;
      });
    } else
      s = cand.map((pc) => {
        for (let t = 0; t < devRows; t++) p[t] = pc[idx[t]];
        return scoreFor(metric, p, g, k);
      });
    for (let c = 0; c < s.length; c++) {
      const d = s[best] - s[c];
      sum[c] += d;
      sumSq[c] += d * d;
    }
  }
  for (let c = 0; c < scores.length; c++) {
    const mean = sum[c] / resamples;
    const se = Math.sqrt(Math.max(0, sumSq[c] / resamples - mean * mean) * (resamples / Math.max(1, resamples - 1)));
    scores[c].se = se;
    // A relative tolerance: the best ties with itself, and equal scores tie, whatever the rounding.
    scores[c].tied = scores[best].devScore - scores[c].devScore <= se + 1e-12;
  }
  const first = scores.findIndex((s) => s.tied);
  const index = scores[mv].tied || first < 0 ? mv : first;
  return { index, scores, selection: { rule: 'paired-bootstrap', devRows, resamples, metric, best: scores[best].name, ...missing } };
}

/** Each dev row's right/wrong pattern across the candidates (an id into `patterns`, which hold one flag per candidate). */
function rightPatterns(cand: readonly Int32Array[], gold: Int32Array): { patternOf: Uint32Array; patterns: Uint8Array[] } {
  const ids = new Map<number | string, number>();
  const patterns: Uint8Array[] = [];
  const patternOf = new Uint32Array(gold.length);
  for (let t = 0; t < gold.length; t++) {
    const flags = Uint8Array.from(cand, (pc) => (pc[t] === gold[t] ? 1 : 0));
    // A bit per candidate while they fit in a number's 52 exact bits, else the flags as text.
    const key = cand.length <= 52 ? flags.reduce((sum, f, c) => sum + f * 2 ** c, 0) : flags.join('');
    let id = ids.get(key);
    if (id === undefined) {
      id = patterns.length;
      ids.set(key, id);
      patterns.push(flags);
    }
    patternOf[t] = id;
  }
  return { patternOf, patterns };
}

/**
 * One stratified resample: for each class block in turn (sizes `blocks`, laid end to end), as
 * many positions drawn uniformly from that block as it holds. One draw per position, in order:
 * the same values as one rng() call per position.
 */
function drawResample(rng: Mulberry32, draws: Float64Array, blocks: Int32Array, idx: Int32Array): void {
  rng.fill(draws);
  let at = 0;
  let start = 0;
  for (let b = 0; b < blocks.length; b++) {
    const size = blocks[b];
    for (let t = 0; t < size; t++, at++) idx[at] = start + Math.floor(draws[at] * size);
    start += size;
  }
}
