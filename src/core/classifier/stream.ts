/**
 * Featurization that streams, so the classifier's memory does not grow with the text: texts
 * arrive a slice at a time (the train worker reads them from storage chunk by chunk; the CLI
 * slices an array), are hashed and let go. What is kept is bounded:
 * - per hash bucket, how many texts use it (the vocabulary's document frequencies): 4 bytes a
 *   bucket;
 * - per text, how many entries (non-zero buckets) its hashed row has: 4 bytes a text;
 * - the training rows' features (CSR: 8 bytes an entry), at most `budget` entries.
 *
 * The rule when the training rows' entries exceed the budget (stated in one sentence to the user
 * by `sampleNote`): the rows are shuffled with a seeded permutation
 * (`deriveSeed(seed, 'classifier/sample')`) and the longest prefix of that order whose entries fit
 * the budget is kept (at least one row), then put back in the order they were given. The
 * vocabulary and idf are still fitted on every text. Under the budget every row is kept and the
 * features are exactly those of `transform(hashTexts(texts), fitVocabulary(...))` restricted to
 * the training rows (every step is per row, and the document frequencies add over slices).
 *
 * Passes over the texts: one at the starting hash size (2^18, or the size given). When
 * `corpusBuckets` picks a larger size, the texts' n-grams hashed in that pass (grams.ts; kept
 * while they fit the budget, under the same rule as the training rows) are put into the larger
 * table without reading or hashing the texts again, as `distill` does; only a corpus whose n-grams
 * did not fit is read and hashed a second time. One more pass, over the kept rows, only when the
 * training rows' features did not fit the budget during the last pass. While they fit (and the
 * rows so far do not project past twice the budget), the last pass keeps their hashed rows, so a
 * corpus under the budget is read once.
 */
import { deriveSeed, mulberry32, permutation } from '../rng.ts';
import { ShoalError } from '../types.ts';
import {
  bucketGrams,
  corpusBuckets,
  type Csr,
  DEFAULT_FEATURES,
  type FeatureSpec,
  type HashScratch,
  hashScratch,
  hashTexts,
  selectRows,
  transform,
  type Vocabulary,
  vocabularyFromDf,
  type VocabularyOptions,
} from './featurize.ts';
import { copyGrams, type GramRows, hashGrams, markBuckets } from './grams.ts';

/** Texts read in order, a slice at a time. */
export interface TextSource {
  /** How many texts there are. */
  readonly n: number;
  /** The texts in order, a slice at a time; every call starts again from the first text. */
  slices(signal?: AbortSignal): AsyncIterable<readonly string[]>;
}

/** An array's texts as a source (the CLI, tests). */
export function arrayTextSource(texts: readonly string[], sliceRows = 2048): TextSource {
  if (!(Number.isInteger(sliceRows) && sliceRows >= 1)) throw new ShoalError(`slice size must be a positive integer, got ${sliceRows}`);
  return {
    n: texts.length,
    async *slices(signal?: AbortSignal) {
      for (let s = 0; s < texts.length; s += sliceRows) {
        signal?.throwIfAborted();
        yield texts.slice(s, s + sliceRows);
      }
    },
  };
}

/**
 * Default cap on the training rows' feature entries: 48M entries, 384 MB of CSR (Int32 index +
 * Float32 value each). Hashed word 1–2-grams of a 3 KB clinical note take ≈ 420 entries, so about
 * 115k such notes train unsampled; every WRENCH set and bench:scale's 100k short documents
 * (≈ 60 entries each) stay far below it.
 */
export const DEFAULT_FEATURE_BUDGET = 48_000_000;

export interface StreamFeaturizeOptions {
  /** As `DistillOptions.features`: `buckets` left out is sized to the texts (`corpusBuckets`). */
  features?: Partial<FeatureSpec>;
  vocabulary?: VocabularyOptions;
  /** Most feature entries the training rows may hold (default `DEFAULT_FEATURE_BUDGET`). */
  budget?: number;
  /** Seeds the sample, when one is needed. */
  seed?: number;
  signal?: AbortSignal;
  /** Per slice: the fraction of the current pass done and what it is doing. */
  onProgress?: (fraction: number, message: string) => void;
}

/** When the training rows were sampled to fit the budget. */
export interface TrainingSample {
  /** Training rows kept. */
  rows: number;
  /** Training rows given. */
  of: number;
  /** Feature entries all of them would hold (over `budget`). */
  entries: number;
  budget: number;
  /** Every text, the vocabulary's corpus. */
  texts: number;
}

export interface StreamedFeatures {
  features: FeatureSpec;
  vocab: Vocabulary;
  /** Row t is the text at `rows[t]`. */
  Xtr: Csr;
  /** The training rows kept: those given, or the sample (in the order given). */
  rows: Uint32Array;
  sample?: TrainingSample;
  /** Passes over the texts (see the header). */
  passes: number;
}

const fmt = (x: number) => x.toLocaleString('en-US');

/** The one sentence a sampled training run shows (UI, CLI). */
export function sampleNote(s: TrainingSample): string {
  return (
    `trained on a seeded random sample of ${fmt(s.rows)} of ${fmt(s.of)} training rows: all of them would hold ` +
    `${fmt(s.entries)} hashed n-gram entries, over the memory budget of ${fmt(s.budget)} (the vocabulary still comes from all ${fmt(s.texts)} texts)`
  );
}

/**
 * Which of `rows` fit `budget` entries (`entries[text]` per text): all of them in their order when
 * they fit; else the longest prefix of a seeded shuffle that fits (at least one row), in the order
 * given. Returns positions into `rows`, ascending.
 */
export function budgetSample(
  rows: ArrayLike<number>,
  entries: ArrayLike<number>,
  budget: number,
  seed: number,
): { kept: Uint32Array; total: number } {
  let total = 0;
  for (let t = 0; t < rows.length; t++) total += entries[rows[t]];
  if (total <= budget) return { kept: Uint32Array.from({ length: rows.length }, (_, t) => t), total };
  const order = permutation(rows.length, mulberry32(deriveSeed(seed, 'classifier/sample')));
  let sum = 0;
  let m = 0;
  while (m < order.length && (m === 0 || sum + entries[rows[order[m]]] <= budget)) sum += entries[rows[order[m++]]];
  return { kept: Uint32Array.from(order.subarray(0, m)).sort(), total };
}

interface Pass {
  df: Int32Array;
  entries: Int32Array;
  /** The training rows' hashed rows, slice by slice, while they fit the budget; null once they did not. */
  kept: Csr[] | null;
}

/**
 * A pass's bookkeeping, one slice of hashed rows at a time: document frequencies, entries per
 * text, and the training rows' hashed rows while they fit the budget.
 */
class PassBuilder {
  readonly df: Int32Array;
  readonly entries: Int32Array;
  kept: Csr[] | null = [];
  private keptEntries = 0;
  private trainingSeen = 0;
  private readonly trainingAll: number;
  pos = 0;
  constructor(
    buckets: number,
    private readonly n: number,
    private readonly isTraining: Uint8Array,
    private readonly budget: number,
  ) {
    this.df = new Int32Array(buckets);
    this.entries = new Int32Array(n);
    this.trainingAll = countOnes(isTraining);
  }

  /** The next slice's hashed rows (a view into scratch buffers is fine: what is kept is copied). */
  add(raw: Csr): void {
    const { df, entries, isTraining, pos } = this;
    if (pos + raw.n > this.n) throw new ShoalError(`the text source gave more than the ${fmt(this.n)} texts it announced`);
    // Each bucket appears at most once in a row, so counting entries counts texts.
    for (let p = 0; p < raw.indices.length; p++) df[raw.indices[p]]++;
    const local: number[] = [];
    for (let i = 0; i < raw.n; i++) {
      entries[pos + i] = raw.rowPtr[i + 1] - raw.rowPtr[i];
      if (isTraining[pos + i]) local.push(i);
    }
    if (this.kept && local.length) {
      const mine = selectRows(raw, local);
      this.keptEntries += mine.indices.length;
      this.trainingSeen += local.length;
      // Stop keeping them once they cannot fit, or once the rows so far say they will not fit by
      // far (twice the budget at their average size): rows kept and then dropped are garbage the
      // worker's heap would carry until its next full collection. A wrong guess costs one more
      // read of the kept rows, never a different result.
      if (this.keptEntries <= this.budget && (this.keptEntries / this.trainingSeen) * this.trainingAll <= 2 * this.budget)
        this.kept.push(mine);
      else this.kept = null;
    }
    this.pos += raw.n;
  }

  done(): Pass {
    if (this.pos !== this.n) throw new ShoalError(`the text source gave ${fmt(this.pos)} texts, expected ${fmt(this.n)}`);
    return { df: this.df, entries: this.entries, kept: this.kept };
  }
}

/**
 * While the table size is still to be chosen (first pass, `buckets` not given): which buckets of
 * the starting table the corpus's n-grams occupy, and every text's hashed n-grams (grams.ts)
 * while they fit the budget, so that a larger table is filled from them instead of from the texts.
 */
interface Sizing {
  seen: Uint8Array;
  occupied: number;
  grams: GramRows[] | null;
  gramEntries: number;
}

/** One pass: hash every text at `spec`, count document frequencies and entries per text. */
async function hashPass(
  source: TextSource,
  spec: FeatureSpec,
  isTraining: Uint8Array,
  budget: number,
  label: string,
  scratch: HashScratch,
  opts: StreamFeaturizeOptions,
  sizing?: Sizing,
): Promise<Pass> {
  const pass = new PassBuilder(spec.buckets, source.n, isTraining, budget);
  for await (const slice of source.slices(opts.signal)) {
    opts.signal?.throwIfAborted();
    if (!sizing) pass.add(hashTexts(slice, spec, scratch));
    else {
      const g = hashGrams(slice, spec, scratch.grams);
      sizing.occupied += markBuckets(g, sizing.seen);
      if (sizing.grams) {
        sizing.gramEntries += g.hashes.length;
        const seenTexts = pass.pos + slice.length;
        // The same rule as the kept rows: within the budget, and not projected past twice it.
        if (sizing.gramEntries <= budget && (sizing.gramEntries / seenTexts) * source.n <= 2 * budget) sizing.grams.push(copyGrams(g));
        else sizing.grams = null;
      }
      pass.add(bucketGrams(g, spec, scratch));
      // Once the corpus outgrows this table, these hashed rows are not the ones it trains on.
      if (pass.kept && corpusBuckets(sizing.occupied) !== spec.buckets) pass.kept = null;
    }
    opts.onProgress?.(pass.pos / Math.max(1, source.n), `${label}: ${fmt(pass.pos)} of ${fmt(source.n)} texts`);
  }
  return pass.done();
}

/** A pass from n-grams hashed in the first one (`Sizing.grams`): no text read, no hashing. */
function gramPass(grams: GramRows[], spec: FeatureSpec, isTraining: Uint8Array, budget: number, scratch: HashScratch): Pass {
  const pass = new PassBuilder(spec.buckets, isTraining.length, isTraining, budget);
  for (let s = 0; s < grams.length; s++) {
    pass.add(bucketGrams(grams[s], spec, scratch));
    grams[s] = undefined as unknown as GramRows; // let it go once bucketed
  }
  return pass.done();
}

/** Copies rows of a transformed slice into the growing output. */
class CsrWriter {
  readonly rowPtr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
  private row = 0;
  private nnz = 0;
  /** One row's idf-weighted values before normalising (doubles, as `transform` keeps them). */
  private readonly scratch: Float64Array;
  constructor(
    readonly n: number,
    maxEntries: number,
    maxRowEntries: number,
  ) {
    this.rowPtr = new Int32Array(n + 1);
    this.indices = new Int32Array(maxEntries);
    this.values = new Float32Array(maxEntries);
    this.scratch = new Float64Array(maxRowEntries);
  }
  /**
   * Rows `rows` (default all) of raw hashed features, transformed with `vocab` straight into the
   * output: the arithmetic of featurize.ts `transform`, row for row (stream.test.ts checks the two
   * agree bit for bit), without a transformed copy of each slice.
   */
  appendTransformed(raw: Csr, vocab: Vocabulary, rows?: ArrayLike<number>): void {
    if (raw.dim !== vocab.buckets)
      throw new ShoalError(`features were hashed into ${raw.dim} buckets but the vocabulary expects ${vocab.buckets}`);
    const { remap, idf } = vocab;
    const count = rows ? rows.length : raw.n;
    for (let t = 0; t < count; t++) {
      const i = rows ? rows[t] : t;
      const start = this.nnz;
      let q = start;
      let sq = 0;
      for (let p = raw.rowPtr[i]; p < raw.rowPtr[i + 1]; p++) {
        const c = remap[raw.indices[p]];
        if (c === 0) continue;
        const v = raw.values[p] * idf[c];
        this.indices[q] = c;
        this.scratch[q - start] = v;
        sq += v * v;
        q++;
      }
      const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
      for (let s = start; s < q; s++) this.values[s] = this.scratch[s - start] * inv;
      this.nnz = q;
      this.rowPtr[++this.row] = q;
    }
  }

  append(X: Csr): void {
    const e = X.indices.length;
    this.indices.set(X.indices, this.nnz);
    this.values.set(X.values, this.nnz);
    for (let i = 0; i < X.n; i++) this.rowPtr[this.row + i + 1] = this.nnz + X.rowPtr[i + 1];
    this.row += X.n;
    this.nnz += e;
  }
  done(dim: number): Csr {
    if (this.row !== this.n) throw new Error(`CsrWriter: ${this.row} rows written, expected ${this.n}`);
    return { n: this.n, dim, rowPtr: this.rowPtr, indices: this.indices.subarray(0, this.nnz), values: this.values.subarray(0, this.nnz) };
  }
}

/**
 * Hash, fit the vocabulary on every text and featurize the training `rows` (indexes into the
 * source's texts), within the entry budget: see the header for the passes and the sampling rule.
 */
export async function featurizeStream(
  source: TextSource,
  rows: ArrayLike<number>,
  opts: StreamFeaturizeOptions = {},
): Promise<StreamedFeatures> {
  const budget = opts.budget ?? DEFAULT_FEATURE_BUDGET;
  if (!(Number.isInteger(budget) && budget >= 1)) throw new ShoalError(`the feature budget must be a positive integer, got ${budget}`);
  const n = source.n;
  const isTraining = new Uint8Array(n);
  for (let t = 0; t < rows.length; t++) {
    const r = rows[t];
    if (!Number.isInteger(r) || r < 0 || r >= n) throw new ShoalError(`training row ${r} is outside the ${fmt(n)} texts`);
    isTraining[r] = 1;
  }
  let features: FeatureSpec = { ...DEFAULT_FEATURES, ...opts.features, buckets: opts.features?.buckets ?? DEFAULT_FEATURES.buckets };
  let passes = 1;
  const scratch = hashScratch();
  const sizing: Sizing | undefined =
    opts.features?.buckets === undefined ? { seen: new Uint8Array(features.buckets), occupied: 0, grams: [], gramEntries: 0 } : undefined;
  let pass = await hashPass(source, features, isTraining, budget, 'Hashing the texts', scratch, opts, sizing);
  if (sizing) {
    const buckets = corpusBuckets(sizing.occupied);
    if (buckets !== features.buckets) {
      features = { ...features, buckets };
      pass = { df: new Int32Array(0), entries: new Int32Array(0), kept: null }; // let the first pass go first
      const grams = sizing.grams;
      sizing.grams = null;
      if (grams) {
        opts.onProgress?.(0, `Putting the hashed n-grams into 2^${Math.log2(buckets)} buckets`);
        pass = gramPass(grams, features, isTraining, budget, scratch);
      } else {
        passes++;
        pass = await hashPass(
          source,
          features,
          isTraining,
          budget,
          `Hashing the texts again into 2^${Math.log2(buckets)} buckets`,
          scratch,
          opts,
        );
      }
    }
  }
  const vocab = vocabularyFromDf(pass.df, n, opts.vocabulary);
  const { kept: keptAt, total } = budgetSample(rows, pass.entries, budget, opts.seed ?? 0);
  const keptRows = Uint32Array.from(keptAt, (t) => rows[t]);
  // The distinct kept rows, ascending: the order slices arrive in.
  const uniq = Uint32Array.from(new Set(keptRows)).sort();
  let upper = 0;
  let widest = 0;
  for (const r of uniq) {
    upper += pass.entries[r];
    widest = Math.max(widest, pass.entries[r]);
  }
  const out = new CsrWriter(uniq.length, upper, widest);
  const isKept = new Uint8Array(n);
  for (const r of uniq) isKept[r] = 1;
  if (pass.kept && uniq.length === countOnes(isTraining)) {
    // Every training row is kept and its hashed row was kept in the last pass.
    const slices = pass.kept;
    pass.kept = null;
    for (let s = 0; s < slices.length; s++) {
      out.appendTransformed(slices[s], vocab);
      slices[s] = undefined as unknown as Csr; // let it go as soon as it is copied
    }
  } else if (pass.kept && uniq.length > 0) {
    // A sample of rows whose hashed rows were kept: select them slice by slice.
    let trainingBefore = 0;
    const training = Uint32Array.from({ length: n }, (_, i) => i).filter((i) => isTraining[i] === 1);
    const slices = pass.kept;
    pass.kept = null;
    for (let s = 0; s < slices.length; s++) {
      const raw = slices[s];
      const local: number[] = [];
      for (let i = 0; i < raw.n; i++) if (isKept[training[trainingBefore + i]]) local.push(i);
      trainingBefore += raw.n;
      if (local.length) out.appendTransformed(raw, vocab, local);
      slices[s] = undefined as unknown as Csr;
    }
  } else if (uniq.length > 0) {
    passes++;
    pass.kept = null;
    let pos = 0;
    for await (const slice of source.slices(opts.signal)) {
      opts.signal?.throwIfAborted();
      const texts: string[] = [];
      for (let i = 0; i < slice.length; i++) if (isKept[pos + i]) texts.push(slice[i]);
      if (texts.length) out.appendTransformed(hashTexts(texts, features, scratch), vocab);
      pos += slice.length;
      opts.onProgress?.(
        pos / Math.max(1, n),
        `Featurizing the ${fmt(uniq.length)} training rows kept: ${fmt(pos)} of ${fmt(n)} texts read`,
      );
    }
    if (pos !== n) throw new ShoalError(`the text source gave ${fmt(pos)} texts, expected ${fmt(n)}`);
  }
  const Xs = out.done(vocab.size);
  // Row t of Xtr must be the text at keptRows[t]; Xs holds the distinct ones ascending.
  let same = uniq.length === keptRows.length;
  for (let t = 0; same && t < keptRows.length; t++) same = keptRows[t] === uniq[t];
  let Xtr = Xs;
  if (!same) {
    const at = new Map<number, number>();
    uniq.forEach((r, j) => at.set(r, j));
    Xtr = selectRows(
      Xs,
      Array.from(keptRows, (r) => at.get(r)!),
    );
  }
  const sample: TrainingSample | undefined =
    keptRows.length < rows.length ? { rows: keptRows.length, of: rows.length, entries: total, budget, texts: n } : undefined;
  return { features, vocab, Xtr, rows: keptRows, sample, passes };
}

function countOnes(a: Uint8Array): number {
  let c = 0;
  for (let i = 0; i < a.length; i++) c += a[i];
  return c;
}

/** Every text of a source, transformed with a fitted vocabulary (the dev rows: small). */
export async function transformSource(source: TextSource, features: FeatureSpec, vocab: Vocabulary, signal?: AbortSignal): Promise<Csr> {
  const parts: Csr[] = [];
  let entries = 0;
  for await (const slice of source.slices(signal)) {
    const X = transform(hashTexts(slice, features), vocab);
    parts.push(X);
    entries += X.indices.length;
  }
  const out = new CsrWriter(
    parts.reduce((s, X) => s + X.n, 0),
    entries,
    0,
  );
  for (const X of parts) out.append(X);
  return out.done(vocab.size);
}
