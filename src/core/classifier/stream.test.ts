import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../backend.ts';
import { mulberry32, deriveSeed, permutation } from '../rng.ts';
import { distillStream } from './distill-stream.ts';
import {
  type Csr,
  corpusBuckets,
  DEFAULT_FEATURES,
  fitVocabulary,
  hashScratch,
  hashTexts,
  occupiedBuckets,
  selectRows,
  transform,
} from './featurize.ts';
import { distill, exportOnnx, predictOnnx, predictProbaTf, predictTexts } from './index.ts';
import { arrayTextSource, budgetSample, featurizeStream, sampleNote, type TextSource } from './stream.ts';

/** Documents of 2–40 words from a 300-word vocabulary, with two classes that lean on different words. */
function corpus(n: number, seed: number) {
  const rng = mulberry32(seed);
  const words = Array.from({ length: 300 }, (_, j) => `w${j}`);
  const texts: string[] = [];
  const y = new Int32Array(n);
  const proba = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    const c = rng() < 0.4 ? 1 : 0;
    y[i] = c;
    const len = 2 + Math.floor(rng() * 39);
    const ws: string[] = [];
    for (let t = 0; t < len; t++) ws.push(words[Math.floor(rng() * (c && rng() < 0.3 ? 150 : 300))]);
    if (c) ws.push('signal');
    texts.push(ws.join(' '));
    const p = c ? 0.75 : 0.3;
    proba.set([1 - p, p], i * 2);
  }
  return { texts, y, proba };
}

function expectSameCsr(a: Csr, b: Csr): void {
  expect(a.n).toBe(b.n);
  expect(a.dim).toBe(b.dim);
  expect(Array.from(a.rowPtr)).toEqual(Array.from(b.rowPtr));
  expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
  expect(Array.from(a.values)).toEqual(Array.from(b.values));
}

/** The in-memory path: every text hashed at once, the vocabulary fitted, the training rows selected. */
function inMemory(texts: string[], rows: ArrayLike<number>, buckets?: number) {
  let features = { ...DEFAULT_FEATURES, buckets: buckets ?? DEFAULT_FEATURES.buckets };
  let raw = hashTexts(texts, features);
  if (buckets === undefined) {
    const b = corpusBuckets(occupiedBuckets(raw));
    if (b !== features.buckets) {
      features = { ...features, buckets: b };
      raw = hashTexts(texts, features);
    }
  }
  const vocab = fitVocabulary(raw);
  return { features, vocab, raw, Xtr: selectRows(transform(raw, vocab), rows) };
}

/** Counts the slices read, to tell the passes apart. */
function counting(texts: string[], sliceRows: number): TextSource & { reads: number } {
  const inner = arrayTextSource(texts, sliceRows);
  const src = {
    n: inner.n,
    reads: 0,
    slices(signal?: AbortSignal) {
      src.reads++;
      return inner.slices(signal);
    },
  };
  return src;
}

beforeAll(async () => {
  await selectBackend({ force: 'wasm' });
});

describe('hashTexts into reused buffers', () => {
  it('gives the same rows as fresh buffers, call after call, growing them when a slice needs more', () => {
    const { texts } = corpus(300, 11);
    const scratch = hashScratch();
    scratch.indices = new Int32Array(8);
    scratch.values = new Float32Array(8);
    // The per-row sort keys and the n-gram buffers (grams.ts) start small too.
    scratch.order = new Float64Array(2);
    Object.assign(scratch.grams, {
      bytes: new Uint8Array(4),
      hashes: new Int32Array(2),
      counts: new Int32Array(2),
      tabHash: new Int32Array(2),
    });
    for (const [a, b] of [
      [0, 5],
      [5, 200],
      [200, 201],
      [201, 300],
    ]) {
      const spec = { ...DEFAULT_FEATURES, buckets: 1 << 12, charNgrams: [2, 3] as const };
      expectSameCsr(hashTexts(texts.slice(a, b), spec, scratch), hashTexts(texts.slice(a, b), spec));
    }
    expect(scratch.indices.length).toBeGreaterThan(8);
  });
});

describe('streamed featurization under the budget', () => {
  it('gives exactly the in-memory features, vocabulary and hash size, whatever the slice size, in one pass', async () => {
    const { texts } = corpus(500, 1);
    const rows = Uint32Array.from({ length: 500 }, (_, i) => i).filter((i) => i % 3 !== 0);
    const want = inMemory(texts, rows);
    for (const size of [1, 7, 64, 1000]) {
      const src = counting(texts, size);
      const got = await featurizeStream(src, rows);
      expect(src.reads).toBe(1);
      expect(got.passes).toBe(1);
      expect(got.sample).toBeUndefined();
      expect(got.features).toEqual(want.features);
      expect(got.vocab.size).toBe(want.vocab.size);
      expect(Array.from(got.vocab.remap)).toEqual(Array.from(want.vocab.remap));
      expect(Array.from(got.vocab.idf)).toEqual(Array.from(want.vocab.idf));
      expect(Array.from(got.rows)).toEqual(Array.from(rows));
      expectSameCsr(got.Xtr, want.Xtr);
    }
  });

  it('keeps the rows in the order given, duplicates included', async () => {
    const { texts } = corpus(200, 2);
    const rows = [150, 3, 3, 77, 0, 199, 12];
    const got = await featurizeStream(arrayTextSource(texts, 16), rows, { features: { buckets: 1 << 12 } });
    expectSameCsr(got.Xtr, inMemory(texts, rows, 1 << 12).Xtr);
    expect(Array.from(got.rows)).toEqual(rows);
  });

  it('fills the larger table corpusBuckets picks from the n-grams hashed once, as distill does; rereads only when they did not fit', async () => {
    // 4,000 texts of 40 random words out of 200k: far more distinct 1–2-grams than 2^18 buckets hold.
    const rng = mulberry32(9);
    const texts = Array.from({ length: 4000 }, () => Array.from({ length: 40 }, () => `t${Math.floor(rng() * 200_000)}`).join(' '));
    const rows = Uint32Array.from({ length: 4000 }, (_, i) => i);
    const want = inMemory(texts, rows);
    expect(want.features.buckets).toBeGreaterThan(DEFAULT_FEATURES.buckets);
    const src = counting(texts, 500);
    const got = await featurizeStream(src, rows);
    expect(got.passes).toBe(1);
    expect(src.reads).toBe(1);
    expect(got.features.buckets).toBe(want.features.buckets);
    expectSameCsr(got.Xtr, want.Xtr);
    // A budget the hashed n-grams (≈ 316k entries) do not fit: the texts are hashed again into the
    // larger table, and the sample's rows are those of the in-memory path.
    const small = counting(texts, 500);
    const sampled = await featurizeStream(small, rows, { budget: 100_000 });
    expect(sampled.sample).toBeDefined();
    expect(sampled.passes).toBe(3);
    expect(small.reads).toBe(3);
    expect(sampled.features.buckets).toBe(want.features.buckets);
    expectSameCsr(sampled.Xtr, selectRows(transform(want.raw, want.vocab), sampled.rows));
  });
});

describe('the feature budget', () => {
  it('keeps the longest prefix of the seeded shuffle that fits, at least one row, in the order given', () => {
    const entries = Int32Array.from([5, 1, 9, 4, 4, 7, 2, 3]);
    const rows = [0, 2, 3, 5, 6, 7];
    expect(budgetSample(rows, entries, 100, 1)).toEqual({ kept: Uint32Array.from([0, 1, 2, 3, 4, 5]), total: 30 });
    const order = permutation(rows.length, mulberry32(deriveSeed(4, 'classifier/sample')));
    const { kept, total } = budgetSample(rows, entries, 12, 4);
    expect(total).toBe(30);
    let sum = 0;
    let m = 0;
    while (m < order.length && sum + entries[rows[order[m]]] <= 12) sum += entries[rows[order[m++]]];
    expect(Array.from(kept)).toEqual(Array.from(order.subarray(0, Math.max(1, m))).sort((a, b) => a - b));
    // A budget below every row still keeps the first row of the shuffle.
    expect(Array.from(budgetSample(rows, entries, 1, 4).kept)).toEqual([order[0]]);
  });

  it('samples the training rows to fit, with the vocabulary of every text and their exact features', async () => {
    const { texts } = corpus(600, 3);
    const rows = Uint32Array.from({ length: 600 }, (_, i) => i).filter((i) => i % 4 !== 1);
    const full = inMemory(texts, rows, 1 << 12);
    const entries = Int32Array.from({ length: 600 }, (_, i) => full.raw.rowPtr[i + 1] - full.raw.rowPtr[i]);
    let all = 0;
    for (const r of rows) all += entries[r];
    const budget = Math.floor(all / 3);
    // Below the budget the last pass's rows are not kept, so a third read featurizes the sample.
    const src = counting(texts, 50);
    const got = await featurizeStream(src, rows, { features: { buckets: 1 << 12 }, budget, seed: 5 });
    expect(got.passes).toBe(2);
    expect(src.reads).toBe(2);
    const { kept } = budgetSample(rows, entries, budget, 5);
    const keptRows = Array.from(kept, (t) => rows[t]);
    expect(Array.from(got.rows)).toEqual(keptRows);
    let used = 0;
    for (const r of keptRows) used += entries[r];
    expect(used).toBeLessThanOrEqual(budget);
    expect(got.Xtr.indices.length).toBe(used);
    expect(got.sample).toEqual({ rows: keptRows.length, of: rows.length, entries: all, budget, texts: 600 });
    expect(Array.from(got.vocab.idf)).toEqual(Array.from(full.vocab.idf));
    expectSameCsr(got.Xtr, selectRows(transform(full.raw, full.vocab), keptRows));
    expect(sampleNote(got.sample!)).toBe(
      `trained on a seeded random sample of ${keptRows.length} of ${rows.length} training rows: all of them would hold ` +
        `${all.toLocaleString('en-US')} hashed n-gram entries, over the memory budget of ${budget.toLocaleString('en-US')} ` +
        `(the vocabulary still comes from all 600 texts)`,
    );
  });

  it('samples from the rows the pass kept when the distinct rows fit but their repeats do not', async () => {
    const { texts } = corpus(100, 4);
    const rows = [...Array.from({ length: 100 }, (_, i) => i), ...Array.from({ length: 100 }, (_, i) => i)];
    const full = inMemory(texts, rows, 1 << 12);
    const budget = full.raw.indices.length; // every distinct row fits once, not twice
    const src = counting(texts, 30);
    const got = await featurizeStream(src, rows, { features: { buckets: 1 << 12 }, budget, seed: 2 });
    expect(src.reads).toBe(1);
    expect(got.sample?.of).toBe(200);
    const entries = Int32Array.from({ length: 100 }, (_, i) => full.raw.rowPtr[i + 1] - full.raw.rowPtr[i]);
    const keptRows = Array.from(budgetSample(rows, entries, budget, 2).kept, (t) => rows[t]);
    expect(Array.from(got.rows)).toEqual(keptRows);
    expectSameCsr(got.Xtr, selectRows(transform(full.raw, full.vocab), keptRows));
  });

  it('rejects a budget that is not a positive integer, and stops when cancelled', async () => {
    const { texts } = corpus(50, 5);
    await expect(featurizeStream(arrayTextSource(texts), [0], { budget: 0 })).rejects.toThrow(/feature budget must be a positive integer/);
    await expect(featurizeStream(arrayTextSource(texts), [50])).rejects.toThrow(/training row 50 is outside the 50 texts/);
    const ac = new AbortController();
    const p = featurizeStream(arrayTextSource(texts, 5), [0, 1], {
      signal: ac.signal,
      onProgress: (f) => {
        if (f > 0.3) ac.abort();
      },
    });
    await expect(p).rejects.toThrow(/abort/i);
  });
});

describe('distillStream', () => {
  it('trains the same model as distill under the budget (same weights, bit for bit)', async () => {
    const tr = corpus(400, 6);
    const dev = corpus(80, 7);
    const rows = Uint32Array.from({ length: 400 }, (_, i) => i).filter((i) => i % 5 !== 0);
    const opts = { maxEpochs: 4, seed: 3, features: { charNgrams: [2, 3] as const } };
    const a = await distill({ texts: tr.texts, proba: tr.proba, k: 2, rows, dev: { texts: dev.texts, labels: dev.y } }, opts);
    const b = await distillStream(
      { source: arrayTextSource(tr.texts, 33), proba: tr.proba, k: 2, rows, dev: { source: arrayTextSource(dev.texts, 9), labels: dev.y } },
      opts,
    );
    expect(b.sample).toBeUndefined();
    expect(b.sampleNote).toBeUndefined();
    expect(b.trainRows).toBe(rows.length);
    expect(b.candidates.map((c) => [c.targets, c.bestDevScore, c.bestEpoch])).toEqual(
      a.candidates.map((c) => [c.targets, c.bestDevScore, c.bestEpoch]),
    );
    expect(b.classifier.features).toEqual(a.classifier.features);
    expect(Array.from(b.classifier.model.weights)).toEqual(Array.from(a.classifier.model.weights));
    expect(Array.from(b.classifier.model.bias)).toEqual(Array.from(a.classifier.model.bias));
  });

  it('over the budget: trains on the sample, says so, and its ONNX export matches its predictions', async () => {
    const tr = corpus(400, 8);
    const rows = Uint32Array.from({ length: 400 }, (_, i) => i);
    const res = await distillStream(
      { source: arrayTextSource(tr.texts, 64), proba: tr.proba, k: 2, rows },
      { maxEpochs: 3, seed: 1, featureBudget: 2000, features: { buckets: 1 << 12 } },
    );
    expect(res.sample).toBeDefined();
    expect(res.trainRows).toBe(res.sample!.rows);
    expect(res.trainRows).toBeLessThan(400);
    expect(res.sampleNote).toBe(sampleNote(res.sample!));
    expect(res.sampleNote).toMatch(/^trained on a seeded random sample of \d+ of 400 training rows/);
    // The same sample trained by distill on those rows gives the same model.
    const { kept } = budgetSample(
      rows,
      Int32Array.from({ length: 400 }, (_, i) => hashTexts([tr.texts[i]], { ...DEFAULT_FEATURES, buckets: 1 << 12 }).indices.length),
      2000,
      1,
    );
    const direct = await distill(
      { texts: tr.texts, proba: tr.proba, k: 2, rows: kept },
      { maxEpochs: 3, seed: 1, features: { buckets: 1 << 12 } },
    );
    expect(Array.from(res.classifier.model.weights)).toEqual(Array.from(direct.classifier.model.weights));
    const probe = tr.texts.slice(0, 30);
    const raw = hashTexts(probe, res.classifier.features);
    const viaOnnx = await predictOnnx(ort, exportOnnx(res.classifier), raw, 2);
    const inApp = predictTexts(res.classifier, probe);
    const viaTf = await predictProbaTf(res.classifier.model, transform(raw, res.classifier.vocab));
    for (let i = 0; i < inApp.length; i++) {
      expect(Math.abs(viaOnnx[i] - inApp[i])).toBeLessThan(1e-5);
      expect(Math.abs(viaTf[i] - inApp[i])).toBeLessThan(1e-5);
    }
  });
});
