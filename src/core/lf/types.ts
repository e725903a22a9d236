/**
 * Labeling functions as data. An LF definition is a plain, structured-cloneable object, so it
 * can be stored in IndexedDB, sent to a worker, hashed for vote caching and diffed for undo.
 * Templates (keyword, regex, field, lookup, length) need no code; `code` LFs carry JS source
 * that the runtime compiles inside the worker that applies it.
 *
 * Every LF votes for one class by name (`label`), except code LFs, which return a class name,
 * a class index, or abstain (null / undefined / -1 / ABSTAIN) per row.
 */

/** A row as LFs see it: the dataset's fields by name (`text` by convention). */
export type Row = Readonly<Record<string, unknown>>;

/** A contiguous slice of a dataset: `rows[i]` is dataset row `start + i`. */
export interface RowChunk {
  readonly start: number;
  readonly rows: readonly Row[];
}

interface LfBase {
  /** Stable identity (survives rename and reorder). */
  readonly id: string;
  /** Unique, user-facing name. */
  readonly name: string;
  readonly enabled: boolean;
}

/**
 * `word`: whole words with Unicode-aware boundaries (letters, digits, marks and `_` are word
 * characters; JS `\b` is ASCII-only so it is not used). `token`: whitespace-separated tokens
 * that must equal the keyword exactly (punctuation stays attached: `video!` is not `video`).
 * `substring`: anywhere in the text.
 */
export type KeywordMatch = 'word' | 'token' | 'substring';

export interface KeywordLf extends LfBase {
  readonly kind: 'keyword';
  readonly label: string;
  /** Field to read; defaults to the dataset's text field (`text` unless the runtime says otherwise). */
  readonly field?: string;
  readonly keywords: readonly string[];
  /** `any`: one keyword suffices; `all`: every keyword must occur. */
  readonly mode: 'any' | 'all';
  readonly match: KeywordMatch;
  readonly caseSensitive: boolean;
}

export interface RegexLf extends LfBase {
  readonly kind: 'regex';
  readonly label: string;
  readonly field?: string;
  readonly pattern: string;
  /** RegExp flags; `g` and `y` are ignored (they make `test` stateful). */
  readonly flags: string;
}

export type FieldOp = '<' | '<=' | '>' | '>=' | '==' | '!=' | 'contains' | 'startsWith' | 'endsWith' | 'empty' | 'notEmpty';

/**
 * Compare one field to a value. With a numeric `value` and an ordering/equality op the field is
 * read as a number (rows where it is not a number abstain); otherwise as a string.
 */
export interface FieldLf extends LfBase {
  readonly kind: 'field';
  readonly label: string;
  readonly field: string;
  readonly op: FieldOp;
  readonly value: string | number;
  readonly caseSensitive?: boolean;
}

/**
 * A list of values (pasted or loaded from a file). `value`: the whole (trimmed) field equals an
 * entry; `word`: an entry occurs in the field as whole word(s), as a `word` keyword LF would.
 */
export interface LookupLf extends LfBase {
  readonly kind: 'lookup';
  readonly label: string;
  readonly field?: string;
  readonly values: readonly string[];
  readonly match: 'value' | 'word';
  readonly caseSensitive: boolean;
}

export type LengthUnit = 'chars' | 'words' | 'tokens';
export type CompareOp = '<' | '<=' | '>' | '>=' | '==' | '!=';

/** Text length in characters (UTF-16 units), Unicode words, or whitespace tokens. */
export interface LengthLf extends LfBase {
  readonly kind: 'length';
  readonly label: string;
  readonly field?: string;
  readonly unit: LengthUnit;
  readonly op: CompareOp;
  readonly value: number;
}

/**
 * JS source: a function expression of the row (`(x) => x.text.includes('free') ? 'spam' : null`,
 * `function (x) { ... }`) or a function body using `x` (`return x.text.length < 20 ? 'ham' : null`).
 * Helpers in scope: see `lf/helpers.ts`. Simple TypeScript annotations (`(x: Row): string | null`,
 * `as string`, `!`) are accepted (`lf/strip-types.ts`). The function must be synchronous.
 */
export interface CodeLf extends LfBase {
  readonly kind: 'code';
  readonly source: string;
}

export type LfDef = KeywordLf | RegexLf | FieldLf | LookupLf | LengthLf | CodeLf;
export type LfKind = LfDef['kind'];

/** What went wrong in one LF during a run: the first failing row, its message, how many rows. */
export interface LfErrorInfo {
  /** Dataset row of the first error, or -1 when the LF failed as a whole (compile error, timeout). */
  readonly row: number;
  readonly message: string;
  readonly count: number;
}

/** A half-open [start, end) span of UTF-16 offsets into a field's text. */
export type Span = readonly [number, number];
