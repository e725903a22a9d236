import Papa from 'papaparse';
import { parquetReadObjects } from 'hyparquet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../matrix.ts';
import { mulberry32 } from '../rng.ts';
import { LABEL_SOURCES, labelMatrixJson, type LabeledData, npyInt8, outputColumns, readNpyInt8, selectRows, toCsv, toJsonl, toParquet } from './export.ts';

function sample(n = 40, seed = 7): LabeledData {
  const rnd = mulberry32(seed);
  const classes = ['ham', 'spam', 'other'];
  const rows: Record<string, unknown>[] = [];
  const labels = new Int32Array(n);
  const proba = new Float32Array(n * 3);
  const source = new Uint8Array(n);
  const covered = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    rows.push({ text: `row ${i}, "quoted"\nnew line é ${rnd().toFixed(3)}`, n: i * 1.5, flag: i % 2 === 0, label: 'original-label' });
    const a = rnd(), b = rnd() * (1 - a);
    proba.set([a, b, 1 - a - b], i * 3);
    labels[i] = i % 7 === 0 ? -1 : [a, b, 1 - a - b].indexOf(Math.max(a, b, 1 - a - b));
    source[i] = labels[i] < 0 ? 0 : 1 + (i % 3);
    covered[i] = i % 5 === 0 ? 0 : 1;
  }
  return { fields: ['text', 'n', 'flag', 'label'], rows, classes, labels, proba, source, covered };
}

describe('labeled dataset writers', () => {
  it('never shadows an original field', () => {
    const c = outputColumns(['label', 'shoal_label', 'p_ham'], ['ham', 'spam']);
    expect(c.label).toBe('shoal_shoal_label');
    expect(c.proba).toEqual(['shoal_p_ham', 'p_spam']);
    expect(new Set([c.label, c.labelId, c.source, ...c.proba]).size).toBe(5);
  });

  it('CSV round-trips fields, labels, probabilities and sources', () => {
    const d = sample();
    const csv = toCsv(d);
    const parsed = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data).toHaveLength(40);
    const cols = outputColumns(d.fields, d.classes);
    parsed.data.forEach((r, i) => {
      expect(r.text).toBe(d.rows[i].text);
      expect(r.label).toBe('original-label');
      expect(Number(r.n)).toBe(i * 1.5);
      expect(Number(r[cols.labelId])).toBe(d.labels[i]);
      expect(r[cols.label]).toBe(d.labels[i] >= 0 ? d.classes[d.labels[i]] : '');
      expect(r[cols.source]).toBe(LABEL_SOURCES[d.source[i]]);
      for (let c = 0; c < 3; c++) expect(Number(r[cols.proba[c]])).toBeCloseTo(d.proba![i * 3 + c], 5);
    });
  });

  it('JSONL round-trips and keeps types', () => {
    const d = sample();
    const lines = toJsonl(d).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(40);
    const cols = outputColumns(d.fields, d.classes);
    lines.forEach((r, i) => {
      expect(r.text).toBe(d.rows[i].text);
      expect(r.flag).toBe(i % 2 === 0);
      expect(r[cols.labelId]).toBe(d.labels[i]);
      expect(r[cols.label]).toBe(d.labels[i] >= 0 ? d.classes[d.labels[i]] : null);
    });
  });

  it('Parquet round-trips through hyparquet', async () => {
    const d = sample();
    const bytes = toParquet(d);
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const back = (await parquetReadObjects({ file: buf })) as Record<string, unknown>[];
    expect(back).toHaveLength(40);
    const cols = outputColumns(d.fields, d.classes);
    back.forEach((r, i) => {
      expect(r.text).toBe(d.rows[i].text);
      expect(r.n).toBe(i * 1.5);
      expect(r.flag).toBe(i % 2 === 0);
      expect(r[cols.labelId]).toBe(d.labels[i]);
      expect(r[cols.label]).toBe(d.labels[i] >= 0 ? d.classes[d.labels[i]] : null);
      expect(r[cols.source]).toBe(LABEL_SOURCES[d.source[i]]);
      expect(r[cols.proba[1]] as number).toBeCloseTo(d.proba![i * 3 + 1], 6);
    });
  });

  it('filters: only covered rows, confidence threshold (gold rows always kept)', () => {
    const d = sample();
    const covered = selectRows(d, { onlyCovered: true });
    for (const i of covered) expect(d.covered![i] === 1 || d.source[i] === 1).toBe(true);
    expect(covered.length).toBeLessThan(40);
    const sure = selectRows(d, { minConfidence: 0.6 });
    for (const i of sure) if (d.source[i] !== 1) expect(d.proba![i * 3 + d.labels[i]]).toBeGreaterThanOrEqual(0.6);
    // Every dropped non-gold row really was below the threshold or unlabeled.
    const kept = new Set(sure);
    for (let i = 0; i < 40; i++) {
      if (kept.has(i)) continue;
      expect(d.source[i]).not.toBe(1);
      expect(d.labels[i] < 0 || d.proba![i * 3 + d.labels[i]] < 0.6).toBe(true);
    }
    expect(Papa.parse(toCsv(d, sure), { header: true, skipEmptyLines: true }).data).toHaveLength(sure.length);
  });
});

describe('label matrix writers', () => {
  it('.npy int8 round-trips for any shape, and its header is 64-byte aligned', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 7 }), fc.integer(), (n, m, seed) => {
        const rnd = mulberry32(seed);
        const cols = Array.from({ length: m }, () => Int8Array.from({ length: n }, () => Math.floor(rnd() * 4) - 1));
        const L = new LabelMatrix(n, 3, cols);
        const bytes = npyInt8(L);
        const hlen = bytes[8] | (bytes[9] << 8);
        expect((10 + hlen) % 64).toBe(0);
        expect(bytes[10 + hlen - 1]).toBe(0x0a);
        const { shape, data } = readNpyInt8(bytes);
        expect(shape).toEqual([n, m]);
        for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) expect(data[i * m + j]).toBe(cols[j][i]);
      }),
      { seed: 11, numRuns: 60 },
    );
  });

  it('.npy header is what numpy writes', () => {
    const L = new LabelMatrix(2, 2, [Int8Array.from([1, -1]), Int8Array.from([0, 1])]);
    const b = npyInt8(L);
    // 10 + 58-character dict + padding + newline: the data starts at byte 128.
    expect(b.length).toBe(128 + 4);
    const head = new TextDecoder().decode(b.subarray(10, 128));
    expect(head.startsWith("{'descr': '|i1', 'fortran_order': False, 'shape': (2, 2), }")).toBe(true);
    expect(Array.from(new Int8Array(b.buffer, 128))).toEqual([1, 0, -1, 1]);
    expect(() => readNpyInt8(new Uint8Array([1, 2, 3]))).toThrow(/not a \.npy/);
  });

  it('JSON has names and row-major votes', () => {
    const L = new LabelMatrix(3, 2, [Int8Array.from([1, -1, 0]), Int8Array.from([-1, -1, 1])]);
    const j = JSON.parse(labelMatrixJson(L, ['a', 'b'], ['neg', 'pos'])) as { L: number[][]; lfs: string[]; n: number; m: number };
    expect(j.L).toEqual([[1, -1], [-1, -1], [0, 1]]);
    expect(j.lfs).toEqual(['a', 'b']);
    expect([j.n, j.m]).toEqual([3, 2]);
    expect(() => labelMatrixJson(L, ['a'], ['neg', 'pos'])).toThrow(/2 LFs/);
  });
});
