/**
 * Streaming CSV/TSV reader on papaparse's low-level `Parser` (RFC 4180 quoting, multi-line
 * quoted fields). We drive the parser ourselves instead of `Papa.parse(file)` because that
 * path decodes leniently (no way to report a wrong encoding), needs FileReader (absent in
 * Node) and cannot await a slow consumer.
 *
 * Chunk joining follows papaparse's own ChunkStreamer: parse `carry + new text` with
 * `ignoreLastRow`, keep everything after `meta.cursor` as the carry. An unterminated quote or
 * a file without newlines would make the carry grow and each re-parse rescan it (quadratic);
 * we only re-parse once the new text is at least as long as the carry (geometric growth, so
 * linear overall) and stop with a clear message once one row exceeds `maxRowChars`.
 */
import Papa from 'papaparse';
import { Emitter, guard, success, textChunks } from './stream.ts';
import { DEFAULTS, type BatchSink, type ParseOptions, type ParseResult, type Row } from './types.ts';

const GUESSABLE = [',', '\t', ';', '|'];

interface PapaError {
  code: string;
  message: string;
  row?: number;
}
interface PapaResult {
  data: string[][];
  errors: PapaError[];
  meta: { cursor: number };
}

export async function parseDelimited(blob: Blob, opts: ParseOptions, sink: BatchSink): Promise<ParseResult> {
  const em: Emitter = new Emitter(opts, sink, blob.size);
  const maxRow = opts.maxRowChars ?? DEFAULTS.maxRowChars;
  const maxCols = opts.maxColumns ?? DEFAULTS.maxColumns;
  const useHeader = opts.header ?? true;
  let delimiter = opts.delimiter;
  let parser: Papa.Parser | undefined;
  let header: string[] | undefined;
  let record = 0; // data records seen, including skipped ones

  const handle = (fields: string[], errors: PapaError[]): void => {
    if (!header) {
      if (fields.length === 1 && fields[0] === '') return; // leading blank lines
      if (fields.length > maxCols) {
        em.fail({ code: 'too-many-columns', row: 0, reason: `has ${fields.length} columns, more than the ${maxCols} Shoal accepts; keep only the columns you need` });
      }
      // A trailing delimiter on the header (spreadsheet exports) names no column.
      if (useHeader && fields.length > 1 && fields[fields.length - 1].trim() === '') fields = fields.slice(0, -1);
      header = useHeader ? uniqueNames(fields, em) : fields.map((_, i) => `col${i + 1}`);
      em.columns = header;
      if (useHeader) return;
    }
    // Blank lines are skipped, also in one-column files (the file's final newline yields one).
    if (fields.length === 1 && fields[0] === '') return;
    record++;
    if (errors.length > 0) {
      const e = errors[0];
      em.bad({
        file: em.file,
        code: 'malformed',
        row: record,
        reason: e.code === 'MissingQuotes' ? 'a quoted field is never closed' : `${e.message.toLowerCase()} (a quote inside a field must be doubled: "")`,
      });
      return;
    }
    // A trailing delimiter (one extra empty field) is common and harmless.
    if (fields.length === header.length + 1 && fields[fields.length - 1] === '') fields.pop();
    if (fields.length !== header.length) {
      em.bad({
        file: em.file,
        code: 'ragged',
        row: record,
        reason: `has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${header.length}${delimiter === ',' ? '' : ` (delimiter ${JSON.stringify(delimiter)})`}`,
      });
      return;
    }
    const row: Row = {};
    for (let j = 0; j < header.length; j++) row[header[j]] = fields[j];
    em.push(row, record);
  };

  const run = (input: string, final: boolean): string => {
    if (!parser) {
      if (!delimiter) delimiter = guessDelimiter(input);
      const newline = guessNewline(input, delimiter);
      parser = new Papa.Parser({ delimiter, newline, quoteChar: '"', escapeChar: '"' } as Papa.ParseConfig);
    }
    const res = parser.parse(input, 0, !final) as PapaResult;
    const byRow = new Map<number, PapaError[]>();
    for (const e of res.errors) {
      const r = e.row ?? 0;
      const list = byRow.get(r);
      if (list) list.push(e);
      else byRow.set(r, [e]);
    }
    for (let i = 0; i < res.data.length; i++) handle(res.data[i], byRow.get(i) ?? []);
    return final ? '' : input.slice(res.meta.cursor);
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
      const waitForSample = !parser && freshLen < 64 * 1024;
      if (!chunk.last && !tooLong && (freshLen < carry.length || waitForSample)) continue;
      const input = carry + fresh.join('');
      fresh = [];
      freshLen = 0;
      carry = run(input, chunk.last);
      if (carry.length > maxRow) {
        em.fail({
          code: 'line-too-long',
          row: record + 1,
          reason: `has a row longer than ${Math.round(maxRow / 1048576)} M characters (an unclosed quote, or not a ${delimiter === '\t' ? 'TSV' : 'CSV'} file?)`,
        });
      }
      await em.flush();
    }
    await em.flush(true);
    if (!header) em.fail({ code: 'empty', reason: 'has no rows' });
    if (em.rowsOut === 0 && em.skipped === 0) em.fail({ code: 'empty', reason: useHeader ? 'has a header row but no data rows' : 'has no rows' });
    return success(em, { format: delimiter === '\t' ? 'tsv' : 'csv', delimiter });
  });
}

/** Papa's delimiter guess on a sample, limited to the delimiters people actually use. */
function guessDelimiter(sample: string): string {
  const head = sample.slice(0, 64 * 1024);
  const res = Papa.parse(head, { preview: 50, delimitersToGuess: GUESSABLE, skipEmptyLines: 'greedy' });
  const d = res.meta.delimiter;
  return GUESSABLE.includes(d) ? d : ',';
}

/** Papa's line-ending guess, which ignores line breaks inside quoted fields. */
function guessNewline(sample: string, delimiter: string): string {
  const res = Papa.parse(sample.slice(0, 64 * 1024), { preview: 1, delimiter });
  const nl = res.meta.linebreak;
  return nl === '\r\n' || nl === '\r' ? nl : '\n';
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
      em.note({ file: em.file, code: 'duplicate-column', row: 0, reason: `the header names "${name}" more than once; the copy in column ${i + 1} is called "${name}_${k}"` });
      name = `${name}_${k}`;
    }
    seen.set(name, seen.get(name) ?? 1);
    out.push(name);
  }
  return out;
}
