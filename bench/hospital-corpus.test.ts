import { describe, expect, it } from 'vitest';
import { readBundle } from '../src/core/formats/bundle.ts';
import { parseTable } from '../src/core/formats/parse.ts';
import type { Row } from '../src/core/formats/types.ts';
import { LfRuntime } from '../src/core/lf/runtime.ts';
import {
  HOSPITAL_CLASSES,
  HOSPITAL_COLUMNS,
  MAX_TEXT,
  MIN_TEXT,
  SIGNALS,
  hospitalCsv,
  hospitalRow,
  type HospitalMeta,
} from './hospital-corpus.ts';
import { HOSPITAL_LFS, HOSPITAL_TEMPLATE_LFS, hospitalBundle } from './hospital-lfs.ts';

function csvOf(rows: number, seed: number): { text: string; meta: HospitalMeta } {
  const gen = hospitalCsv(rows, seed, 1 << 14);
  let text = '';
  for (;;) {
    const next = gen.next();
    if (next.done) return { text, meta: next.value };
    text += next.value;
  }
}

describe('hospital corpus generator', () => {
  const N = 2000;
  const rows = Array.from({ length: N }, (_, i) => hospitalRow(7, i));

  it('is seeded: the same seed gives the same bytes, another seed other notes, and row i does not depend on N', () => {
    const a = csvOf(300, 7);
    expect(csvOf(300, 7).text).toBe(a.text);
    expect(csvOf(300, 8).text).not.toBe(a.text);
    expect(csvOf(600, 7).text.startsWith(a.text.slice(0, a.text.lastIndexOf('\nN0000299')))).toBe(true);
    expect(hospitalRow(7, 123)).toEqual(rows[123]);
  });

  it('writes notes of 1–6 KB with plausible fields, and a meta that counts what it wrote', () => {
    for (const r of rows) {
      expect(r.text.length).toBeGreaterThanOrEqual(MIN_TEXT);
      expect(r.text.length).toBeLessThanOrEqual(MAX_TEXT);
      expect(r.age).toBeGreaterThanOrEqual(18);
      expect(r.length_of_stay).toBeGreaterThanOrEqual(1);
      expect(r.admit_date).toMatch(/^202[345]-\d\d-\d\d$/);
    }
    const mean = rows.reduce((s, r) => s + r.text.length, 0) / N;
    // ≈ 1.5 GB at 500k rows.
    expect(mean).toBeGreaterThan(2500);
    expect(mean).toBeLessThan(3800);
    const { text, meta } = csvOf(N, 7);
    expect(meta.bytes).toBe(Buffer.byteLength(text));
    expect(meta.rows).toBe(N);
    expect(meta.splitCounts.train + meta.splitCounts.dev + meta.splitCounts.test).toBe(N);
    expect(meta.splitCounts.dev).toBeGreaterThan(0);
    expect(meta.splitCounts.test).toBeGreaterThan(0);
    expect(meta.readmitted).toBe(rows.filter((r) => r.y === 1).length);
  });

  it('round-trips through the app CSV reader: one row per note, the label only on dev and test rows', async () => {
    const { text } = csvOf(400, 7);
    const got: Row[] = [];
    let columns: readonly string[] = [];
    const res = await parseTable(new Blob([text]), { fileName: 'hospital.csv' }, (b) => {
      columns = b.columns;
      got.push(...b.rows);
    });
    expect(res.ok).toBe(true);
    expect(columns).toEqual([...HOSPITAL_COLUMNS]);
    expect(got.length).toBe(400);
    got.forEach((row, i) => {
      const r = hospitalRow(7, i);
      expect(row.text).toBe(r.text);
      expect(row.split).toBe(r.split);
      expect(row.label).toBe(r.split === 'train' ? '' : HOSPITAL_CLASSES[r.y]);
    });
  });

  it('never writes the outcome into the text', () => {
    for (const r of rows) expect(r.text).not.toMatch(/readmi|not_readmitted/i);
    for (const s of SIGNALS) expect(s.sentence).toContain(s.phrase);
  });

  it('gives the template LFs signal: each fires, mostly on its own class, and none is an oracle', () => {
    const rt = LfRuntime.fromDefs(HOSPITAL_TEMPLATE_LFS, HOSPITAL_CLASSES, { textField: 'text' });
    const res = rt.applyChunk({
      start: 0,
      rows: rows.map((r) => ({ ...r, age: String(r.age), length_of_stay: String(r.length_of_stay) })),
    });
    expect(res.errors.every((e) => e === null)).toBe(true);
    HOSPITAL_TEMPLATE_LFS.forEach((lf, j) => {
      const votes = res.votes.subarray(j * N, (j + 1) * N);
      let fired = 0;
      let right = 0;
      votes.forEach((v, i) => {
        if (v < 0) return;
        fired++;
        if (v === rows[i].y) right++;
      });
      const coverage = fired / N;
      const accuracy = right / fired;
      expect({ lf: lf.name, ok: coverage > 0.01 && coverage < 0.6 && accuracy > 0.55 && accuracy < 0.99 }).toEqual({
        lf: lf.name,
        ok: true,
      });
    });
  });

  it('wraps the 22 LFs in a project file the app accepts', () => {
    const b = readBundle(hospitalBundle({ splitCounts: { train: 90, dev: 5, test: 5 } }));
    expect(b.lfs.map((l) => l.name)).toEqual(HOSPITAL_LFS.map((l) => l.name));
    expect(b.lfs.filter((l) => l.kind === 'code')).toHaveLength(2);
    expect(b.lfs.filter((l) => l.kind !== 'code')).toHaveLength(20);
    expect(b.dataset.splitCounts).toEqual({ train: 90, dev: 5, test: 5 });
    expect(b.data).toBeUndefined();
  });
});
