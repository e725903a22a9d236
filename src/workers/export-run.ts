/**
 * A labels export, run where the rows are: read the dataset version's rows and ids from storage
 * part by part, select the rows, and serialise them in parts (core/formats/export.ts), reporting
 * progress between parts. The export worker (export.worker.ts) calls this with its own Dexie
 * connection, so a million rows are neither cloned through nor serialised on the page's thread;
 * tests call it with the in-memory storage.
 *
 * The page sends only what it computed (labels, probabilities, sources, splits as typed arrays)
 * and the provenance; the result is a Blob (cheap to hand back across threads) and the sidecar.
 */
import {
  csvParts,
  evalGoldCount,
  jsonlParts,
  labelsMeta,
  ParquetKinds,
  ParquetLabelsWriter,
  PART_ROWS,
  selectRows,
  type ExportProvenance,
  type LabeledData,
  type LabelsMeta,
  type RowFilter,
} from '../core/formats/export.ts';
import { ShoalError } from '../core/types.ts';
import type { ShoalStorage } from '../storage/types.ts';

export type LabelsFormat = 'csv' | 'jsonl' | 'parquet';

export interface LabelsExportRequest {
  versionId: string;
  /** Original fields in output order (the id field, if listed, is written first, once). */
  fields: string[];
  classes: string[];
  labels: Int32Array;
  proba: Float32Array | null;
  source: Uint8Array;
  split: Uint8Array;
  covered: Uint8Array;
  filter: RowFilter;
  format: LabelsFormat;
  /** The labels file name (recorded in the sidecar). */
  file: string;
  provenance: ExportProvenance;
}

export interface LabelsExportProgress {
  phase: 'reading' | 'writing';
  /** 0..1 over the whole export. */
  fraction: number;
  rows: number;
}

export interface LabelsExportResult {
  blob: Blob;
  mime: string;
  rows: number;
  /** Dev/test gold rows left out (0 when they were included). */
  evalGoldLeftOut: number;
  meta: LabelsMeta;
}

const MIME: Record<LabelsFormat, string> = { csv: 'text/csv', jsonl: 'application/x-ndjson', parquet: 'application/vnd.apache.parquet' };

/**
 * Rows per Parquet row group in a labels export: the worker holds one group's records at a time
 * (20,000 notes of 3 KB are 60 MB of text), and readers still get groups large enough to scan well.
 */
export const PARQUET_EXPORT_GROUP_ROWS = 20_000;

type Reader = Pick<ShoalStorage, 'getVersion' | 'readRows' | 'getColumn'>;

function stopIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new ShoalError('the export was cancelled');
}

export async function runLabelsExport(
  req: LabelsExportRequest,
  storage: Reader,
  onProgress?: (p: LabelsExportProgress) => void,
  signal?: AbortSignal,
): Promise<LabelsExportResult> {
  const version = await storage.getVersion(req.versionId);
  if (!version) throw new ShoalError('the dataset of this export no longer exists; reopen the project and try again');
  const n = version.rowCount;
  if (req.labels.length !== n)
    throw new ShoalError(`the labels cover ${req.labels.length} rows but the dataset has ${n}; reopen the project and export again`);
  const idField = version.idField ?? null;
  const ids = idField !== null ? ((await storage.getColumn(req.versionId, 'ids')) ?? null) : null;
  // `rows` has the dataset's length but holds only the rows of the part being written: a CSV or
  // JSONL export reads each part's rows from storage, writes them, and lets them go, so the
  // worker never holds the whole text (500,000 long notes are gigabytes). Each finished part
  // becomes a Blob, which the browser keeps outside the worker's memory (on disk when large).
  const rows: Record<string, unknown>[] = new Array<Record<string, unknown>>(n);
  const data: LabeledData = {
    fields: req.fields,
    rows,
    classes: req.classes,
    labels: req.labels,
    proba: req.proba,
    source: req.source,
    covered: req.covered,
    split: req.split,
    idField,
    ids,
  };
  const selected = selectRows(data, req.filter);
  const meta = labelsMeta(data, selected, req.file, req.format, req.filter, req.provenance);
  const evalGoldLeftOut = req.filter.includeEvalGold ? 0 : evalGoldCount(data);
  const parts: BlobPart[] = [];
  if (req.format === 'parquet') {
    // Two passes, so the worker holds one row group's records at a time: the first reads every
    // selected row once to learn each column's Parquet type (a column is numbers only when every
    // value is), the second reads them again a row group at a time, writes it, and lets it go.
    const kinds = new ParquetKinds(data);
    const parquet = new ParquetLabelsWriter(data, kinds, meta, (bytes) => parts.push(new Blob([bytes as BlobPart])));
    const total = Math.max(1, selected.length);
    for (const pass of ['reading', 'writing'] as const) {
      const base = pass === 'reading' ? 0 : 0.4;
      const span = pass === 'reading' ? 0.4 : 0.6;
      for (let from = 0; from < selected.length; from += PARQUET_EXPORT_GROUP_ROWS) {
        stopIfAborted(signal);
        const to = Math.min(selected.length, from + PARQUET_EXPORT_GROUP_ROWS);
        const first = selected[from];
        const end = selected[to - 1] + 1;
        const share = (to - from) / total;
        await fillRows(storage, req.versionId, rows, first, end, Math.max(1, version.rowsPerChunk), signal, (done) =>
          onProgress?.({ phase: pass, fraction: base + span * (from / total + (share * done) / (end - first)), rows: from }),
        );
        if (pass === 'reading') kinds.see(selected, from, to);
        else parquet.group(selected.subarray(from, to));
        rows.fill(undefined as unknown as Record<string, unknown>, first, end);
        onProgress?.({ phase: pass, fraction: base + (span * to) / total, rows: to });
      }
    }
    parquet.finish();
  } else {
    const gen = req.format === 'csv' ? csvParts(data, selected) : jsonlParts(data, selected);
    if (req.format === 'csv') parts.push(new Blob([gen.next().value ?? '']));
    // Every later part holds PART_ROWS selected rows (the last one fewer), in order.
    for (let from = 0; from < selected.length; from += PART_ROWS) {
      stopIfAborted(signal);
      const to = Math.min(selected.length, from + PART_ROWS);
      const first = selected[from];
      const end = selected[to - 1] + 1;
      // Reading is reported chunk by chunk (the first half of each part's share), writing after it.
      const share = (to - from) / Math.max(1, selected.length);
      await fillRows(storage, req.versionId, rows, first, end, Math.max(1, version.rowsPerChunk), signal, (done) =>
        onProgress?.({ phase: 'reading', fraction: from / selected.length + (share * done) / (2 * (end - first)), rows: from }),
      );
      const part = gen.next();
      if (part.done) throw new ShoalError('the export wrote fewer parts than it selected rows for; export again');
      parts.push(new Blob([part.value]));
      rows.fill(undefined as unknown as Record<string, unknown>, first, end);
      onProgress?.({ phase: 'writing', fraction: to / Math.max(1, selected.length), rows: to });
    }
    if (!gen.next().done) throw new ShoalError('the export wrote more parts than it selected rows for; export again');
  }
  onProgress?.({ phase: 'writing', fraction: 1, rows: selected.length });
  return { blob: new Blob(parts, { type: MIME[req.format] }), mime: MIME[req.format], rows: selected.length, evalGoldLeftOut, meta };
}

/** Read rows [start, end) into `rows` (by dataset position), `step` rows a read; `onRead` gets the rows read so far. */
async function fillRows(
  storage: Reader,
  versionId: string,
  rows: Record<string, unknown>[],
  start: number,
  end: number,
  step: number,
  signal: AbortSignal | undefined,
  onRead: (done: number) => void,
): Promise<void> {
  for (let at = start; at < end; at += step) {
    stopIfAborted(signal);
    const to = Math.min(end, at + step);
    const got = await storage.readRows(versionId, at, to);
    if (got.length !== to - at)
      throw new ShoalError(`read ${got.length} of the ${to - at} rows from row ${at + 1}; reopen the project and export again`);
    for (let i = 0; i < got.length; i++) rows[at + i] = got[i];
    onRead(to - start);
  }
}
