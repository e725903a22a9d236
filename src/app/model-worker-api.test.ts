// The two train-worker calls the Model screen added: label-model predictions for more
// matrices (`also`, dev and test scored by the model fitted on train) and the tfjs prediction
// path the ONNX export is compared with.
import { describe, expect, it } from 'vitest';
import { createLabelModel } from '../core/labelmodel/index.ts';
import { LabelMatrix } from '../core/matrix.ts';
import { mulberry32 } from '../core/rng.ts';
import { createTrainWorkerApi } from '../workers/train-worker-api.ts';
import { maxAbsDiff } from './model-report.ts';

function votes(n: number, seed: number) {
  const rnd = mulberry32(seed);
  const y = Int32Array.from({ length: n }, () => (rnd() < 0.4 ? 1 : 0));
  const lf = (acc: number, cov: number) => Int8Array.from(y, (c) => (rnd() < cov ? (rnd() < acc ? c : 1 - c) : -1));
  return { y, columns: [lf(0.9, 0.6), lf(0.8, 0.5), lf(0.7, 0.7), lf(0.85, 0.4)] };
}

describe('train worker API additions', () => {
  it('predicts dev and test with the model fitted on train, as a fresh fit would', async () => {
    const api = createTrainWorkerApi();
    const tr = votes(300, 1);
    const dv = votes(80, 2);
    const te = votes(90, 3);
    const res = await api.fitLabelModel('lm', {
      name: 'ds',
      train: { n: 300, k: 2, columns: tr.columns },
      seed: 4,
      also: [
        { n: 80, k: 2, columns: dv.columns },
        { n: 90, k: 2, columns: te.columns },
      ],
    });
    expect(res.also.map((a) => a.length)).toEqual([160, 180]);
    const ref = createLabelModel('ds');
    await ref.fit(new LabelMatrix(300, 2, tr.columns), { seed: 4 });
    expect(maxAbsDiff(res.also[0], ref.predictProba(new LabelMatrix(80, 2, dv.columns)))).toBeLessThan(1e-6);
    expect(maxAbsDiff(res.also[1], ref.predictProba(new LabelMatrix(90, 2, te.columns)))).toBeLessThan(1e-6);
    expect(maxAbsDiff(res.proba, ref.predictProba(new LabelMatrix(300, 2, tr.columns)))).toBeLessThan(1e-6);
  });

  it('predictTf (tfjs graph) matches the typed-array path within 1e-5', async () => {
    const api = createTrainWorkerApi();
    const texts = Array.from({ length: 60 }, (_, i) => (i % 2 ? `goal match team ${i}` : `vote party minister ${i}`));
    const proba = Float32Array.from(texts.flatMap((_, i) => (i % 2 ? [0.1, 0.9] : [0.8, 0.2])));
    const res = await api.trainClassifier('c', {
      texts,
      proba,
      k: 2,
      rows: Uint32Array.from(texts.keys()),
      seed: 1,
      maxEpochs: 3,
      features: { buckets: 1 << 10 },
    });
    const a = await api.predictTf(res.classifier, texts);
    const b = api.predict(res.classifier, texts);
    expect(a.length).toBe(120);
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
  });
});
