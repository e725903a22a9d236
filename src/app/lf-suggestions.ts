/**
 * Guided LF writing for the LF screen: suggestions from dev gold and the "look here next" queue
 * (core/suggest/), computed by streaming the dataset's rows from storage chunk by chunk and
 * keeping only counts — the page never holds the rows.
 *
 * One run reads, in order:
 * 1. the labelled dev rows (a scan over the range that holds them): per term, its dev rows by
 *    gold class — the candidates are the terms in at least `minDev` of them;
 * 2. with a classifier, the text of each train row no enabled LF covers or where they disagree,
 *    a block at a time through `predict`, for its uncertainty (else the label model's posterior
 *    on train is used, else a seeded order);
 * 3. the rows at the head of the queue (at most `queueSize`), for the terms they share;
 * 4. the train rows (a scan over their range): per candidate or shared term, train rows and
 *    uncovered train rows containing it.
 * Progress is reported over all four; an aborted signal stops between chunks with an AbortError.
 */
import { parseTerm, rowTerms, scanTextTerms, scanValueTerms, valueTerm, type ParsedTerm } from '../core/suggest/terms.ts';
import { fieldText } from '../core/lf/text.ts';
import {
  AGREE,
  DEFAULT_MAX_CANDIDATES,
  DEFAULT_MIN_DEV,
  DevTermCounts,
  rankSuggestions,
  UNCOVERED,
  voteStates,
  type Suggestion,
} from '../core/suggest/suggestions.ts';
import {
  DEFAULT_GROUP_MIN_LIFT,
  DEFAULT_GROUP_MIN_ROWS,
  entropyOf,
  queueGroups,
  queueOrder,
  sharedTerms,
  type QueueGroup,
} from '../core/suggest/next-queue.ts';
import type { LfDef, Row } from '../core/lf/types.ts';
import { ShoalError } from '../core/types.ts';
import { createYielder } from '../core/yielder.ts';
import type { DatasetRows } from './dataset-rows.ts';
import type { SplitIndex } from './project.ts';
import { newId } from '../storage/types.ts';

export { parseTerm, type ParsedTerm } from '../core/suggest/terms.ts';

/** What a run reads: the open dataset version, its gold, the enabled LFs' votes and a model, if any. */
export interface SuggestSource {
  readonly rows: DatasetRows;
  readonly textField: string;
  /** Fields whose whole values may become lookup LFs (never the gold column). */
  readonly valueFields: readonly string[];
  readonly classes: readonly string[];
  readonly splitIndex: SplitIndex;
  /** Whole-dataset gold, -1 unknown. */
  readonly gold: Int8Array;
  /** The enabled LFs' votes, one whole-dataset column each. */
  readonly votes: readonly Int8Array[];
  /** Terms an enabled template LF already matches exactly (`knownTerms`): neither suggested nor grouped again. */
  readonly known?: ReadonlySet<string>;
  /**
   * Where the queue's uncertainty comes from: a classifier (probabilities of texts, k per text),
   * the label model's train posteriors (split row order), or nothing (a seeded order).
   */
  readonly model:
    | { readonly kind: 'classifier'; readonly predict: (texts: string[]) => Promise<Float32Array> }
    | { readonly kind: 'label model'; readonly trainProba: Float32Array }
    | null;
}

export interface SuggestOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (fraction: number, message: string) => void;
  readonly seed?: number;
  readonly minDev?: number;
  readonly maxCandidates?: number;
  /** Rows at the head of the queue that are grouped (default 200). */
  readonly queueSize?: number;
  /** Suggestions kept (default 30) and groups kept (default 12). */
  readonly limit?: number;
  readonly groups?: number;
  /** Rows per classifier call (default 2,000). */
  readonly block?: number;
}

export interface SuggestionItem extends Suggestion {
  readonly what: ParsedTerm;
  readonly labelName: string;
}

export interface QueueGroupItem extends QueueGroup {
  readonly what: ParsedTerm;
  /**
   * The class an LF from these words would vote, and why: the gold class most of the term's
   * labelled dev rows have, else the class the model gives most of the group's rows, else none.
   */
  readonly guess: { readonly label: number; readonly from: 'dev gold' | 'model' } | null;
}

export interface SuggestReport {
  readonly suggestions: readonly SuggestionItem[];
  readonly groups: readonly QueueGroupItem[];
  readonly devRows: number;
  readonly trainRows: number;
  readonly trainUncovered: number;
  /** Candidate terms counted over train (after the minimum support and the cap). */
  readonly candidates: number;
  /** The dev vocabulary reached its cap: terms first seen after it were not considered. */
  readonly capped: boolean;
  readonly queue: {
    /** Train rows no enabled LF covers, and where they disagree. */
    readonly uncovered: number;
    readonly conflicts: number;
    /** Rows at the head of the queue the groups are made from. */
    readonly head: number;
    readonly orderedBy: 'classifier' | 'label model' | 'seeded order';
  };
  readonly rule: { readonly minDev: number; readonly maxCandidates: number; readonly groupMinRows: number; readonly groupMinLift: number };
}

const QUEUE_SIZE = 200;

/** Suggestions and the look-here-next queue of the open dataset (the steps in the header). */
export async function computeSuggestions(src: SuggestSource, opts: SuggestOptions = {}): Promise<SuggestReport> {
  const k = src.classes.length;
  if (k < 2) throw new ShoalError('suggestions need at least two classes');
  const n = src.rows.count;
  const minDev = opts.minDev ?? DEFAULT_MIN_DEV;
  const maxCandidates = opts.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  const queueSize = opts.queueSize ?? QUEUE_SIZE;
  const signal = opts.signal;
  const states = voteStates(src.votes, n);
  const { train, dev } = src.splitIndex;
  const devLabelled = Array.from(dev).filter((i) => src.gold[i] >= 0);
  const candidates = Array.from(train).filter((i) => states[i] !== AGREE);
  const useClassifier = src.model?.kind === 'classifier';
  // Work units: rows read in each step (the classifier's rows only when it runs).
  const total = Math.max(
    1,
    devLabelled.length + (useClassifier ? candidates.length : 0) + Math.min(queueSize, candidates.length) + train.length,
  );
  let done = 0;
  const report = (message: string) => opts.onProgress?.(Math.min(1, done / total), message);
  const terms = new Set<string>();
  const termsOf = (row: Row) => rowTerms(row, src.textField, src.valueFields, terms);
  // A chunk of long texts takes a while to cut into words: the page paints (and Cancel is heard) between turns.
  const yielder = createYielder(30);
  const pause = async (signal?: AbortSignal) => {
    const turn = yielder();
    if (turn) {
      await turn;
      abortIf(signal);
    }
  };

  // 1. Dev gold.
  const devCounts = new DevTermCounts(k);
  report('Reading the labelled dev rows');
  if (devLabelled.length) {
    const isDev = new Uint8Array(n);
    for (const i of devLabelled) isDev[i] = 1;
    await src.rows.scan(
      async (chunk, start) => {
        for (let r = 0; r < chunk.length; r++) {
          const i = start + r;
          if (!isDev[i]) continue;
          devCounts.add(termsOf(chunk[r]), src.gold[i]);
          done++;
          if ((done & 63) === 0) await pause(signal);
        }
        report(`Reading the labelled dev rows: ${devCounts.rows.toLocaleString('en-US')} of ${devLabelled.length.toLocaleString('en-US')}`);
      },
      { signal, from: devLabelled[0], to: devLabelled[devLabelled.length - 1] + 1 },
    );
  }

  // 2. The queue's order.
  let uncertainty: Float64Array | null = null;
  let predicted: Int32Array | null = null;
  let orderedBy: SuggestReport['queue']['orderedBy'] = 'seeded order';
  if (src.model?.kind === 'classifier' && candidates.length) {
    uncertainty = new Float64Array(candidates.length);
    predicted = new Int32Array(candidates.length);
    const block = Math.max(1, opts.block ?? 2000);
    for (let at = 0; at < candidates.length; at += block) {
      const idx = candidates.slice(at, at + block);
      const texts = await src.rows.texts(idx, src.textField, { signal });
      const p = await src.model.predict(texts);
      if (p.length !== texts.length * k)
        throw new ShoalError(`the classifier returned ${p.length} probabilities for ${texts.length} rows of ${k} classes`);
      abortIf(signal);
      for (let t = 0; t < idx.length; t++) {
        uncertainty[at + t] = entropyOf(p, t, k);
        predicted[at + t] = argmax(p, t, k);
      }
      done += idx.length;
      report(
        `Asking the classifier about ${Math.min(candidates.length, at + block).toLocaleString('en-US')} of ${candidates.length.toLocaleString('en-US')} rows`,
      );
    }
    orderedBy = 'classifier';
  } else if (src.model?.kind === 'label model' && src.model.trainProba.length === train.length * k && candidates.length) {
    const pos = new Map<number, number>();
    train.forEach((row, t) => pos.set(row, t));
    const p = src.model.trainProba;
    uncertainty = Float64Array.from(candidates, (row) => entropyOf(p, pos.get(row)!, k));
    predicted = Int32Array.from(candidates, (row) => argmax(p, pos.get(row)!, k));
    orderedBy = 'label model';
  }
  const head = queueOrder(candidates, uncertainty, opts.seed ?? 0, queueSize);
  const headRows = head.map((q) => candidates[q]);

  // 3. The head of the queue: its rows' terms.
  report('Reading the rows to look at next');
  const headTerms: string[][] = [];
  if (headRows.length) {
    // Read in row order (chunk by chunk), kept in queue order.
    const sorted = [...headRows].sort((a, b) => a - b);
    const got = await src.rows.get(sorted, signal);
    const byRow = new Map(sorted.map((r, t) => [r, [...termsOf(got[t])]]));
    for (const r of headRows) headTerms.push(byRow.get(r)!);
    done += headRows.length;
  }
  const shared = sharedTerms(headTerms, DEFAULT_GROUP_MIN_ROWS);

  // 4. Train.
  const table = devCounts.table({ minDev, maxCandidates, extra: shared });
  if (train.length) {
    const isTrain = new Uint8Array(n);
    for (const i of train) isTrain[i] = 1;
    await src.rows.scan(
      async (chunk, start) => {
        for (let r = 0; r < chunk.length; r++) {
          const i = start + r;
          if (!isTrain[i]) continue;
          const row = chunk[r];
          table.addTrainTerms((emit) => {
            scanTextTerms(fieldText(row, src.textField), emit, true, table.pairFirstWords);
            scanValueTerms(row, src.valueFields, emit);
          }, states[i] === UNCOVERED);
          done++;
          if ((done & 63) === 0) await pause(signal);
        }
        report(`Counting words in the train rows: ${table.trainRows.toLocaleString('en-US')} of ${train.length.toLocaleString('en-US')}`);
      },
      { signal, from: train[0], to: train[train.length - 1] + 1 },
    );
  }

  const known = src.known ?? new Set<string>();
  const suggestions = rankSuggestions(table, { minDev })
    .filter((s) => !known.has(s.term))
    .slice(0, opts.limit ?? 30)
    .map((s) => ({
      ...s,
      what: parseTerm(s.term),
      labelName: src.classes[s.label],
    }));
  const predictedOf = new Map<number, number>();
  if (predicted) head.forEach((q, t) => predictedOf.set(headRows[t], predicted[q]));
  const groups = queueGroups(
    headRows,
    headTerms.map((ts) => ts.filter((t) => !known.has(t))),
    table,
    { limit: opts.groups ?? 12 },
  ).map((g) => ({
    ...g,
    what: parseTerm(g.term),
    guess: guessLabel(g, table.dev.subarray(table.indexOf(g.term) * k, (table.indexOf(g.term) + 1) * k), predictedOf, k),
  }));
  let conflicts = 0;
  for (const i of candidates) if (states[i] !== UNCOVERED) conflicts++;
  opts.onProgress?.(1, 'Done');
  return {
    suggestions,
    groups,
    devRows: devCounts.rows,
    trainRows: table.trainRows,
    trainUncovered: table.trainUncovered,
    candidates: table.candidates,
    capped: devCounts.capped,
    queue: { uncovered: candidates.length - conflicts, conflicts, head: headRows.length, orderedBy },
    rule: { minDev, maxCandidates, groupMinRows: DEFAULT_GROUP_MIN_ROWS, groupMinLift: DEFAULT_GROUP_MIN_LIFT },
  };
}

function guessLabel(g: QueueGroup, dev: Uint32Array, predicted: ReadonlyMap<number, number>, k: number): QueueGroupItem['guess'] {
  let best = 0;
  let n = 0;
  for (let c = 0; c < k; c++) {
    n += dev[c];
    if (dev[c] > dev[best]) best = c;
  }
  // A few labelled dev rows say more than a model's guess; one or two do not.
  if (n >= DEFAULT_GROUP_MIN_ROWS) return { label: best, from: 'dev gold' };
  const votes = new Array<number>(k).fill(0);
  for (const r of g.rows) {
    const p = predicted.get(r);
    if (p !== undefined) votes[p]++;
  }
  let top = 0;
  for (let c = 1; c < k; c++) if (votes[c] > votes[top]) top = c;
  return votes[top] > 0 ? { label: top, from: 'model' } : null;
}

function argmax(p: ArrayLike<number>, i: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (p[i * k + c] > p[i * k + best]) best = c;
  return best;
}

function abortIf(signal?: AbortSignal): void {
  if (signal?.aborted) throw new DOMException('the suggestions were cancelled', 'AbortError');
}

/** A name for an LF from a term: `kw_click_here`, `from_is_bob`. */
export function termLfName(what: ParsedTerm): string {
  const slug = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 40) || 'x';
  return what.kind === 'words' ? `kw_${slug(what.text)}` : `${slug(what.field)}_is_${slug(what.value)}`;
}

/**
 * The template LF a term becomes: a case-insensitive whole-word keyword LF on the text field, or
 * a case-insensitive lookup of the field's whole value — the matching the counts were made with.
 */
export function termLf(what: ParsedTerm, label: string, id: string = newId('lf')): LfDef {
  const base = { id, name: termLfName(what), enabled: true, label };
  if (what.kind === 'words') return { ...base, kind: 'keyword', keywords: [what.text], mode: 'any', match: 'word', caseSensitive: false };
  return { ...base, kind: 'lookup', field: what.field, values: [what.value], match: 'value', caseSensitive: false };
}

/** The one sentence the panel shows for how suggestions are ranked (core/suggest/suggestions.ts). */
export function rankingRule(r: SuggestReport['rule']): string {
  return (
    `Ranked by how far the 95% lower bound of dev accuracy (Wilson) lies above the share of labelled dev rows of the class it votes ` +
    `(0: no better than always voting that class, 1: perfect), times new coverage (the share of train rows it would cover that no enabled LF covers); ` +
    `words, word pairs and field values in at least ${r.minDev} labelled dev rows (the ${r.maxCandidates.toLocaleString('en-US')} most frequent there).`
  );
}

/**
 * The terms the enabled template LFs already match exactly as a suggestion would: the keywords of
 * case-insensitive whole-word keyword and lookup LFs on the text field, and the values of
 * case-insensitive value lookups.
 */
export function knownTerms(lfs: readonly LfDef[], textField: string): Set<string> {
  const out = new Set<string>();
  for (const lf of lfs) {
    if (!lf.enabled) continue;
    if (lf.kind === 'keyword' && lf.match === 'word' && !lf.caseSensitive && (lf.field ?? textField) === textField && lf.mode === 'any')
      for (const k of lf.keywords) out.add(k.toLowerCase());
    if (lf.kind === 'lookup' && !lf.caseSensitive) {
      if (lf.match === 'word' && (lf.field ?? textField) === textField) for (const v of lf.values) out.add(v.toLowerCase());
      if (lf.match === 'value' && lf.field) for (const v of lf.values) out.add(valueTerm(lf.field, v.trim().toLowerCase()));
    }
  }
  return out;
}

/** What `suggestSourceOf` reads of the session (structurally, so tests can hand a plain object). */
export interface SuggestSessionView {
  readonly dataset: {
    readonly rows: DatasetRows;
    readonly textField: string;
    readonly fields: readonly string[];
    readonly labelField: string | null;
  } | null;
  readonly classes: readonly string[];
  readonly splitIndex: SplitIndex;
  readonly fullGold: Int8Array;
  readonly votes: { readonly full: readonly Int8Array[] } | null;
  readonly lfs: readonly LfDef[];
}

/** The open project as a suggestion run reads it, or null while no dataset is open. */
export function suggestSourceOf(s: SuggestSessionView, model: SuggestSource['model']): SuggestSource | null {
  const ds = s.dataset;
  if (!ds) return null;
  return {
    rows: ds.rows,
    textField: ds.textField,
    // Never the gold column, even where LFs may read it: a lookup on the answer is no suggestion.
    valueFields: ds.fields.filter((f) => f !== ds.textField && f !== ds.labelField),
    classes: s.classes,
    splitIndex: s.splitIndex,
    gold: s.fullGold,
    votes: s.votes?.full ?? [],
    known: knownTerms(s.lfs, ds.textField),
    model,
  };
}
