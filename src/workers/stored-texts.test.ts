/**
 * The train worker reading its texts from storage (stored-texts.ts): the same texts as the
 * rows hold, never the gold column, and the same classifier as when the page sends the texts.
 */
import { describe, expect, it } from 'vitest';
import type { Row } from '../core/formats/types.ts';
import { createMemoryStorage } from '../storage/memory.ts';
import { distill } from '../core/classifier/index.ts';
import { readStoredTexts, type StoredTexts } from './stored-texts.ts';
import { createTrainWorkerApi } from './train-worker-api.ts';

async function stored(texts: string[], per = 7) {
  const storage = createMemoryStorage();
  const project = await storage.createProject('p');
  const p = await storage.beginImport({ projectId: project.id, name: 'd', source: { fileNames: ['d.csv'], format: 'csv', bytes: 1 } });
  const n = texts.length;
  const chunks = Math.ceil(n / per);
  for (let c = 0; c < chunks; c++) {
    const rows: Row[] = [];
    for (let i = c * per; i < Math.min(n, (c + 1) * per); i++) rows.push({ text: texts[i], topic: i % 2 ? 'b' : 'a', n: i });
    await storage.putRowChunk(p.versionId, c, rows);
  }
  const v = await storage.commitImport(p.versionId, {
    rowCount: n,
    chunkCount: chunks,
    rowsPerChunk: per,
    columns: [
      { name: 'text', kind: 'string' },
      { name: 'topic', kind: 'string' },
      { name: 'n', kind: 'number' },
    ],
    textFields: ['text'],
    fields: ['text', 'topic', 'n'],
    labelField: 'topic',
    classes: ['a', 'b'],
    splitCounts: { train: n, dev: 0, test: 0 },
    skippedRows: 0,
    notes: [],
    gold: new Int8Array(n).fill(-1),
    split: new Uint8Array(n),
  });
  return { storage, versionId: v.id };
}

const words = [
  ['goal', 'match', 'team', 'score'],
  ['vote', 'party', 'minister', 'election'],
];
const texts = Array.from({ length: 60 }, (_, i) => `${words[i % 2][i % 4]} ${words[i % 2][(i + 1) % 4]} news ${i}`);
const ref = (versionId: string, rows: number[], field = 'text'): StoredTexts => ({
  kind: 'stored-texts',
  versionId,
  field,
  rows: Uint32Array.from(rows),
});

describe('stored texts', () => {
  it('reads the texts of the rows asked, across chunks, and refuses the gold column', async () => {
    const { storage, versionId } = await stored(texts);
    const rows = [0, 3, 6, 7, 20, 59];
    expect(await readStoredTexts(storage, ref(versionId, rows))).toEqual(rows.map((i) => texts[i]));
    expect(await readStoredTexts(storage, ref(versionId, [2, 9], 'n'))).toEqual(['2', '9']);
    await expect(readStoredTexts(storage, ref(versionId, [1], 'topic'))).rejects.toThrow(/gold column topic/);
    await expect(readStoredTexts(storage, ref(versionId, [5, 1]))).rejects.toThrow(/out of order/);
    await expect(readStoredTexts(storage, ref(versionId, [60]))).rejects.toThrow(/outside the dataset/);
    await expect(readStoredTexts(storage, ref('nope', [0]))).rejects.toThrow(/does not exist/);
  });

  it('trains the same classifier from stored texts as from texts sent by the page', async () => {
    const { storage, versionId } = await stored(texts);
    const api = createTrainWorkerApi({ storage: async () => storage });
    const n = texts.length;
    const proba = Float32Array.from({ length: 2 * n }, (_, j) => ((j & 1) === ((j >> 1) & 1) ? 0.9 : 0.1));
    const rows = Uint32Array.from({ length: n }, (_, i) => i);
    const common = { proba, k: 2, rows, seed: 3, maxEpochs: 3, features: { buckets: 1 << 10 } };
    const a = await api.trainClassifier('a', { ...common, texts });
    const b = await api.trainClassifier('b', { ...common, texts: ref(versionId, Array.from(rows)) });
    expect(Array.from(b.classifier.model.weights)).toEqual(Array.from(a.classifier.model.weights));
    expect(await api.predictStored(b.classifier, ref(versionId, [1, 2, 3]))).toEqual(api.predict(a.classifier, texts.slice(1, 4)));
    // Rows scattered over several chunks are predicted chunk by chunk, in order.
    const scattered = [0, 3, 6, 7, 20, 59];
    expect(await api.predictStored(b.classifier, ref(versionId, scattered))).toEqual(
      api.predict(
        a.classifier,
        scattered.map((i) => texts[i]),
      ),
    );
    await expect(createTrainWorkerApi().predictStored(a.classifier, ref(versionId, [0]))).rejects.toThrow(/without storage/);
  });

  it('streams the stored chunks: the same model as distill over every text, with featurization progress', async () => {
    const { storage, versionId } = await stored(texts);
    const api = createTrainWorkerApi({ storage: async () => storage });
    const n = texts.length;
    const proba = Float32Array.from({ length: 2 * n }, (_, j) => ((j & 1) === ((j >> 1) & 1) ? 0.8 : 0.2));
    const rows = Uint32Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 !== 2);
    const opts = { seed: 2, maxEpochs: 3, features: { buckets: 1 << 10 } };
    const stages: string[] = [];
    const b = await api.trainClassifier(
      'b',
      {
        proba,
        k: 2,
        rows,
        ...opts,
        texts: ref(
          versionId,
          Array.from({ length: n }, (_, i) => i),
        ),
      },
      undefined,
      (f, message) => stages.push(`${f.toFixed(2)} ${message}`),
    );
    const a = await distill({ texts, proba, k: 2, rows }, opts);
    expect(Array.from(b.classifier.model.weights)).toEqual(Array.from(a.classifier.model.weights));
    expect(b.trainRows).toBe(rows.length);
    expect(b.sample).toBeUndefined();
    // One report per stored chunk (7 rows each) of the one pass.
    expect(stages.length).toBe(Math.ceil(n / 7));
    expect(stages.at(-1)).toBe(`1.00 Hashing the texts: ${n} of ${n} texts`);
  });

  it('over the feature budget: trains on a seeded sample and says so in one sentence', async () => {
    const { storage, versionId } = await stored(texts);
    const api = createTrainWorkerApi({ storage: async () => storage });
    const n = texts.length;
    const proba = Float32Array.from({ length: 2 * n }, (_, j) => ((j & 1) === ((j >> 1) & 1) ? 0.8 : 0.2));
    const rows = Uint32Array.from({ length: n }, (_, i) => i);
    const res = await api.trainClassifier('s', {
      proba,
      k: 2,
      rows,
      seed: 2,
      maxEpochs: 2,
      features: { buckets: 1 << 10 },
      featureBudget: 200,
      texts: ref(versionId, Array.from(rows)),
    });
    expect(res.sample).toMatchObject({ of: n, budget: 200, texts: n });
    expect(res.trainRows).toBe(res.sample!.rows);
    expect(res.trainRows).toBeLessThan(n);
    expect(res.sampleNote).toMatch(
      new RegExp(`^trained on a seeded random sample of ${res.trainRows} of ${n} training rows: .* over the memory budget of 200 `),
    );
  });
});
