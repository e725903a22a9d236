/**
 * The rows service (dataset-rows.ts) over the in-memory storage: the same rows as a full read,
 * in the order asked, never a hidden field, and a cache that stays within its bounds.
 */
import { describe, expect, it } from 'vitest';
import type { Row } from '../core/formats/types.ts';
import { createMemoryStorage } from '../storage/memory.ts';
import type { ShoalStorage } from '../storage/types.ts';
import { DatasetRows } from './dataset-rows.ts';

const PER = 10;

async function stored(n: number): Promise<{ storage: ShoalStorage; version: { id: string; rowCount: number; rowsPerChunk: number } }> {
  const storage = createMemoryStorage();
  const project = await storage.createProject('p');
  const p = await storage.beginImport({ projectId: project.id, name: 'd', source: { fileNames: ['d.csv'], format: 'csv', bytes: 1 } });
  const chunks = Math.ceil(n / PER);
  for (let c = 0; c < chunks; c++) {
    const rows: Row[] = [];
    for (let i = c * PER; i < Math.min(n, (c + 1) * PER); i++)
      rows.push({ text: `row ${i} ${'x'.repeat(i % 7)}`, n: i, label: i % 2 ? 'spam' : 'ham' });
    await storage.putRowChunk(p.versionId, c, rows);
  }
  const v = await storage.commitImport(p.versionId, {
    rowCount: n,
    chunkCount: chunks,
    rowsPerChunk: PER,
    columns: [
      { name: 'text', kind: 'string' },
      { name: 'n', kind: 'number' },
      { name: 'label', kind: 'string' },
    ],
    textFields: ['text'],
    fields: ['text', 'n', 'label'],
    labelField: 'label',
    classes: ['ham', 'spam'],
    splitCounts: { train: n, dev: 0, test: 0 },
    skippedRows: 0,
    notes: [],
    gold: new Int8Array(n).fill(-1),
    split: new Uint8Array(n),
  });
  return { storage, version: v };
}

describe('DatasetRows', () => {
  it('reads the same rows as a full read, by range, without the hidden fields', async () => {
    const { storage, version } = await stored(95);
    const full = (await storage.readRows(version.id, 0, 95)).map(({ label: _, ...r }) => r);
    const rows = new DatasetRows(storage, version, { hidden: ['label'] });
    expect(rows.count).toBe(95);
    expect(await rows.read(0, 95)).toEqual(full);
    expect(await rows.read(7, 33)).toEqual(full.slice(7, 33));
    expect(await rows.read(90, 200)).toEqual(full.slice(90));
    expect(await rows.read(-5, 3)).toEqual(full.slice(0, 3));
    expect(await rows.read(50, 50)).toEqual([]);
    for (const r of await rows.read(0, 95)) expect('label' in r).toBe(false);
  });

  it('gets rows in the order asked, repeats included, and refuses indices outside the dataset', async () => {
    const { storage, version } = await stored(95);
    const rows = new DatasetRows(storage, version, { hidden: ['label'] });
    const ask = [94, 3, 50, 3, 0, 61, 12];
    const got = await rows.get(ask);
    expect(got.map((r) => r.n)).toEqual(ask);
    for (const r of got) expect('label' in r).toBe(false);
    expect((await rows.get(Uint32Array.from([5, 4]))).map((r) => r.n)).toEqual([5, 4]);
    await expect(rows.get([95])).rejects.toThrow(/outside the dataset/);
    await expect(rows.get([-1])).rejects.toThrow(/outside the dataset/);
  });

  it('keeps the cache within its chunk and byte bounds (counting what it holds)', async () => {
    const { storage, version } = await stored(200);
    const rows = new DatasetRows(storage, version, { maxChunks: 3 });
    for (let start = 0; start < 200; start += 7) {
      await rows.read(start, start + 7);
      expect(rows.held().chunks).toBeLessThanOrEqual(3);
    }
    await rows.get(Array.from({ length: 200 }, (_, i) => 199 - i));
    expect(rows.held().chunks).toBeLessThanOrEqual(3);
    const tiny = new DatasetRows(storage, version, { maxBytes: 1 });
    await tiny.read(0, 200);
    // One chunk is always kept (the one just read), never more under a 1-byte budget.
    expect(tiny.held().chunks).toBe(1);
    expect(tiny.held().bytes).toBeGreaterThan(0);
  });

  it('scans and reads texts chunk by chunk without filling the cache', async () => {
    const { storage, version } = await stored(95);
    const full = await storage.readRows(version.id, 0, 95);
    const rows = new DatasetRows(storage, version, { hidden: ['label'] });
    const seen: number[] = [];
    const progress: number[] = [];
    await rows.scan(
      (chunk, start) => {
        chunk.forEach((r, i) => {
          expect(r.n).toBe(start + i);
          expect('label' in r).toBe(false);
          seen.push(r.n as number);
        });
      },
      { from: 13, to: 71, onProgress: (done) => progress.push(done) },
    );
    expect(seen).toEqual(Array.from({ length: 58 }, (_, i) => 13 + i));
    expect(progress[progress.length - 1]).toBe(58);
    expect(rows.held().chunks).toBe(0);
    expect(await rows.texts(null, 'text')).toEqual(full.map((r) => r.text));
    expect(await rows.texts(Uint32Array.from([2, 40, 41, 94]), 'text')).toEqual([2, 40, 41, 94].map((i) => full[i].text));
    expect(await rows.texts([1, 2], 'missing')).toEqual(['', '']);
    // The gold column is not readable as a text either.
    expect(await rows.texts([1, 2], 'label')).toEqual(['', '']);
    expect(rows.held().chunks).toBe(0);
    await expect(rows.texts([5, 1], 'text')).rejects.toThrow(/ascending/);
  });

  it('stops on an aborted signal with an AbortError', async () => {
    const { storage, version } = await stored(95);
    const rows = new DatasetRows(storage, version);
    const ac = new AbortController();
    let chunks = 0;
    const scan = rows.scan(
      () => {
        if (++chunks === 2) ac.abort();
      },
      { signal: ac.signal },
    );
    await expect(scan).rejects.toMatchObject({ name: 'AbortError' });
    expect(chunks).toBe(2);
    await expect(rows.read(0, 10, ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
    await expect(rows.texts(null, 'text', { signal: ac.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('says which chunk is missing when the version was deleted', async () => {
    const { storage, version } = await stored(25);
    const rows = new DatasetRows(storage, version);
    await storage.deleteProject((await storage.listProjects())[0].id);
    await expect(rows.read(0, 5)).rejects.toThrow(/row chunk 0 of dataset version .* is missing/);
  });
});

describe('DatasetRows cache at hand', () => {
  it('peeks only at cached chunks, and warms within its bounds', async () => {
    const { storage, version } = await stored(95);
    const rows = new DatasetRows(storage, version, { hidden: ['label'], maxChunks: 4 });
    expect(rows.peek(3)).toBeUndefined();
    await rows.warm();
    expect(rows.held().chunks).toBe(4);
    expect(rows.peek(3)).toEqual({ text: 'row 3 xxx', n: 3 });
    expect(rows.peek(39)?.n).toBe(39);
    expect(rows.peek(40)).toBeUndefined();
    const small = new DatasetRows(storage, version);
    await small.warm();
    // A small dataset is held whole.
    expect(small.held().chunks).toBe(10);
  });
});
