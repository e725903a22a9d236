/**
 * Import one or more files into storage: stream-parse, shape rows with the import plan, write
 * ~1000-row chunks under a pending dataset version, then commit gold/split/id columns (and
 * WRENCH's weak labels as read-only external LFs) in one transaction. Any failure — bad
 * input, cancel, full disk — aborts the pending version, so no half dataset is ever visible.
 *
 * Plain async code over the storage seam: the import worker runs it on IndexedDB, unit tests
 * and benches run it on the in-memory twin in Node.
 */
import { detectFormat, parseTable } from '../core/formats/parse.ts';
import { resolvePlan, RowShaper, type ImportOptions, type ResolvedPlan, type SplitSpec } from '../core/formats/import-plan.ts';
import { SPLIT_NAMES, type Split } from '../core/splits.ts';
import {
  issueMessage,
  MAX_BAD_SHARE,
  toCell,
  tooManySkipped,
  type DataFormat,
  type ParseIssue,
  type Row,
  type RowBatch,
} from '../core/formats/types.ts';
import { parseWrenchLabels, parseWrenchSplit } from '../core/formats/wrench.ts';
import { ShoalError } from '../core/types.ts';
import { withImportLock } from '../storage/locks.ts';
import { ROWS_PER_CHUNK, rowsPerChunkFor, type ColumnInfo, type ExternalLf, type ShoalStorage } from '../storage/types.ts';

export interface ImportFile {
  name: string;
  blob: Blob;
}

export type ImportSource = ImportFile | ImportFile[] | File | File[];

export interface ImportRequest extends ImportOptions {
  projectId: string;
  /** Add a version to this dataset instead of creating a new one. */
  datasetId?: string;
}

export interface ImportProgress {
  phase: 'started' | 'reading' | 'committing';
  /** The pending dataset version being written (lets a supervisor clean up after a crash). */
  versionId: string;
  file: string;
  bytesRead: number;
  totalBytes: number;
  rows: number;
  skipped: number;
}

export interface ImportSummary {
  datasetId: string;
  versionId: string;
  name: string;
  format: DataFormat;
  rows: number;
  skipped: number;
  /** Rows left out on request (repeated ids with duplicateIds 'drop'); not counted in `skipped`. */
  dropped: number;
  /** Text formats: the encoding the file was read with, and how it was chosen. */
  encoding?: string;
  encodingReason?: string;
  /** Delimited text: whether quotes were read as quoting. */
  quoted?: boolean;
  columns: ColumnInfo[];
  classes: string[];
  splitCounts: Record<Split, number>;
  labeled: number;
  unknownLabels: Record<string, number>;
  externalLfs: number;
  /** Skipped rows' reasons and warnings (first 100). */
  issues: ParseIssue[];
  notes: string[];
  ms: number;
}

export type ImportOutcome = { ok: true; summary: ImportSummary } | { ok: false; error: ParseIssue; message: string };

/** Skipped and dropped rows listed one by one in the import notes. */
const MAX_LISTED = 1000;

/** Largest WRENCH split read whole (WRENCH files are JSON objects, not streamable rows). */
const WRENCH_MAX_BYTES = 512 * 1024 * 1024;

class Stop {
  constructor(readonly issue: ParseIssue) {}
}

function normalise(source: ImportSource): ImportFile[] {
  const list = Array.isArray(source) ? source : [source];
  return list.map((f) => ('blob' in f ? f : { name: (f as File).name, blob: f as Blob }));
}

/** train/valid/test from a file name, for multi-file imports (WRENCH, or train.csv + test.csv). */
export function splitFromFileName(name: string): Split | undefined {
  const base = name.toLowerCase().replace(/^.*[\\/]/, '');
  if (/(^|[^a-z])train/.test(base)) return 'train';
  if (/(^|[^a-z])(valid|dev|val)([^a-z]|$)/.test(base) || base.startsWith('valid')) return 'dev';
  if (/(^|[^a-z])test/.test(base)) return 'test';
  return undefined;
}

class ColumnKinds {
  private readonly counts = new Map<string, [number, number, number]>(); // string, number, boolean
  private order: string[] = [];
  see(row: Row): void {
    for (const k in row) {
      let c = this.counts.get(k);
      if (!c) {
        c = [0, 0, 0];
        this.counts.set(k, c);
        this.order.push(k);
      }
      const v = row[k];
      if (typeof v === 'string') c[0]++;
      else if (typeof v === 'number') c[1]++;
      else if (typeof v === 'boolean') c[2]++;
    }
  }
  result(): ColumnInfo[] {
    return this.order.map((name) => {
      const [s, n, b] = this.counts.get(name)!;
      const total = s + n + b;
      const kind: ColumnInfo['kind'] =
        total === 0 ? 'empty' : s === total ? 'string' : n === total ? 'number' : b === total ? 'boolean' : 'mixed';
      return { name, kind };
    });
  }
}

/**
 * Import `source` into `storage`. Resolves to a value for every input problem, cancel or
 * storage failure (the pending version is then removed); rejects only on bugs.
 */
export async function importIntoStorage(
  source: ImportSource,
  request: ImportRequest,
  storage: ShoalStorage,
  onProgress?: (p: ImportProgress) => void,
  signal?: AbortSignal,
): Promise<ImportOutcome> {
  const t0 = performance.now();
  const all = normalise(source);
  const labelFile = all.find((f) => /(^|[\\/])label\.json$/i.test(f.name));
  const files = all.filter((f) => f !== labelFile);
  const first = files[0];
  if (!first) {
    const error: ParseIssue = { file: labelFile?.name ?? '(no file)', code: 'empty', reason: 'no data file was given' };
    return { ok: false, error, message: issueMessage(error) };
  }
  const format = request.format ?? (await detectFormat(first.blob, first.name));
  const totalBytes = files.reduce((s, f) => s + f.blob.size, 0);
  const name = request.name ?? first.name.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, '');
  const perFileSplit = files.length > 1 && request.split === undefined && files.every((f) => splitFromFileName(f.name));

  let pending: { versionId: string; datasetId: string };
  try {
    pending = await storage.beginImport({
      projectId: request.projectId,
      datasetId: request.datasetId,
      name,
      source: { fileNames: all.map((f) => f.name), format, bytes: totalBytes },
    });
  } catch (e) {
    return storageFailure(first.name, e);
  }

  // A copy: WRENCH imports fill in the gold column and class names.
  const opts: ImportRequest = { ...request };
  const run = async (): Promise<ImportOutcome> => {
    onProgress?.({ phase: 'started', versionId: pending.versionId, file: first.name, bytesRead: 0, totalBytes, rows: 0, skipped: 0 });
    const kinds = new ColumnKinds();
    let plan: ResolvedPlan | undefined;
    let shaper: RowShaper | undefined;
    let chunk: Row[] = [];
    let chunkIndex = 0;
    let rowsPerChunk = ROWS_PER_CHUNK;
    let rowsWritten = 0;
    let skipped = 0;
    let dropped = 0;
    let firstSkipped: ParseIssue | undefined;
    // Every skipped or dropped row, for the notes (capped: past the 1% rule there are few).
    const listed: ParseIssue[] = [];
    const list = (issue: ParseIssue): void => {
      if (listed.length < MAX_LISTED) listed.push(issue);
    };
    let encoding: string | undefined;
    let encodingReason: string | undefined;
    let quoted: boolean | undefined;
    const issues: ParseIssue[] = [];
    const notes: string[] = [];
    let external: Int8Array[] | undefined;
    let bytesBefore = 0;

    const flushChunk = async (): Promise<void> => {
      if (chunk.length === 0) return;
      const rows = chunk;
      chunk = [];
      await storage.putRowChunk(pending.versionId, chunkIndex++, rows, rowsWritten);
      rowsWritten += rows.length;
    };

    /** Shape and buffer one batch; returns the indices (within the batch) that were kept. */
    const take = async (file: ImportFile, batch: RowBatch, fileSplit: SplitSpec | undefined): Promise<number[]> => {
      if (signal?.aborted) throw new Stop({ file: file.name, code: 'cancelled', reason: 'the import was cancelled' });
      if (!plan) {
        const resolved = resolvePlan(batch.columns, { ...opts, split: fileSplit ?? opts.split }, file.name);
        if ('code' in resolved) throw new Stop(resolved);
        plan = resolved;
        shaper = new RowShaper(plan, file.name);
        rowsPerChunk = rowsPerChunkFor(plan.fields.length + (plan.fields.includes('text') ? 0 : 1));
      } else {
        if (fileSplit) plan.split = fileSplit;
        // JSONL rows may bring new fields later; with no explicit field list, keep them too.
        // The gold column stays out unless LFs may read it (resolvePlan).
        const hidden = plan.labelField !== undefined && !plan.lfsReadGold ? 1 : 0;
        if (opts.fields === undefined && batch.columns.length > plan.fields.length + hidden) {
          const known = new Set(plan.fields);
          for (const c of batch.columns) if (!known.has(c) && (hidden === 0 || c !== plan.labelField)) plan.fields.push(c);
        }
      }
      const kept: number[] = [];
      for (let i = 0; i < batch.rows.length; i++) {
        const rowNo = batch.rowNumbers?.[i] ?? batch.firstRow + i + 1;
        const out = shaper!.shape(batch.rows[i], rowNo, batch.lineNumbers?.[i]);
        if (!out.ok) {
          const issue = out.issue;
          if (out.dropped) {
            dropped++;
            list(issue);
            continue;
          }
          if (!opts.skipBadRows) throw new Stop(issue);
          skipped++;
          firstSkipped ??= issue;
          list(issue);
          if (opts.maxBadRows !== undefined && skipped > opts.maxBadRows) {
            throw new Stop({
              ...issue,
              code: 'too-many-bad-rows',
              reason: `more than ${opts.maxBadRows} rows were skipped (the last: ${issue.reason})`,
            });
          }
          if (issues.length < 100) issues.push(issue);
          continue;
        }
        kinds.see(out.row);
        chunk.push(out.row);
        kept.push(i);
        if (chunk.length >= rowsPerChunk) await flushChunk();
      }
      onProgress?.({
        phase: 'reading',
        versionId: pending.versionId,
        file: file.name,
        bytesRead: bytesBefore + batch.bytesRead,
        totalBytes,
        rows: shaper!.rows,
        skipped,
      });
      return kept;
    };

    for (const file of files) {
      const fileIssuesFrom = issues.length;
      const fileSplit: SplitSpec | undefined = perFileSplit ? { kind: 'fixed', split: splitFromFileName(file.name)! } : undefined;
      // Files of one import may differ in format (train.csv + test.jsonl); WRENCH stays WRENCH.
      const fileFormat =
        file === first || request.format ? format : format === 'wrench' ? 'wrench' : await detectFormat(file.blob, file.name);
      if (fileFormat === 'wrench') {
        let classes: string[] | undefined;
        try {
          classes = labelFile ? parseWrenchLabels(await labelFile.blob.text(), labelFile.name) : opts.classes;
        } catch (e) {
          if (e instanceof ShoalError && labelFile)
            throw new Stop({ file: labelFile.name, code: 'malformed', reason: e.message.replace(`${labelFile.name}: `, '') });
          throw e;
        }
        if (file.blob.size > WRENCH_MAX_BYTES)
          throw new Stop({
            file: file.name,
            code: 'too-large',
            reason: `is larger than ${WRENCH_MAX_BYTES >> 20} MB; WRENCH files are read whole`,
          });
        let split;
        try {
          split = parseWrenchSplit(await file.blob.text(), file.name, classes?.length);
        } catch (e) {
          if (e instanceof ShoalError)
            throw new Stop({
              file: file.name,
              code: 'malformed',
              reason: e.message.replace(`${file.name}: `, '').replace(`${file.name}, `, ''),
            });
          throw e;
        }
        const names = classes ?? Array.from({ length: split.L.k }, (_, c) => `class_${c}`);
        const dataKeys = new Set<string>();
        for (const d of split.data) for (const k of Object.keys(d)) dataKeys.add(k);
        const goldKey = dataKeys.has('label') ? '_gold' : 'label';
        const rows: Row[] = split.data.map((d, i) => {
          const r: Row = {};
          for (const k of Object.keys(d)) r[k] = toCell(d[k]);
          r[goldKey] = split.labels[i] >= 0 ? names[split.labels[i]] : null;
          return r;
        });
        const columns = [...dataKeys, goldKey];
        if (!plan) {
          if (opts.labelField === undefined) opts.labelField = goldKey;
          opts.classes = names;
        }
        const kept: number[] = [];
        for (let start = 0; start < rows.length; start += ROWS_PER_CHUNK) {
          const slice = rows.slice(start, start + ROWS_PER_CHUNK);
          const bytesRead = Math.round((file.blob.size * (start + slice.length)) / Math.max(1, rows.length));
          const k = await take(file, { columns, rows: slice, firstRow: start, bytesRead, totalBytes: file.blob.size }, fileSplit);
          for (const i of k) kept.push(start + i);
        }
        const m = split.L.m;
        if (external === undefined) external = Array.from({ length: m }, () => new Int8Array(0));
        else if (external.length !== m)
          throw new Stop({
            file: file.name,
            code: 'malformed',
            reason: `has ${m} weak-label columns but the other splits have ${external.length}`,
          });
        for (let j = 0; j < m; j++) {
          const col = split.L.column(j);
          const add = Int8Array.from(kept, (i) => col[i]);
          const joined = new Int8Array(external[j].length + add.length);
          joined.set(external[j]);
          joined.set(add, external[j].length);
          external[j] = joined;
        }
      } else {
        const result = await parseTable(
          file.blob,
          {
            fileName: file.name,
            format: fileFormat,
            delimiter: opts.delimiter,
            header: opts.header,
            encoding: opts.encoding,
            ...(opts.quoted !== undefined ? { quoted: opts.quoted } : {}),
            skipBadRows: opts.skipBadRows,
            maxBadRows: opts.maxBadRows,
            ...(opts.maxBadShare !== undefined ? { maxBadShare: opts.maxBadShare } : {}),
            onSkip: (issue) => {
              firstSkipped ??= issue;
              list(issue);
            },
            batchSize: opts.batchSize,
            signal,
          },
          async (batch) => {
            await take(file, batch, fileSplit);
          },
        );
        if (!result.ok) throw new Stop(result.error);
        skipped += result.skipped;
        encoding ??= result.encoding;
        encodingReason ??= result.encodingReason;
        quoted ??= result.quoted;
        for (const issue of result.issues) if (issues.length < 100) issues.push(issue);
        // Reader and import-plan issues of this file, in file order.
        const mine = issues.splice(fileIssuesFrom).sort((a, b) => (a.row ?? 0) - (b.row ?? 0));
        issues.push(...mine);
        for (const issue of result.issues) if (issue.code === 'duplicate-column') notes.push(issueMessage(issue));
      }
      bytesBefore += file.blob.size;
    }

    if (!shaper || !plan || shaper.rows === 0) {
      throw new Stop({
        file: first.name,
        code: 'empty',
        reason: skipped > 0 ? `has no usable rows (${skipped} were skipped)` : 'has no rows',
      });
    }
    // Reader and import-plan skips together: past the share, the input is not what it seems.
    if (opts.skipBadRows) {
      const refusal = tooManySkipped(first.name, skipped, shaper.rows + skipped, firstSkipped, opts.maxBadShare ?? MAX_BAD_SHARE);
      if (refusal) throw new Stop(refusal);
    }
    await flushChunk();
    onProgress?.({
      phase: 'committing',
      versionId: pending.versionId,
      file: files[files.length - 1].name,
      bytesRead: totalBytes,
      totalBytes,
      rows: shaper.rows,
      skipped,
    });
    const cols = shaper.finish();
    if (skipped > 0) notes.push(`${skipped} row${skipped === 1 ? ' was' : 's were'} skipped as unreadable.`);
    if (dropped > 0) notes.push(`${dropped} row${dropped === 1 ? ' was' : 's were'} dropped for repeating an id.`);
    // Each skipped or dropped row, by line, so it can be found and fixed in the file.
    listed.sort((a, b) => (a.line ?? a.row ?? 0) - (b.line ?? b.row ?? 0));
    for (const issue of listed) notes.push(issueMessage(issue));
    if (skipped + dropped > listed.length) notes.push(`… and ${skipped + dropped - listed.length} more rows not listed.`);
    if (encodingReason && encoding && encoding !== 'utf-8') notes.push(`Read as ${encoding} (${encodingReason}).`);
    const unknown = Object.entries(cols.unknownLabels);
    if (unknown.length > 0) {
      const shown = unknown
        .slice(0, 5)
        .map(([v, c]) => `"${v}" (${c}×)`)
        .join(', ');
      notes.push(
        `Gold labels not among the classes were left unlabeled: ${shown}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''}.`,
      );
    }
    const externalLfs: ExternalLf[] = (external ?? []).map((votes, j) => ({ name: `${name}_lf_${j}`, votes }));
    const version = await storage.commitImport(pending.versionId, {
      rowCount: cols.n,
      chunkCount: chunkIndex,
      rowsPerChunk,
      columns: kinds.result(),
      textFields: plan.textFields,
      fields: ['text', ...plan.fields.filter((f) => f !== 'text')],
      idField: plan.idField,
      labelField: plan.labelField,
      ...(plan.lfsReadGold ? { lfsReadGold: true } : {}),
      classes: cols.classes,
      splitCounts: cols.splitCounts,
      skippedRows: skipped,
      notes,
      gold: cols.gold,
      split: cols.split,
      ids: cols.ids,
      externalLfs,
    });
    return {
      ok: true,
      summary: {
        datasetId: version.datasetId,
        versionId: version.id,
        name,
        format,
        rows: cols.n,
        skipped,
        dropped,
        ...(encoding ? { encoding } : {}),
        ...(encodingReason ? { encodingReason } : {}),
        ...(quoted !== undefined ? { quoted } : {}),
        columns: version.columns,
        classes: cols.classes,
        splitCounts: cols.splitCounts,
        labeled: cols.labeled,
        unknownLabels: cols.unknownLabels,
        externalLfs: externalLfs.length,
        issues,
        notes,
        ms: performance.now() - t0,
      },
    };
  };

  try {
    return await withImportLock(pending.versionId, run);
  } catch (e) {
    await storage.abortImport(pending.versionId).catch(() => undefined);
    if (e instanceof Stop) return { ok: false, error: e.issue, message: issueMessage(e.issue) };
    return storageFailure(first.name, e);
  }
}

function storageFailure(file: string, e: unknown): ImportOutcome {
  if (e instanceof ShoalError) {
    const error: ParseIssue = { file, code: 'storage', reason: e.message };
    return { ok: false, error, message: e.message };
  }
  throw e;
}
