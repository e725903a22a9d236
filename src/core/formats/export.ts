/**
 * Writers for what leaves Shoal: the labeled dataset (CSV, JSONL, Parquet) and the label
 * matrix (JSON and NumPy `.npy` int8, what Snorkel's `LabelModel.fit(L)` takes in Python).
 *
 * A labeled row is the row id + the original fields + the hard label (class name and index) +
 * one probability column per class + where the label came from: `gold` (a human),
 * `label_model`, `classifier` (the distilled model, which also labels rows no LF voted on) or
 * `none` + the row's `split`. The row id is the dataset's id field, or without one the 1-based
 * import position in a column `row`, so an export joins back to the source data. Output column
 * names never shadow an original field: a clash gets a `shoal_` prefix.
 *
 * Dev/test rows that carry a gold label are the evaluation set: they are left out unless the
 * caller asks for them (`includeEvalGold`), so an export is training data by default.
 *
 * CSV is spreadsheet-safe: a cell that starts with `=`, `+`, `-`, `@`, tab or CR gets a leading
 * `'` (OWASP's CSV-injection advice), in every column and in the header, so Excel or Sheets
 * never runs it as a formula. Cells that are exactly a decimal number (`-3`, `+1.5`, `-2e-7`)
 * are exempt: a spreadsheet reads them as numbers, and `label_id = -1` stays numeric. JSONL and
 * Parquet are written byte-exact.
 *
 * Pure functions over typed arrays: a worker (src/workers/export-run.ts) calls them in chunks
 * and turns the parts into a Blob.
 */
import Papa from 'papaparse';
import { ByteWriter, ParquetWriter, schemaFromColumnData, type ColumnSource } from 'hyparquet-writer';
import type { LabelMatrix } from '../matrix.ts';
import { sha1 } from '../sha1.ts';
import { ShoalError } from '../types.ts';
import { splitOfCode, type Split } from '../splits.ts';

export const LABEL_SOURCES = ['none', 'gold', 'label_model', 'classifier'] as const;
export type LabelSource = (typeof LABEL_SOURCES)[number];

export interface LabeledData {
  /** Original fields, in output order. */
  fields: readonly string[];
  rows: readonly Record<string, unknown>[];
  classes: readonly string[];
  /** Hard label per row, -1 = none. */
  labels: Int32Array;
  /** n × k probabilities of the label's source, or null to leave the probability columns out. */
  proba: Float32Array | null;
  /** Index into LABEL_SOURCES per row. */
  source: Uint8Array;
  /** Whether at least one LF voted on the row (for "only covered rows"). */
  covered?: Uint8Array;
  /** Split code per row (index into SPLIT_NAMES: train, dev, test). */
  split: Uint8Array;
  /** The dataset's id field; null when it has none (the id is then the 1-based position, `row`). */
  idField: string | null;
  /** Stored ids per row, for rows whose object lacks the id field (it was not kept as a field). */
  ids?: readonly string[] | null;
}

export interface RowFilter {
  /** Keep only rows where at least one LF voted. */
  onlyCovered?: boolean;
  /** Keep only rows whose label has at least this probability (gold rows always pass). */
  minConfidence?: number;
  /** Drop rows without a label. */
  onlyLabeled?: boolean;
  /**
   * Keep dev/test rows that carry a gold label. Off by default: those rows are the evaluation
   * set, and training on them would make dev/test scores meaningless.
   */
  includeEvalGold?: boolean;
}

export interface OutputColumns {
  /** The row id column: the dataset's id field, or `row` (the 1-based import position). */
  id: string;
  label: string;
  labelId: string;
  source: string;
  proba: string[];
  split: string;
}

/** The original fields written after the id column (the id field itself comes first, once). */
export function dataFields(fields: readonly string[], idField: string | null): string[] {
  return idField === null ? fields.slice() : fields.filter((f) => f !== idField);
}

/**
 * The added column names, prefixed with `shoal_` where an original field has the name. Picked
 * in the order the columns were introduced, so adding `row` and `split` renamed none of the
 * older ones.
 */
export function outputColumns(fields: readonly string[], classes: readonly string[], idField: string | null = null): OutputColumns {
  const taken = new Set(fields);
  if (idField !== null) taken.add(idField);
  const pick = (name: string) => {
    let out = name;
    while (taken.has(out)) out = `shoal_${out}`;
    taken.add(out);
    return out;
  };
  const label = pick('label');
  const labelId = pick('label_id');
  const source = pick('label_source');
  const proba = classes.map((c) => pick(`p_${c}`));
  const id = idField ?? pick('row');
  return { id, label, labelId, source, proba, split: pick('split') };
}

/** Row indices passing the filter, ascending. */
export function selectRows(data: LabeledData, filter: RowFilter = {}): Uint32Array {
  const n = data.rows.length;
  check(data);
  const k = data.classes.length;
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!filter.includeEvalGold && data.split[i] !== 0 && LABEL_SOURCES[data.source[i]] === 'gold') continue;
    if (filter.onlyCovered && data.covered && !data.covered[i] && LABEL_SOURCES[data.source[i]] !== 'gold') continue;
    if (filter.onlyLabeled && data.labels[i] < 0) continue;
    if (filter.minConfidence !== undefined && filter.minConfidence > 0 && LABEL_SOURCES[data.source[i]] !== 'gold') {
      const y = data.labels[i];
      if (y < 0 || !data.proba || data.proba[i * k + y] < filter.minConfidence) continue;
    }
    keep.push(i);
  }
  return Uint32Array.from(keep);
}

function check(data: LabeledData): void {
  const n = data.rows.length;
  const k = data.classes.length;
  if (data.labels.length !== n) throw new ShoalError(`export: ${data.labels.length} labels for ${n} rows`);
  if (data.source.length !== n) throw new ShoalError(`export: ${data.source.length} label sources for ${n} rows`);
  if (data.proba && data.proba.length !== n * k)
    throw new ShoalError(`export: ${data.proba.length} probabilities for ${n} rows × ${k} classes`);
  if (data.split.length !== n) throw new ShoalError(`export: ${data.split.length} split codes for ${n} rows`);
  if (data.ids && data.ids.length !== n) throw new ShoalError(`export: ${data.ids.length} ids for ${n} rows`);
}

/** How many rows `selectRows` drops only because they are dev/test gold (for the summary). */
export function evalGoldCount(data: LabeledData): number {
  let c = 0;
  const gold = LABEL_SOURCES.indexOf('gold');
  for (let i = 0; i < data.rows.length; i++) if (data.split[i] !== 0 && data.source[i] === gold) c++;
  return c;
}

/** The row's id: its id field's value, else the stored id, else its 1-based position. */
function rowId(data: LabeledData, i: number): string | number | boolean | null {
  if (data.idField === null) return i + 1;
  const v = scalar(data.rows[i][data.idField]);
  return v !== null ? v : (data.ids?.[i] ?? null);
}

/** A cell as text/JSON scalar: objects become JSON text, undefined becomes null. */
function scalar(v: unknown): string | number | boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  return JSON.stringify(v);
}

/** One output record per selected row (`rows[from..to)`), in column order. */
export function* records(
  data: LabeledData,
  rows: ArrayLike<number>,
  from = 0,
  to = rows.length,
): Generator<Record<string, string | number | boolean | null>> {
  const cols = outputColumns(data.fields, data.classes, data.idField);
  const fields = dataFields(data.fields, data.idField);
  const k = data.classes.length;
  for (let t = from; t < to; t++) {
    const i = rows[t];
    const rec: Record<string, string | number | boolean | null> = {};
    rec[cols.id] = rowId(data, i);
    for (const f of fields) rec[f] = scalar(data.rows[i][f]);
    const y = data.labels[i];
    rec[cols.label] = y >= 0 ? data.classes[y] : null;
    rec[cols.labelId] = y;
    if (data.proba) for (let c = 0; c < k; c++) rec[cols.proba[c]] = round(data.proba[i * k + c]);
    rec[cols.source] = LABEL_SOURCES[data.source[i]];
    rec[cols.split] = splitOfCode(data.split[i]);
    yield rec;
  }
}

/** Six decimals: float32 noise beyond that only bloats text files. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Output column names, in file order. */
export function header(data: Pick<LabeledData, 'fields' | 'classes' | 'idField' | 'proba'>): string[] {
  const cols = outputColumns(data.fields, data.classes, data.idField);
  return [
    cols.id,
    ...dataFields(data.fields, data.idField),
    cols.label,
    cols.labelId,
    ...(data.proba ? cols.proba : []),
    cols.source,
    cols.split,
  ];
}

/**
 * Cells papaparse prefixes with `'`: those starting with `=`, `+`, `-`, `@`, tab or CR (OWASP's
 * list), except a whole decimal number, which a spreadsheet reads as a number, not a formula.
 * Papaparse applies it to string cells (header included); JS numbers are written as they are,
 * and `csvCell` turns the non-finite ones into strings so `-Infinity` is escaped too.
 */
export const FORMULA_CELL = /^(?![+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$)[=+\-@\t\r]/;

const CSV_OPTIONS = { newline: '\n', escapeFormulae: FORMULA_CELL } as const;

function csvCell(v: string | number | boolean | null): string | number | boolean | null {
  return typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
}

/** Rows per part of a chunked write: progress and cancel happen between parts. */
export const PART_ROWS = 5000;

/**
 * CSV (RFC 4180, papaparse quoting, nulls as empty cells, formula cells neutralised) in parts:
 * the header line, then one part per `partRows` rows. Joined, the parts are `toCsv`.
 */
export function* csvParts(data: LabeledData, rows: ArrayLike<number> = selectRows(data), partRows = PART_ROWS): Generator<string> {
  check(data);
  const fields = header(data);
  yield Papa.unparse([fields], CSV_OPTIONS) + '\n';
  for (let from = 0; from < rows.length; from += partRows) {
    const body: (string | number | boolean | null)[][] = [];
    for (const rec of records(data, rows, from, Math.min(rows.length, from + partRows))) body.push(fields.map((f) => csvCell(rec[f])));
    yield Papa.unparse(body, CSV_OPTIONS) + '\n';
  }
}

/** The whole CSV as one string. */
export function toCsv(data: LabeledData, rows: ArrayLike<number> = selectRows(data)): string {
  return Array.from(csvParts(data, rows)).join('');
}

/** JSONL (one JSON object per line, values as they are) in parts of `partRows` rows. */
export function* jsonlParts(data: LabeledData, rows: ArrayLike<number> = selectRows(data), partRows = PART_ROWS): Generator<string> {
  check(data);
  for (let from = 0; from < rows.length; from += partRows) {
    let out = '';
    for (const rec of records(data, rows, from, Math.min(rows.length, from + partRows))) out += JSON.stringify(rec) + '\n';
    yield out;
  }
}

/** One JSON object per line. */
export function toJsonl(data: LabeledData, rows: ArrayLike<number> = selectRows(data)): string {
  return Array.from(jsonlParts(data, rows)).join('');
}

/** Parquet key-value metadata: one key holding the export's provenance as JSON. */
export const PARQUET_META_KEY = 'shoal.labels_meta';

/** What a column of scalars becomes in Parquet: the type every non-null value has, else strings. */
type ScalarKind = 'number' | 'boolean' | 'string' | null;

/**
 * The Parquet type of each scalar column (the id field when there is one, then the data
 * fields), learned from values as they are seen: a column is numbers or booleans only when
 * every non-null value of it is, so a streamed export sees every selected row once before it
 * writes the first row group.
 */
export class ParquetKinds {
  private readonly kinds: ScalarKind[];
  private readonly mixed: boolean[];
  constructor(private readonly data: Pick<LabeledData, 'fields' | 'idField' | 'rows' | 'ids'>) {
    const width = dataFields(data.fields, data.idField).length + (data.idField === null ? 0 : 1);
    this.kinds = new Array<ScalarKind>(width).fill(null);
    this.mixed = new Array<boolean>(width).fill(false);
  }

  /** Take in the values of these dataset rows (their records must be in `data.rows`). */
  see(rows: ArrayLike<number>, from = 0, to = rows.length): void {
    const { data } = this;
    const fields = dataFields(data.fields, data.idField);
    const offset = data.idField === null ? 0 : 1;
    for (let t = from; t < to; t++) {
      const r = rows[t];
      if (data.idField !== null) this.add(0, rowId(data as LabeledData, r));
      const rec = data.rows[r];
      for (let c = 0; c < fields.length; c++) this.add(c + offset, scalar(rec[fields[c]]));
    }
  }

  private add(c: number, v: string | number | boolean | null): void {
    if (v === null) return;
    const vk = typeof v as 'number' | 'boolean' | 'string';
    if (this.kinds[c] === null) this.kinds[c] = vk;
    else if (this.kinds[c] !== vk) this.mixed[c] = true;
  }

  /** The Parquet type of scalar column `c`. */
  typeOf(c: number): 'STRING' | 'DOUBLE' | 'BOOLEAN' {
    const kind = this.kinds[c];
    if (this.mixed[c] || kind === 'string' || kind === null) return 'STRING';
    return kind === 'number' ? 'DOUBLE' : 'BOOLEAN';
  }
}

function scalarColumn(name: string, type: 'STRING' | 'DOUBLE' | 'BOOLEAN', values: (string | number | boolean | null)[]): ColumnSource {
  if (type === 'STRING') return { name, type, nullable: true, data: values.map((v) => (v === null ? null : String(v))) };
  return { name, type, nullable: true, data: values };
}

/** Rows per Parquet row group. */
export const PARQUET_GROUP_ROWS = 100_000;

/**
 * Hands each finished row group's bytes to `onBytes` and reuses its buffer (`offset` keeps
 * counting for the footer): the bytes are a view, valid only during the call, so the receiver
 * copies them once, into a Blob or an array of its own.
 */
class PartWriter extends ByteWriter {
  constructor(private readonly onBytes: (bytes: Uint8Array) => void) {
    super();
  }
  flush(): void {
    this.onBytes(this.getBytes());
    this.index = 0;
  }
  override finish(): void {
    this.flush();
  }
}

/**
 * A labels Parquet file written one row group at a time (SNAPPY): `group` writes the given
 * selected rows, whose records must be in `data.rows` only while it runs; `finish` writes the
 * footer. Each row group's bytes go to `onBytes` as soon as they are written, so a caller that
 * keeps them outside its memory (Blobs) never holds the file; the bytes are a view valid only
 * during the call. The scalar columns' types come
 * from `kinds`, which must have seen every row the file will hold.
 */
export class ParquetLabelsWriter {
  private readonly pq: ParquetWriter;
  private readonly cols: OutputColumns;
  private readonly fields: string[];

  constructor(
    private readonly data: LabeledData,
    private readonly kinds: ParquetKinds,
    meta: unknown,
    onBytes: (bytes: Uint8Array) => void,
  ) {
    check(data);
    this.cols = outputColumns(data.fields, data.classes, data.idField);
    this.fields = dataFields(data.fields, data.idField);
    const kvMetadata = meta === undefined ? undefined : [{ key: PARQUET_META_KEY, value: JSON.stringify(meta) }];
    this.pq = new ParquetWriter({
      writer: new PartWriter(onBytes),
      schema: schemaFromColumnData({ columnData: this.columns([]) }),
      createdBy: 'shoal',
      kvMetadata,
    });
  }

  /** The output columns of these selected rows. */
  private columns(rows: ArrayLike<number>): ColumnSource[] {
    const { data, cols, kinds } = this;
    const n = rows.length;
    const k = data.classes.length;
    const out: ColumnSource[] = [];
    const offset = data.idField === null ? 0 : 1;
    if (data.idField === null) {
      out.push({ name: cols.id, type: 'INT32', nullable: false, data: Int32Array.from({ length: n }, (_, t) => rows[t] + 1) });
    } else {
      out.push(
        scalarColumn(
          cols.id,
          kinds.typeOf(0),
          Array.from({ length: n }, (_, t) => rowId(data, rows[t])),
        ),
      );
    }
    this.fields.forEach((f, c) => {
      const values: (string | number | boolean | null)[] = new Array(n);
      for (let t = 0; t < n; t++) values[t] = scalar(data.rows[rows[t]][f]);
      out.push(scalarColumn(f, kinds.typeOf(c + offset), values));
    });
    const label: (string | null)[] = new Array(n);
    const labelId = new Int32Array(n);
    const source: string[] = new Array(n);
    for (let t = 0; t < n; t++) {
      const y = data.labels[rows[t]];
      label[t] = y >= 0 ? data.classes[y] : null;
      labelId[t] = y;
      source[t] = LABEL_SOURCES[data.source[rows[t]]];
    }
    out.push({ name: cols.label, type: 'STRING', nullable: true, data: label });
    out.push({ name: cols.labelId, type: 'INT32', nullable: false, data: labelId });
    if (data.proba) {
      for (let c = 0; c < k; c++) {
        const p = new Float64Array(n);
        for (let t = 0; t < n; t++) p[t] = data.proba[rows[t] * k + c];
        out.push({ name: cols.proba[c], type: 'DOUBLE', nullable: false, data: p });
      }
    }
    out.push({ name: cols.source, type: 'STRING', nullable: false, data: source });
    out.push({
      name: cols.split,
      type: 'STRING',
      nullable: false,
      data: Array.from({ length: n }, (_, t) => splitOfCode(data.split[rows[t]])),
    });
    return out;
  }

  /** Write these selected rows as one row group. */
  group(rows: ArrayLike<number>): void {
    if (rows.length === 0) return;
    // The schema fixed the types; the writer takes the data only.
    const columnData = this.columns(rows).map(({ name, data }) => ({ name, data }));
    void this.pq.write({ columnData, rowGroupSize: rows.length });
  }

  finish(): void {
    void this.pq.finish();
  }
}

/**
 * Parquet (SNAPPY, one row group per `groupRows` rows, 100k by default). Original fields (and the id field) keep
 * numbers and booleans when every non-null value of the column has that type; otherwise they
 * are strings. `meta`, when given, is stored as key-value metadata under PARQUET_META_KEY.
 * `onRowGroup` hears the rows written so far after each row group.
 */
export function toParquet(
  data: LabeledData,
  rows: ArrayLike<number> = selectRows(data),
  meta?: unknown,
  onRowGroup: (rowsWritten: number) => void = () => undefined,
  groupRows = PARQUET_GROUP_ROWS,
): Uint8Array {
  const kinds = new ParquetKinds(data);
  kinds.see(rows);
  const parts: Uint8Array[] = [];
  const writer = new ParquetLabelsWriter(data, kinds, meta, (b) => parts.push(b.slice()));
  for (let from = 0; from < rows.length; from += groupRows) {
    const to = Math.min(rows.length, from + groupRows);
    writer.group(Array.prototype.slice.call(rows, from, to) as number[]);
    onRowGroup(to);
  }
  writer.finish();
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The version of an LF set: SHA-1 over its LFs' content hashes (core/lf/hash.ts), sorted, so it
 * changes when any LF's definition changes, or one is added or removed, and not when they are
 * reordered or renamed (neither changes a label).
 */
export function lfSetVersion(lfHashes: readonly string[]): string {
  return sha1(lfHashes.slice().sort().join('\n'));
}

/** What produced an export; written to the sidecar / Parquet metadata as it is. */
export interface ExportProvenance {
  labels_from: 'label_model' | 'classifier';
  label_model: { name: string; chosen: string | null; run_id: string; fitted_on_current_lfs: boolean } | null;
  classifier: { id: string; trained_at: string; label_model: string; label_model_run_id: string; stale: boolean } | null;
  lf_set_version: string;
  lfs: string[];
  dataset: { name: string; version_id: string; rows: number };
  exported_at: string;
}

export interface LabelsMeta extends ExportProvenance {
  format: 'shoal-labels-meta/1';
  /** The labels file this describes. */
  file: string;
  file_format: 'csv' | 'jsonl' | 'parquet';
  rows: number;
  rows_by_split: Record<Split, number>;
  includes_dev_test_gold: boolean;
  filters: { only_covered: boolean; min_confidence: number | null };
  classes: string[];
  columns: { id: string; id_is_position: boolean; label: string; label_id: string; label_source: string; split: string; proba: string[] };
  csv_formula_cells_escaped: boolean;
}

/** The sidecar for an export of `rows` of `data`. */
export function labelsMeta(
  data: LabeledData,
  rows: ArrayLike<number>,
  file: string,
  fileFormat: LabelsMeta['file_format'],
  filter: RowFilter,
  provenance: ExportProvenance,
): LabelsMeta {
  const cols = outputColumns(data.fields, data.classes, data.idField);
  const bySplit: Record<Split, number> = { train: 0, dev: 0, test: 0 };
  for (let t = 0; t < rows.length; t++) bySplit[splitOfCode(data.split[rows[t]])]++;
  return {
    format: 'shoal-labels-meta/1',
    file,
    file_format: fileFormat,
    rows: rows.length,
    rows_by_split: bySplit,
    includes_dev_test_gold: filter.includeEvalGold === true,
    filters: { only_covered: filter.onlyCovered === true, min_confidence: filter.minConfidence ?? null },
    classes: data.classes.slice(),
    columns: {
      id: cols.id,
      id_is_position: data.idField === null,
      label: cols.label,
      label_id: cols.labelId,
      label_source: cols.source,
      split: cols.split,
      proba: data.proba ? cols.proba : [],
    },
    csv_formula_cells_escaped: fileFormat === 'csv',
    ...provenance,
  };
}

/** The label matrix as JSON: row-major votes (-1 = abstain) with LF and class names. */
export function labelMatrixJson(
  L: LabelMatrix,
  lfNames: readonly string[],
  classes: readonly string[],
  rowIds?: readonly (string | number)[],
): string {
  if (lfNames.length !== L.m) throw new ShoalError(`label matrix has ${L.m} LFs but ${lfNames.length} names were given`);
  const cols = L.columns();
  const lines: string[] = [];
  for (let i = 0; i < L.n; i++) {
    const r: number[] = new Array(L.m);
    for (let j = 0; j < L.m; j++) r[j] = cols[j][i];
    lines.push(JSON.stringify(r));
  }
  const head = JSON.stringify({
    format: 'shoal-label-matrix/1',
    abstain: -1,
    n: L.n,
    m: L.m,
    k: L.k,
    classes,
    lfs: lfNames,
    ...(rowIds ? { row_ids: rowIds } : {}),
  });
  // One row per line: big matrices stay diffable and greppable.
  return `${head.slice(0, -1)},"L":[\n${lines.join(',\n')}\n]}\n`;
}

/**
 * NumPy .npy (format 1.0), dtype int8 ('|i1'), C order, shape (n, m): `np.load(path)` gives
 * Snorkel's L matrix directly. The header is padded so the data starts at a multiple of 64.
 */
export function npyInt8(L: LabelMatrix): Uint8Array {
  const dict = `{'descr': '|i1', 'fortran_order': False, 'shape': (${L.n}, ${L.m}), }`;
  const pre = 10; // magic (6) + version (2) + header length (2)
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  const headerText = dict + ' '.repeat(total - pre - dict.length - 1) + '\n';
  const out = new Uint8Array(total + L.n * L.m);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0); // \x93NUMPY v1.0
  out[8] = headerText.length & 0xff;
  out[9] = headerText.length >> 8;
  for (let p = 0; p < headerText.length; p++) out[pre + p] = headerText.charCodeAt(p);
  const body = new Int8Array(out.buffer, total);
  const cols = L.columns();
  for (let j = 0; j < L.m; j++) {
    const c = cols[j];
    for (let i = 0; i < L.n; i++) body[i * L.m + j] = c[i];
  }
  return out;
}

/** Read back an int8 .npy written by `npyInt8` (or numpy): shape and row-major data. */
export function readNpyInt8(bytes: Uint8Array): { shape: [number, number]; data: Int8Array } {
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') {
    throw new ShoalError('not a .npy file (the magic string \\x93NUMPY is missing)');
  }
  const major = bytes[6];
  const hlen = major === 1 ? bytes[8] | (bytes[9] << 8) : bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24);
  const start = major === 1 ? 10 : 12;
  const text = new TextDecoder().decode(bytes.subarray(start, start + hlen));
  if (!/'descr':\s*'\|i1'/.test(text)) throw new ShoalError(`.npy dtype is not int8: ${text.trim()}`);
  if (/'fortran_order':\s*True/.test(text)) throw new ShoalError('.npy is in Fortran order; save it with np.ascontiguousarray first');
  const m = /'shape':\s*\((\d+),\s*(\d+)\)/.exec(text);
  if (!m) throw new ShoalError(`.npy shape is not two-dimensional: ${text.trim()}`);
  const shape: [number, number] = [Number(m[1]), Number(m[2])];
  const off = start + hlen;
  if (bytes.length - off !== shape[0] * shape[1])
    throw new ShoalError(`.npy has ${bytes.length - off} data bytes, expected ${shape[0]}×${shape[1]}`);
  return { shape, data: new Int8Array(bytes.buffer, bytes.byteOffset + off, shape[0] * shape[1]) };
}
