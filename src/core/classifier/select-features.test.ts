import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.ts';
import { mulberry32 } from '../rng.ts';
import { distill } from './index.ts';
import { brierRows, describeFeatures, distillChoosingFeatures, pairedDifference } from './select-features.ts';

/**
 * Two classes told apart only by a word piece: class 1 words end in "zq", class 0 words in "xv",
 * and every word occurs once, so a test text shares no whole word with training but shares its
 * pieces. Word n-grams alone cannot generalise; char n-grams can.
 */
function pieceTask(n: number, seed: number, offset: number) {
  const rng = mulberry32(seed);
  const texts: string[] = [];
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng() < 0.5 ? 1 : 0;
    y[i] = c;
    const words = Array.from({ length: 3 }, (_, j) => `w${offset + i * 3 + j}${c ? 'zq' : 'xv'}`);
    texts.push(words.join(' '));
  }
  const proba = Float32Array.from({ length: n * 2 }, (_, q) => ((q & 1) === y[q >> 1] ? 0.9 : 0.1));
  return { texts, y, proba };
}

const FEATURES = { buckets: 1 << 12 };

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

describe('distillChoosingFeatures', () => {
  const tr = pieceTask(200, 1, 0);
  const dev = pieceTask(60, 2, 10_000);
  const input = { texts: tr.texts, proba: tr.proba, k: 2, dev: { texts: dev.texts, labels: dev.y } };
  const opts = { features: FEATURES, maxEpochs: 8, seed: 5 };

  it('keeps the char candidate when dev gold says it is better, and names what it tried', async () => {
    const r = await distillChoosingFeatures(input, opts, [{ charNgrams: [1, 3] }]);
    expect(r.featureChoice.candidates.map((c) => c.features)).toEqual(['word 1–2', 'word 1–2 + char 1–3 ×0.3']);
    expect(r.featureChoice.chosen).toBe(1);
    expect(r.classifier.features.charNgrams).toEqual([1, 3]);
    expect(r.featureChoice.candidates[1].bestDevScore!).toBeGreaterThan(r.featureChoice.candidates[0].bestDevScore!);
    // Beaten beyond one paired standard error of the difference, not merely on the point score.
    expect(r.featureChoice.candidates[0].tied).toBe(false);
    expect(r.featureChoice.candidates[0].se).toBeGreaterThan(0);
    expect(r.featureChoice.candidates[1].devBrier!).toBeLessThan(
      r.featureChoice.candidates[0].devBrier! - r.featureChoice.candidates[0].se!,
    );
    expect(r.featureChoice.note).toBe(
      'trained 2 featurizations; the first is kept unless another lowers the dev Brier score by more than one standard error',
    );
  });

  it('is deterministic for a seed', async () => {
    const a = await distillChoosingFeatures(input, opts, [{ charNgrams: [1, 3] }]);
    const b = await distillChoosingFeatures(input, opts, [{ charNgrams: [1, 3] }]);
    expect(b.featureChoice).toEqual({
      ...a.featureChoice,
      candidates: a.featureChoice.candidates.map((c) => ({ ...c, ms: expect.any(Number) })),
    });
    expect(b.classifier.model.weights).toEqual(a.classifier.model.weights);
  });

  it('on a dev tie keeps the first (the caller’s) featurization', async () => {
    // The same spec twice ties exactly (training is deterministic per seed): the first stays.
    const r = await distillChoosingFeatures(input, opts, [{ ...FEATURES }]);
    expect(r.featureChoice.candidates).toHaveLength(2);
    expect(r.featureChoice.candidates[1].bestDevScore).toBe(r.featureChoice.candidates[0].bestDevScore);
    expect(r.featureChoice.candidates.map((c) => c.tied)).toEqual([true, true]);
    expect(r.featureChoice.chosen).toBe(0);
  });

  it('trains only the first without dev labels or above the row limit, and is then plain distill', async () => {
    const noDev = await distillChoosingFeatures({ ...input, dev: undefined }, opts, [{ charNgrams: [1, 3] }]);
    expect(noDev.featureChoice.candidates).toHaveLength(1);
    expect(noDev.featureChoice.note).toMatch(/no dev labels/);
    const big = await distillChoosingFeatures(input, opts, [{ charNgrams: [1, 3] }], 100);
    expect(big.featureChoice.candidates).toHaveLength(1);
    expect(big.featureChoice.note).toBe('trained one featurization: 200 training rows, above the 100 up to which char n-grams are tried');
    const plain = await distill(input, opts);
    expect(big.classifier.model.weights).toEqual(plain.classifier.model.weights);
  });

  it('scores dev rows by their Brier score and compares candidates row by row', () => {
    // Rows: gold 0 at p = (0.8, 0.2); gold 1 at (0.5, 0.5); an unlabelled row (−1) is skipped.
    const b = brierRows(Float32Array.of(0.8, 0.2, 0.5, 0.5, 0.1, 0.9), Int32Array.of(0, 1, -1), 2);
    expect(Array.from(b)).toEqual([expect.closeTo(0.08, 6), expect.closeTo(0.5, 6)]);
    const { mean, se } = pairedDifference(Float64Array.of(0.5, 0.3, 0.4), Float64Array.of(0.2, 0.2, 0.1));
    // Differences 0.3, 0.1, 0.3: mean 0.7/3, sample SD √(0.08/3 / 2)… over √3.
    expect(mean).toBeCloseTo(0.7 / 3, 12);
    const sd = Math.sqrt(((0.3 - 0.7 / 3) ** 2 * 2 + (0.1 - 0.7 / 3) ** 2) / 2);
    expect(se).toBeCloseTo(sd / Math.sqrt(3), 12);
  });

  it('describes feature specs in words', () => {
    expect(describeFeatures({ buckets: 2, wordNgrams: [1, 2], charNgrams: [0, 0], sublinearTf: true, charWeight: 0.3 })).toBe('word 1–2');
    expect(describeFeatures({ buckets: 2, wordNgrams: [0, 0], charNgrams: [2, 4], sublinearTf: true, charWeight: 1 })).toBe('char 2–4 ×1');
  });
});
