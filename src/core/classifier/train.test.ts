import { beforeAll, describe, expect, it } from 'vitest';
import { getTf, selectBackend } from '../backend.ts';
import { LabelMatrix } from '../matrix.ts';
import { mulberry32 } from '../rng.ts';
import { confidenceWeights, coveredRows, distill, featurize, predictProba, predictProbaTf, predictTexts } from './index.ts';
import { batchLogits, trainLinear, TYPED_BACKEND } from './train.ts';
import type { Csr } from './featurize.ts';

/**
 * A generated, separable text task: class c rows draw 3–6 words from its own 20-word vocabulary
 * plus 2–4 shared filler words. Soft targets put 0.8 on the true class (a label model that is
 * right but unsure).
 */
function makeTask(n: number, k: number, seed: number) {
  const rng = mulberry32(seed);
  const pick = (a: string[]) => a[Math.floor(rng() * a.length)];
  const vocab = Array.from({ length: k }, (_, c) => Array.from({ length: 20 }, (_, j) => `c${c}w${j}`));
  const filler = Array.from({ length: 30 }, (_, j) => `the${j}`);
  const texts: string[] = [];
  const y = new Int32Array(n);
  const proba = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rng() * k);
    y[i] = c;
    const words: string[] = [];
    for (let t = 3 + Math.floor(rng() * 4); t > 0; t--) words.push(pick(vocab[c]));
    for (let t = 2 + Math.floor(rng() * 3); t > 0; t--) words.push(pick(filler));
    words.sort(() => rng() - 0.5);
    texts.push(words.join(' '));
    for (let q = 0; q < k; q++) proba[i * k + q] = q === c ? 0.8 : 0.2 / (k - 1);
  }
  return { texts, y, proba };
}

const argmax = (p: Float32Array, k: number) =>
  Int32Array.from({ length: p.length / k }, (_, i) => {
    let b = 0;
    for (let c = 1; c < k; c++) if (p[i * k + c] > p[i * k + b]) b = c;
    return b;
  });
const acc = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).filter((v, i) => v === b[i]).length / a.length;
const SMALL = { buckets: 1 << 12, wordNgrams: [1, 2] as const, charNgrams: [2, 3] as const, charWeight: 0.3 };

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

describe('distill on a generated separable task', () => {
  it('trains once when soft and hard targets are the same, and says why it trains twice otherwise', async () => {
    const k = 2;
    const tr = makeTask(120, k, 4);
    const dev = makeTask(40, k, 5);
    const oneHot = Float32Array.from(tr.proba, (p) => (p > 0.5 ? 1 : 0));
    const input = { texts: tr.texts, k, dev: { texts: dev.texts, labels: dev.y } };
    const opts = { features: SMALL, maxEpochs: 3, seed: 3 };
    const once = await distill({ ...input, proba: oneHot }, opts);
    expect(once.candidates.map((c) => c.targets)).toEqual(['soft']);
    expect(once.targetsNote).toMatch(/^trained once: .*one-hot/);
    const twice = await distill({ ...input, proba: tr.proba }, opts);
    expect(twice.candidates.map((c) => c.targets)).toEqual(['soft', 'hard']);
    expect(twice.targetsNote).toBe(
      'trained twice: soft and hard targets differ on 120 of 120 training rows, and dev gold picks the better',
    );
    // The one run it skipped would have given the same model: same targets, same seed.
    const hard = await distill({ ...input, proba: oneHot }, { ...opts, targets: 'hard' });
    expect(Array.from(await predictProbaTf(hard.classifier.model, hard.trainFeatures))).toEqual(
      Array.from(await predictProbaTf(once.classifier.model, once.trainFeatures)),
    );
  });

  it('learns it from soft labels (held-out accuracy ≥ 0.95) and reports progress per epoch', async () => {
    const k = 3;
    const tr = makeTask(240, k, 1);
    const dev = makeTask(60, k, 2);
    const te = makeTask(200, k, 3);
    const epochs: { epoch: number; loss: number; targets: string }[] = [];
    const { classifier, train, candidates } = await distill(
      { texts: tr.texts, proba: tr.proba, k, classes: ['a', 'b', 'c'], dev: { texts: dev.texts, labels: dev.y } },
      { features: SMALL, maxEpochs: 8, seed: 3, onProgress: (e) => epochs.push(e) },
    );
    expect(acc(argmax(predictTexts(classifier, te.texts), k), te.y)).toBeGreaterThanOrEqual(0.95);
    expect(train.bestDevScore).toBeGreaterThanOrEqual(0.95);
    // targets 'auto' with dev labels: a soft run, then a hard run; the better dev score is kept.
    expect(candidates.map((c) => c.targets)).toEqual(['soft', 'hard']);
    const bestDev = Math.max(...candidates.map((c) => c.bestDevScore!));
    expect(train.bestDevScore).toBe(bestDev);
    expect(train.targets).toBe(candidates.find((c) => c.bestDevScore === bestDev)!.targets);
    const kept = epochs.filter((e) => e.targets === train.targets);
    expect(kept.length).toBe(train.history.length);
    expect(kept.map((e) => e.epoch)).toEqual(kept.map((_, i) => i + 1));
    expect(epochs.every((e) => Number.isFinite(e.loss))).toBe(true);
    expect(kept.at(-1)!.loss).toBeLessThan(kept[0].loss);
    // The default engine is the typed-array one; tfjs reports the backend it ran on.
    expect(train.backend).toBe(TYPED_BACKEND);
    const viaTf = await distill(
      { texts: tr.texts, proba: tr.proba, k, classes: ['a', 'b', 'c'], dev: { texts: dev.texts, labels: dev.y } },
      { features: SMALL, maxEpochs: 2, seed: 3, targets: 'soft', engine: 'tfjs' },
    );
    expect(viaTf.train.backend).toBe('wasm');
  });

  it('is deterministic for a seed; another seed shuffles differently', async () => {
    const k = 2;
    const tr = makeTask(120, k, 5);
    const opts = { features: SMALL, maxEpochs: 3 };
    const a = await distill({ texts: tr.texts, proba: tr.proba, k }, { ...opts, seed: 11 });
    const b = await distill({ texts: tr.texts, proba: tr.proba, k }, { ...opts, seed: 11 });
    const c = await distill({ texts: tr.texts, proba: tr.proba, k }, { ...opts, seed: 12 });
    expect(Array.from(a.classifier.model.weights)).toEqual(Array.from(b.classifier.model.weights));
    expect(Array.from(a.classifier.model.bias)).toEqual(Array.from(b.classifier.model.bias));
    expect(Array.from(a.classifier.model.weights)).not.toEqual(Array.from(c.classifier.model.weights));
  });

  it('learns only from rows where an LF voted', async () => {
    const k = 2;
    // Uncovered rows carry the opposite labels: if they were used, accuracy would collapse.
    const tr = makeTask(160, k, 8);
    const votes = new Int8Array(160).fill(-1);
    const proba = tr.proba.slice();
    for (let i = 0; i < 160; i++) {
      if (i % 2 === 0) votes[i] = tr.y[i];
      else for (let c = 0; c < k; c++) proba[i * k + c] = c === tr.y[i] ? 0 : 1;
    }
    const L = new LabelMatrix(160, k, [votes]);
    expect(Array.from(coveredRows(L))).toEqual(Array.from({ length: 80 }, (_, i) => 2 * i));
    // The column scan (no row index yet) and the row-index path give the same rows.
    const rnd = mulberry32(5);
    const cols = Array.from({ length: 4 }, () => Int8Array.from({ length: 300 }, () => (rnd() < 0.8 ? -1 : Math.floor(rnd() * k))));
    const scanned = coveredRows(new LabelMatrix(300, k, cols));
    const indexed = new LabelMatrix(300, k, cols);
    indexed.rows();
    expect(indexed.hasRowIndex()).toBe(true);
    expect(Array.from(coveredRows(indexed))).toEqual(Array.from(scanned));
    expect(scanned.length).toBe(Array.from({ length: 300 }, (_, i) => cols.some((c) => c[i] >= 0)).filter(Boolean).length);
    const { classifier } = await distill({ texts: tr.texts, proba, k, L }, { features: SMALL, maxEpochs: 6, seed: 0 });
    const te = makeTask(100, k, 9);
    expect(acc(argmax(predictTexts(classifier, te.texts), k), te.y)).toBeGreaterThanOrEqual(0.9);
  });

  it('stops when the signal aborts', async () => {
    const tr = makeTask(64, 2, 4);
    const ac = new AbortController();
    ac.abort();
    await expect(distill({ texts: tr.texts, proba: tr.proba, k: 2 }, { features: SMALL, signal: ac.signal })).rejects.toThrow(/abort/i);
  });

  it('rejects mismatched inputs with a clear sentence', async () => {
    await expect(distill({ texts: ['a b'], proba: new Float32Array(3), k: 2 })).rejects.toThrow(/expected 1 rows × 2 classes/);
    const empty: Csr = { n: 0, dim: 2, rowPtr: new Int32Array(1), indices: new Int32Array(0), values: new Float32Array(0) };
    await expect(trainLinear(empty, new Float32Array(0), 2)).rejects.toThrow(/no training rows/);
  });
});

describe('the sparse tfjs graph', () => {
  it('gather-with-scatter gradient equals the dense gradient, duplicate ids summed', async () => {
    const tf = getTf();
    const V = 6,
      k = 3;
    const ids = tf.tensor1d([1, 4, 1, 5, 4, 1], 'int32'); // row 0: slots 0-2, row 1: slots 3-5
    const M = tf.tensor2d([0.5, -1, 0.25, 0, 0, 0, 0, 0, 0, 2, 0.5, -0.75], [2, 6]);
    const dense = tf.tensor2d([0, 0.75, 0, 0, -1, 0, 0, -0.75, 0, 0, 0.5, 2], [2, V]); // the same rows, summed per id
    const W0 = tf.tensor2d(
      Array.from({ length: V * k }, (_, i) => Math.sin(i)),
      [V, k],
    );
    const b = tf.zeros([k]) as import('@tensorflow/tfjs').Tensor1D;
    const y = tf.tensor2d([0.2, 0.7, 0.1, 1, 0, 0], [2, k]);
    const loss = (logits: import('@tensorflow/tfjs').Tensor2D) => tf.losses.softmaxCrossEntropy(y, logits);
    const gSparse = tf.grad((W: import('@tensorflow/tfjs').Tensor) =>
      loss(batchLogits(tf, W as import('@tensorflow/tfjs').Tensor2D, b, ids, M)),
    )(W0);
    const gDense = tf.grad((W: import('@tensorflow/tfjs').Tensor) =>
      loss(tf.matMul(dense, W).add(b) as import('@tensorflow/tfjs').Tensor2D),
    )(W0);
    const a = await gSparse.data();
    const d = await gDense.data();
    expect(Math.max(...Array.from(d).map(Math.abs))).toBeGreaterThan(0.01);
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(d[i], 5);
    tf.dispose([ids, M, dense, W0, b, y, gSparse, gDense]);
  });

  it('tfjs predictions equal the pure typed-array path', async () => {
    const k = 3;
    const tr = makeTask(90, k, 21);
    const { classifier } = await distill({ texts: tr.texts, proba: tr.proba, k }, { features: SMALL, maxEpochs: 3, seed: 1 });
    const X = featurize(classifier, [...makeTask(40, k, 22).texts, '', 'zzz unseen']);
    const pure = predictProba(classifier.model, X);
    const viaTf = await predictProbaTf(classifier.model, X, 16);
    let max = 0;
    for (let i = 0; i < pure.length; i++) max = Math.max(max, Math.abs(pure[i] - viaTf[i]));
    expect(max).toBeLessThan(1e-5);
    // An empty row predicts softmax(b).
    const lastRows = pure.subarray(40 * k, 41 * k);
    const eb = Array.from(classifier.model.bias).map(Math.exp);
    const s = eb.reduce((x, y) => x + y, 0);
    for (let c = 0; c < k; c++) expect(lastRows[c]).toBeCloseTo(eb[c] / s, 5);
  });
});

describe('distill targets', () => {
  it("'hard' fits the argmax with Snorkel's tie rule; without dev labels 'auto' trains soft only", async () => {
    const k = 2;
    const tr = makeTask(100, k, 31);
    // Every row's probabilities say 0.6 for the wrong class: soft and hard both learn the flip.
    const proba = new Float32Array(200).map((_, j) => (j % 2 === tr.y[j >> 1] ? 0.4 : 0.6));
    const hard = await distill({ texts: tr.texts, proba, k }, { features: SMALL, maxEpochs: 6, seed: 0, targets: 'hard' });
    expect(hard.candidates.map((c) => c.targets)).toEqual(['hard']);
    const te = makeTask(80, k, 32);
    expect(acc(argmax(predictTexts(hard.classifier, te.texts), k), te.y)).toBeLessThanOrEqual(0.05);
    // Hard targets are one-hot, so the fit is far more confident than the 0.6 it was shown.
    const p = predictTexts(hard.classifier, te.texts);
    expect(Math.max(...Array.from(p))).toBeGreaterThan(0.9);
    const soft = await distill({ texts: tr.texts, proba, k }, { features: SMALL, maxEpochs: 6, seed: 0 });
    expect(soft.candidates.map((c) => c.targets)).toEqual(['soft']);
    expect(Math.max(...Array.from(predictTexts(soft.classifier, te.texts)))).toBeLessThan(0.8);
  });
});

describe('confidence weighting', () => {
  it('weighs rows by how far the top probability sits above uniform, mean 1', () => {
    const k = 4;
    // Rows 0–3: top 1, 0.625, 0.25 (uniform), 0.4375; row 4 is not trained on.
    const proba = [1, 0, 0, 0, 0.125, 0.625, 0.125, 0.125, 0.25, 0.25, 0.25, 0.25, 0.1875, 0.1875, 0.4375, 0.1875, 0.97, 0.01, 0.01, 0.01];
    const w = confidenceWeights(proba, k, [0, 1, 2, 3], 'confidence')!;
    // (k·max − 1)/(k − 1) = 1, 0.5, 0, 0.25 → sum 1.75 → scaled by 4/1.75.
    expect(Array.from(w)).toEqual([1, 0.5, 0, 0.25].map((v) => Math.fround((v * 4) / 1.75)));
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(4, 5);
    const wm = confidenceWeights(proba, k, [3, 0], 'max')!;
    expect(wm[0]).toBeCloseTo((0.4375 * 2) / 1.4375, 6);
    expect(wm[1]).toBeCloseTo(2 / 1.4375, 6);
    expect(confidenceWeights(proba, k, [0, 1], 'none')).toBeUndefined();
    // Nothing but uniform rows: no signal, equal weights.
    expect(confidenceWeights(proba, k, [2, 2], 'confidence')).toBeUndefined();
  });

  it('lets a confident label outvote an unsure contradicting one (equal pull without weighting)', async () => {
    const k = 2;
    // The same text 30 times as class 0 at 0.9 and 30 times as class 1 at 0.55; both hard labels.
    const texts = Array.from({ length: 60 }, () => 'spam offer now');
    const proba = new Float32Array(120).map((_, j) => (j >> 1 < 30 ? (j % 2 === 0 ? 0.9 : 0.1) : j % 2 === 0 ? 0.45 : 0.55));
    // Full batches, so every step sees both groups and the fit settles at the weighted optimum.
    const opts = { features: SMALL, maxEpochs: 30, batchSize: 60, seed: 0, targets: 'hard' as const };
    const weighted = predictTexts((await distill({ texts, proba, k }, opts)).classifier, ['spam offer now']);
    // Weights 0.8 vs 0.1: the optimum of the weighted loss is p(0) = 0.8/0.9.
    expect(weighted[0]).toBeGreaterThan(0.85);
    const flat = predictTexts((await distill({ texts, proba, k }, { ...opts, weighting: 'none' })).classifier, ['spam offer now']);
    expect(Math.abs(flat[0] - 0.5)).toBeLessThan(0.05);
  });
});

describe('distill input checks', () => {
  it('rejects training rows outside the texts', async () => {
    await expect(distill({ texts: ['a b', 'c d'], proba: new Float32Array(4), k: 2, rows: [0, 2] })).rejects.toThrow(
      /row 2 is outside the 2 texts/,
    );
  });
});
