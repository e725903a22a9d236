import * as ort from 'onnxruntime-web';
import onnxProto from 'onnx-proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.ts';
import { mulberry32 } from '../rng.ts';
import { distill, exportOnnx, hashTexts, onnxInputs, onnxSidecar, predictOnnx, predictProbaTf, predictTexts, transform } from './index.ts';
import { murmur3 } from './hash.ts';

function corpus(n: number, seed: number) {
  const rng = mulberry32(seed);
  const words = [
    'free',
    'win',
    'cash',
    'prize',
    'call',
    'now',
    'meeting',
    'lunch',
    'tomorrow',
    'thanks',
    'see',
    'you',
    'Ünïcode',
    'naïve',
    '日本',
  ];
  const texts: string[] = [];
  const proba = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const len = 1 + Math.floor(rng() * 12);
    texts.push(Array.from({ length: len }, () => words[Math.floor(rng() * words.length)]).join(rng() < 0.2 ? ', ' : ' '));
    const a = rng(),
      b = rng() * (1 - a);
    proba.set([a, b, 1 - a - b], i * 3);
  }
  return { texts, proba };
}

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

describe('ONNX export', () => {
  it('onnxruntime-web reproduces the tfjs probabilities within 1e-5', async () => {
    const tr = corpus(150, 1);
    const features = { buckets: 1 << 14, wordNgrams: [1, 2] as const, charNgrams: [2, 4] as const, charWeight: 0.3 };
    const { classifier } = await distill(
      { texts: tr.texts, proba: tr.proba, k: 3, classes: ['spam', 'ham', 'other'] },
      { features, maxEpochs: 4, seed: 2 },
    );
    // Unseen words, an empty row, punctuation only, and rows much longer than the others.
    const texts = [...corpus(70, 9).texts, '', '?!', 'never seen before words', corpus(1, 3).texts[0].repeat(40)];
    const raw = hashTexts(texts, classifier.features);
    const viaTf = await predictProbaTf(classifier.model, transform(raw, classifier.vocab));
    const bytes = exportOnnx(classifier);
    const viaOnnx = await predictOnnx(ort, bytes, raw, 3, 32); // several batches, each padded differently
    expect(viaOnnx.length).toBe(texts.length * 3);
    let max = 0;
    for (let i = 0; i < viaTf.length; i++) max = Math.max(max, Math.abs(viaTf[i] - viaOnnx[i]));
    expect(max).toBeLessThanOrEqual(1e-5);
    // The model is not trivial: predictions differ between rows.
    expect(new Set(Array.from(viaOnnx.subarray(0, 30)).map((v) => v.toFixed(3))).size).toBeGreaterThan(5);
  });

  it('a hash size sized to the corpus travels in the classifier, the sidecar and the graph', async () => {
    // 2,400 texts of 80 fresh random words: ≈ 190k distinct unigrams + 190k bigrams, more than 2^18.
    const rng = mulberry32(21);
    const word = () => 'w' + Math.floor(rng() * 2 ** 40).toString(36);
    const texts = Array.from({ length: 2400 }, () => Array.from({ length: 80 }, word).join(' '));
    const proba = Float32Array.from({ length: texts.length * 2 }, (_, i) => (i % 2 === 0 ? 0.3 : 0.7));
    const big = await distill({ texts, proba, k: 2 }, { maxEpochs: 1, seed: 1 });
    expect(big.classifier.features.buckets).toBe(1 << 19);
    expect(big.classifier.vocab.buckets).toBe(1 << 19);
    expect(onnxSidecar(big.classifier).featurization.buckets).toBe(1 << 19);
    // The same texts under an explicit size keep it; a small corpus keeps the default 2^18.
    const fixed = await distill(
      { texts: texts.slice(0, 50), proba: proba.slice(0, 100), k: 2 },
      { maxEpochs: 1, features: { buckets: 1 << 12 } },
    );
    expect(fixed.classifier.features.buckets).toBe(1 << 12);
    const tr = corpus(40, 4);
    expect((await distill({ texts: tr.texts, proba: tr.proba, k: 3 }, { maxEpochs: 1 })).classifier.features.buckets).toBe(1 << 18);
    // onnxruntime-web on the exported graph agrees with the pure path, for seen and unseen text.
    const probe = [...texts.slice(0, 20), 'w1 w2 never seen', texts[5].split(' ').slice(3, 9).join(' ')];
    const raw = hashTexts(probe, big.classifier.features);
    expect(raw.dim).toBe(1 << 19);
    const viaOnnx = await predictOnnx(ort, exportOnnx(big.classifier), raw, 2);
    const pure = predictTexts(big.classifier, probe);
    let max = 0;
    for (let i = 0; i < pure.length; i++) max = Math.max(max, Math.abs(pure[i] - viaOnnx[i]));
    expect(max).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(pure[0] - pure[1])).toBeGreaterThan(1e-3); // a non-trivial model
  });

  it('is a well-formed opset-17 model whose inputs and outputs the sidecar describes', async () => {
    const tr = corpus(40, 4);
    const { classifier } = await distill({ texts: tr.texts, proba: tr.proba, k: 3 }, { features: { buckets: 1 << 10 }, maxEpochs: 1 });
    const bytes = exportOnnx(classifier);
    const m = onnxProto.onnx.ModelProto.decode(bytes);
    expect(Number(m.opsetImport[0].version)).toBe(17);
    expect(m.graph?.input?.map((i) => i.name)).toEqual(['indices', 'values']);
    expect(m.graph?.output?.map((o) => o.name)).toEqual(['probabilities', 'logits']);
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['indices', 'values']);
    await session.release();

    const side = onnxSidecar(classifier);
    expect(side.classes).toEqual(['0', '1', '2']);
    expect(side.featurization.buckets).toBe(1 << 10);
    expect(new RegExp(side.featurization.token_pattern, side.featurization.token_flags).test('ab')).toBe(true);
    expect(JSON.parse(JSON.stringify(side))).toEqual(side);
  });

  it('the sidecar recipe, re-implemented from its text, gives the graph inputs', () => {
    const spec = { buckets: 1 << 16, wordNgrams: [1, 1] as const, charNgrams: [0, 0] as const, sublinearTf: true, charWeight: 1 };
    const raw = hashTexts(['Win win cash'], spec);
    const x = onnxInputs(raw);
    const h = (g: string) => murmur3(g, 0);
    const want = new Map([
      [Math.abs(h('win')) % spec.buckets, (1 + Math.log(2)) * Math.sign(h('win') || 1)],
      [Math.abs(h('cash')) % spec.buckets, Math.sign(h('cash') || 1)],
    ]);
    expect(x.dims).toEqual([1, 2]);
    for (let q = 0; q < 2; q++) expect(x.values[q]).toBeCloseTo(want.get(Number(x.indices[q]))!, 6);
  });

  it('pads rows with value 0 to a common width', () => {
    const raw = hashTexts(['one two three', '', 'four'], {
      buckets: 1 << 12,
      wordNgrams: [1, 1],
      charNgrams: [0, 0],
      sublinearTf: true,
      charWeight: 1,
    });
    const x = onnxInputs(raw);
    expect(x.dims).toEqual([3, 3]);
    expect(Array.from(x.values.subarray(3, 6))).toEqual([0, 0, 0]);
    expect(Array.from(x.values.subarray(7, 9))).toEqual([0, 0]);
    expect(onnxInputs(raw, 1, 2).dims).toEqual([1, 1]);
  });
});
