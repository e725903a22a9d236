/**
 * The row view's model (ui/row/RowView.svelte, `#/row?i=<dataset row>`): for one dataset row,
 * its split and position in it, its gold, every LF's vote, the label model's posterior with
 * each LF's push on it (core/labelmodel/attribution.ts), and the classifier's prediction.
 * Plain functions of what the session and the model services hold, so Node tests call them with
 * plain arrays; the row's fields are read separately, through the rows service.
 *
 * Never a silent wrong result: when the fit on screen is of other votes (an LF changed since),
 * or came without its parameters, the posterior or the pushes are left out and `notes` says why.
 */
import { attribute, type Explainer } from '../core/labelmodel/attribution.ts';
import { SPLIT_NAMES, type Split } from '../core/splits.ts';

export interface RowLf {
  id: string;
  name: string;
  enabled: boolean;
  /** Whole-dataset votes of its last run on this dataset version, or null when it has not run. */
  votes: Int8Array | null;
}

export interface RowDetailInput {
  /** Dataset row number (0-based). */
  row: number;
  /** Split code per dataset row. */
  split: Uint8Array;
  splitIndex: Readonly<Record<Split, Uint32Array>>;
  fullGold: Int8Array;
  classes: readonly string[];
  /** Every LF in list order (template/code LFs, then external label columns). */
  lfs: readonly RowLf[];
  /** The enabled LFs' votes the label model reads (lfIds in column order), or null before any run. */
  modelVotes: { version: number; lfIds: readonly string[]; full: readonly Int8Array[] } | null;
  lm: {
    versionId: string;
    votesVersion: number;
    name: string;
    chosen?: string;
    proba: Readonly<Record<Split, Float32Array>>;
    explainer: Explainer | null;
  } | null;
  versionId: string;
  clf: { proba: Readonly<Record<'dev' | 'test', Float32Array>> } | null;
}

export interface RowVote {
  id: string;
  name: string;
  enabled: boolean;
  /** Class index, -1 abstain, null not run. */
  vote: number | null;
  /** Its push on the label model's log-odds (top vs runner-up), when attribution is defined; null otherwise or when the model does not read it. */
  push: number | null;
}

export interface RowAttributionView {
  /** The model whose parameters explain the row (for auto, the candidate it chose). */
  model: string;
  top: number;
  runnerUp: number;
  logOdds: number;
  prior: number;
  /** LFs the model read, by |push| descending (zero pushes last, list order among them). */
  terms: { id: string; name: string; vote: number; push: number }[];
  allAbstain: boolean;
  meaning: string;
}

export interface RowDetail {
  row: number;
  split: Split;
  /** Position within its split. */
  pos: number;
  gold: number;
  votes: RowVote[];
  /** Label-model posterior (length k), or null (no fit, or a fit of other votes). */
  posterior: number[] | null;
  lmName: string | null;
  classifier: number[] | null;
  attribution: RowAttributionView | null;
  /** Why attribution is not shown (one sentence), when it is not. */
  attributionNote: string | null;
  /** Sentences about what is missing or stale (label model, classifier). */
  notes: string[];
}

/** The position of dataset row `row` within its split's ascending index, or -1. */
export function positionInSplit(index: Uint32Array, row: number): number {
  let lo = 0;
  let hi = index.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (index[mid] === row) return mid;
    if (index[mid] < row) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

export function rowDetail(x: RowDetailInput): RowDetail | null {
  const { row, classes } = x;
  const k = classes.length;
  if (!Number.isInteger(row) || row < 0 || row >= x.split.length) return null;
  const split = SPLIT_NAMES[x.split[row]];
  const pos = positionInSplit(x.splitIndex[split], row);
  const notes: string[] = [];
  const votes: RowVote[] = x.lfs.map((l) => ({
    id: l.id,
    name: l.name,
    enabled: l.enabled,
    vote: l.votes ? l.votes[row] : null,
    push: null,
  }));

  let posterior: number[] | null = null;
  let attribution: RowAttributionView | null = null;
  let attributionNote: string | null = null;
  const lm = x.lm;
  const mv = x.modelVotes;
  const lmName = lm ? (lm.chosen ? `${lm.name} → ${lm.chosen}` : lm.name) : null;
  if (!lm || lm.versionId !== x.versionId) {
    notes.push('No label model is fitted yet: fit one on the Model screen to see its posterior and why.');
    attributionNote = 'Fit the label model to see which LFs push this row’s label.';
  } else if (!mv || mv.version !== lm.votesVersion) {
    notes.push(
      'The LFs changed since the label model was fitted: its posterior is of other votes, so it is not shown until it is refitted.',
    );
    attributionNote = 'Refit the label model: the LFs changed since it was fitted.';
  } else {
    const p = lm.proba[split];
    if (pos >= 0 && p.length >= (pos + 1) * k) posterior = Array.from(p.subarray(pos * k, pos * k + k));
    const ex = lm.explainer;
    if (!ex)
      attributionNote =
        'This fit came without its parameters (stored by an older version, or from a project file): refit the label model to see why.';
    else if (ex.kind === 'undefined') attributionNote = ex.reason;
    else {
      const rowVotes = Int8Array.from(mv.full, (c) => c[row]);
      const a = attribute(ex, rowVotes);
      const byId = new Map(votes.map((v) => [v.id, v]));
      const terms = a.terms.map((t) => {
        const id = mv.lfIds[t.column];
        const v = byId.get(id);
        if (v) v.push = t.push;
        return { id, name: v?.name ?? id, vote: t.vote, push: t.push, at: t.column };
      });
      terms.sort((p, q) => Math.abs(q.push) - Math.abs(p.push) || p.at - q.at);
      attribution = {
        model: ex.model,
        top: a.top,
        runnerUp: a.runnerUp,
        logOdds: a.logOdds,
        prior: a.prior,
        terms: terms.map(({ id, name, vote, push }) => ({ id, name, vote, push })),
        allAbstain: a.allAbstain,
        meaning: ex.meaning,
      };
    }
  }

  let classifier: number[] | null = null;
  if (x.clf) {
    // A train row's prediction is not kept: the row view asks the classifier for it.
    if (split !== 'train') {
      const p = x.clf.proba[split];
      if (pos >= 0 && p.length >= (pos + 1) * k) classifier = Array.from(p.subarray(pos * k, pos * k + k));
    }
  }
  return { row, split, pos, gold: x.fullGold[row] ?? -1, votes, posterior, lmName, classifier, attribution, attributionNote, notes };
}

/** log-odds in nats as a probability ratio a person can read: "e^1.4 ≈ 4.1×". */
export function oddsText(nats: number): string {
  const r = Math.exp(Math.abs(nats));
  const times = r >= 1000 ? r.toExponential(1) : r >= 10 ? r.toFixed(0) : r.toFixed(1);
  return `${nats >= 0 ? '+' : '−'}${Math.abs(nats).toFixed(2)} nats (×${times} odds)`;
}

/** The row view's link for dataset row `row` (0-based; the screens show it as #row+1). */
export function rowHref(row: number): string {
  return `#/row?i=${row}`;
}

/** The dataset row a `#/row?i=…` link asks for, or null. */
export function rowLink(hash: string): number | null {
  const v = new URLSearchParams(hash.split('?')[1] ?? '').get('i');
  if (v === null || !/^\d+$/.test(v)) return null;
  return Number(v);
}
