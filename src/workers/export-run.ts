/**
 * A labels export, run where the rows are: read the dataset version's rows and ids from storage
 * in steps, select the rows, and serialise them in parts (core/formats/export.ts), reporting
 * progress between steps. The export worker (export.worker.ts) calls this with its own Dexie
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
  PART_ROWS,
  selectRows,
  toParquet,
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
  // Reading is the cheap half (IndexedDB hands back chunks); writing the text is the rest.
  const rows: Record<string, unknown>[] = [];
  const step = Math.max(1, version.rowsPerChunk * 10);
  for (let start = 0; start < n; start += step) {
    stopIfAborted(signal);
    for (const r of await storage.readRows(req.versionId, start, start + step)) rows.push(r);
    onProgress?.({ phase: 'reading', fraction: (0.3 * Math.min(n, start + step)) / n, rows: rows.length });
  }
  if (rows.length !== n) throw new ShoalError(`read ${rows.length} of the dataset's ${n} rows; reopen the project and export again`);
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
    stopIfAborted(signal);
    onProgress?.({ phase: 'writing', fraction: 0.3, rows: 0 });
    // Row groups are written in one synchronous call; progress is posted after each of them.
    parts.push(
      toParquet(data, selected, meta, (done) =>
        onProgress?.({ phase: 'writing', fraction: 0.3 + (0.7 * done) / Math.max(1, selected.length), rows: done }),
      ) as BlobPart,
    );
  } else {
    const gen = req.format === 'csv' ? csvParts(data, selected) : jsonlParts(data, selected);
    // Every part holds PART_ROWS rows (the last one fewer); CSV's first part is the header.
    let done = req.format === 'csv' ? -PART_ROWS : 0;
    for (const part of gen) {
      stopIfAborted(signal);
      parts.push(part);
      done += PART_ROWS;
      const rowsDone = Math.max(0, Math.min(selected.length, done));
      onProgress?.({ phase: 'writing', fraction: 0.3 + (0.7 * rowsDone) / Math.max(1, selected.length), rows: rowsDone });
    }
  }
  onProgress?.({ phase: 'writing', fraction: 1, rows: selected.length });
  return { blob: new Blob(parts, { type: MIME[req.format] }), mime: MIME[req.format], rows: selected.length, evalGoldLeftOut, meta };
}
