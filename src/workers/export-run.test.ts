import Papa from 'papaparse';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { LABEL_SOURCES, PARQUET_META_KEY, selectRows, toParquet, type ExportProvenance, type LabeledData } from '../core/formats/export.ts';
import { createMemoryStorage } from '../storage/memory.ts';
import type { ShoalStorage } from '../storage/types.ts';
import { PARQUET_EXPORT_GROUP_ROWS, runLabelsExport, type LabelsExportProgress, type LabelsExportRequest } from './export-run.ts';
import { importIntoStorage } from './import-run.ts';

const N = 2600;
const GOLD = LABEL_SOURCES.indexOf('gold');
const LM = LABEL_SOURCES.indexOf('label_model');

const prov: ExportProvenance = {
  labels_from: 'label_model',
  label_model: { name: 'auto', chosen: 'wmv', run_id: 'lm-1', fitted_on_current_lfs: true },
  classifier: null,
  lf_set_version: 'f'.repeat(40),
  lfs: ['a'],
  dataset: { name: 'mail', version_id: 'v', rows: N },
  exported_at: '2026-12-07T13:00:00.000Z',
};

/** A stored dataset: ids "e<i*3>", every 10th row dev and every 10th+1 test, gold on dev/test and on train rows i % 50 == 0. */
async function stored(options: {
  idField?: string;
  fields?: string[];
}): Promise<{ s: ShoalStorage; versionId: string; split: Uint8Array; gold: Int8Array }> {
  const s = createMemoryStorage();
  const p = await s.createProject('P');
  const lines: string[] = [];
  for (let i = 0; i < N; i++) {
    const split = i % 10 === 0 ? 'dev' : i % 10 === 1 ? 'test' : 'train';
    const label = split !== 'train' || i % 50 === 2 ? (i % 3 === 0 ? 'spam' : 'ham') : null;
    lines.push(JSON.stringify({ doc: `e${i * 3}`, text: i === 5 ? '=HYPERLINK("http://x.test")' : `mail ${i}`, split, label }));
  }
  const out = await importIntoStorage(
    [{ name: 'mail.jsonl', blob: new Blob([lines.join('\n') + '\n']) }],
    { projectId: p.id, classes: ['ham', 'spam'], split: { kind: 'column', field: 'split' }, ...options },
    s,
  );
  if (!out.ok) throw new Error(out.message);
  const versionId = out.summary.versionId;
  return { s, versionId, split: (await s.getColumn(versionId, 'split'))!, gold: (await s.getColumn(versionId, 'gold'))! };
}

/** `n` stored rows made by `row`, and a view of the storage that records every `readRows` range. */
async function storedNotes(
  n: number,
  row: (i: number) => Record<string, unknown>,
): Promise<{ s: ShoalStorage; versionId: string; spy: ShoalStorage; reads: [number, number][] }> {
  const s = createMemoryStorage();
  const p = await s.createProject('P');
  const lines = Array.from({ length: n }, (_, i) => JSON.stringify(row(i)));
  const out = await importIntoStorage(
    [{ name: 'notes.jsonl', blob: new Blob([lines.join('\n') + '\n']) }],
    { projectId: p.id, classes: ['a', 'b'] },
    s,
  );
  if (!out.ok) throw new Error(out.message);
  const reads: [number, number][] = [];
  const spy: ShoalStorage = Object.create(s);
  spy.readRows = (v, start, end) => {
    reads.push([start, end]);
    return s.readRows(v, start, end);
  };
  return { s, versionId: out.summary.versionId, spy, reads };
}

function request(versionId: string, split: Uint8Array, gold: Int8Array, over: Partial<LabelsExportRequest> = {}): LabelsExportRequest {
  const labels = Int32Array.from(gold, (g, i) => (g >= 0 ? g : i % 2));
  const proba = new Float32Array(N * 2);
  for (let i = 0; i < N; i++) proba.set(labels[i] === 1 ? [0.2, 0.8] : [0.9, 0.1], i * 2);
  return {
    versionId,
    fields: ['text'],
    classes: ['ham', 'spam'],
    labels,
    proba,
    source: Uint8Array.from(gold, (g) => (g >= 0 ? GOLD : LM)),
    split: split.slice(),
    covered: new Uint8Array(N).fill(1),
    filter: {},
    format: 'csv',
    file: 'mail.labels.csv',
    provenance: prov,
    ...over,
  };
}

describe('labels export in the worker', () => {
  it('reads the rows from storage, writes the id and split, leaves dev/test gold out, and reports progress to the end', async () => {
    const { s, versionId, split, gold } = await stored({ idField: 'doc', fields: ['doc', 'text'] });
    const progress: LabelsExportProgress[] = [];
    const r = await runLabelsExport(request(versionId, split, gold), s, (p) => progress.push(p));
    const csv = Papa.parse<Record<string, string>>(await r.blob.text(), { header: true, skipEmptyLines: true });
    expect(csv.errors).toEqual([]);
    expect(csv.meta.fields).toEqual(['doc', 'text', 'label', 'label_id', 'p_ham', 'p_spam', 'label_source', 'split']);
    const evalGold = Array.from(split).filter((c, i) => c !== 0 && gold[i] >= 0).length;
    expect(evalGold).toBe(N / 5);
    expect(r.evalGoldLeftOut).toBe(evalGold);
    expect(r.rows).toBe(N - evalGold);
    expect(csv.data).toHaveLength(N - evalGold);
    expect(csv.data.some((x) => x.split !== 'train' && x.label_source === 'gold')).toBe(false);
    expect(csv.data.filter((x) => x.label_source === 'gold').length).toBe(
      Array.from(gold).filter((g, i) => g >= 0 && split[i] === 0).length,
    );
    const byId = new Map(csv.data.map((x) => [x.doc, x]));
    expect(byId.get('e6')).toMatchObject({ text: 'mail 2', split: 'train', label_source: 'gold' });
    expect(byId.get('e15')?.text).toBe(`'=HYPERLINK("http://x.test")`);
    expect(byId.has('e0')).toBe(false); // row 0 is dev gold
    expect(r.meta).toMatchObject({
      file: 'mail.labels.csv',
      rows: N - evalGold,
      includes_dev_test_gold: false,
      lf_set_version: prov.lf_set_version,
      columns: { id: 'doc', id_is_position: false },
    });
    // Progress: reading then writing, never backwards, ending at 1 with every row.
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.every((p, i) => i === 0 || p.fraction >= progress[i - 1].fraction)).toBe(true);
    expect(progress.findIndex((p) => p.phase === 'writing')).toBeGreaterThan(progress.findIndex((p) => p.phase === 'reading'));
    expect(progress.at(-1)).toEqual({ phase: 'writing', fraction: 1, rows: N - evalGold });
  });

  it('includes dev/test gold on request; takes ids from storage when the id field is not a kept field', async () => {
    const { s, versionId, split, gold } = await stored({ idField: 'doc', fields: ['text'] });
    const r = await runLabelsExport(request(versionId, split, gold, { format: 'jsonl', filter: { includeEvalGold: true } }), s);
    const lines = (await r.blob.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(N);
    expect(lines.map((l) => l.doc)).toEqual(Array.from({ length: N }, (_, i) => `e${i * 3}`));
    expect(lines.map((l) => l.split)).toEqual(Array.from(split, (c) => ['train', 'dev', 'test'][c]));
    expect(lines[5].text).toBe('=HYPERLINK("http://x.test")'); // JSONL: as it is
    expect(r.evalGoldLeftOut).toBe(0);
    expect(r.meta.includes_dev_test_gold).toBe(true);
  });

  it('without an id field writes `row`, the 1-based position; Parquet carries the provenance', async () => {
    const { s, versionId, split, gold } = await stored({});
    const r = await runLabelsExport(request(versionId, split, gold, { format: 'parquet', file: 'mail.labels.parquet' }), s);
    const buf = await r.blob.arrayBuffer();
    const rows = (await parquetReadObjects({ file: buf })) as Record<string, unknown>[];
    const want = Array.from({ length: N }, (_, i) => i).filter((i) => !(split[i] !== 0 && gold[i] >= 0));
    expect(rows.map((x) => x.row)).toEqual(want.map((i) => i + 1));
    expect(rows.map((x) => x.text)).toEqual(want.map((i) => (i === 5 ? '=HYPERLINK("http://x.test")' : `mail ${i}`)));
    const kv = parquetMetadata(buf).key_value_metadata?.find((e) => e.key === PARQUET_META_KEY);
    expect(JSON.parse(kv?.value ?? 'null')).toEqual(r.meta);
    expect(r.meta).toMatchObject({ file_format: 'parquet', label_model: prov.label_model, exported_at: prov.exported_at });
  });

  it('stops when cancelled, and refuses labels that do not match the stored rows', async () => {
    const { s, versionId, split, gold } = await stored({});
    const stop = new AbortController();
    const seen: LabelsExportProgress[] = [];
    await expect(
      runLabelsExport(
        request(versionId, split, gold),
        s,
        (p) => {
          seen.push(p);
          stop.abort();
        },
        stop.signal,
      ),
    ).rejects.toThrow(/cancelled/);
    expect(seen).toHaveLength(1);
    await expect(runLabelsExport(request(versionId, split, gold, { labels: new Int32Array(3) }), s)).rejects.toThrow(
      /3 rows but the dataset has 2600/,
    );
    await expect(runLabelsExport(request('nope', split, gold), s)).rejects.toThrow(/no longer exists/);
  });

  it('streams CSV and JSONL part by part: every row read once, a chunk at a time, the output in order across parts', async () => {
    const n = 12_345;
    const { s, versionId, spy, reads } = await storedNotes(n, (i) => ({ text: `note ${i}, "quoted"\nline two` }));
    // Every third row is covered: the selected rows span several parts with gaps between them.
    const covered = Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const want = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 === 0);
    const req = (format: 'csv' | 'jsonl'): LabelsExportRequest => ({
      versionId,
      fields: ['text'],
      classes: ['a', 'b'],
      labels: Int32Array.from({ length: n }, (_, i) => i % 2),
      proba: null,
      source: new Uint8Array(n).fill(LM),
      split: new Uint8Array(n),
      covered,
      filter: { onlyCovered: true },
      format,
      file: `notes.labels.${format}`,
      provenance: { ...prov, dataset: { name: 'notes', version_id: versionId, rows: n } },
    });
    const csv = Papa.parse<Record<string, string>>(await (await runLabelsExport(req('csv'), spy)).blob.text(), {
      header: true,
      skipEmptyLines: true,
    });
    expect(csv.errors).toEqual([]);
    expect(csv.data.map((r) => r.row)).toEqual(want.map((i) => String(i + 1)));
    expect(csv.data.map((r) => r.text)).toEqual(want.map((i) => `note ${i}, "quoted"\nline two`));
    expect(Math.max(...reads.map(([a, b]) => b - a))).toBeLessThanOrEqual(1000);
    const covers = new Uint8Array(n);
    for (const [a, b] of reads) for (let i = a; i < b; i++) covers[i]++;
    expect(Math.max(...covers)).toBe(1);
    const jsonl = (await (await runLabelsExport(req('jsonl'), s)).blob.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { row: number; label: string });
    expect(jsonl.map((r) => r.row)).toEqual(want.map((i) => i + 1));
    expect(jsonl.map((r) => r.label)).toEqual(want.map((i) => (i % 2 ? 'b' : 'a')));
  });

  it('streams Parquet a row group at a time: every row read once per pass, the same bytes as writing it whole', async () => {
    const n = 2 * PARQUET_EXPORT_GROUP_ROWS + 1_234;
    // `num` is a number on every row but one near the end: the first pass must see that row
    // before the first row group is written, or the column would be typed DOUBLE.
    const { s, versionId, spy, reads } = await storedNotes(n, (i) => ({ text: `note ${i}`, num: i === n - 7 ? 'seven' : i * 0.5 }));
    const req: LabelsExportRequest = {
      versionId,
      fields: ['text', 'num'],
      classes: ['a', 'b'],
      labels: Int32Array.from({ length: n }, (_, i) => i % 2),
      proba: null,
      source: new Uint8Array(n).fill(LM),
      split: new Uint8Array(n),
      covered: Uint8Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 0 : 1)),
      filter: { onlyCovered: true },
      format: 'parquet',
      file: 'notes.labels.parquet',
      provenance: { ...prov, dataset: { name: 'notes', version_id: versionId, rows: n } },
    };
    const r = await runLabelsExport(req, spy);
    const covers = new Uint8Array(n);
    for (const [a, b] of reads) for (let i = a; i < b; i++) covers[i]++;
    expect(Math.max(...covers)).toBe(2);
    expect(covers.filter((c, i) => i % 5 !== 0 && c !== 2).length).toBe(0);
    expect(Math.max(...reads.map(([a, b]) => b - a))).toBeLessThanOrEqual(1000);
    const bytes = new Uint8Array(await r.blob.arrayBuffer());
    // The whole file written at once from every row in memory, with the same row groups.
    const data: LabeledData = {
      fields: req.fields,
      rows: await s.readRows(versionId, 0, n),
      classes: req.classes,
      labels: req.labels,
      proba: null,
      source: req.source,
      covered: req.covered,
      split: req.split,
      idField: null,
      ids: null,
    };
    const whole = toParquet(data, selectRows(data, req.filter), r.meta, () => undefined, PARQUET_EXPORT_GROUP_ROWS);
    expect(bytes).toEqual(whole);
    const back = (await parquetReadObjects({ file: bytes.buffer as ArrayBuffer })) as Record<string, unknown>[];
    const want = Array.from({ length: n }, (_, i) => i).filter((i) => i % 5 !== 0);
    expect(back.map((x) => x.row)).toEqual(want.map((i) => i + 1));
    expect(back.at(-1)!.num).toBe(String((n - 1) * 0.5));
    expect(parquetMetadata(bytes.buffer as ArrayBuffer).row_groups.length).toBe(Math.ceil(want.length / PARQUET_EXPORT_GROUP_ROWS));
  });
});
