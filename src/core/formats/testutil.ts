/**
 * Test helpers shared by the format tests: collect a streamed parse into plain arrays and
 * check the invariants every reader promises.
 */
import { parseTable, type FileParseOptions } from './parse.ts';
import type { ParseResult, Row, RowBatch } from './types.ts';

export interface Collected {
  result: ParseResult;
  rows: Row[];
  batches: RowBatch[];
}

export async function collect(body: string | Uint8Array | Blob, opts: FileParseOptions): Promise<Collected> {
  const blob = body instanceof Blob ? body : new Blob([body as BlobPart]);
  const rows: Row[] = [];
  const batches: RowBatch[] = [];
  const result = await parseTable(blob, opts, (b) => {
    batches.push(b);
    rows.push(...b.rows);
  });
  return { result, rows, batches };
}

/** Problems with a parse outcome as a list of strings (empty when the contract holds). */
export function contractViolations(c: Collected, fileName: string): string[] {
  const out: string[] = [];
  const r = c.result;
  if (r.ok) {
    if (r.rows !== c.rows.length) out.push(`rows ${r.rows} != delivered ${c.rows.length}`);
    let next = 0;
    for (const b of c.batches) {
      if (b.firstRow !== next) out.push(`batch firstRow ${b.firstRow} != ${next}`);
      next += b.rows.length;
      if (b.rows.length === 0) out.push('empty batch');
      if (b.rowNumbers && b.rowNumbers.length !== b.rows.length) out.push('rowNumbers and rows differ in length');
      if (b.rowNumbers?.some((x, i) => i > 0 && x <= b.rowNumbers![i - 1])) out.push('row numbers not increasing');
    }
    for (const row of c.rows) {
      for (const v of Object.values(row)) {
        if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') out.push(`bad cell ${String(v)}`);
      }
    }
  } else {
    if (r.error.file !== fileName) out.push(`error names file ${r.error.file}`);
    if (typeof r.error.reason !== 'string' || r.error.reason.length < 5) out.push(`weak reason ${r.error.reason}`);
  }
  return out;
}
