/**
 * Writers for what leaves Shoal: the labeled dataset (CSV, JSONL, Parquet) and the label
 * matrix (JSON and NumPy `.npy` int8, what Snorkel's `LabelModel.fit(L)` takes in Python).
 *
 * A labeled row is the original fields + the hard label (class name and index) + one
 * probability column per class + where the label came from: `gold` (a human), `label_model`,
 * `classifier` (the distilled model, which also labels rows no LF voted on) or `none`.
 * Output column names never shadow an original field: a clash gets a `shoal_` prefix.
 *
 * Pure functions over typed arrays: the page calls them and turns the result into a Blob.
 */
import Papa from 'papaparse';
import { parquetWriteBuffer, type ColumnSource } from 'hyparquet-writer';
import type { LabelMatrix } from '../matrix.ts';
import { ShoalError } from '../types.ts';

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
}

export interface RowFilter {
  /** Keep only rows where at least one LF voted. */
  onlyCovered?: boolean;
  /** Keep only rows whose label has at least this probability (gold rows always pass). */
  minConfidence?: number;
  /** Drop rows without a label. */
  onlyLabeled?: boolean;
}

export interface OutputColumns {
  label: string;
  labelId: string;
  source: string;
  proba: string[];
}

/** The added column names, prefixed with `shoal_` where an original field has the name. */
export function outputColumns(fields: readonly string[], classes: readonly string[]): OutputColumns {
  const taken = new Set(fields);
  const pick = (name: string) => {
    let out = name;
    while (taken.has(out)) out = `shoal_${out}`;
    taken.add(out);
    return out;
  };
  return { label: pick('label'), labelId: pick('label_id'), source: pick('label_source'), proba: classes.map((c) => pick(`p_${c}`)) };
}

/** Row indices passing the filter, ascending. */
export function selectRows(data: LabeledData, filter: RowFilter = {}): Uint32Array {
  const n = data.rows.length;
  check(data);
  const k = data.classes.length;
  const keep: number[] = [];
  for (let i = 0; i < n; i++) {
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
  if (data.proba && data.proba.length !== n * k) throw new ShoalError(`export: ${data.proba.length} probabilities for ${n} rows × ${k} classes`);
}

/** A cell as text/JSON scalar: objects become JSON text, undefined becomes null. */
function scalar(v: unknown): string | number | boolean | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  return JSON.stringify(v);
}

/** One output record per selected row, in column order. */
export function* records(data: LabeledData, rows: ArrayLike<number>): Generator<Record<string, string | number | boolean | null>> {
  const cols = outputColumns(data.fields, data.classes);
  const k = data.classes.length;
  for (let t = 0; t < rows.length; t++) {
    const i = rows[t];
    const rec: Record<string, string | number | boolean | null> = {};
    for (const f of data.fields) rec[f] = scalar(data.rows[i][f]);
    const y = data.labels[i];
    rec[cols.label] = y >= 0 ? data.classes[y] : null;
    rec[cols.labelId] = y;
    for (let c = 0; c < k; c++) rec[cols.proba[c]] = data.proba ? round(data.proba[i * k + c]) : null;
    rec[cols.source] = LABEL_SOURCES[data.source[i]];
    if (!data.proba) for (const p of cols.proba) delete rec[p];
    yield rec;
  }
}

/** Six decimals: float32 noise beyond that only bloats text files. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function header(data: LabeledData): string[] {
  const cols = outputColumns(data.fields, data.classes);
  return [...data.fields, cols.label, cols.labelId, ...(data.proba ? cols.proba : []), cols.source];
}

/** RFC 4180 CSV with a header row (papaparse quoting); nulls are empty cells. */
export function toCsv(data: LabeledData, rows: ArrayLike<number> = selectRows(data)): string {
  const fields = header(data);
  const body: (string | number | boolean | null)[][] = [];
  for (const rec of records(data, rows)) body.push(fields.map((f) => rec[f]));
  return Papa.unparse({ fields, data: body }, { newline: '\n' }) + '\n';
}

/** One JSON object per line. */
export function toJsonl(data: LabeledData, rows: ArrayLike<number> = selectRows(data)): string {
  let out = '';
  for (const rec of records(data, rows)) out += JSON.stringify(rec) + '\n';
  return out;
}

/**
 * Parquet (SNAPPY, one row group per 100k rows). Original fields keep numbers and booleans
 * when every non-null value of the column has that type; otherwise they are strings.
 */
export function toParquet(data: LabeledData, rows: ArrayLike<number> = selectRows(data)): Uint8Array {
  check(data);
  const n = rows.length;
  const cols = outputColumns(data.fields, data.classes);
  const k = data.classes.length;
  const columnData: ColumnSource[] = [];
  for (const f of data.fields) {
    const values: (string | number | boolean | null)[] = new Array(n);
    let kind: 'number' | 'boolean' | 'string' | null = null;
    let mixed = false;
    for (let t = 0; t < n; t++) {
      const v = scalar(data.rows[rows[t]][f]);
      values[t] = v;
      if (v === null) continue;
      const vk = typeof v as 'number' | 'boolean' | 'string';
      if (kind === null) kind = vk;
      else if (kind !== vk) mixed = true;
    }
    if (mixed || kind === 'string' || kind === null) {
      columnData.push({ name: f, type: 'STRING', nullable: true, data: values.map((v) => (v === null ? null : String(v))) });
    } else {
      columnData.push({ name: f, type: kind === 'number' ? 'DOUBLE' : 'BOOLEAN', nullable: true, data: values });
    }
  }
  const label: (string | null)[] = new Array(n);
  const labelId = new Int32Array(n);
  const source: string[] = new Array(n);
  for (let t = 0; t < n; t++) {
    const y = data.labels[rows[t]];
    label[t] = y >= 0 ? data.classes[y] : null;
    labelId[t] = y;
    source[t] = LABEL_SOURCES[data.source[rows[t]]];
  }
  columnData.push({ name: cols.label, type: 'STRING', nullable: true, data: label });
  columnData.push({ name: cols.labelId, type: 'INT32', nullable: false, data: labelId });
  if (data.proba) {
    for (let c = 0; c < k; c++) {
      const p = new Float64Array(n);
      for (let t = 0; t < n; t++) p[t] = data.proba[rows[t] * k + c];
      columnData.push({ name: cols.proba[c], type: 'DOUBLE', nullable: false, data: p });
    }
  }
  columnData.push({ name: cols.source, type: 'STRING', nullable: false, data: source });
  return new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize: 100_000, createdBy: 'shoal' }));
}

/** The label matrix as JSON: row-major votes (-1 = abstain) with LF and class names. */
export function labelMatrixJson(L: LabelMatrix, lfNames: readonly string[], classes: readonly string[], rowIds?: readonly (string | number)[]): string {
  if (lfNames.length !== L.m) throw new ShoalError(`label matrix has ${L.m} LFs but ${lfNames.length} names were given`);
  const cols = L.columns();
  const lines: string[] = [];
  for (let i = 0; i < L.n; i++) {
    const r: number[] = new Array(L.m);
    for (let j = 0; j < L.m; j++) r[j] = cols[j][i];
    lines.push(JSON.stringify(r));
  }
  const head = JSON.stringify({ format: 'shoal-label-matrix/1', abstain: -1, n: L.n, m: L.m, k: L.k, classes, lfs: lfNames, ...(rowIds ? { row_ids: rowIds } : {}) });
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
  if (bytes.length - off !== shape[0] * shape[1]) throw new ShoalError(`.npy has ${bytes.length - off} data bytes, expected ${shape[0]}×${shape[1]}`);
  return { shape, data: new Int8Array(bytes.buffer, bytes.byteOffset + off, shape[0] * shape[1]) };
}
