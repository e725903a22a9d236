/**
 * Sparse hashed n-gram features for the distilled classifier — never a dense n × vocabulary
 * matrix, only CSR (row pointers, column indices, values).
 *
 * Two stages, so that the part a user must re-implement outside Shoal (the ONNX sidecar
 * describes it) is pure hashing, and everything learned from the corpus travels inside the model:
 * 1. `hashTexts` (stateless): lowercase; tokens are runs of ≥2 letters/digits/underscore
 *    (`/[\p{L}\p{N}_]{2,}/gu`, scikit-learn's `(?u)\b\w\w+\b` without JS's ASCII-only `\b`);
 *    word n-grams join tokens with one space; char n-grams come from each token padded with one
 *    space on both sides (scikit-learn's `char_wb`). Each distinct n-gram is hashed with
 *    MurmurHash3-32 over its UTF-8 (seed 0 for word, 1 for char n-grams); bucket = |h| mod
 *    buckets, sign = h < 0 ? −1 : +1 (HashingVectorizer's `alternate_sign`, which keeps collisions
 *    unbiased); its weight is sign × (1 + ln count) (TfidfVectorizer's `sublinear_tf`) summed
 *    into the bucket.
 * 2. `fitVocabulary` + `transform` (learned on the training texts): buckets never seen in
 *    training are dropped (like a fitted vectorizer's vocabulary); the rest get a compact id
 *    1…V and smooth idf `ln((1+n)/(1+df)) + 1`; rows are idf-weighted and L2-normalised
 *    (TfidfVectorizer defaults).
 */
import { ShoalError } from '../types.ts';
import { type GramRows, type GramScratch, gramScratch, hashGrams } from './grams.ts';

export { CHAR_SEED, TOKEN_FLAGS, TOKEN_PATTERN, tokenize, WORD_SEED } from './grams.ts';

/** Compressed sparse rows: row i is entries rowPtr[i] .. rowPtr[i+1]-1, indices ascending. */
export interface Csr {
  readonly n: number;
  /** Number of columns (buckets for raw features, vocabulary size for transformed ones). */
  readonly dim: number;
  readonly rowPtr: Int32Array;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

export interface FeatureSpec {
  /** Hash space size (2^18 by default). */
  buckets: number;
  /** Inclusive word n-gram range; [0, 0] disables word n-grams. */
  wordNgrams: readonly [number, number];
  /** Inclusive char n-gram range over space-padded tokens; [0, 0] disables them. */
  charNgrams: readonly [number, number];
  /** 1 + ln(count) instead of count. */
  sublinearTf: boolean;
  /**
   * Multiplier on char n-gram weights. Char grams outnumber word grams ~10:1, so at weight 1
   * they take most of each row's L2 norm and drown the word evidence.
   */
  charWeight: number;
}

/**
 * Word 1–2-grams only by default. Char 2–4-grams (weight 0.3) were measured on the WRENCH sets
 * with `auto` labels: they help spam-like text (youtube test acc 0.936 → 0.956, sms F1 0.791 →
 * 0.837), do nothing on trec, hurt semeval (0.792 → 0.770, at weight 0.1 still 0.780) and make
 * training 2–4× slower. Pass `charNgrams: [2, 4]` to turn them on.
 */
export const DEFAULT_FEATURES: FeatureSpec = {
  buckets: 1 << 18,
  wordNgrams: [1, 2],
  charNgrams: [0, 0],
  sublinearTf: true,
  charWeight: 0.3,
};

/** The largest hash size `corpusBuckets` picks (the largest the app's settings offer too). */
export const MAX_AUTO_BUCKETS = 1 << 22;

/**
 * How many distinct n-grams a corpus holds, from how many of `buckets` hash buckets its n-grams
 * occupy: linear counting (Whang, Vander-Zanden & Taylor, "A linear-time probabilistic counting
 * algorithm for database applications", TODS 1990). D distinct keys hashed uniformly into M
 * buckets leave an expected M·e^(−D/M) empty, so D ≈ −M·ln(1 − occupied/M). Infinity when every
 * bucket is occupied (the table says only "far more than M").
 */
export function estimateDistinct(occupied: number, buckets: number): number {
  if (!(occupied >= 0 && occupied <= buckets)) throw new ShoalError(`occupied buckets must be in [0, ${buckets}], got ${occupied}`);
  return occupied === buckets ? Infinity : -buckets * Math.log1p(-occupied / buckets);
}

/** How many distinct buckets raw hashed features use (minDf-independent, unlike a vocabulary). */
export function occupiedBuckets(raw: Csr): number {
  const seen = new Uint8Array(raw.dim);
  let c = 0;
  for (let p = 0; p < raw.indices.length; p++) {
    const b = raw.indices[p];
    if (seen[b] === 0) {
      seen[b] = 1;
      c++;
    }
  }
  return c;
}

/**
 * The hash size for a corpus whose n-grams occupy `occupied` of `DEFAULT_FEATURES.buckets`
 * (2^18) buckets (`distill` and stream.ts count them from the hashed n-grams, grams.ts
 * `markBuckets`): at least one bucket per distinct n-gram (the smallest power of two ≥ the
 * linear-counting estimate), never below 2^18 and never above `MAX_AUTO_BUCKETS`.
 *
 * Why: collisions merge unrelated n-grams into one weight, and the more distinct n-grams share
 * the table the more of them collide. At 100k generated documents (642k distinct 1–2-grams)
 * scikit-learn's exact fit scores 0.8723 on our 2^18-bucket features, 0.8796 at 2^20 and 0.8813
 * on its unhashed ones (bench/reference/sklearn_lr.py on bench:scale's classifier task).
 * Why 2^18 stays the floor: every WRENCH set (≤ 5k rows, well under 2^18 distinct n-grams)
 * keeps exactly the features its targets were measured on; 2^20 for everything moved semeval's
 * result by four test rows.
 */
export function corpusBuckets(occupied: number): number {
  const floor = DEFAULT_FEATURES.buckets;
  const distinct = estimateDistinct(occupied, floor);
  let buckets = floor;
  while (buckets < distinct && buckets < MAX_AUTO_BUCKETS) buckets *= 2;
  return buckets;
}

function checkSpec(spec: FeatureSpec): void {
  if (!Number.isInteger(spec.buckets) || spec.buckets < 2 || spec.buckets > 1 << 30) {
    throw new ShoalError(`feature buckets must be an integer in [2, 2^30], got ${spec.buckets}`);
  }
  for (const [name, [a, b]] of [
    ['word', spec.wordNgrams],
    ['char', spec.charNgrams],
  ] as const) {
    const off = a === 0 && b === 0;
    if (!off && !(Number.isInteger(a) && Number.isInteger(b) && a >= 1 && b >= a && b <= 16)) {
      throw new ShoalError(`${name} n-gram range must be [0, 0] or 1 ≤ min ≤ max ≤ 16, got [${a}, ${b}]`);
    }
  }
}

/**
 * Buffers `hashTexts` may reuse from one call to the next (stream.ts hashes slice after slice):
 * grown when too small, so a long stream of slices allocates almost nothing.
 */
export interface HashScratch {
  indices: Int32Array;
  values: Float32Array;
  /** One row's (bucket, n-gram position) sort keys. */
  order: Float64Array;
  grams: GramScratch;
}

export function hashScratch(): HashScratch {
  return {
    indices: new Int32Array(1 << 16),
    values: new Float32Array(1 << 16),
    order: new Float64Array(1 << 10),
    grams: gramScratch(),
  };
}

/**
 * Stage 1: raw signed (sublinear) term frequencies per hash bucket, CSR over `spec.buckets`.
 * With `scratch`, `indices` and `values` are views into its buffers, valid until its next use.
 */
export function hashTexts(texts: readonly string[], spec: FeatureSpec = DEFAULT_FEATURES, scratch?: HashScratch): Csr {
  checkSpec(spec);
  return bucketGrams(hashGrams(texts, spec, scratch?.grams), spec, scratch);
}

/**
 * Stage 1 from n-grams hashed once (grams.ts): each n-gram's weight, sign × (1 + ln count) (× the
 * char weight for a char n-gram), summed into bucket |hash| mod `spec.buckets` in the order the
 * n-grams first appear (so the sums round the same whatever the table size); buckets ascending,
 * exact zeros (two n-grams of opposite sign cancelling) left out.
 */
export function bucketGrams(g: GramRows, spec: FeatureSpec, scratch?: HashScratch): Csr {
  checkSpec(spec);
  const same = (x: readonly [number, number], y: readonly [number, number]) => x[0] === y[0] && x[1] === y[1];
  if (!same(g.spec.wordNgrams, spec.wordNgrams) || !same(g.spec.charNgrams, spec.charNgrams))
    throw new ShoalError('these n-grams were hashed for other n-gram ranges than the feature spec asks for');
  const n = g.n;
  const B = spec.buckets;
  const rowPtr = new Int32Array(n + 1);
  let indices = scratch?.indices ?? new Int32Array(Math.max(16, g.hashes.length));
  let values = scratch?.values ?? new Float32Array(indices.length);
  let order = scratch?.order ?? new Float64Array(64);
  if (indices.length < g.hashes.length) {
    indices = new Int32Array(g.hashes.length);
    values = new Float32Array(g.hashes.length);
  }
  if (scratch) {
    scratch.indices = indices;
    scratch.values = values;
  }
  const { hashes, counts } = g;
  let nnz = 0;
  for (let i = 0; i < n; i++) {
    const a = g.rowPtr[i];
    const m = g.rowPtr[i + 1] - a;
    // Sort key bucket·2^S + position: buckets ascending, each bucket's n-grams in their order.
    // Exact in a double while bucket·2^S < 2^53 (buckets ≤ 2^30, so rows up to 2^23 n-grams).
    let S = 1;
    while (2 ** S < m) S++;
    if (S > 23) throw new ShoalError(`row ${i} has ${m.toLocaleString('en-US')} distinct n-grams, more than the 8,388,608 a row may have`);
    const shift = 2 ** S;
    if (order.length < m) {
      order = new Float64Array(Math.max(m, 2 * order.length));
      if (scratch) scratch.order = order;
    }
    for (let j = 0; j < m; j++) order[j] = (Math.abs(hashes[a + j]) % B) * shift + j;
    const row = order.subarray(0, m).sort();
    let j = 0;
    while (j < m) {
      const bucket = Math.floor(row[j] / shift);
      let v = 0;
      for (; j < m && row[j] < (bucket + 1) * shift; j++) {
        const e = a + (row[j] - bucket * shift);
        const h = hashes[e];
        const c = counts[e];
        const count = c < 0 ? -c : c;
        const scale = c > 0 ? 1 : spec.charWeight;
        v += (spec.sublinearTf ? 1 + Math.log(count) : count) * (h < 0 ? -1 : 1) * scale;
      }
      if (v === 0) continue; // two grams of opposite sign cancelled out: nothing to store
      indices[nnz] = bucket;
      values[nnz++] = v;
    }
    rowPtr[i + 1] = nnz;
  }
  if (scratch) return { n, dim: B, rowPtr, indices: indices.subarray(0, nnz), values: values.subarray(0, nnz) };
  return { n, dim: B, rowPtr, indices: indices.slice(0, nnz), values: values.slice(0, nnz) };
}

/** What stage 2 learns from the training texts. */
export interface Vocabulary {
  readonly buckets: number;
  /** Per bucket: its compact id in 1…size-1, or 0 for a bucket never seen in training. */
  readonly remap: Int32Array;
  /** Per compact id: idf weight; idf[0] = 0 so unseen buckets vanish. */
  readonly idf: Float32Array;
  /** V + 1 (compact id 0 is the "unseen" slot). */
  readonly size: number;
}

export interface VocabularyOptions {
  /** Keep buckets seen in at least this many training rows (default 1). */
  minDf?: number;
  /** Weight by smooth idf (default true); false gives every kept bucket weight 1. */
  idf?: boolean;
}

export function fitVocabulary(raw: Csr, opts: VocabularyOptions = {}): Vocabulary {
  const df = new Int32Array(raw.dim);
  for (let p = 0; p < raw.indices.length; p++) df[raw.indices[p]]++;
  return vocabularyFromDf(df, raw.n, opts);
}

/**
 * The vocabulary from document frequencies per bucket (`df[b]`: how many of the `n` texts have a
 * non-zero entry in bucket b), so texts hashed a chunk at a time (stream.ts) get the same one.
 */
export function vocabularyFromDf(df: Int32Array, n: number, opts: VocabularyOptions = {}): Vocabulary {
  const minDf = opts.minDf ?? 1;
  const dim = df.length;
  const remap = new Int32Array(dim);
  let size = 1;
  for (let b = 0; b < dim; b++) if (df[b] >= minDf && df[b] > 0) remap[b] = size++;
  const idf = new Float32Array(size);
  for (let b = 0; b < dim; b++) {
    const c = remap[b];
    if (c === 0) continue;
    idf[c] = opts.idf === false ? 1 : Math.log((1 + n) / (1 + df[b])) + 1;
  }
  return { buckets: dim, remap, idf, size };
}

/** Stage 2: compact ids, idf-weighted, L2-normalised rows (a row with no known bucket stays empty). */
export function transform(raw: Csr, vocab: Vocabulary): Csr {
  if (raw.dim !== vocab.buckets) {
    throw new ShoalError(`features were hashed into ${raw.dim} buckets but the vocabulary expects ${vocab.buckets}`);
  }
  const rowPtr = new Int32Array(raw.n + 1);
  let nnz = 0;
  for (let p = 0; p < raw.indices.length; p++) if (vocab.remap[raw.indices[p]] !== 0) nnz++;
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  const tmp = new Float64Array(64);
  let q = 0;
  for (let i = 0; i < raw.n; i++) {
    const start = q;
    let sq = 0;
    let t = 0;
    const scratch = raw.rowPtr[i + 1] - raw.rowPtr[i] > tmp.length ? new Float64Array(raw.rowPtr[i + 1] - raw.rowPtr[i]) : tmp;
    for (let p = raw.rowPtr[i]; p < raw.rowPtr[i + 1]; p++) {
      const c = vocab.remap[raw.indices[p]];
      if (c === 0) continue;
      const v = raw.values[p] * vocab.idf[c];
      indices[q++] = c;
      scratch[t++] = v;
      sq += v * v;
    }
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    // remap is monotone in the bucket, so indices stay ascending within the row.
    for (let s = 0; s < t; s++) values[start + s] = scratch[s] * inv;
    rowPtr[i + 1] = q;
  }
  return { n: raw.n, dim: vocab.size, rowPtr, indices, values };
}

/** Rows `rows` of a CSR matrix, in that order. */
export function selectRows(X: Csr, rows: ArrayLike<number>): Csr {
  let nnz = 0;
  for (let t = 0; t < rows.length; t++) nnz += X.rowPtr[rows[t] + 1] - X.rowPtr[rows[t]];
  const rowPtr = new Int32Array(rows.length + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let q = 0;
  for (let t = 0; t < rows.length; t++) {
    const a = X.rowPtr[rows[t]];
    const b = X.rowPtr[rows[t] + 1];
    indices.set(X.indices.subarray(a, b), q);
    values.set(X.values.subarray(a, b), q);
    q += b - a;
    rowPtr[t + 1] = q;
  }
  return { n: rows.length, dim: X.dim, rowPtr, indices, values };
}
