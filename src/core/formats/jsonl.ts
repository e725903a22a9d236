/**
 * Streaming readers for JSON Lines (one object per line) and JSON arrays of objects.
 *
 * JSONL: split on '\n' across slices; a line that never ends is stopped at `maxRowChars`
 * (so a 100 MB single line is a message, not a hang). JSON arrays: a small scanner finds the
 * top-level elements (tracking strings, escapes and nesting) so each element is parsed on its
 * own and a bad element is located by its position; the scan resumes where it stopped, so the
 * work is linear however the slices fall. Columns are the union of keys in first-appearance
 * order; nested values are kept as JSON text.
 */
import { errorText } from '../errors.ts';
import { Emitter, guard, success, textChunks } from './stream.ts';
import { DEFAULTS, toCell, type BatchSink, type ParseOptions, type ParseResult, type Row } from './types.ts';

/** Add one parsed value as a row, or report it. `n` is its 1-based line / element number. */
function addObject(em: Emitter, value: unknown, n: number, known: Set<string>, maxCols: number, what: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    em.bad({
      file: em.file,
      code: 'malformed',
      row: n,
      reason: `${what} is ${Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`}, not an object with fields`,
    });
    return;
  }
  const row: Row = {};
  for (const key of Object.keys(value)) {
    if (!known.has(key)) {
      if (known.size >= maxCols) {
        em.fail({ code: 'too-many-columns', row: n, reason: `has more than ${maxCols} distinct fields; keep only the fields you need` });
      }
      known.add(key);
      em.columns.push(key);
    }
    row[key] = toCell((value as Record<string, unknown>)[key]);
  }
  em.push(row, n);
}

function jsonReason(e: unknown): string {
  const msg = errorText(e);
  return `is not valid JSON (${msg.replace(/^JSON\.parse: /, '').slice(0, 160)})`;
}

export async function parseJsonLines(blob: Blob, opts: ParseOptions, sink: BatchSink): Promise<ParseResult> {
  const em: Emitter = new Emitter(opts, sink, blob.size);
  const maxRow = opts.maxRowChars ?? DEFAULTS.maxRowChars;
  const maxCols = opts.maxColumns ?? DEFAULTS.maxColumns;
  const known = new Set<string>();
  let line = 0;

  const handleLine = (raw: string): void => {
    line++;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      em.bad({ file: em.file, code: 'malformed', row: line, reason: jsonReason(e) });
      return;
    }
    addObject(em, value, line, known, maxCols, 'the line');
  };

  return guard(em, async () => {
    let carry = '';
    for await (const chunk of textChunks(blob, em, () => line)) {
      let start = 0;
      let text = chunk.text;
      // Only look for the newline in the new text; the carry is known to have none.
      let nl = text.indexOf('\n');
      if (nl >= 0) {
        handleLine(carry + text.slice(0, nl));
        carry = '';
        start = nl + 1;
        while ((nl = text.indexOf('\n', start)) >= 0) {
          handleLine(text.slice(start, nl));
          start = nl + 1;
          if (em.pending >= em.effectiveBatch) await em.flush();
        }
        text = text.slice(start);
      }
      if (carry.length + text.length > maxRow) {
        em.fail({
          code: 'line-too-long',
          row: line + 1,
          reason: `has a line longer than ${Math.round(maxRow / 1048576)} M characters; JSON Lines needs one object per line`,
        });
      }
      carry += text;
      if (chunk.last && carry !== '') {
        handleLine(carry);
        carry = '';
      }
      await em.flush();
    }
    await em.flush(true);
    if (em.rowsOut === 0 && em.skipped === 0) em.fail({ code: 'empty', reason: 'has no rows (only blank lines)' });
    return success(em, { format: 'jsonl' });
  });
}

const enum S {
  Before, // before the opening '['
  Between, // inside the array, expecting an element or ']'
  InElement,
  After, // after the closing ']'
}

export async function parseJsonArray(blob: Blob, opts: ParseOptions, sink: BatchSink): Promise<ParseResult> {
  const em: Emitter = new Emitter(opts, sink, blob.size);
  const maxRow = opts.maxRowChars ?? DEFAULTS.maxRowChars;
  const maxCols = opts.maxColumns ?? DEFAULTS.maxColumns;
  const known = new Set<string>();
  let element = 0;

  return guard(em, async () => {
    let state = S.Before as S;
    let buf = ''; // text of the element being scanned
    let depth = 0;
    let inString = false;
    let escape = false;
    let sawComma = false;

    const finishElement = (): void => {
      element++;
      let value: unknown;
      try {
        value = JSON.parse(buf);
      } catch (e) {
        em.bad({ file: em.file, code: 'malformed', row: element, reason: `element ${jsonReason(e)}` });
        buf = '';
        return;
      }
      buf = '';
      addObject(em, value, element, known, maxCols, 'the element');
    };

    for await (const chunk of textChunks(blob, em, () => element)) {
      const t = chunk.text;
      let elStart = state === S.InElement ? 0 : -1;
      for (let i = 0; i < t.length; i++) {
        const c = t.charCodeAt(i);
        if (state === S.InElement) {
          if (inString) {
            if (escape) escape = false;
            else if (c === 92 /* \ */) escape = true;
            else if (c === 34 /* " */) inString = false;
            continue;
          }
          if (c === 34) inString = true;
          else if (c === 123 /* { */ || c === 91 /* [ */) depth++;
          else if (c === 125 /* } */ || c === 93 /* ] */) {
            if (depth > 0) depth--;
            else {
              // the array's closing bracket ends the last element
              buf += t.slice(elStart, i);
              finishElement();
              state = S.After;
            }
          } else if (c === 44 /* , */ && depth === 0) {
            buf += t.slice(elStart, i);
            finishElement();
            state = S.Between;
            sawComma = true;
          }
          continue;
        }
        if (c === 32 || c === 9 || c === 10 || c === 13) continue;
        if (state === S.Before) {
          if (c === 91) state = S.Between;
          else
            em.fail({
              code: 'malformed',
              row: 1,
              reason:
                c === 123
                  ? 'is a JSON object, not an array of rows (for WRENCH data pick the WRENCH format; otherwise use [ {...}, ... ] or JSON Lines)'
                  : 'is not a JSON array of rows (it must start with "[")',
            });
        } else if (state === S.Between) {
          if (c === 93 && !sawComma)
            state = S.After; // "[]" or "[ ... ]" end
          else if (c === 44) em.fail({ code: 'malformed', row: element + 1, reason: 'has an empty element (two commas in a row)' });
          else {
            state = S.InElement;
            elStart = i;
            depth = 0;
            inString = false;
            escape = false;
            i--; // rescan this character as part of the element
            sawComma = false;
          }
        } else {
          em.fail({ code: 'malformed', row: element, reason: 'has text after the closing "]"' });
        }
      }
      if (state === S.InElement) {
        buf += t.slice(elStart);
        if (buf.length > maxRow) {
          em.fail({
            code: 'line-too-long',
            row: element + 1,
            reason: `has an element longer than ${Math.round(maxRow / 1048576)} M characters`,
          });
        }
      }
      if (em.pending >= em.effectiveBatch) await em.flush();
    }
    if (state === S.Before) em.fail({ code: 'empty', reason: 'is empty' });
    if (state !== S.After) em.fail({ code: 'malformed', row: element + 1, reason: 'ends before the closing "]" (is the file cut short?)' });
    await em.flush(true);
    if (em.rowsOut === 0 && em.skipped === 0) em.fail({ code: 'empty', reason: 'is an empty array' });
    return success(em, { format: 'json' });
  });
}
