/**
 * Keeping the answer away from the LFs. The gold column is what the label model is judged
 * against: an LF that reads it scores ~100% on dev, and the label model learns to trust a vote
 * that does not exist on unlabelled rows. So the gold column is not a field LFs may read unless
 * the user opted in at import (`lfsReadGold`), and the row an LF receives never carries it
 * otherwise — whatever the LF asks for (`restrictChunk` is applied by the code that reads
 * storage, with the allowlist the page computed, not with fields named by LF code).
 *
 * And because a gold column can hide under another name (a copy, a derived code), an LF whose
 * record on gold-labelled rows is near perfect at high coverage gets a question:
 * `looksLikeItReadsTheAnswer`.
 */
import type { ColumnChunk } from './columns.ts';
import type { LfDef, Row, RowChunk } from './types.ts';

/** What a dataset version says about its columns. */
export interface FieldPolicy {
  /** Fields stored per row (`text` included). */
  readonly fields: readonly string[];
  /** The column the gold labels came from, if any. */
  readonly labelField?: string | null;
  /** The user let LFs read the gold column (an explicit opt-in at import). */
  readonly lfsReadGold?: boolean;
}

/** Fields that must not reach an LF: the gold column, unless the user opted in. */
export function hiddenFields(p: FieldPolicy): string[] {
  return p.labelField && !p.lfsReadGold ? [p.labelField] : [];
}

/** The fields an LF may read, in the dataset's order. */
export function lfReadableFields(p: FieldPolicy): string[] {
  const hidden = hiddenFields(p);
  return p.fields.filter((f) => !hidden.includes(f));
}

/** `row` without the `hidden` keys (the same object when it has none of them). */
export function withoutFields<R extends Row>(row: R, hidden: readonly string[]): R {
  if (!hidden.some((h) => h in row)) return row;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(row)) if (!hidden.includes(k)) out[k] = row[k];
  return out as R;
}

/** A chunk with only the `allowed` fields: columns dropped, or keys dropped from row objects. */
export function restrictChunk(chunk: ColumnChunk | RowChunk, allowed: readonly string[]): ColumnChunk | RowChunk {
  if ('columns' in chunk) {
    if (chunk.fields.every((f) => allowed.includes(f))) return chunk;
    const fields: string[] = [];
    const columns: ColumnChunk['columns'][number][] = [];
    chunk.fields.forEach((f, j) => {
      if (!allowed.includes(f)) return;
      fields.push(f);
      columns.push(chunk.columns[j]);
    });
    return { start: chunk.start, length: chunk.length, fields, columns };
  }
  const rows = chunk.rows.map((r) => {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(r)) if (allowed.includes(k)) out[k] = r[k];
    return out;
  });
  return { start: chunk.start, rows };
}

/** `requested` fields (null: every field) narrowed to `allowed`. */
export function allowedFields(requested: readonly string[] | null, allowed: readonly string[]): string[] {
  return requested === null ? allowed.slice() : requested.filter((f) => allowed.includes(f));
}

/**
 * The hidden gold field a template LF is pointed at, if any (one made before the column was kept
 * from LFs, or brought by a project file): it gets nothing there and abstains on every row.
 */
export function templateReadsHiddenGold(def: LfDef, p: Pick<FieldPolicy, 'labelField' | 'lfsReadGold'>): string | null {
  if (def.kind === 'code' || def.field === undefined) return null;
  return hiddenFields({ fields: [def.field], ...p }).includes(def.field) ? def.field : null;
}

/** Dev accuracy at or above this, at high coverage, raises the question. */
export const ANSWER_ACCURACY = 0.99;
/** "High coverage": the LF votes on at least this share of the gold-labelled rows… */
export const ANSWER_COVERAGE = 0.5;
/** …and on at least this many of them (a handful of lucky votes prove nothing). */
export const ANSWER_MIN_VOTES = 20;

/**
 * Whether an LF's record on gold-labelled rows looks like it reads the answer: at least 99%
 * correct while voting on at least half of the labelled rows (and 20 of them). Real LFs are
 * either precise or broad; one that is both usually reads the gold column or a copy of it.
 */
export function looksLikeItReadsTheAnswer(correct: number, incorrect: number, labeledRows: number): boolean {
  const scored = correct + incorrect;
  return scored >= ANSWER_MIN_VOTES && scored >= ANSWER_COVERAGE * labeledRows && correct >= ANSWER_ACCURACY * scored;
}

/** An LF's correct / incorrect votes on the rows `rows` (indices into `votes`) whose gold is known. */
export function goldRecord(
  votes: ArrayLike<number>,
  rows: ArrayLike<number>,
  gold: ArrayLike<number>,
): { correct: number; incorrect: number; labeled: number } {
  let correct = 0;
  let incorrect = 0;
  let labeled = 0;
  for (let t = 0; t < rows.length; t++) {
    const g = gold[t];
    if (g < 0) continue;
    labeled++;
    const v = votes[rows[t]];
    if (v < 0) continue;
    if (v === g) correct++;
    else incorrect++;
  }
  return { correct, incorrect, labeled };
}
