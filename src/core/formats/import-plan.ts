/**
 * What an import keeps from a table, decided before rows are stored: which field(s) make up
 * `x.text`, which other fields LFs may read, the id field, an optional gold-label column
 * mapped to class indices, and the train/dev/test split (seeded random fractions with exact
 * counts, an existing split column, or one split for the whole file).
 *
 * Pure and streaming: `RowShaper` sees each row once and keeps only columnar state (gold
 * Int8Array, split Uint8Array, ids), so a million rows cost a few megabytes here.
 */
import { deriveSeed, mulberry32, permutation } from '../rng.ts';
import { SPLIT_NAMES, type Split } from '../splits.ts';
import type { Cell, DataFormat, ParseIssue, Row } from './types.ts';

export type SplitSpec =
  | { kind: 'random'; fractions: readonly [number, number, number]; seed: number }
  | { kind: 'column'; field: string }
  | { kind: 'fixed'; split: Split };

export const DEFAULT_SPLIT: SplitSpec = { kind: 'random', fractions: [0.8, 0.1, 0.1], seed: 0 };

export interface ImportOptions {
  /** Dataset name; defaults to the file name without extension. */
  name?: string;
  format?: DataFormat;
  delimiter?: string;
  header?: boolean;
  /** A TextDecoder label; default (or 'auto'): detected. */
  encoding?: string;
  /** Delimited text: quotes quote (CSV) or are text (IANA TSV); default: CSV yes, TSV detected. */
  quoted?: boolean;
  /** Fields joined (by a newline) into `x.text`; default `text` if present, else the first column. */
  textFields?: string[];
  /** Other fields LFs may read (`x.subject`); default every column. */
  fields?: string[];
  /** A column of row ids. */
  idField?: string;
  /**
   * A repeated id: 'error' (default) makes the row a bad row (stop, or skip when skipping);
   * 'drop' keeps the first row with the id and drops the later ones (listed in the notes);
   * 'keep' imports every row, ids repeated.
   */
  duplicateIds?: 'error' | 'drop' | 'keep';
  /**
   * Inferred gold labels that differ only in case or surrounding space (`SPAM`, ` spam`):
   * 'merge' makes them one class (the first spelling seen, trimmed); 'keep' keeps every exact
   * value as its own class. Default: surrounding space is trimmed, case is kept.
   */
  labelVariants?: 'merge' | 'keep';
  /** Gold label column; default `label` if present; null for none. */
  labelField?: string | null;
  /**
   * Keep the gold column as a field LFs may read (an explicit opt-in). Default false: it is
   * stored only as the gold labels, never in the rows LFs see (core/lf/gold.ts says why).
   */
  lfsReadGold?: boolean;
  /** Class names in index order; inferred from the labels in order of appearance if omitted. */
  classes?: string[];
  split?: SplitSpec;
  skipBadRows?: boolean;
  maxBadRows?: number;
  /** With skipBadRows, refuse when more than this share of the records would be skipped (default 1%). */
  maxBadShare?: number;
  batchSize?: number;
}

export interface ResolvedPlan {
  textFields: string[];
  fields: string[];
  idField?: string;
  duplicateIds?: 'error' | 'drop' | 'keep';
  labelVariants?: 'merge' | 'keep';
  labelField?: string;
  /** The gold column is among `fields` (the user opted in). */
  lfsReadGold: boolean;
  classes?: string[];
  split: SplitSpec;
}

/** Apply defaults against the columns the file actually has; a named column that is missing is an issue. */
export function resolvePlan(columns: readonly string[], options: ImportOptions, file: string): ResolvedPlan | ParseIssue {
  const has = new Set(columns);
  const missing = (what: string, name: string): ParseIssue => ({
    file,
    code: 'missing-column',
    reason: `has no column "${name}" (chosen as ${what}); its columns are ${listColumns(columns)}`,
  });
  const textFields = options.textFields?.length ? options.textFields : has.has('text') ? ['text'] : columns.slice(0, 1);
  if (textFields.length === 0) return { file, code: 'empty', reason: 'has no columns' };
  for (const f of textFields) if (!has.has(f)) return missing('a text field', f);
  const fields = (options.fields ?? columns).slice();
  for (const f of fields) if (!has.has(f)) return missing('a field', f);
  if (options.idField !== undefined && !has.has(options.idField)) return missing('the id field', options.idField);
  let labelField: string | undefined;
  if (options.labelField === undefined) labelField = has.has('label') ? 'label' : undefined;
  else if (options.labelField !== null) {
    if (!has.has(options.labelField)) return missing('the gold label', options.labelField);
    labelField = options.labelField;
  }
  const lfsReadGold = labelField !== undefined && options.lfsReadGold === true;
  if (labelField !== undefined && !lfsReadGold) {
    // x.text made of the answer would leak it just the same.
    if (textFields.includes(labelField)) {
      return {
        file,
        code: 'unsupported',
        reason: `uses the gold label column "${labelField}" as text: LFs would read the answer; choose other text fields (or let LFs read the gold column)`,
      };
    }
    const i = fields.indexOf(labelField);
    if (i >= 0) fields.splice(i, 1);
  }
  const split = options.split ?? DEFAULT_SPLIT;
  if (split.kind === 'column' && !has.has(split.field)) return missing('the split column', split.field);
  if (split.kind === 'random') {
    const bad = split.fractions.some((f) => !(f >= 0)) || split.fractions.reduce((a, b) => a + b, 0) <= 0;
    if (bad)
      return { file, code: 'unsupported', reason: `split fractions ${split.fractions.join(', ')} must be non-negative and not all zero` };
  }
  if (options.classes) {
    const k = options.classes.length;
    if (k < 2 || k > 127 || new Set(options.classes).size !== k) {
      return { file, code: 'unsupported', reason: 'needs 2 to 127 distinct class names' };
    }
  }
  return {
    textFields,
    fields,
    idField: options.idField,
    ...(options.duplicateIds ? { duplicateIds: options.duplicateIds } : {}),
    ...(options.labelVariants ? { labelVariants: options.labelVariants } : {}),
    labelField,
    lfsReadGold,
    classes: options.classes?.slice(),
    split,
  };
}

function listColumns(columns: readonly string[]): string {
  const shown = columns
    .slice(0, 12)
    .map((c) => `"${c}"`)
    .join(', ');
  return columns.length > 12 ? `${shown} and ${columns.length - 12} more` : shown || 'none';
}

function splitOf(v: Cell): Split | undefined {
  const s = String(v ?? '')
    .trim()
    .toLowerCase();
  if (s === 'train' || s === 'training') return 'train';
  if (s === 'dev' || s === 'valid' || s === 'validation' || s === 'val') return 'dev';
  if (s === 'test' || s === 'testing') return 'test';
  return undefined;
}

/** Growable typed array, so columnar state never passes through JS arrays of numbers. */
class Grow<T extends Int8Array | Uint8Array> {
  n = 0;
  constructor(
    private buf: T,
    private readonly make: (n: number) => T,
  ) {}
  push(v: number): void {
    if (this.n === this.buf.length) {
      const next = this.make(Math.max(1024, this.buf.length * 2));
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = v;
  }
  done(): T {
    return this.buf.slice(0, this.n) as T;
  }
}

export interface ShapedColumns {
  n: number;
  classes: string[];
  /** Gold class per row, -1 where there is none. */
  gold: Int8Array;
  /** Split code per row (index into SPLIT_NAMES). */
  split: Uint8Array;
  splitCounts: Record<Split, number>;
  ids?: string[];
  /** Gold values that are not class names, with how often they occur (rows left unlabeled). */
  unknownLabels: Record<string, number>;
  labeled: number;
}

/** A shaped row, a bad row (an issue), or a row dropped on request (a repeated id with 'drop'). */
export type Shaped = { ok: true; row: Row } | { ok: false; issue: ParseIssue; dropped?: boolean };

/**
 * Turns parsed rows into stored rows plus columnar gold/split/id state. `shape` returns the
 * row to store, or an issue for a bad row (duplicate id, unknown split value).
 */
export class RowShaper {
  private readonly gold = new Grow(new Int8Array(1024), (n) => new Int8Array(n));
  private readonly split = new Grow(new Uint8Array(1024), (n) => new Uint8Array(n));
  private readonly ids: string[] | undefined;
  private readonly seen = new Map<string, number>();
  private readonly classes: string[];
  private readonly classIndex = new Map<string, number>();
  /** With labelVariants 'merge': trimmed lower-case value → class index. */
  private readonly foldedIndex = new Map<string, number>();
  private readonly inferClasses: boolean;
  private readonly unknown: Record<string, number> = {};
  private labeled = 0;
  private readonly compositeText: boolean;

  constructor(
    readonly plan: ResolvedPlan,
    private readonly file: string,
  ) {
    this.ids = plan.idField !== undefined ? [] : undefined;
    this.classes = plan.classes?.slice() ?? [];
    this.inferClasses = plan.classes === undefined;
    this.classes.forEach((c, i) => this.classIndex.set(c, i));
    this.compositeText = !(plan.textFields.length === 1 && plan.textFields[0] === 'text');
  }

  get rows(): number {
    return this.gold.n;
  }

  /** `rowNo` is the 1-based row number used in messages; `line` the file line, when known. */
  shape(row: Row, rowNo: number, line?: number): Shaped {
    const at = line !== undefined ? { line } : {};
    const p = this.plan;
    let splitCode = 0;
    if (p.split.kind === 'column') {
      const s = splitOf(row[p.split.field] ?? null);
      if (s === undefined) {
        return {
          ok: false,
          issue: {
            file: this.file,
            code: 'bad-split',
            row: rowNo,
            ...at,
            reason: `split value ${JSON.stringify(row[p.split.field] ?? null)} in "${p.split.field}" is not train, dev/valid or test`,
          },
        };
      }
      splitCode = SPLIT_NAMES.indexOf(s);
    } else if (p.split.kind === 'fixed') splitCode = SPLIT_NAMES.indexOf(p.split.split);
    let id: string | undefined;
    if (this.ids && p.idField !== undefined) {
      id = String(row[p.idField] ?? '');
      const first = this.seen.get(id);
      if (first !== undefined && p.duplicateIds !== 'keep') {
        if (p.duplicateIds === 'drop') {
          return {
            ok: false,
            dropped: true,
            issue: {
              file: this.file,
              code: 'duplicate-id',
              row: rowNo,
              ...at,
              reason: `id ${JSON.stringify(id)} repeats row ${first}, so this row was dropped`,
            },
          };
        }
        return {
          ok: false,
          issue: {
            file: this.file,
            code: 'duplicate-id',
            row: rowNo,
            ...at,
            reason: `id ${JSON.stringify(id)} is already used by row ${first}; ids must be unique`,
          },
        };
      }
      if (first === undefined) this.seen.set(id, rowNo);
    }
    const label = p.labelField !== undefined ? this.labelOf(row[p.labelField] ?? null) : -1;
    if (label === 'too-many') {
      return {
        ok: false,
        issue: {
          file: this.file,
          code: 'bad-label',
          row: rowNo,
          ...at,
          reason: `the gold label column "${p.labelField}" has more than 127 distinct values; is it really a class label?`,
        },
      };
    }
    const out: Row = {};
    if (this.compositeText) {
      out.text = p.textFields.map((f) => cellText(row[f] ?? null)).join('\n');
    } else out.text = cellText(row.text ?? null);
    // With a composite text, a source column named "text" is replaced by the composite.
    for (const f of p.fields) if (f !== 'text') out[f] = row[f] ?? null;
    if (this.ids && id !== undefined) this.ids.push(id);
    this.gold.push(label);
    this.split.push(splitCode);
    if (label >= 0) this.labeled++;
    return { ok: true, row: out };
  }

  private labelOf(v: Cell): number | 'too-many' {
    if (v === null) return -1;
    const variants = this.plan.labelVariants;
    const s = variants === 'keep' && this.inferClasses ? String(v) : String(v).trim();
    if (s.trim() === '') return -1;
    const exact = this.classIndex.get(s);
    if (exact !== undefined) return exact;
    if (this.inferClasses) {
      // Numeric labels (0/1, or WRENCH's -1 for "none") stay indices.
      if (/^-1$/.test(s.trim())) return -1;
      const folded = s.toLowerCase();
      if (variants === 'merge') {
        const same = this.foldedIndex.get(folded);
        if (same !== undefined) {
          this.classIndex.set(s, same);
          return same;
        }
      }
      if (this.classes.length >= 127) return 'too-many';
      this.classes.push(s);
      this.classIndex.set(s, this.classes.length - 1);
      if (!this.foldedIndex.has(folded)) this.foldedIndex.set(folded, this.classes.length - 1);
      return this.classes.length - 1;
    }
    const lower = s.toLowerCase();
    for (let i = 0; i < this.classes.length; i++) if (this.classes[i].toLowerCase() === lower) return i;
    if (/^-?\d+$/.test(s)) {
      const i = Number(s);
      if (i === -1) return -1;
      if (i >= 0 && i < this.classes.length) return i;
    }
    this.unknown[s] = (this.unknown[s] ?? 0) + 1;
    return -1;
  }

  finish(): ShapedColumns {
    const n = this.gold.n;
    const split = this.split.done();
    if (this.plan.split.kind === 'random') randomSplit(split, this.plan.split.fractions, this.plan.split.seed);
    const splitCounts: Record<Split, number> = { train: 0, dev: 0, test: 0 };
    for (let i = 0; i < n; i++) splitCounts[SPLIT_NAMES[split[i]]]++;
    return {
      n,
      classes: this.classes.slice(),
      gold: this.gold.done(),
      split,
      splitCounts,
      ids: this.ids,
      unknownLabels: { ...this.unknown },
      labeled: this.labeled,
    };
  }
}

function cellText(v: Cell): string {
  return v === null ? '' : String(v);
}

/**
 * Fill `out` with a seeded split of exact sizes: round(f·n) train and dev rows, the rest
 * test, assigned by a seeded permutation (the same seed gives the same split).
 */
export function randomSplit(out: Uint8Array, fractions: readonly [number, number, number], seed: number): Uint8Array {
  const n = out.length;
  const total = fractions[0] + fractions[1] + fractions[2];
  const nTrain = Math.round((fractions[0] / total) * n);
  const nDev = Math.min(n - nTrain, Math.round((fractions[1] / total) * n));
  const perm = permutation(n, mulberry32(deriveSeed(seed, 'split')));
  for (let t = 0; t < n; t++) out[perm[t]] = t < nTrain ? 0 : t < nTrain + nDev ? 1 : 2;
  return out;
}
