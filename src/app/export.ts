/**
 * The Export screen's labels export. The page decides each row's label (`labelColumns`): gold
 * labels win wherever a human gave one; elsewhere the label comes from the chosen model — the
 * label model (rows no LF voted on get no label) or the distilled classifier (every row).
 * Probability columns are always the chosen model's. What produced the labels (label model,
 * classifier, LF set version, date) is collected by `provenance`.
 *
 * The rows themselves are read and serialised in the export worker (src/workers/export-run.ts):
 * `exportLabels` sends it typed arrays only, reports its progress and cancels by terminating it.
 */
import * as Comlink from 'comlink';
import { LABEL_SOURCES, labelMatrixJson, lfSetVersion, npyInt8, type ExportProvenance, type RowFilter } from '../core/formats/export.ts';
import { LabelMatrix } from '../core/matrix.ts';
import { SPLIT_NAMES } from '../core/splits.ts';
import { ShoalError } from '../core/types.ts';
import type { LabelsExportProgress, LabelsExportRequest, LabelsExportResult, LabelsFormat } from '../workers/export-run.ts';
import type { ExportWorkerApi } from '../workers/export.worker.ts';
import { hardLabels, scatterSplits } from './model-report.ts';
import type { ModelState } from './model.svelte.ts';
import type { session as Session } from './session.svelte.ts';

export type ExportSource = 'label_model' | 'classifier';
export type { LabelsExportProgress, LabelsExportResult, LabelsFormat };

const SRC = (s: (typeof LABEL_SOURCES)[number]) => LABEL_SOURCES.indexOf(s);

/** Row covered = at least one enabled LF voted on it (dataset order). */
export function coveredMask(columns: readonly Int8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (const col of columns) for (let i = 0; i < n; i++) if (col[i] >= 0) out[i] = 1;
  return out;
}

/** Per-row label columns of an export, dataset order (fresh arrays: they are transferred). */
export interface LabelColumns {
  labels: Int32Array;
  proba: Float32Array;
  source: Uint8Array;
  covered: Uint8Array;
  split: Uint8Array;
}

/**
 * Each row's label, its source and the chosen model's probabilities. `classifierProba` is the
 * classifier's dataset-order n × k matrix (from the ONNX run, or predicted for the export) when
 * the source is the classifier.
 */
export function labelColumns(s: typeof Session, m: ModelState, source: ExportSource, classifierProba: Float32Array | null): LabelColumns {
  const ds = s.dataset;
  const v = s.votes;
  if (!ds || !v) throw new ShoalError('open a dataset and run its LFs before exporting labels');
  const k = s.classes.length;
  const n = ds.rowCount;
  const covered = coveredMask(v.full, n);
  let proba: Float32Array;
  if (source === 'classifier') {
    if (!classifierProba || classifierProba.length !== n * k)
      throw new ShoalError('train the classifier (Model screen) before exporting its labels');
    proba = classifierProba.slice();
  } else {
    const lm = m.lm;
    if (!lm) throw new ShoalError('fit the label model (Model screen) before exporting its labels');
    const idx = s.splitIndex;
    proba = scatterSplits(
      n,
      k,
      SPLIT_NAMES.map((sp) => ({ rows: idx[sp], proba: lm.proba[sp] })),
    );
  }
  const pred = hardLabels(proba, k);
  const labels = new Int32Array(n);
  const src = new Uint8Array(n);
  const gold = s.fullGold;
  for (let i = 0; i < n; i++) {
    if (gold[i] >= 0) {
      labels[i] = gold[i];
      src[i] = SRC('gold');
    } else if (source === 'label_model' && !covered[i]) {
      labels[i] = -1;
      src[i] = SRC('none');
    } else {
      labels[i] = pred[i];
      src[i] = SRC(source);
    }
  }
  return { labels, proba, source: src, covered, split: ds.split.slice() };
}

/** What produced the labels: the label model, the classifier, the LF set (by content) and when. */
export function provenance(s: typeof Session, m: ModelState, source: ExportSource, now: Date): ExportProvenance {
  const ds = s.dataset;
  const v = s.votes;
  if (!ds || !v) throw new ShoalError('open a dataset and run its LFs before exporting labels');
  // The same per-LF content hashes the label-model runs and the classifier are keyed by.
  const hashes = v.lfIds.map((id) => s.runOf(id)?.hash ?? s.runs.get(id)?.hash ?? id);
  const lm = m.lm;
  const c = m.clf;
  return {
    labels_from: source,
    label_model: lm
      ? { name: lm.name, chosen: lm.summary.chosen ?? null, run_id: lm.runId, fitted_on_current_lfs: lm.votesVersion === v.version }
      : null,
    classifier:
      source === 'classifier' && c
        ? {
            id: c.id,
            trained_at: new Date(c.createdAt).toISOString(),
            label_model: c.labelModel,
            label_model_run_id: c.lmRunId,
            stale: m.clfStale() !== null,
          }
        : null,
    lf_set_version: lfSetVersion(hashes),
    lfs: v.lfNames.slice(),
    dataset: { name: ds.name, version_id: ds.versionId, rows: ds.rowCount },
    exported_at: now.toISOString(),
  };
}

export interface LabelsExportJob {
  format: LabelsFormat;
  file: string;
  filter: RowFilter;
  columns: LabelColumns;
  provenance: ExportProvenance;
}

function createWorker(): Worker {
  return new Worker(new URL('../workers/export.worker.ts', import.meta.url), { type: 'module', name: 'shoal-export' });
}

/**
 * Run a labels export in its own worker. Rejects with "the export was cancelled" when `signal`
 * aborts (the worker is terminated at once, mid-write included).
 */
export function exportLabels(
  s: typeof Session,
  job: LabelsExportJob,
  opts: { signal?: AbortSignal; onProgress?: (p: LabelsExportProgress) => void; dbName?: string } = {},
): Promise<LabelsExportResult> {
  const ds = s.dataset;
  if (!ds) return Promise.reject(new ShoalError('open a dataset before exporting labels'));
  const c = job.columns;
  const req: LabelsExportRequest = {
    versionId: ds.versionId,
    fields: ds.fields.slice(),
    classes: s.classes.slice(),
    labels: c.labels,
    proba: c.proba,
    source: c.source,
    split: c.split,
    covered: c.covered,
    filter: { ...job.filter },
    format: job.format,
    file: job.file,
    provenance: job.provenance,
  };
  const worker = createWorker();
  const remote = Comlink.wrap<ExportWorkerApi>(worker);
  return new Promise<LabelsExportResult>((resolve, reject) => {
    let settled = false;
    const end = (): void => {
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      remote[Comlink.releaseProxy]();
      worker.terminate();
    };
    const onAbort = (): void => {
      if (settled) return;
      end();
      reject(new ShoalError('the export was cancelled'));
    };
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort);
    worker.addEventListener('error', (e) => {
      if (settled) return;
      end();
      reject(new ShoalError(`the export worker stopped (${e.message || 'unknown error'}); try again`));
    });
    const transfer = [c.labels.buffer, c.proba.buffer, c.source.buffer, c.split.buffer, c.covered.buffer] as ArrayBuffer[];
    remote
      .labels(
        Comlink.transfer(req, transfer),
        opts.dbName,
        Comlink.proxy((p: LabelsExportProgress) => opts.onProgress?.(p)),
      )
      .then(
        (r) => {
          if (settled) return;
          end();
          resolve(r);
        },
        (e: unknown) => {
          if (settled) return;
          end();
          reject(e instanceof Error ? new ShoalError(e.message) : new ShoalError(String(e)));
        },
      );
  });
}

/** The label matrix of the train split or of every row, as a file: JSON (with LF names, classes and row ids) or `.npy` (int8, -1 = abstain). */
export function labelMatrixFile(
  s: typeof Session,
  split: 'train' | 'all',
  kind: 'json' | 'npy',
): { data: string | Uint8Array; rows: number; lfs: number } | null {
  const v = s.votes;
  const ds = s.dataset;
  if (!v || !ds) return null;
  const L = split === 'train' ? v.train : new LabelMatrix(ds.rowCount, Math.max(2, s.classes.length), v.full.slice());
  const ids = split === 'train' ? Array.from(s.splitIndex.train) : Array.from({ length: ds.rowCount }, (_, i) => i);
  return { data: kind === 'json' ? labelMatrixJson(L, v.lfNames, s.classes, ids) : npyInt8(L), rows: L.n, lfs: L.m };
}
