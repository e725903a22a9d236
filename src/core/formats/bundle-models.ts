/**
 * The optional `models` section of a project file (bundle.ts): the fitted label model (its
 * probabilities over every row, dataset order, and its summary) and the trained distilled
 * classifier (featurization, vocabulary, weights, its dev/test probabilities and training
 * record), so a project reopens elsewhere with both, marked as coming from the file.
 *
 * Typed arrays travel as base64 of their little-endian bytes (float32 or int32), which JSON
 * carries at 4/3 of their size. The classifier's bucket → id map (up to 2^22 entries, almost
 * all zero) is written as the sorted list of seen buckets (`fitVocabulary` numbers them in
 * bucket order), so its size follows the vocabulary, not the hash space.
 *
 * LFs are named, not hashed, in the file: the importer recomputes the vote-cache hashes of the
 * LFs it stores (lf/hash.ts), so the label model matches the imported LFs exactly when their
 * names and order match. Everything here is validated (bundle-schema.ts) before it is stored.
 */
import { z } from 'zod';
import type { DistilledClassifier } from '../classifier/model.ts';
import { ShoalError } from '../types.ts';
import { LABEL_MODEL_NAMES } from '../labelmodel/types.ts';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  // Chunks keep String.fromCharCode's argument count under engine limits.
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function base64ToBytes(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function needLittleEndian(): void {
  if (!LITTLE_ENDIAN) throw new ShoalError('this machine stores numbers big-endian; project files with models need a little-endian one');
}

export function encodeFloat32(a: Float32Array): string {
  needLittleEndian();
  return bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

export function encodeInt32(a: Int32Array): string {
  needLittleEndian();
  return bytesToBase64(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
}

/** Float32 values of a base64 string, or null when it is not `length` of them. */
export function decodeFloat32(b64: string, length: number): Float32Array | null {
  needLittleEndian();
  // Refuse a wrong size before decoding: a hostile file may carry a huge string.
  if (b64.length !== 4 * Math.ceil((length * 4) / 3)) return null;
  const bytes = base64ToBytes(b64);
  if (bytes.length !== length * 4) return null;
  return new Float32Array(bytes.buffer, 0, length);
}

export function decodeInt32(b64: string, length: number): Int32Array | null {
  const f = decodeFloat32(b64, length);
  return f ? new Int32Array(f.buffer, 0, length) : null;
}

const LIMITS = { names: 5_000, nameChars: 200, curve: 10_000, warnings: 100, warningChars: 2_000, candidates: 20, floats: 100_000_000 };
const b64 = z
  .string()
  .regex(/^[A-Za-z0-9+/]*={0,2}$/, { error: 'base64 text' })
  .max(Math.ceil((LIMITS.floats * 4) / 3) + 4);
const finite = z.number();
const int = () => z.int({ error: 'a whole number' });
const names = z.array(z.string().min(1).max(LIMITS.nameChars), { error: 'a list of LF names' }).max(LIMITS.names);

const summary = z.object({
  model: z.string().max(50),
  chosen: z.string().max(50).optional(),
  candidates: z
    .array(z.object({ name: z.string().max(50), devScore: finite, se: finite.optional(), tied: z.boolean().optional() }))
    .max(LIMITS.candidates)
    .optional(),
  selection: z
    .object({
      rule: z.enum(['paired-bootstrap', 'few-dev-labels', 'no-dev-labels']),
      devRows: int().min(0),
      resamples: int().min(0),
      metric: z.enum(['acc', 'f1']),
      best: z.string().max(50).optional(),
      missingClasses: z.array(int().min(0).max(127)).max(127).optional(),
    })
    .optional(),
  lfAccuracy: z.array(finite).max(LIMITS.names).optional(),
  classBalance: z.array(finite).max(127).optional(),
  backend: z.string().max(200).optional(),
  warnings: z.array(z.string().max(LIMITS.warningChars)).max(LIMITS.warnings).optional(),
});

export const labelModelSchema = z.object({
  model: z.enum(LABEL_MODEL_NAMES),
  summary,
  classBalance: z.array(finite).max(127).nullable(),
  balanceMode: z.enum(['dev', 'uniform', 'custom']),
  seed: int(),
  backend: z.string().max(200),
  /** The enabled LFs whose votes it was fitted on, in column order. */
  lfNames: names,
  metrics: z.record(z.string().max(50), finite),
  fittedAt: int().min(0),
  /** n × k float32, dataset row order. */
  probs: b64,
});

const range = z.tuple([int().min(0).max(10), int().min(0).max(10)]);

export const classifierSchema = z.object({
  /** The LFs of the label model it was trained on, in column order. */
  lfNames: names,
  /** Trained on the label model in this file (else on one the file does not carry). */
  onFileLabelModel: z.boolean(),
  labelModel: z.string().max(50),
  settings: z.looseObject({}),
  metrics: z.record(z.string().max(50), finite),
  curve: z
    .array(
      z.object({
        epoch: int(),
        maxEpochs: int(),
        loss: finite,
        devScore: finite.optional(),
        best: z.boolean(),
        targets: z.enum(['soft', 'hard']),
      }),
    )
    .max(LIMITS.curve),
  bestEpoch: int(),
  targets: z.enum(['soft', 'hard']),
  trainRows: int().min(0),
  /** Set when it trained on a sample of the covered rows (the feature budget): the sentence that says so. */
  sampleNote: z.string().max(500).optional(),
  backend: z.string().max(200),
  ms: finite,
  trainedAt: int().min(0),
  features: z.object({
    buckets: int()
      .min(1)
      .max(2 ** 24),
    wordNgrams: range,
    charNgrams: range,
    sublinearTf: z.boolean(),
    charWeight: finite,
  }),
  /** Vocabulary: the seen buckets in increasing order (id j + 1 is bucket `seen[j]`) and idf per id. */
  vocab: z.object({
    size: int()
      .min(1)
      .max(2 ** 24),
    seen: b64,
    idf: b64,
  }),
  weights: b64,
  bias: b64,
  proba: z.object({ dev: b64, test: b64 }),
});

export const bundleModelsSchema = z.object({ labelModel: labelModelSchema.optional(), classifier: classifierSchema.optional() });

export type BundleLabelModel = z.output<typeof labelModelSchema>;
export type BundleClassifier = z.output<typeof classifierSchema>;
export type BundleModels = z.output<typeof bundleModelsSchema>;

/** What the file's models must agree with: its classes, rows per split and LF names. */
export interface ModelShape {
  k: number;
  rows: number;
  dev: number;
  test: number;
  lfNames: ReadonlySet<string>;
}

export interface DecodedClassifier {
  classifier: DistilledClassifier;
  proba: { dev: Float32Array; test: Float32Array };
}

/** A problem as a path inside `models` and what it must be. */
export type ModelIssue = { path: (string | number)[]; message: string };

function allFinite(a: Float32Array, lo = -Infinity, hi = Infinity): boolean {
  for (let i = 0; i < a.length; i++) if (!(a[i] >= lo && a[i] <= hi)) return false;
  return true;
}

function checkNames(list: readonly string[], shape: ModelShape, path: (string | number)[]): ModelIssue | null {
  const seen = new Set<string>();
  for (const [i, n] of list.entries()) {
    if (!shape.lfNames.has(n)) return { path: [...path, i], message: `must name an LF of this file, not "${n}"` };
    if (seen.has(n)) return { path: [...path, i], message: `must not name an LF twice ("${n}")` };
    seen.add(n);
  }
  return null;
}

/** The label model's probabilities, or the first problem. */
export function decodeLabelModel(lm: BundleLabelModel, shape: ModelShape): { probs: Float32Array } | ModelIssue {
  const names = checkNames(lm.lfNames, shape, ['labelModel', 'lfNames']);
  if (names) return names;
  // The Model screen reads these per LF and per class.
  const acc = lm.summary.lfAccuracy;
  if (acc && acc.length !== lm.lfNames.length)
    return {
      path: ['labelModel', 'summary', 'lfAccuracy'],
      message: `must have one number per LF in lfNames (${lm.lfNames.length}), not ${acc.length}`,
    };
  for (const [key, list] of [
    ['classBalance', lm.classBalance],
    ['summary.classBalance', lm.summary.classBalance],
  ] as const) {
    if (list && list.length !== shape.k)
      return { path: ['labelModel', ...key.split('.')], message: `must have one number per class (${shape.k}), not ${list.length}` };
  }
  const probs = decodeFloat32(lm.probs, shape.rows * shape.k);
  if (!probs)
    return { path: ['labelModel', 'probs'], message: `must hold ${shape.rows} rows × ${shape.k} classes of float32 probabilities` };
  if (!allFinite(probs, 0, 1)) return { path: ['labelModel', 'probs'], message: 'must hold probabilities between 0 and 1' };
  return { probs };
}

/** The classifier with its arrays, or the first problem. */
export function decodeClassifier(c: BundleClassifier, shape: ModelShape, classes: readonly string[]): DecodedClassifier | ModelIssue {
  const names = checkNames(c.lfNames, shape, ['classifier', 'lfNames']);
  if (names) return names;
  const { size } = c.vocab;
  const buckets = c.features.buckets;
  const seen = decodeInt32(c.vocab.seen, size - 1);
  if (!seen) return { path: ['classifier', 'vocab', 'seen'], message: `must hold ${size - 1} int32 bucket numbers (vocab.size − 1)` };
  const remap = new Int32Array(buckets);
  for (let j = 0; j < seen.length; j++) {
    if (!(seen[j] >= 0 && seen[j] < buckets) || (j > 0 && seen[j] <= seen[j - 1])) {
      return { path: ['classifier', 'vocab', 'seen'], message: `must list buckets below ${buckets} in increasing order` };
    }
    remap[seen[j]] = j + 1;
  }
  const idf = decodeFloat32(c.vocab.idf, size);
  if (!idf || !allFinite(idf)) return { path: ['classifier', 'vocab', 'idf'], message: `must hold ${size} finite float32 weights` };
  const weights = decodeFloat32(c.weights, size * shape.k);
  if (!weights || !allFinite(weights))
    return { path: ['classifier', 'weights'], message: `must hold ${size} × ${shape.k} finite float32 weights` };
  const bias = decodeFloat32(c.bias, shape.k);
  if (!bias || !allFinite(bias)) return { path: ['classifier', 'bias'], message: `must hold ${shape.k} finite float32 biases` };
  const dev = decodeFloat32(c.proba.dev, shape.dev * shape.k);
  if (!dev || !allFinite(dev, 0, 1))
    return { path: ['classifier', 'proba', 'dev'], message: `must hold ${shape.dev} dev rows × ${shape.k} classes of probabilities` };
  const test = decodeFloat32(c.proba.test, shape.test * shape.k);
  if (!test || !allFinite(test, 0, 1))
    return { path: ['classifier', 'proba', 'test'], message: `must hold ${shape.test} test rows × ${shape.k} classes of probabilities` };
  const f = c.features;
  return {
    classifier: {
      features: {
        buckets,
        wordNgrams: [f.wordNgrams[0], f.wordNgrams[1]],
        charNgrams: [f.charNgrams[0], f.charNgrams[1]],
        sublinearTf: f.sublinearTf,
        charWeight: f.charWeight,
      },
      vocab: { buckets, remap, idf, size },
      model: { dim: size, k: shape.k, weights, bias },
      classes: classes.slice(),
    },
    proba: { dev, test },
  };
}

/** The file form of a classifier's arrays; throws when its vocabulary is not numbered in bucket order. */
export function encodeClassifierArrays(
  c: DistilledClassifier,
  proba: { dev: Float32Array; test: Float32Array },
): Pick<BundleClassifier, 'features' | 'vocab' | 'weights' | 'bias' | 'proba'> {
  const { remap, size, buckets, idf } = c.vocab;
  const seen = new Int32Array(size - 1);
  let next = 1;
  for (let b = 0; b < buckets; b++) {
    if (remap[b] === 0) continue;
    if (remap[b] !== next) throw new ShoalError('the classifier vocabulary is not numbered in bucket order; retrain it, then export again');
    seen[next - 1] = b;
    next++;
  }
  if (next !== size) throw new ShoalError('the classifier vocabulary is incomplete; retrain it, then export again');
  const f = c.features;
  return {
    features: {
      buckets: f.buckets,
      wordNgrams: [f.wordNgrams[0], f.wordNgrams[1]],
      charNgrams: [f.charNgrams[0], f.charNgrams[1]],
      sublinearTf: f.sublinearTf,
      charWeight: f.charWeight,
    },
    vocab: { size, seen: encodeInt32(seen), idf: encodeFloat32(idf) },
    weights: encodeFloat32(c.model.weights),
    bias: encodeFloat32(c.model.bias),
    proba: { dev: encodeFloat32(proba.dev), test: encodeFloat32(proba.test) },
  };
}
