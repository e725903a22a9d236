/**
 * Streaming CSV/TSV reader. Records come from our own tokenizer (`delimited.ts`): CSV is read
 * as RFC 4180, TSV as IANA `text/tab-separated-values` (no quoting: a quote is an ordinary
 * character) unless the file is clearly quoted TSV (pandas, R), which is detected on the first
 * 64 KiB and reported in the result (`quoted`, `quotedReason`) so the preview can show it and
 * offer the other reading. papaparse only guesses the delimiter.
 *
 * Chunk joining: parse `carry + new text`, keep the unfinished last record as the carry. An
 * unterminated quote or a file without newlines would make the carry grow and each re-parse
 * rescan it (quadratic); we only re-parse once the new text is at least as long as the carry
 * (geometric growth, so linear overall) and stop with a clear message once one row exceeds
 * `maxRowChars`.
 *
 * Bad records (malformed quoting, wrong field count) are located by data row and by the line
 * they start on. With `skipBadRows` a bad record costs exactly its first line: reading resumes
 * on the next line, so a stray quote never swallows the rows after it.
 */
import Papa from 'papaparse';
import { detectQuotedTsv, nextLineStart, readRecord } from './delimited.ts';
import { Emitter, guard, success, textChunks } from './stream.ts';
import { DEFAULTS, type BatchSink, type ParseOptions, type ParseResult, type Row } from './types.ts';

const GUESSABLE = [',', '\t', ';', '|'];

export async function parseDelimited(blob: Blob, opts: ParseOptions, sink: BatchSink): Promise<ParseResult> {
  const em: Emitter = new Emitter(opts, sink, blob.size);
  const maxRow = opts.maxRowChars ?? DEFAULTS.maxRowChars;
  const maxCols = opts.maxColumns ?? DEFAULTS.maxColumns;
  const useHeader = opts.header ?? true;
  let delimiter = opts.delimiter;
  let quoted: boolean | undefined;
  let quotedReason: string | undefined;
  let header: string[] | undefined;
  let record = 0; // data records seen, including skipped ones
  let line = 1; // the line the unparsed text (the carry) starts on
  let openQuoteLine = 0; // where the carry's open quoted field started, if it is in one

  const kind = (): string => (delimiter === '\t' ? 'TSV' : 'CSV');
  const quoteHint = (): string =>
    delimiter === '\t'
      ? ' (this file is read as quoted TSV; read it without quoting to keep quotes as text)'
      : ' (a quote inside a quoted field must be doubled: "")';

  /** A data record that cannot be used: stop, or skip it (and only its first line). */
  const badRecord = (startLine: number, code: 'malformed' | 'ragged', reason: string): void => {
    record++;
    em.bad({ file: em.file, code, row: record, line: startLine, reason });
  };

  /** Returns false when the record is a ragged multi-line one that must be resynced instead. */
  const handle = (fields: string[], startLine: number, spansLines: boolean): boolean => {
    if (!header) {
      if (fields.length === 0) return true; // leading blank lines
      if (fields.length > maxCols) {
        em.fail({
          code: 'too-many-columns',
          row: 0,
          line: startLine,
          reason: `has ${fields.length} columns, more than the ${maxCols} Shoal accepts; keep only the columns you need`,
        });
      }
      // A trailing delimiter on the header (spreadsheet exports) names no column.
      if (useHeader && fields.length > 1 && fields[fields.length - 1].trim() === '') fields = fields.slice(0, -1);
      header = useHeader ? uniqueNames(fields, em) : fields.map((_, i) => `col${i + 1}`);
      em.columns = header;
      if (useHeader) return true;
    }
    // Blank lines are skipped, also in one-column files (the file's final newline yields one).
    if (fields.length === 0) return true;
    // A trailing delimiter (one extra empty field) is common and harmless.
    if (fields.length === header.length + 1 && fields[fields.length - 1] === '') fields.pop();
    if (fields.length !== header.length) {
      if (spansLines) return false;
      badRecord(startLine, 'ragged', raggedReason(fields.length, header.length));
      return true;
    }
    record++;
    const row: Row = {};
    for (let j = 0; j < header.length; j++) row[header[j]] = fields[j];
    em.push(row, record, startLine);
    return true;
  };

  const raggedReason = (got: number, want: number): string =>
    `has ${got} field${got === 1 ? '' : 's'} but the header has ${want}${delimiter === ',' ? '' : ` (delimiter ${JSON.stringify(delimiter)})`}`;

  const run = (input: string, final: boolean): string => {
    if (delimiter === undefined) delimiter = guessDelimiter(input);
    if (quoted === undefined) {
      if (opts.quoted !== undefined) quoted = opts.quoted;
      else if (delimiter === '\t') {
        quotedReason = detectQuotedTsv(input.slice(0, 64 * 1024), final && input.length <= 64 * 1024) ?? undefined;
        quoted = quotedReason !== undefined;
      } else quoted = true;
      em.info.delimiter = delimiter;
      em.info.quoted = quoted;
      if (quotedReason) em.info.quotedReason = quotedReason;
    }
    const d = delimiter;
    let pos = 0;
    openQuoteLine = 0;
    while (pos < input.length) {
      const step = readRecord(input, pos, d, quoted, final);
      if (step.kind === 'more') {
        if (step.inQuote) openQuoteLine = line + step.quoteLineOffset;
        break;
      }
      let resync = step.kind === 'bad';
      if (step.kind === 'record') {
        // Line breaks inside the record (its own terminator excluded): a quoted field ran over lines.
        const last = input.charCodeAt(input.length - 1);
        const terminated = step.end < input.length || last === 10 || last === 13;
        const spans = step.lines - (terminated ? 1 : 0) > 0;
        if (handle(step.fields, line, spans)) {
          line += step.lines;
          pos = step.end;
          continue;
        }
        resync = true;
      }
      if (!resync) break;
      // Skip the bad record's first line only; the next line is read afresh.
      const next = nextLineStart(input, pos, final);
      if (next === -1) break; // wait for the end of that line
      if (!header) {
        const at = step.kind === 'bad' ? line + step.quoteLineOffset : line;
        em.fail({
          code: 'malformed',
          row: 0,
          line: at,
          reason:
            step.kind === 'bad' && step.unterminated
              ? 'the header row has a quoted field that is never closed'
              : 'the header row is malformed',
        });
      }
      if (step.kind === 'bad') {
        // The issue's line is where the record starts (the line that is skipped); the reason names the quote's own line.
        const at = line + step.quoteLineOffset;
        if (step.unterminated) badRecord(line, 'malformed', `has a quoted field opened on line ${at} that is never closed${quoteHint()}`);
        else
          badRecord(
            line,
            'malformed',
            `has text after the closing quote of a quoted field${at === line ? '' : ` on line ${at}`}${quoteHint()}`,
          );
      } else {
        badRecord(
          line,
          'ragged',
          `${raggedReason(step.fields.length, header!.length)}, and a quoted field in it runs over several lines (a stray quote?)`,
        );
      }
      line += 1;
      pos = next;
    }
    return input.slice(pos);
  };

  return guard(em, async () => {
    let carry = '';
    let fresh: string[] = [];
    let freshLen = 0;
    for await (const chunk of textChunks(blob, em, () => record)) {
      fresh.push(chunk.text);
      freshLen += chunk.text.length;
      const tooLong = carry.length + freshLen > maxRow;
      // The first parse waits for a sample big enough to guess the delimiter from.
      const waitForSample = quoted === undefined && freshLen < 64 * 1024;
      if (!chunk.last && !tooLong && (freshLen < carry.length || waitForSample)) continue;
      const input = carry + fresh.join('');
      fresh = [];
      freshLen = 0;
      carry = run(input, chunk.last);
      if (carry.length > maxRow) {
        const mb = Math.round(maxRow / 1048576);
        em.fail({
          code: 'line-too-long',
          row: record + 1,
          line: openQuoteLine || line,
          reason: openQuoteLine
            ? `has a quoted field opened on line ${openQuoteLine} that is still not closed after ${mb} M characters (an unclosed quote, or not a ${kind()} file?)`
            : `has a row longer than ${mb} M characters (an unclosed quote, or not a ${kind()} file?)`,
        });
      }
      await em.flush();
    }
    await em.flush(true);
    if (!header) em.fail({ code: 'empty', reason: 'has no rows' });
    if (em.rowsOut === 0 && em.skipped === 0)
      em.fail({ code: 'empty', reason: useHeader ? 'has a header row but no data rows' : 'has no rows' });
    em.checkBadShare();
    return success(em, { format: delimiter === '\t' ? 'tsv' : 'csv' });
  });
}

/** Papa's delimiter guess on a sample, limited to the delimiters people actually use. */
function guessDelimiter(sample: string): string {
  const head = sample.slice(0, 64 * 1024);
  const res = Papa.parse(head, { preview: 50, delimitersToGuess: GUESSABLE, skipEmptyLines: 'greedy' });
  const d = res.meta.delimiter;
  return GUESSABLE.includes(d) ? d : ',';
}

/** Trimmed, non-empty, unique header names; renames are reported as a warning. */
function uniqueNames(fields: string[], em: Emitter): string[] {
  const seen = new Map<string, number>();
  const out: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    let name = fields[i].trim() || `column_${i + 1}`;
    const n = seen.get(name);
    if (n !== undefined) {
      let k = n + 1;
      while (seen.has(`${name}_${k}`)) k++;
      seen.set(name, k);
      em.note({
        file: em.file,
        code: 'duplicate-column',
        row: 0,
        reason: `the header names "${name}" more than once; the copy in column ${i + 1} is called "${name}_${k}"`,
      });
      name = `${name}_${k}`;
    }
    seen.set(name, seen.get(name) ?? 1);
    out.push(name);
  }
  return out;
}
