/** Predictions over every row, streamed in blocks (predict-rows.ts): the same as one call over all texts. */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../storage/memory.ts';
import { DatasetRows } from './dataset-rows.ts';
import { predictRows } from './predict-rows.ts';
import { searchRows } from './browse.ts';

async function dataset(texts: string[]): Promise<DatasetRows> {
  const storage = createMemoryStorage();
  const project = await storage.createProject('p');
  const p = await storage.beginImport({ projectId: project.id, name: 'd', source: { fileNames: ['d.csv'], format: 'csv', bytes: 1 } });
  const per = 4;
  const chunks = Math.ceil(texts.length / per);
  for (let c = 0; c < chunks; c++)
    await storage.putRowChunk(
      p.versionId,
      c,
      texts.slice(c * per, (c + 1) * per).map((text) => ({ text })),
    );
  const n = texts.length;
  const v = await storage.commitImport(p.versionId, {
    rowCount: n,
    chunkCount: chunks,
    rowsPerChunk: per,
    columns: [{ name: 'text', kind: 'string' }],
    textFields: ['text'],
    fields: ['text'],
    classes: ['a', 'b'],
    splitCounts: { train: n, dev: 0, test: 0 },
    skippedRows: 0,
    notes: [],
    gold: new Int8Array(n).fill(-1),
    split: new Uint8Array(n),
  });
  return new DatasetRows(storage, v);
}

const texts = Array.from({ length: 23 }, (_, i) => (i % 3 ? `plain text ${i}` : `FREE offer ${i}`));
/** A stand-in classifier: P(b) = 1 when the text says "free". */
const predict = async (t: string[]) => Float32Array.from(t.flatMap((x) => (/free/i.test(x) ? [0, 1] : [1, 0])));

describe('predictRows', () => {
  it('gives the same probabilities in blocks as in one call, in row order', async () => {
    const rows = await dataset(texts);
    const whole = await predict(texts);
    const seen: number[] = [];
    expect(await predictRows(rows, 'text', 2, predict, { block: 5, onProgress: (d) => seen.push(d) })).toEqual(whole);
    expect(seen).toEqual([5, 10, 15, 20, 23]);
    expect(await predictRows(rows, 'text', 2, predict)).toEqual(whole);
  });

  it('refuses a classifier that returns the wrong number of probabilities', async () => {
    const rows = await dataset(texts);
    await expect(predictRows(rows, 'text', 3, predict, { block: 5 })).rejects.toThrow(/returned 10 probabilities for 5 rows of 3 classes/);
  });
});

describe('searchRows', () => {
  it('marks the rows whose text matches, streaming the stored rows', async () => {
    const rows = await dataset(texts);
    const hits = await searchRows(rows, 'free', 'text');
    expect(Array.from(hits)).toEqual(texts.map((t) => (/free/i.test(t) ? 1 : 0)));
    expect(Array.from(await searchRows(rows, '  ', 'text')).every((h) => h === 1)).toBe(true);
    const ac = new AbortController();
    ac.abort();
    await expect(searchRows(rows, 'free', 'text', { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });
});
