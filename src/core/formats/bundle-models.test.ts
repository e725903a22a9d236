import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distill, predictTexts } from '../classifier/index.ts';
import { ShoalError } from '../types.ts';
import { readBundle, writeBundle, type ProjectBundle } from './bundle.ts';
import {
  decodeClassifier,
  decodeFloat32,
  decodeInt32,
  encodeClassifierArrays,
  encodeFloat32,
  encodeInt32,
  type BundleModels,
} from './bundle-models.ts';

describe('typed arrays in project files', () => {
  it('round-trip float32 and int32 through base64 exactly, and refuse a wrong length (seeded)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.float({ noNaN: true }), { maxLength: 50 }),
        fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { maxLength: 50 }),
        (fs, is) => {
          const f = Float32Array.from(fs);
          const i = Int32Array.from(is);
          expect(Array.from(decodeFloat32(encodeFloat32(f), f.length)!)).toEqual(Array.from(f));
          expect(Array.from(decodeInt32(encodeInt32(i), i.length)!)).toEqual(Array.from(i));
          expect(decodeFloat32(encodeFloat32(f), f.length + 1)).toBeNull();
        },
      ),
      { seed: 5, numRuns: 200 },
    );
  });
});

const texts = [
  'win free money now',
  'lunch at noon?',
  'free prize inside',
  'see you at lunch',
  'claim your free prize',
  'meeting notes attached',
];
const k = 2;

async function trained() {
  const proba = Float32Array.from(texts.flatMap((t) => (t.includes('free') ? [0.1, 0.9] : [0.8, 0.2])));
  const r = await distill({ texts, proba, k, classes: ['ham', 'spam'] }, { maxEpochs: 3, seed: 1, features: { buckets: 1024 } });
  return r.classifier;
}

function bundleWith(models: BundleModels | undefined, data = true): string {
  const b: Omit<ProjectBundle, 'format' | 'schemaVersion'> = {
    exportedAt: '2026-01-01T00:00:00.000Z',
    project: { name: 'p' },
    dataset: { name: 'd', fields: ['text'], textField: 'text', classes: ['ham', 'spam'], splitCounts: { train: 4, dev: 1, test: 1 } },
    settings: {},
    lfs: [
      {
        id: 'a',
        name: 'free',
        enabled: true,
        kind: 'keyword',
        label: 'spam',
        keywords: ['free'],
        mode: 'any',
        match: 'word',
        caseSensitive: false,
      },
    ],
    gold: { train: [], dev: [], test: [] },
    model: { labelModel: 'mv', classBalance: 'dev', seed: 1 },
    ...(data ? { data: { rows: texts.map((text) => ({ text })), split: ['train', 'train', 'train', 'train', 'dev', 'test'] } } : {}),
    ...(models ? { models } : {}),
  };
  return writeBundle(b);
}

const labelModel = (probs: Float32Array): NonNullable<BundleModels['labelModel']> => ({
  model: 'mv',
  summary: { model: 'mv', lfAccuracy: [0.9] },
  classBalance: [0.5, 0.5],
  balanceMode: 'dev',
  seed: 1,
  backend: 'typed-array',
  lfNames: ['free'],
  metrics: { devAccuracy: 1 },
  fittedAt: 1_700_000_000_000,
  probs: encodeFloat32(probs),
});

describe('models in a project file', () => {
  it('carries a trained classifier whose decoded copy predicts exactly as the original', async () => {
    const clf = await trained();
    const proba = { dev: Float32Array.from([0.7, 0.3]), test: Float32Array.from([0.4, 0.6]) };
    const arrays = encodeClassifierArrays(clf, proba);
    // The bucket map travels as its seen buckets only.
    expect(arrays.vocab.size).toBe(clf.vocab.size);
    const models: BundleModels = {
      classifier: {
        lfNames: ['free'],
        onFileLabelModel: false,
        labelModel: 'mv',
        settings: {},
        metrics: {},
        curve: [],
        bestEpoch: 1,
        targets: 'soft',
        trainRows: 6,
        backend: 'cpu',
        ms: 3,
        trainedAt: 1,
        ...arrays,
      },
    };
    const b = readBundle(bundleWith(models));
    const back = decodeClassifier(b.models!.classifier!, { k, rows: 6, dev: 1, test: 1, lfNames: new Set(['free']) }, ['ham', 'spam']);
    if ('message' in back) throw new Error(back.message);
    expect(Array.from(back.classifier.vocab.remap)).toEqual(Array.from(clf.vocab.remap));
    expect(Array.from(predictTexts(back.classifier, texts))).toEqual(Array.from(predictTexts(clf, texts)));
    expect(Array.from(back.proba.test)).toEqual([0.4000000059604645, 0.6000000238418579]);
  });

  it('refuses models that do not fit the file, naming the field', async () => {
    const probs = new Float32Array(12).fill(0.5);
    const err = (m: BundleModels | undefined, data = true): string => {
      try {
        readBundle(bundleWith(m, data));
      } catch (e) {
        expect(e).toBeInstanceOf(ShoalError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(readBundle(bundleWith({ labelModel: labelModel(probs) })).models?.labelModel?.lfNames).toEqual(['free']);
    expect(err({ labelModel: labelModel(probs.subarray(0, 10)) })).toMatch(
      /models\.labelModel\.probs must hold 6 rows × 2 classes of float32 probabilities/,
    );
    expect(err({ labelModel: labelModel(Float32Array.from(probs, (_, i) => (i === 3 ? NaN : 0.5))) })).toMatch(
      /models\.labelModel\.probs must hold probabilities between 0 and 1/,
    );
    expect(err({ labelModel: labelModel(Float32Array.from(probs, (_, i) => (i === 3 ? 1.5 : 0.5))) })).toMatch(/between 0 and 1/);
    expect(err({ labelModel: { ...labelModel(probs), lfNames: ['free', 'nope'] } })).toMatch(
      /models\.labelModel\.lfNames\[1\] must name an LF of this file, not "nope"/,
    );
    expect(err({ labelModel: { ...labelModel(probs), model: 'magic' as 'mv' } })).toMatch(
      /models\.labelModel\.model must be one of "auto", "mv", "metal", "ds", "triplet", "wmv", not "magic"/,
    );
    expect(err({ labelModel: { ...labelModel(probs), probs: 'not base64!' } })).toMatch(/models\.labelModel\.probs must be base64 text/);
    expect(err({ labelModel: { ...labelModel(probs), summary: { model: 'mv', lfAccuracy: [0.9, 0.8] } } })).toMatch(
      /models\.labelModel\.summary\.lfAccuracy must have one number per LF in lfNames \(1\), not 2/,
    );
    expect(err({ labelModel: { ...labelModel(probs), classBalance: [1] } })).toMatch(
      /models\.labelModel\.classBalance must have one number per class \(2\), not 1/,
    );
    expect(err({ labelModel: labelModel(probs) }, false)).toMatch(/^this project file's models must come with the data/);
    const clf = await trained();
    const arrays = encodeClassifierArrays(clf, { dev: new Float32Array(2), test: new Float32Array(2) });
    const c = {
      lfNames: ['free'],
      onFileLabelModel: false,
      labelModel: 'mv',
      settings: {},
      metrics: {},
      curve: [],
      bestEpoch: 1,
      targets: 'soft' as const,
      trainRows: 6,
      backend: 'cpu',
      ms: 3,
      trainedAt: 1,
      ...arrays,
    };
    expect(err({ classifier: { ...c, vocab: { ...c.vocab, seen: encodeInt32(new Int32Array(c.vocab.size - 1).fill(3)) } } })).toMatch(
      /models\.classifier\.vocab\.seen must list buckets below 1024 in increasing order/,
    );
    expect(err({ classifier: { ...c, weights: encodeFloat32(new Float32Array(4)) } })).toMatch(
      /models\.classifier\.weights must hold \d+ × 2 finite float32 weights/,
    );
    expect(err({ classifier: { ...c, proba: { ...c.proba, test: encodeFloat32(new Float32Array(4)) } } })).toMatch(
      /models\.classifier\.proba\.test must hold 1 test rows × 2 classes/,
    );
  });
});
