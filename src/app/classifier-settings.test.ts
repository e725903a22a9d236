// The distilled classifier's settings: defaults follow core, validation names the field and
// the rule, stored/bundled settings of any age read back, and the project bundle carries them
// through export → import unchanged (and older bundles without them still import).
import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURES, TRAIN_DEFAULTS } from '../core/classifier/index.ts';
import { readBundle, writeBundle } from '../core/formats/bundle.ts';
import {
  classifierTrainOptions,
  defaultClassifierSettings,
  readClassifierSettings,
  validateClassifierSettings,
  type ClassifierSettings,
} from './model-report.ts';

const bundleWith = (model: Record<string, unknown>) =>
  writeBundle({
    exportedAt: '2024-01-01T00:00:00.000Z',
    project: { name: 'p' },
    dataset: { name: 'd', fields: ['text'], textField: 'text', classes: ['ham', 'spam'], splitCounts: { train: 1, dev: 0, test: 0 } },
    settings: {},
    lfs: [],
    gold: { train: [], dev: [], test: [] },
    model: model as never,
  });

describe('classifier settings', () => {
  it("defaults to core's featurization and training defaults, and they validate", () => {
    const d = defaultClassifierSettings();
    // Left to core, which sizes the hash to the corpus (DEFAULT_FEATURES.buckets when small).
    expect(d.buckets).toBe('auto');
    expect(classifierTrainOptions(d).features).not.toHaveProperty('buckets');
    expect(d.wordNgrams).toEqual([...DEFAULT_FEATURES.wordNgrams]);
    expect(d.charNgrams).toEqual([...DEFAULT_FEATURES.charNgrams]);
    expect(d.maxEpochs).toBe(TRAIN_DEFAULTS.maxEpochs);
    expect(d.learningRate).toBe(TRAIN_DEFAULTS.learningRate);
    expect(d.l2).toBe(TRAIN_DEFAULTS.l2);
    expect(validateClassifierSettings(d)).toEqual({});
  });

  it('names each unusable field with its rule', () => {
    const bad: ClassifierSettings = {
      ...defaultClassifierSettings(),
      wordNgrams: [2, 1],
      charNgrams: [0, 9],
      buckets: 1000,
      maxEpochs: 0,
      patience: 1.5,
      learningRate: 0,
      l2: -1,
      seed: -3,
      charWeight: 0,
    };
    const e = validateClassifierSettings(bad);
    expect(Object.keys(e).sort()).toEqual(
      ['buckets', 'charNgrams', 'charWeight', 'l2', 'learningRate', 'maxEpochs', 'patience', 'seed', 'wordNgrams'].sort(),
    );
    expect(e.wordNgrams).toMatch(/1 ≤ from ≤ to ≤ 8/);
    expect(e.buckets).toMatch(/power of two/);
    // No features at all is refused; char n-grams alone are fine.
    expect(validateClassifierSettings({ ...defaultClassifierSettings(), wordNgrams: [0, 0] }).wordNgrams).toMatch(/no features/);
    expect(validateClassifierSettings({ ...defaultClassifierSettings(), wordNgrams: [0, 0], charNgrams: [2, 4] })).toEqual({});
  });

  it('reads stored settings of any age: valid fields kept, the rest default', () => {
    expect(readClassifierSettings(undefined)).toEqual(defaultClassifierSettings());
    expect(readClassifierSettings({ targets: 'hard', maxEpochs: 20 })).toEqual({
      ...defaultClassifierSettings(),
      targets: 'hard',
      maxEpochs: 20,
    });
    expect(readClassifierSettings({ learningRate: 'fast', l2: 0.01, buckets: 77 })).toEqual({ ...defaultClassifierSettings(), l2: 0.01 });
    // A size chosen before 'auto' existed (2^18 was the default then) stays what it was.
    expect(readClassifierSettings({ buckets: DEFAULT_FEATURES.buckets }).buckets).toBe(DEFAULT_FEATURES.buckets);
    expect(readClassifierSettings({ buckets: 'auto' }).buckets).toBe('auto');
    expect(readClassifierSettings({ buckets: 'big' }).buckets).toBe('auto');
    expect(readClassifierSettings({ wordNgrams: [0, 0], charNgrams: [3, 5] })).toMatchObject({ wordNgrams: [0, 0], charNgrams: [3, 5] });
  });

  it('maps to the train worker options core understands', () => {
    const s: ClassifierSettings = {
      ...defaultClassifierSettings(),
      wordNgrams: [1, 3],
      charNgrams: [2, 4],
      buckets: 2 ** 16,
      learningRate: 0.5,
      l2: 1e-4,
      patience: 7,
      seed: 9,
    };
    expect(classifierTrainOptions(s)).toEqual({
      features: { buckets: 65536, wordNgrams: [1, 3], charNgrams: [2, 4], charWeight: s.charWeight },
      maxEpochs: s.maxEpochs,
      targets: 'auto',
      seed: 9,
      training: { patience: 7, learningRate: 0.5, l2: 1e-4 },
    });
  });

  it('round-trips through the project bundle, and older bundles still import', () => {
    const s: ClassifierSettings = {
      ...defaultClassifierSettings(),
      wordNgrams: [1, 3],
      charNgrams: [2, 5],
      charWeight: 0.2,
      buckets: 2 ** 20,
      maxEpochs: 40,
      patience: 5,
      learningRate: 0.25,
      l2: 0.001,
      targets: 'soft',
      seed: 42,
    };
    const b = readBundle(bundleWith({ labelModel: 'auto', classBalance: 'dev', seed: 0, classifier: s }));
    expect(readClassifierSettings(b.model.classifier)).toEqual(s);
    // A bundle written before the settings existed: defaults, plus what it did carry.
    const old = readBundle(bundleWith({ labelModel: 'metal', classBalance: 'uniform', seed: 3 }));
    expect(readClassifierSettings(old.model.classifier)).toEqual(defaultClassifierSettings());
    const older = readBundle(
      bundleWith({ labelModel: 'metal', classBalance: 'uniform', seed: 3, classifier: { targets: 'hard', maxEpochs: 12 } }),
    );
    expect(readClassifierSettings(older.model.classifier)).toEqual({ ...defaultClassifierSettings(), targets: 'hard', maxEpochs: 12 });
  });
});
