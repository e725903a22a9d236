/**
 * LF suggestions from dev gold: which term (a word, a word pair, a field value — terms.ts)
 * would make a good one-term keyword / lookup LF, judged by the two things a new LF should add:
 * accuracy on labelled dev rows, and train rows that no enabled LF covers yet.
 *
 * Counting is two streaming passes that keep only counts, never rows:
 * 1. `DevTermCounts` over the labelled dev rows: per term, how many of them contain it, by gold
 *    class. Its vocabulary is capped (`maxVocab` distinct terms): a term first seen after the cap
 *    is not counted at all, and `capped` says so — every count kept is exact.
 * 2. `TermTable` over the train rows, for the candidate terms only (those in at least `minDev`
 *    labelled dev rows, the `maxCandidates` most frequent there, plus any extra terms asked for):
 *    how many train rows contain each, and how many of those no enabled LF votes on.
 * Counts are sums over rows, and candidates are chosen by count with ties broken by the term's
 * text, so nothing depends on the order rows arrive in.
 *
 * The ranking rule (`rankSuggestions`): a term votes for the gold class most of its dev rows
 * have. What its accuracy is worth depends on how common that class is — on dev gold where 70%
 * of rows are ham, a word right 72% of the time about ham says next to nothing — so its
 * precision is the Wilson lower bound (Wilson 1927; 95% by default) of that accuracy, measured
 * from the class's share of labelled dev rows (`prior`) to 1: `(lower − prior) / (1 − prior)`,
 * 0 for no better than always voting that class, 1 for perfect. Its score is that times its new
 * coverage (the share of train rows it would cover that no enabled LF covers). Only terms in at
 * least `minDev` labelled dev rows whose lower bound is above the prior are ranked.
 */
import { SPLIT_NAMES } from '../splits.ts';

export interface CountOptions {
  /** Distinct terms the dev pass keeps counts for (default 1,000,000). */
  readonly maxVocab?: number;
}

export const DEFAULT_MAX_VOCAB = 1_000_000;
export const DEFAULT_MIN_DEV = 5;
export const DEFAULT_MAX_CANDIDATES = 20_000;
/** z of a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/** Per term, the labelled dev rows containing it, by gold class (pass 1). */
export class DevTermCounts {
  readonly k: number;
  /** Labelled dev rows counted, and how many of them each class has. */
  rows = 0;
  readonly classRows: Uint32Array;
  /** Some term was not counted because the vocabulary was full. */
  capped = false;
  private readonly maxVocab: number;
  private readonly ids = new Map<string, number>();
  private readonly terms: string[] = [];
  private counts: Uint32Array;

  constructor(k: number, opts: CountOptions = {}) {
    if (!Number.isInteger(k) || k < 2) throw new RangeError(`need at least 2 classes, got ${k}`);
    this.k = k;
    this.maxVocab = Math.max(1, opts.maxVocab ?? DEFAULT_MAX_VOCAB);
    this.counts = new Uint32Array(1024 * k);
    this.classRows = new Uint32Array(k);
  }

  get size(): number {
    return this.terms.length;
  }

  /** Count one labelled dev row: its distinct terms and its gold class. */
  add(terms: Iterable<string>, gold: number): void {
    if (!Number.isInteger(gold) || gold < 0 || gold >= this.k) throw new RangeError(`gold class ${gold} is not one of ${this.k} classes`);
    this.rows++;
    this.classRows[gold]++;
    const k = this.k;
    for (const t of terms) {
      let id = this.ids.get(t);
      if (id === undefined) {
        if (this.terms.length >= this.maxVocab) {
          this.capped = true;
          continue;
        }
        id = this.terms.length;
        this.ids.set(t, id);
        this.terms.push(t);
        if ((id + 1) * k > this.counts.length) {
          const grown = new Uint32Array(this.counts.length * 2);
          grown.set(this.counts);
          this.counts = grown;
        }
      }
      this.counts[id * k + gold]++;
    }
  }

  /** Labelled dev rows containing `term`, by class (zeros for a term never seen). */
  of(term: string): Uint32Array {
    const id = this.ids.get(term);
    return id === undefined ? new Uint32Array(this.k) : this.counts.slice(id * this.k, (id + 1) * this.k);
  }

  /**
   * The train pass's table: the terms in at least `minDev` labelled dev rows (the
   * `maxCandidates` most frequent there; ties by text), then `extra` terms not among them.
   */
  table(opts: { minDev?: number; maxCandidates?: number; extra?: Iterable<string> } = {}): TermTable {
    const minDev = opts.minDev ?? DEFAULT_MIN_DEV;
    const max = opts.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
    const k = this.k;
    const support = (id: number) => {
      let s = 0;
      for (let c = 0; c < k; c++) s += this.counts[id * k + c];
      return s;
    };
    const ids: { id: number; s: number }[] = [];
    for (let id = 0; id < this.terms.length; id++) {
      const s = support(id);
      if (s >= minDev) ids.push({ id, s });
    }
    ids.sort((a, b) => b.s - a.s || cmp(this.terms[a.id], this.terms[b.id]));
    const chosen = ids.slice(0, Math.max(0, max)).map((x) => this.terms[x.id]);
    const candidates = chosen.length;
    const seen = new Set(chosen);
    for (const t of opts.extra ?? []) {
      if (!seen.has(t)) {
        seen.add(t);
        chosen.push(t);
      }
    }
    const dev = new Uint32Array(chosen.length * k);
    chosen.forEach((t, i) => dev.set(this.of(t), i * k));
    return new TermTable(chosen, k, dev, this.classRows.slice(), candidates);
  }
}

/** Candidate terms with their dev counts, and their train counts as the train pass adds them (pass 2). */
export class TermTable {
  /** Train rows counted, and those of them no enabled LF votes on. */
  trainRows = 0;
  trainUncovered = 0;
  /** Per term: train rows containing it, and those of them no enabled LF votes on. */
  readonly train: Uint32Array;
  readonly trainNew: Uint32Array;
  /** Labelled dev rows the dev counts came from. */
  readonly devRows: number;
  /** The first words of the word pairs among the terms (terms.ts `scanTextTerms` cuts only those pairs). */
  readonly pairFirstWords: ReadonlySet<string>;
  private readonly ids: Map<string, number>;
  /** Per term, the last train row that counted it (rows are numbered by `trainRows`). */
  private readonly seen: Uint32Array;

  constructor(
    readonly terms: readonly string[],
    readonly k: number,
    /** terms × k: labelled dev rows containing each term, by gold class. */
    readonly dev: Uint32Array,
    /** Labelled dev rows the dev counts came from, by gold class. */
    readonly devClassCounts: Uint32Array,
    /** The first `candidates` terms are the dev candidates; the rest were asked for besides. */
    readonly candidates: number = terms.length,
  ) {
    this.devRows = devClassCounts.reduce((a, b) => a + b, 0);
    this.ids = new Map(terms.map((t, i) => [t, i]));
    this.train = new Uint32Array(terms.length);
    this.trainNew = new Uint32Array(terms.length);
    this.seen = new Uint32Array(terms.length);
    const first = new Set<string>();
    for (const t of terms) {
      const space = t.indexOf(' ');
      if (space > 0 && t.charCodeAt(0) !== 0) first.add(t.slice(0, space));
    }
    this.pairFirstWords = first;
  }

  /** Position of `term` in `terms`, or -1. */
  indexOf(term: string): number {
    return this.ids.get(term) ?? -1;
  }

  /** Count one train row: its distinct terms, and whether no enabled LF votes on it. */
  addTrain(terms: Iterable<string>, uncovered: boolean): void {
    this.addTrainTerms((emit) => {
      for (const t of terms) emit(t);
    }, uncovered);
  }

  /**
   * Count one train row whose terms `each` emits, repeats allowed (each term counts once per
   * row): the streaming form of `addTrain`, which builds no set of the row's terms.
   */
  addTrainTerms(each: (emit: (term: string) => void) => void, uncovered: boolean): void {
    const row = ++this.trainRows;
    if (uncovered) this.trainUncovered++;
    each((t) => {
      const id = this.ids.get(t);
      if (id === undefined || this.seen[id] === row) return;
      this.seen[id] = row;
      this.train[id]++;
      if (uncovered) this.trainNew[id]++;
    });
  }
}

export interface Suggestion {
  readonly term: string;
  /** The class it votes: the gold class most of its labelled dev rows have (ties: the lower index). */
  readonly label: number;
  /** Labelled dev rows containing it, and how many of them have `label` as gold. */
  readonly devN: number;
  readonly devCorrect: number;
  readonly accuracy: number;
  /** Wilson lower bound of `accuracy` over `devN` rows. */
  readonly lower: number;
  /** The share of labelled dev rows whose gold is `label`, and `lower` measured from it to 1. */
  readonly prior: number;
  readonly precision: number;
  /** Train rows containing it, and those of them no enabled LF votes on. */
  readonly train: number;
  readonly trainNew: number;
  /** `train` and `trainNew` as shares of all train rows. */
  readonly coverage: number;
  readonly newCoverage: number;
  /** precision × newCoverage: what the ranking sorts by. */
  readonly score: number;
}

export interface RankOptions {
  readonly minDev?: number;
  readonly z?: number;
  /** At most this many suggestions (default all). */
  readonly limit?: number;
}

/** Wilson score interval's lower bound for `correct` successes of `n` (0 for n = 0). */
export function wilsonLower(correct: number, n: number, z = Z95): number {
  if (n <= 0) return 0;
  const p = correct / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const half = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return Math.max(0, (centre - half) / (1 + z2 / n));
}

/** The table's terms as suggestions, best first (the rule in the header). */
export function rankSuggestions(t: TermTable, opts: RankOptions = {}): Suggestion[] {
  const minDev = opts.minDev ?? DEFAULT_MIN_DEV;
  const z = opts.z ?? Z95;
  const k = t.k;
  const out: Suggestion[] = [];
  const prior = Array.from(t.devClassCounts, (c) => (t.devRows > 0 ? c / t.devRows : 0));
  for (let i = 0; i < t.terms.length; i++) {
    let n = 0;
    let label = 0;
    for (let c = 0; c < k; c++) {
      const v = t.dev[i * k + c];
      n += v;
      if (v > t.dev[i * k + label]) label = c;
    }
    if (n < minDev) continue;
    const devCorrect = t.dev[i * k + label];
    const lower = wilsonLower(devCorrect, n, z);
    const base = prior[label];
    if (lower <= base) continue;
    const precision = base < 1 ? (lower - base) / (1 - base) : 0;
    const rows = Math.max(1, t.trainRows);
    const newCoverage = t.trainNew[i] / rows;
    out.push({
      term: t.terms[i],
      label,
      devN: n,
      devCorrect,
      accuracy: devCorrect / n,
      lower,
      prior: base,
      precision,
      train: t.train[i],
      trainNew: t.trainNew[i],
      coverage: t.train[i] / rows,
      newCoverage,
      score: precision * newCoverage,
    });
  }
  out.sort((a, b) => b.score - a.score || b.precision - a.precision || b.train - a.train || cmp(a.term, b.term));
  return opts.limit === undefined ? out : out.slice(0, Math.max(0, opts.limit));
}

/** Code-unit order: the same everywhere (no locale). */
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Per row: no enabled LF votes on it. */
export const UNCOVERED = 0;
/** Per row: the LFs that vote on it all vote the same class. */
export const AGREE = 1;
/** Per row: the LFs that vote on it vote at least two different classes. */
export const CONFLICT = 2;

/** Each row's state under the enabled LFs' vote columns (-1 = abstain): UNCOVERED, AGREE or CONFLICT. */
export function voteStates(columns: readonly Int8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let first = -1;
    let state = UNCOVERED;
    for (let j = 0; j < columns.length; j++) {
      const v = columns[j][i];
      if (v < 0) continue;
      if (first < 0) {
        first = v;
        state = AGREE;
      } else if (v !== first) {
        state = CONFLICT;
        break;
      }
    }
    out[i] = state;
  }
  return out;
}

const TRAIN = SPLIT_NAMES.indexOf('train');
const DEV = SPLIT_NAMES.indexOf('dev');

export interface RowsInput {
  /** Each row's distinct terms (terms.ts). */
  readonly terms: readonly (readonly string[])[];
  /** Split code per row (0 train, 1 dev, 2 test). */
  readonly split: ArrayLike<number>;
  /** Gold class per row, -1 unknown. */
  readonly gold: ArrayLike<number>;
  /** The enabled LFs' votes, one column per LF over the rows. */
  readonly votes: readonly Int8Array[];
  readonly k: number;
}

export type TableOptions = CountOptions & { readonly minDev?: number; readonly maxCandidates?: number };

/**
 * Both counting passes over rows held in memory (tests, scripts): the same counters the app
 * streams rows through (app/lf-suggestions.ts).
 */
export function countTerms(input: RowsInput, opts: TableOptions = {}): TermTable {
  const n = input.terms.length;
  const dev = new DevTermCounts(input.k, opts);
  for (let i = 0; i < n; i++) if (input.split[i] === DEV && input.gold[i] >= 0) dev.add(input.terms[i], input.gold[i]);
  const table = dev.table({ minDev: opts.minDev, maxCandidates: opts.maxCandidates });
  const states = voteStates(input.votes, n);
  for (let i = 0; i < n; i++) if (input.split[i] === TRAIN) table.addTrain(input.terms[i], states[i] === UNCOVERED);
  return table;
}

/** Ranked suggestions from rows held in memory: `countTerms`, then `rankSuggestions`. */
export function suggestFromRows(input: RowsInput, opts: RankOptions & TableOptions = {}): Suggestion[] {
  return rankSuggestions(countTerms(input, opts), opts);
}
