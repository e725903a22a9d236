import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../core/rng.ts';
import { createTrainWorkerApi } from './train-worker-api.ts';

/** Two topics, three keyword LFs (one noisy), 200 rows; LFs abstain on ~30% of rows. */
function project(n: number, seed: number) {
  const rng = mulberry32(seed);
  const topics = [
    ['goal', 'match', 'team', 'score'],
    ['vote', 'party', 'minister', 'election'],
  ];
  const texts: string[] = [];
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng() < 0.5 ? 0 : 1;
    y[i] = c;
    const words = Array.from({ length: 4 }, () => topics[c][Math.floor(rng() * 4)]);
    texts.push(`${words.join(' ')} today news ${i % 7}`);
  }
  const lf = (word: string, label: number) => Int8Array.from(texts, (t) => (t.includes(word) ? label : -1));
  const columns = [lf('goal', 0), lf('vote', 1), lf('news 3', 1)];
  return { texts, y, columns };
}

describe('train worker API (inline)', () => {
  it('fits a label model, distils, exports ONNX and predicts with onnxruntime-web', async () => {
    const api = createTrainWorkerApi({ ort });
    const { choice, cacheValue } = await api.selectBackend(null);
    expect(['wasm', 'cpu']).toContain(choice.name);
    expect(JSON.parse(cacheValue!).name).toBe(choice.name);
    expect((await api.selectBackend(cacheValue)).choice.cached).toBe(true);

    const tr = project(200, 1);
    const dev = project(60, 2);
    const lm = await api.fitLabelModel('lm', {
      name: 'mv',
      train: { n: 200, k: 2, columns: tr.columns },
      dev: { L: { n: 60, k: 2, columns: dev.columns }, labels: dev.y },
    });
    expect(lm.proba.length).toBe(400);
    const rows = Uint32Array.from(Array.from({ length: 200 }, (_, i) => i).filter((i) => tr.columns.some((c) => c[i] !== -1)));
    expect(rows.length).toBeLessThan(200);

    const epochs: { epoch: number; targets: string }[] = [];
    const res = await api.trainClassifier(
      'clf',
      {
        texts: tr.texts,
        proba: lm.proba,
        k: 2,
        rows,
        classes: ['sport', 'politics'],
        dev: { texts: dev.texts, labels: dev.y },
        seed: 1,
        maxEpochs: 5,
        features: { buckets: 1 << 12 },
      },
      (e) => epochs.push(e),
    );
    expect(res.candidates.map((c) => c.targets)).toEqual(['soft', 'hard']);
    expect(epochs.filter((e) => e.targets === res.targets).length).toBe(res.history.length);
    const te = project(100, 3);
    const p = api.predict(res.classifier, te.texts);
    const pred = Array.from({ length: 100 }, (_, i) => (p[2 * i + 1] > p[2 * i] ? 1 : 0));
    // Rows the LFs never covered (no "goal"/"vote") are still classified from co-occurring words.
    expect(pred.filter((v, i) => v === te.y[i]).length / 100).toBeGreaterThanOrEqual(0.9);

    const { onnx, sidecar } = api.exportOnnx(res.classifier);
    expect(sidecar.classes).toEqual(['sport', 'politics']);
    const q = await api.predictOnnx(onnx, res.classifier.features, 2, te.texts);
    for (let i = 0; i < p.length; i++) expect(Math.abs(q[i] - p[i])).toBeLessThan(1e-5);
  });

  it('cancel(jobId) aborts a running training job', async () => {
    const api = createTrainWorkerApi();
    const tr = project(400, 4);
    const proba = new Float32Array(800).map((_, i) => (i % 2 === tr.y[i >> 1] ? 0.9 : 0.1));
    const job = api.trainClassifier(
      'job',
      { texts: tr.texts, proba, k: 2, rows: Uint32Array.from({ length: 400 }, (_, i) => i), maxEpochs: 200 },
      (e) => {
        if (e.epoch === 1) api.cancel('job');
      },
    );
    await expect(job).rejects.toThrow(/abort/i);
  });
});
