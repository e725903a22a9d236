/**
 * A whole-file check for the import preview, run before anything is stored: how many records
 * the file has, which rows "skip malformed rows" would skip (by line, with the reason) and
 * whether that is more than the share skipping allows; the values of short-valued columns
 * (so label spellings that differ only in case or surrounding space can be shown); and
 * repeated ids in the id column. Streams like an import, keeping only these small tallies.
 */
import { parseTable, type FileParseOptions } from './parse.ts';
import { MAX_BAD_SHARE, tooManySkipped, type ParseIssue } from './types.ts';
import type { ValueCount } from './label-variants.ts';

export { labelVariantGroups, type LabelVariantGroup, type ValueCount } from './label-variants.ts';

/** Columns with more distinct values than this are not label candidates. */
const MAX_VALUES = 64;
/** Skipped rows listed one by one. */
const MAX_LISTED = 1000;

export interface DuplicateId {
  id: string;
  /** Line (or row, for formats without lines) of the repeat and of the first row with the id. */
  line: number;
  firstLine: number;
}

export interface TableProfile {
  /** Data records in the file: rows read + rows skipped. */
  records: number;
  rows: number;
  skippedCount: number;
  /** The skipped rows, in file order (the first 1000). */
  skipped: ParseIssue[];
  /** Set when more than the allowed share would be skipped: the import would refuse. */
  refusal?: ParseIssue;
  /** The file cannot be read even when skipping (no rows, binary, wrong encoding…). */
  error?: ParseIssue;
  /** Per column, its distinct values with counts (first-seen order), or null past 64 values. */
  values: Record<string, ValueCount[] | null>;
  idField?: string;
  duplicateCount: number;
  /** The first repeated ids (at most 20). */
  duplicates: DuplicateId[];
  encoding?: string;
  encodingReason?: string;
  quoted?: boolean;
  quotedReason?: string;
  delimiter?: string;
}

export interface ProfileOptions {
  /** The id column to check for repeats. */
  idField?: string;
  maxBadShare?: number;
}

export async function profileTable(blob: Blob, opts: FileParseOptions, popts: ProfileOptions = {}): Promise<TableProfile> {
  const skipped: ParseIssue[] = [];
  const values = new Map<string, Map<string, number> | null>();
  const seen = new Map<string, number>();
  const duplicates: DuplicateId[] = [];
  let duplicateCount = 0;
  const idField = popts.idField;
  const result = await parseTable(
    blob,
    {
      ...opts,
      skipBadRows: true,
      maxBadShare: 1,
      onSkip: (issue) => {
        if (skipped.length < MAX_LISTED) skipped.push(issue);
      },
    },
    (batch) => {
      for (let i = 0; i < batch.rows.length; i++) {
        const row = batch.rows[i];
        for (const c of batch.columns) {
          let tally = values.get(c);
          if (tally === null) continue;
          if (tally === undefined) values.set(c, (tally = new Map()));
          const v = row[c];
          if (v === null || v === undefined) continue;
          const s = String(v);
          tally.set(s, (tally.get(s) ?? 0) + 1);
          if (tally.size > MAX_VALUES) values.set(c, null);
        }
        if (idField !== undefined && idField in row) {
          const where = batch.lineNumbers?.[i] ?? batch.rowNumbers?.[i] ?? batch.firstRow + i + 1;
          const id = String(row[idField] ?? '');
          const first = seen.get(id);
          if (first === undefined) seen.set(id, where);
          else {
            duplicateCount++;
            if (duplicates.length < 20) duplicates.push({ id, line: where, firstLine: first });
          }
        }
      }
    },
  );
  const base = {
    values: Object.fromEntries([...values].map(([c, t]) => [c, t ? [...t].map(([value, count]) => ({ value, count })) : null])),
    ...(idField !== undefined ? { idField } : {}),
    duplicateCount,
    duplicates,
    skipped,
  };
  if (!result.ok) return { ...base, ...(result.read ?? {}), records: 0, rows: 0, skippedCount: skipped.length, error: result.error };
  const records = result.rows + result.skipped;
  const refusal = tooManySkipped(opts.fileName, result.skipped, records, skipped[0], popts.maxBadShare ?? MAX_BAD_SHARE);
  return {
    ...base,
    records,
    rows: result.rows,
    skippedCount: result.skipped,
    ...(refusal ? { refusal } : {}),
    ...(result.encoding ? { encoding: result.encoding } : {}),
    ...(result.encodingReason ? { encodingReason: result.encodingReason } : {}),
    ...(result.quoted !== undefined ? { quoted: result.quoted } : {}),
    ...(result.quotedReason ? { quotedReason: result.quotedReason } : {}),
    ...(result.delimiter ? { delimiter: result.delimiter } : {}),
  };
}
