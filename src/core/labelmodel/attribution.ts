/**
 * Source attribution: which LF pushed a row's label-model posterior, and by how much.
 *
 * Definition (one for every model): for a row, take the class with the highest posterior (the
 * top class; ties go to the lower class index) and the class with the next highest (the
 * runner-up). Their log-odds, log P(top | votes) − log P(runner-up | votes), is a prior term
 * plus one term per LF for the models that are log-linear in the votes:
 *
 *   s_y = log p_y + Σ_j W_j[v_j][y],   P(y | votes) = softmax(s)_y
 *   log-odds = (log p_top − log p_ru) + Σ_j (W_j[v_j][top] − W_j[v_j][ru])
 *
 * where v_j is LF j's vote, a class or abstain. Each model fills W from its learned parameters:
 * - metal (Snorkel's LabelModel): W_j[l][y] = log μ_j[l][y] = log P(λ_j = l | Y = y); abstains
 *   add nothing (the model conditions on votes only).
 * - ds: W_j[l][y] = log π_j[y][l], abstain included (a silent LF is evidence in this model).
 * - wmv: W_j[l][y] = w_j·[l = y], w_j = log(α_j (k−1) / (1−α_j)); abstains add nothing.
 * - triplet with two classes: the posterior is a logistic of the prior logit plus ±w_j per vote,
 *   so W_j[l][y] = w_j·[l = y]. With more classes it normalises k one-vs-rest logistics, which is
 *   not log-linear in the votes: attribution is not defined there.
 * - mv: the posterior is each class's share of the votes, a ratio of counts, not a sum of
 *   log-odds: not defined (each vote counts one).
 * - auto: the chosen candidate's, on the LF columns it was fitted on.
 * Every model gives a row where every LF abstains the class prior alone (ds too, whose abstain
 * terms would otherwise apply), so such rows get only the prior term.
 *
 * Pure, small and serialisable: an `Explainer` holds m × (k+1) × k numbers, made in the train
 * worker after a fit and kept with the fit's stored run.
 */
import type { LabelMatrix } from '../matrix.ts';

export interface LogLinearExplainer {
  kind: 'log-linear';
  /** The model whose parameters these are (for auto: the chosen candidate's name). */
  model: string;
  k: number;
  /** LFs the model was fitted on (the columns of `weights`). */
  m: number;
  /** log p_y, length k. */
  logPrior: number[];
  /** weights[(j·(k+1) + v)·k + y]: what LF j's outcome v (class v, or v = k: abstain) adds to class y's score. */
  weights: Float64Array;
  /**
   * The votes' columns (0..m'−1, the enabled LFs in order) the model read, in its column order,
   * or null for all of them in order: auto fitted with copies counted once reads fewer.
   */
  columns: number[] | null;
  /** What a term means for this model, in one sentence. */
  meaning: string;
}

export interface NoExplainer {
  kind: 'undefined';
  model: string;
  /** Why there is no per-LF decomposition, in one sentence. */
  reason: string;
}

export type Explainer = LogLinearExplainer | NoExplainer;

/** Models that can say what pushed a row (every LabelModel may; `explainer` absent = not defined). */
export interface Explainable {
  explainer(): Explainer;
}

export interface LfTerm {
  /** The LF's column in the votes the model was fitted on (the enabled LFs, in order). */
  column: number;
  /** Its vote: a class index, or -1 for abstain. */
  vote: number;
  /** Its push on log P(top) − log P(runner-up), in nats; positive favours the top class. */
  push: number;
}

export interface RowAttribution {
  /** The class with the highest posterior, and the runner-up it is compared with. */
  top: number;
  runnerUp: number;
  /** The posterior (length k), recomputed in float64 from the parameters. */
  posterior: number[];
  /** log P(top) − log P(runner-up) = prior + Σ terms' push. */
  logOdds: number;
  /** log p_top − log p_runner-up. */
  prior: number;
  /** One per LF the model read, in column order (zero pushes included). */
  terms: LfTerm[];
  /** True when every LF the model read abstained: only the prior term applies. */
  allAbstain: boolean;
}

const ABSTAIN = -1;

export const MEANING = {
  metal:
    'Each bar is log P(this vote | top class) − log P(this vote | runner-up) under the learned LF accuracies (Snorkel’s LabelModel, LFs independent given the class); abstains add nothing.',
  ds: 'Each bar is log P(this vote | top class) − log P(this vote | runner-up) from the LF’s learned confusion matrix (Dawid–Skene); an abstain is evidence too and gets a bar.',
  wmv: 'Each bar is the LF’s learned weight log(α(k−1)/(1−α)), added when it votes the top class and subtracted when it votes the runner-up; abstains add nothing.',
  triplet:
    'Each bar is the LF’s weight log((1+a)/(1−a)) from its triplet-estimated accuracy, added when it votes the top class and subtracted when it votes the other; abstains add nothing.',
} as const;

export const NOT_DEFINED = {
  mv: 'Majority vote’s posterior is each class’s share of the votes, not a sum of log-odds, so no LF has a push of its own: every vote counts one.',
  tripletMulti:
    'Triplet with more than two classes normalises one-vs-rest scores, which is not a sum of per-LF log-odds, so per-LF pushes are not defined for it.',
} as const;

/** A log-linear explainer with all-zero weights, for a model to fill. */
export function emptyExplainer(model: string, k: number, m: number, logPrior: ArrayLike<number>, meaning: string): LogLinearExplainer {
  return {
    kind: 'log-linear',
    model,
    k,
    m,
    logPrior: Array.from(logPrior),
    weights: new Float64Array(m * (k + 1) * k),
    columns: null,
    meaning,
  };
}

/** The votes of row `i` of a label matrix (one per column, -1 = abstain). */
export function rowVotes(L: LabelMatrix, i: number): Int8Array {
  const out = new Int8Array(L.m);
  L.columns().forEach((c, j) => (out[j] = c[i]));
  return out;
}

/**
 * The attribution of one row, from its votes over the columns the fit saw (`votes[j]` is the
 * vote of column j of the fitted matrix; for an explainer with `columns`, votes are read at those).
 */
export function attribute(ex: LogLinearExplainer, votes: ArrayLike<number>): RowAttribution {
  const { k, m, weights, logPrior, columns } = ex;
  const at = (t: number) => (columns ? columns[t] : t);
  if (!columns && votes.length !== m) throw new Error(`the row has ${votes.length} LF votes; the label model was fitted on ${m}`);
  let allAbstain = true;
  for (let t = 0; t < m; t++) if (votes[at(t)] >= 0) allAbstain = false;
  const s = Float64Array.from(logPrior);
  if (!allAbstain) {
    for (let t = 0; t < m; t++) {
      const v = votes[at(t)] < 0 ? k : votes[at(t)];
      const base = (t * (k + 1) + v) * k;
      for (let y = 0; y < k; y++) s[y] += weights[base + y];
    }
  }
  let top = 0;
  for (let y = 1; y < k; y++) if (s[y] > s[top]) top = y;
  let runnerUp = top === 0 ? 1 : 0;
  for (let y = 0; y < k; y++) if (y !== top && s[y] > s[runnerUp]) runnerUp = y;
  const max = s[top];
  let z = 0;
  const e = Array.from(s, (x) => Math.exp(x - max));
  for (const x of e) z += x;
  const terms: LfTerm[] = [];
  for (let t = 0; t < m; t++) {
    const raw = votes[at(t)];
    const v = raw < 0 ? k : raw;
    const base = (t * (k + 1) + v) * k;
    terms.push({ column: at(t), vote: raw < 0 ? ABSTAIN : raw, push: allAbstain ? 0 : weights[base + top] - weights[base + runnerUp] });
  }
  return {
    top,
    runnerUp,
    posterior: e.map((x) => x / z),
    logOdds: s[top] - s[runnerUp],
    prior: logPrior[top] - logPrior[runnerUp],
    terms,
    allAbstain,
  };
}

/** The explainer with its LF columns reordered: column t of the result is column order[t] of `ex` (for tests of order invariance). */
export function permuteExplainer(ex: LogLinearExplainer, order: readonly number[]): LogLinearExplainer {
  const { k, m } = ex;
  const block = (k + 1) * k;
  const weights = new Float64Array(m * block);
  order.forEach((j, t) => weights.set(ex.weights.subarray(j * block, (j + 1) * block), t * block));
  return { ...ex, weights };
}

/** Whether a value read back from storage is an explainer this code can use (shape checked, not trusted blindly). */
export function isExplainer(x: unknown): x is Explainer {
  if (!x || typeof x !== 'object') return false;
  const e = x as Partial<Omit<LogLinearExplainer, 'kind'> & Omit<NoExplainer, 'kind'>> & { kind?: unknown };
  if (e.kind === 'undefined') return typeof e.reason === 'string' && typeof e.model === 'string';
  if (e.kind !== 'log-linear') return false;
  const { k, m } = e;
  return (
    typeof k === 'number' &&
    typeof m === 'number' &&
    k >= 2 &&
    Array.isArray(e.logPrior) &&
    e.logPrior.length === k &&
    e.weights instanceof Float64Array &&
    e.weights.length === m * (k + 1) * k &&
    (e.columns === null || (Array.isArray(e.columns) && e.columns.length === m)) &&
    typeof e.meaning === 'string'
  );
}

/** Past this many numbers (2 MB as float64) an explainer is not kept with a fit: 500 LFs × 20 classes fit under it. */
export const MAX_EXPLAINER_NUMBERS = 250_000;

/** A fitted model's explainer, or why there is none (not defined, or too large to keep with the fit). */
export function explainerOf(model: { readonly name: string; explainer?(): Explainer }): Explainer {
  if (!model.explainer) return { kind: 'undefined', model: model.name, reason: `${model.name} does not define per-LF pushes.` };
  const ex = model.explainer();
  if (ex.kind === 'log-linear' && ex.weights.length > MAX_EXPLAINER_NUMBERS) {
    return {
      kind: 'undefined',
      model: ex.model,
      reason: `Per-LF pushes are not kept for ${ex.m.toLocaleString('en-US')} LFs × ${ex.k} classes: the table would be too large to store with the fit.`,
    };
  }
  return ex;
}
