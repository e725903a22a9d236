/**
 * Seeded fuzzing of the whole import (parse → shape → store → commit) on the in-memory
 * storage, including the WRENCH path: every mutated input settles to a value, and the store
 * afterwards holds either the complete dataset or nothing of it.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32, type Rng } from '../core/rng.ts';
import { createMemoryStorage } from '../storage/memory.ts';
import { importIntoStorage, type ImportFile } from './import-run.ts';

const enc = new TextEncoder();
const NASTY = [0x22, 0x2c, 0x0a, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2d, 0x31, 0x39, 0xff, 0x00];

function mutate(src: Uint8Array, rng: Rng): Uint8Array {
  const b = Array.from(src);
  for (let o = 0, ops = 1 + Math.floor(rng() * 3); o < ops; o++) {
    const at = Math.floor(rng() * (b.length + 1));
    const r = rng();
    if (r < 0.4) b.splice(at, 0, NASTY[Math.floor(rng() * NASTY.length)]);
    else if (r < 0.7) b.splice(at, 1 + Math.floor(rng() * 6));
    else if (r < 0.85 && b.length) b[Math.min(at, b.length - 1)] = Math.floor(rng() * 128);
    else b.splice(at, 0, ...b.slice(at, at + Math.floor(rng() * 30)));
  }
  return Uint8Array.from(b);
}

const wrenchSplit = (rows: [number, number[], string][]) =>
  JSON.stringify(Object.fromEntries(rows.map(([label, weak, text], i) => [String(i), { label, weak_labels: weak, data: { text } }])));

const SEEDS: { name: string; body: string; extra?: ImportFile[] }[] = [
  { name: 'a.csv', body: 'id,text,label\n1,"free, money",spam\n2,hello,ham\n3,"multi\nline",ham\n' },
  { name: 'a.jsonl', body: '{"id":1,"text":"win","label":"spam"}\n{"id":2,"text":"hi","label":"ham"}\n' },
  {
    name: 'train.json',
    body: wrenchSplit([
      [0, [0, -1], 'a'],
      [1, [1, 1], 'b'],
      [-1, [-1, 0], 'c'],
    ]),
    extra: [{ name: 'label.json', blob: new Blob(['{"0":"ham","1":"spam"}']) }],
  },
];

describe('fuzzed imports store all or nothing', () => {
  it('900 mutated CSV, JSONL and WRENCH imports', async () => {
    const rng = mulberry32(0x1a7e);
    const s = createMemoryStorage();
    const project = await s.createProject('fuzz');
    let ok = 0;
    let failed = 0;
    for (let t = 0; t < 900; t++) {
      const seed = SEEDS[t % SEEDS.length];
      const bytes = rng() < 0.1 ? enc.encode(seed.body) : mutate(enc.encode(seed.body), rng);
      const files: ImportFile[] = [{ name: seed.name, blob: new Blob([bytes as BlobPart]) }, ...(seed.extra ?? [])];
      const before = (await s.listDatasets(project.id)).length;
      const out = await importIntoStorage(
        files,
        {
          projectId: project.id,
          skipBadRows: rng() < 0.5,
          idField: rng() < 0.3 ? 'id' : undefined,
          classes: seed.name === 'train.json' || rng() < 0.5 ? undefined : ['ham', 'spam'],
          batchSize: 1 + Math.floor(rng() * 3),
        },
        s,
      );
      const after = await s.listDatasets(project.id);
      if (out.ok) {
        ok++;
        expect(after.length, `case ${t}`).toBe(before + 1);
        const v = (await s.getVersion(out.summary.versionId))!;
        expect(v.rowCount).toBe(out.summary.rows);
        expect((await s.readRows(v.id, 0, v.rowCount)).length).toBe(v.rowCount);
        expect((await s.getColumn(v.id, 'gold'))!.length).toBe(v.rowCount);
      } else {
        failed++;
        expect(after.length, `case ${t}: ${out.message}`).toBe(before);
        expect(out.message).toMatch(/^(a\.csv|a\.jsonl|train\.json|label\.json)\b/);
      }
      expect(await s.cleanupPending(), `case ${t} left a pending import`).toBe(0);
    }
    expect(ok).toBeGreaterThan(100);
    expect(failed).toBeGreaterThan(100);
  }, 60_000);
});
