/**
 * The distilled classifier as plain data: featurization spec, learned vocabulary (bucket → id,
 * idf) and a softmax-regression weight matrix over the compact ids. Plain typed arrays so it
 * crosses worker boundaries by transfer, is stored as is, and predicts without tfjs (the pure
 * path below is the reference the tfjs and ONNX paths are checked against).
 */
import { ShoalError } from '../types.ts';
import { type Csr, type FeatureSpec, type Vocabulary, hashTexts, transform } from './featurize.ts';

export interface LinearModel {
  /** Vocabulary size V + 1 (row 0 is the unseen slot and stays zero). */
  readonly dim: number;
  readonly k: number;
  /** dim × k row-major. */
  readonly weights: Float32Array;
  readonly bias: Float32Array;
}

export interface DistilledClassifier {
  readonly features: FeatureSpec;
  readonly vocab: Vocabulary;
  readonly model: LinearModel;
  readonly classes: readonly string[];
}

/** Softmax probabilities (n × k row-major) for transformed features, in float64 then rounded. */
export function predictProba(model: LinearModel, X: Csr): Float32Array {
  if (X.dim !== model.dim) {
    throw new ShoalError(`features have ${X.dim} columns but the model expects ${model.dim}; featurize with the model's vocabulary`);
  }
  const { k, weights, bias } = model;
  const out = new Float32Array(X.n * k);
  const z = new Float64Array(k);
  for (let i = 0; i < X.n; i++) {
    for (let c = 0; c < k; c++) z[c] = bias[c];
    for (let p = X.rowPtr[i]; p < X.rowPtr[i + 1]; p++) {
      const v = X.values[p];
      const base = X.indices[p] * k;
      for (let c = 0; c < k; c++) z[c] += v * weights[base + c];
    }
    softmaxInto(z, out, i * k);
  }
  return out;
}

export function softmaxInto(z: Float64Array, out: Float32Array, offset: number): void {
  let max = -Infinity;
  for (let c = 0; c < z.length; c++) if (z[c] > max) max = z[c];
  let sum = 0;
  for (let c = 0; c < z.length; c++) sum += Math.exp(z[c] - max);
  for (let c = 0; c < z.length; c++) out[offset + c] = Math.exp(z[c] - max) / sum;
}

/** Texts → probabilities with the classifier's own featurization. */
export function predictTexts(clf: DistilledClassifier, texts: readonly string[]): Float32Array {
  return predictProba(clf.model, featurize(clf, texts));
}

export function featurize(clf: DistilledClassifier, texts: readonly string[]): Csr {
  return transform(hashTexts(texts, clf.features), clf.vocab);
}
