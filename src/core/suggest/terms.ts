/**
 * The terms an LF suggestion is made of, cut from a row exactly as the template it would become
 * reads it, so a suggestion's counts are the LF's counts:
 * - words and word pairs of a text, as a case-insensitive whole-word keyword LF matches them
 *   (`KeywordLf` with `match: 'word'`, runtime.ts): the text is lowercased, words are the
 *   Unicode word runs of `scanWords`, and a pair is two consecutive words separated by exactly
 *   one space (a keyword "click here" matches the literal text "click here", not "click\nhere");
 * - the whole value of a field, as a case-insensitive `value` lookup LF matches it (trimmed,
 *   lowercased; empty values are never a term: a lookup list cannot hold an empty entry).
 *
 * Terms share one string key space: a word or pair is itself (it holds no NUL: NUL is not a word
 * character); a field value is `NUL field NUL value` (`valueTerm`).
 */
import { fieldText, scanWords } from '../lf/text.ts';
import type { Row } from '../lf/types.ts';

/** Field values longer than this are not terms (free text, not a category). */
export const MAX_VALUE_CHARS = 100;

const NUL = '\u0000';

/**
 * Call `emit` for each word and word pair of `text` once it is lowercased, left to right (a term
 * may come more than once). With `pairsAfter`, a pair is only cut out when its first word is in
 * that set: a counter that only wants some pairs skips building the others.
 */
export function scanTextTerms(text: string, emit: (term: string) => void, pairs = true, pairsAfter?: ReadonlySet<string>): void {
  const t = text.toLowerCase();
  let prevStart = -1;
  let prevEnd = -2;
  let prevWord = '';
  scanWords(t, (a, b) => {
    const w = t.slice(a, b);
    emit(w);
    if (pairs && a === prevEnd + 1 && t.charCodeAt(prevEnd) === 32 && (!pairsAfter || pairsAfter.has(prevWord)))
      emit(t.slice(prevStart, b));
    prevStart = a;
    prevEnd = b;
    prevWord = w;
  });
}

/** Add the distinct lowercased words (and, with `pairs`, word pairs) of `text` to `out`. */
export function addTextTerms(text: string, out: Set<string>, pairs = true): Set<string> {
  scanTextTerms(text, (term) => out.add(term), pairs);
  return out;
}

/** The key of a field's value (already trimmed and lowercased). */
export function valueTerm(field: string, value: string): string {
  return `${NUL}${field}${NUL}${value}`;
}

/** What a term key stands for: words of the text, or one value of a field. */
export type ParsedTerm =
  { readonly kind: 'words'; readonly text: string } | { readonly kind: 'value'; readonly field: string; readonly value: string };

export function parseTerm(term: string): ParsedTerm {
  if (term.charCodeAt(0) !== 0) return { kind: 'words', text: term };
  const at = term.indexOf(NUL, 1);
  return { kind: 'value', field: term.slice(1, at), value: term.slice(at + 1) };
}

/**
 * Call `emit` with the value term of each of `fields` in `row`: trimmed, lowercased,
 * 1..MAX_VALUE_CHARS characters and on one line (the editor keeps a lookup list one entry per line).
 */
export function scanValueTerms(row: Row, fields: readonly string[], emit: (term: string) => void): void {
  for (const f of fields) {
    const v = fieldText(row, f).trim().toLowerCase();
    if (v.length > 0 && v.length <= MAX_VALUE_CHARS && !/[\r\n]/.test(v)) emit(valueTerm(f, v));
  }
}

/** Add the value terms of `fields` in `row` to `out` (`scanValueTerms`). */
export function addValueTerms(row: Row, fields: readonly string[], out: Set<string>): Set<string> {
  scanValueTerms(row, fields, (term) => out.add(term));
  return out;
}

/** Every term of a row: the words and pairs of `textField`, and the values of `valueFields`. */
export function rowTerms(row: Row, textField: string, valueFields: readonly string[], out: Set<string> = new Set()): Set<string> {
  out.clear();
  addTextTerms(fieldText(row, textField), out);
  return addValueTerms(row, valueFields, out);
}
