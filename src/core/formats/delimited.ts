/**
 * The record tokenizer behind CSV and TSV, written out so that its rules are ours and testable
 * against a reference (src/core/formats/corpus.test.ts compares it with Python's `csv` module):
 *
 * - **Quoted** (CSV, RFC 4180; also "quoted TSV"): a field that *starts* with `"` is quoted; inside
 *   it `""` is one quote and delimiters and line breaks are data. The closing quote must be followed
 *   by the delimiter, a line break or the end of the file, otherwise the record is malformed
 *   (Python's `csv` with `strict=True` says the same). A quote inside an unquoted field is an
 *   ordinary character, as in Python.
 * - **Unquoted** (TSV, IANA `text/tab-separated-values`): every character but the delimiter and
 *   line breaks is data, quotes included.
 *
 * Records end at `\n`, `\r\n` or `\r` (as Python's reader does). An empty line is a record with
 * no fields, which callers skip.
 *
 * A malformed record never takes the following lines with it: the caller skips only its first
 * physical line and reads on from the next one (`resync`), so a stray quote costs one row.
 */

export type RecordStep =
  /** A complete record; `end` is just past its line break; `lines` the line breaks it spans. */
  | { kind: 'record'; fields: string[]; end: number; lines: number }
  /**
   * A malformed record starting at the given position: a quoted field never closed, or text after
   * a closing quote; `quoteLineOffset` is the offending quote's line relative to the record's first.
   */
  | { kind: 'bad'; reason: 'unterminated' | 'after-quote'; unterminated: boolean; quoteLineOffset: number }
  /** The input ends inside this record: wait for more text (never returned when `final`). */
  | { kind: 'more'; inQuote: boolean; quoteLineOffset: number };

const LF = 10;
const CR = 13;
const QUOTE = 34;

/** Line breaks in `s[from, to)`: `\r\n`, `\r` and `\n` count once each. */
export function countLines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === LF) n++;
    else if (c === CR) {
      n++;
      if (i + 1 < to && s.charCodeAt(i + 1) === LF) i++;
    }
  }
  return n;
}

/**
 * Position just past the first line break at or after `from` (`s.length` at the end of the
 * text), or -1 when the text ends first and more may follow (a `\r` at the very end might be
 * half of `\r\n`).
 */
export function nextLineStart(s: string, from: number, final: boolean): number {
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === LF) return i + 1;
    if (c === CR) {
      if (i + 1 < s.length) return s.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
      return final ? i + 1 : -1;
    }
  }
  return final ? s.length : -1;
}

export interface QuoteStats {
  /** Quoted fields in the record. */
  quoted: number;
  /** Quoted fields that need their quotes (a delimiter, a line break or a doubled quote inside). */
  needed: number;
}

/** Read one record starting at `pos` (which must be < s.length); `stats` counts its quoted fields. */
export function readRecord(s: string, pos: number, delimiter: string, quoted: boolean, final: boolean, stats?: QuoteStats): RecordStep {
  const len = s.length;
  const d = delimiter.charCodeAt(0);
  const fields: string[] = [];
  let lines = 0;
  let i = pos;
  // An empty line: a record without fields.
  const first = s.charCodeAt(i);
  if (first === LF || first === CR) {
    if (first === CR && i + 1 === len && !final) return { kind: 'more', inQuote: false, quoteLineOffset: 0 };
    const end = first === CR && s.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
    return { kind: 'record', fields, end, lines: 1 };
  }
  for (;;) {
    if (quoted && i < len && s.charCodeAt(i) === QUOTE) {
      const open = i;
      let from = i + 1;
      let value = '';
      let doubled = false;
      let close: number;
      for (;;) {
        const q = s.indexOf('"', from);
        if (q === -1 || (q + 1 === len && !final)) {
          // Not closed yet (a quote at the very end may be the first half of "").
          if (!final) return { kind: 'more', inQuote: true, quoteLineOffset: lines };
          return { kind: 'bad', reason: 'unterminated', unterminated: true, quoteLineOffset: lines };
        }
        if (q + 1 < len && s.charCodeAt(q + 1) === QUOTE) {
          value += s.slice(from, q + 1);
          from = q + 2;
          doubled = true;
          continue;
        }
        value += s.slice(from, q);
        close = q;
        break;
      }
      const inner = countLines(s, open, close);
      lines += inner;
      if (stats) {
        stats.quoted++;
        if (doubled || inner > 0 || value.includes(delimiter)) stats.needed++;
      }
      i = close + 1;
      if (i === len) {
        if (!final) return { kind: 'more', inQuote: false, quoteLineOffset: 0 };
        fields.push(value);
        return { kind: 'record', fields, end: len, lines };
      }
      const c = s.charCodeAt(i);
      if (c === d) {
        fields.push(value);
        i++;
        continue;
      }
      if (c === LF || c === CR) {
        if (c === CR && i + 1 === len && !final) return { kind: 'more', inQuote: false, quoteLineOffset: 0 };
        fields.push(value);
        const end = c === CR && s.charCodeAt(i + 1) === LF ? i + 2 : i + 1;
        return { kind: 'record', fields, end, lines: lines + 1 };
      }
      return { kind: 'bad', reason: 'after-quote', unterminated: false, quoteLineOffset: lines };
    }
    // Unquoted field: up to the delimiter or a line break.
    let j = i;
    let c = -1;
    while (j < len) {
      c = s.charCodeAt(j);
      if (c === d || c === LF || c === CR) break;
      j++;
    }
    if (j === len) {
      if (!final) return { kind: 'more', inQuote: false, quoteLineOffset: 0 };
      fields.push(s.slice(i, j));
      return { kind: 'record', fields, end: len, lines };
    }
    fields.push(s.slice(i, j));
    if (c === d) {
      i = j + 1;
      continue;
    }
    if (c === CR && j + 1 === len && !final) return { kind: 'more', inQuote: false, quoteLineOffset: 0 };
    const end = c === CR && s.charCodeAt(j + 1) === LF ? j + 2 : j + 1;
    return { kind: 'record', fields, end, lines: lines + 1 };
  }
}

/**
 * Is this tab-separated sample "clearly" quoted TSV (as pandas or R write it)? Only then are
 * quotes special in a TSV file; otherwise a quote is an ordinary character (IANA). Clearly
 * means: read with quoting, the sample has no malformed record and one field count, and some
 * quoted field needs its quotes (it holds a tab, a line break or a doubled quote) or every
 * header field is quoted. Returns why, for the preview, or null.
 */
export function detectQuotedTsv(sample: string, final: boolean): string | null {
  let pos = 0;
  let width = -1;
  let records = 0;
  let quotedFields = 0;
  let needed = 0;
  let headerAllQuoted = false;
  while (pos < sample.length && records < 200) {
    const stats: QuoteStats = { quoted: 0, needed: 0 };
    const step = readRecord(sample, pos, '\t', true, final, stats);
    if (step.kind === 'bad') return null;
    if (step.kind === 'more') break;
    pos = step.end;
    if (step.fields.length === 0) continue;
    if (width === -1) {
      width = step.fields.length;
      headerAllQuoted = stats.quoted === width;
    } else if (step.fields.length !== width) return null;
    quotedFields += stats.quoted;
    needed += stats.needed;
    records++;
  }
  if (quotedFields === 0) return null;
  if (needed > 0) return `its quoted fields hold tabs, line breaks or doubled quotes (${needed} in the first ${records} rows)`;
  if (headerAllQuoted) return 'every header field is in quotes';
  return null;
}
