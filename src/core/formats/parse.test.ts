import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { mulberry32 } from '../rng.ts';
import { detectFormat, previewTable } from './parse.ts';
import { collect, contractViolations } from './testutil.ts';
import { DEFAULTS, issueMessage, type Row } from './types.ts';

function randomText(rng: () => number, len: number, alphabet: string): string {
  const chars = Array.from(alphabet); // whole code points: a lone surrogate is not valid text
  let s = '';
  for (let i = 0; i < len; i++) s += chars[Math.floor(rng() * chars.length)];
  return s;
}

describe('CSV / TSV', () => {
  it('reads quoted, multi-line and escaped fields, CRLF and a BOM', async () => {
    const text = '\ufeffid,text,label\r\n1,"hello, world",spam\r\n2,"two\r\nlines ""quoted""",ham\r\n';
    const c = await collect(text, { fileName: 'a.csv' });
    expect(c.result.ok).toBe(true);
    expect(c.rows).toEqual([
      { id: '1', text: 'hello, world', label: 'spam' },
      { id: '2', text: 'two\r\nlines "quoted"', label: 'ham' },
    ]);
  });

  it('gives the same rows whatever the slice size (random tables, random chunking)', async () => {
    const rng = mulberry32(7);
    for (let t = 0; t < 30; t++) {
      const cols = 1 + Math.floor(rng() * 5);
      const header = Array.from({ length: cols }, (_, j) => `c${j}`);
      const data = Array.from({ length: 1 + Math.floor(rng() * 40) }, () =>
        header.map(() => randomText(rng, Math.floor(rng() * 12), 'ab ,"\n\r;é€😀')),
      );
      const csv = Papa.unparse({ fields: header, data }, { newline: rng() < 0.5 ? '\n' : '\r\n' });
      const expected: Row[] = data
        .filter((r) => !(cols === 1 && r[0] === ''))
        .map((r) => Object.fromEntries(header.map((h, j) => [h, r[j]])));
      for (const chunkBytes of [16, 17, 64 + Math.floor(rng() * 100), 1 << 20]) {
        const c = await collect(csv, { fileName: 't.csv', chunkBytes, delimiter: ',' });
        expect(c.result.ok, JSON.stringify(c.result)).toBe(true);
        expect(c.rows).toEqual(expected);
      }
    }
  });

  it('detects ; and tab delimiters, and honours an explicit one', async () => {
    const semi = await collect('a;b\n1;2\n3;4\n', { fileName: 'x.csv' });
    expect(semi.result.ok && semi.result.delimiter).toBe(';');
    expect(semi.rows[1]).toEqual({ a: '3', b: '4' });
    const tsv = await collect('a\tb\n1,5\t2\n', { fileName: 'x.tsv' });
    expect(tsv.rows).toEqual([{ a: '1,5', b: '2' }]);
    expect(tsv.result.ok && tsv.result.format).toBe('tsv');
    const pipe = await collect('a|b\n1|2\n', { fileName: 'x.txt', format: 'csv', delimiter: '|' });
    expect(pipe.rows).toEqual([{ a: '1', b: '2' }]);
  });

  it('stops at a ragged row with file, row and reason, or skips and counts it', async () => {
    const text = 'a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12\n';
    const strict = await collect(text, { fileName: 'r.csv' });
    expect(strict.result.ok).toBe(false);
    if (!strict.result.ok) {
      expect(strict.result.error).toMatchObject({ file: 'r.csv', code: 'ragged', row: 2 });
      expect(issueMessage(strict.result.error)).toBe('r.csv, row 2 (line 3): has 2 fields but the header has 3');
    }
    // 2 bad rows of 4 is far more than the 1% skipping allows by default.
    const refused = await collect(text, { fileName: 'r.csv', skipBadRows: true });
    expect(!refused.result.ok && issueMessage(refused.result.error)).toBe(
      'r.csv, row 2 (line 3): 2 of 4 rows (50%) could not be read, more than the 1% that skipping allows, so the file is not imported (check the format, delimiter and encoding; the first is line 3, which has 2 fields but the header has 3)',
    );
    const lenient = await collect(text, { fileName: 'r.csv', skipBadRows: true, maxBadShare: 1 });
    expect(lenient.result.ok).toBe(true);
    if (lenient.result.ok) {
      expect(lenient.result.skipped).toBe(2);
      expect(lenient.result.issues.map((i) => i.row)).toEqual([2, 4]);
    }
    expect(lenient.rows.map((r) => r.a)).toEqual(['1', '6']);
    const capped = await collect(text, { fileName: 'r.csv', skipBadRows: true, maxBadRows: 1, maxBadShare: 1 });
    expect(!capped.result.ok && capped.result.error.code).toBe('too-many-bad-rows');
  });

  it('accepts a trailing delimiter and skips blank lines', async () => {
    const c = await collect('a,b,\n1,2,\n\n3,4\n', { fileName: 't.csv' });
    expect(c.rows).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '4' },
    ]);
  });

  it('reports malformed quotes', async () => {
    const c = await collect('a,b\n1,"x"y\n', { fileName: 'q.csv' });
    expect(!c.result.ok && c.result.error).toMatchObject({ code: 'malformed', row: 1 });
    const open = await collect('a,b\n1,"never closed\n2,3\n', { fileName: 'q.csv' });
    expect(!open.result.ok && open.result.error).toMatchObject({ code: 'malformed', row: 1 });
  });

  it('renames duplicate header names and says so', async () => {
    const c = await collect('a,a,,b\n1,2,3,4\n', { fileName: 'd.csv' });
    expect(c.result.ok && c.result.columns).toEqual(['a', 'a_2', 'column_3', 'b']);
    expect(c.result.ok && c.result.issues[0].code).toBe('duplicate-column');
  });

  it('names columns col1..colN without a header row', async () => {
    const c = await collect('1,2\n3,4\n', { fileName: 'h.csv', header: false });
    expect(c.rows).toEqual([
      { col1: '1', col2: '2' },
      { col1: '3', col2: '4' },
    ]);
  });

  it('reports non-UTF-8 text with its byte offset, and reads it with the right encoding', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('a,b\n1,caf'), 0xe9, ...new TextEncoder().encode('\n')]);
    const c = await collect(bytes, { fileName: 'l.csv', encoding: 'utf-8' });
    expect(c.result.ok).toBe(false);
    if (!c.result.ok) {
      expect(c.result.error).toMatchObject({ code: 'encoding', byte: 9 });
      expect(issueMessage(c.result.error)).toMatch(/^l\.csv, near row 1: is not valid UTF-8 text .*offset 9.*windows-1252/);
    }
    // Without an encoding it is detected: not UTF-8, so Windows-1252.
    const guessed = await collect(bytes, { fileName: 'l.csv' });
    expect(guessed.rows).toEqual([{ a: '1', b: 'café' }]);
    expect(guessed.result.ok && [guessed.result.encoding, guessed.result.encodingReason]).toEqual([
      'windows-1252',
      'not valid UTF-8 (byte 0xE9 at offset 9), so taken for Windows-1252',
    ]);
    const ok = await collect(bytes, { fileName: 'l.csv', encoding: 'windows-1252' });
    expect(ok.rows).toEqual([{ a: '1', b: 'café' }]);
    const utf16 = await collect(new Uint8Array([0xff, 0xfe, 0x61, 0]), { fileName: 'w.csv', encoding: 'utf-8' });
    expect(!utf16.result.ok && utf16.result.error.reason).toMatch(/UTF-16/);
    const utf16auto = await collect(new Uint8Array([0x61, 0, 0x0a, 0, 0x62, 0, 0x0a, 0, 0x63, 0, 0x0a, 0, 0x64, 0, 0x0a, 0]), {
      fileName: 'w.csv',
    });
    expect(utf16auto.rows).toEqual([{ a: 'b' }, { a: 'c' }, { a: 'd' }]);
    expect(utf16auto.result.ok && utf16auto.result.encoding).toBe('utf-16le');
    const bom16 = await collect(new Uint8Array([0xff, 0xfe, 0x61, 0, 0x0a, 0, 0x62, 0]), { fileName: 'w.csv' });
    expect(bom16.rows).toEqual([{ a: 'b' }]);
    const binary = await collect(new Uint8Array([1, 2, 0, 3]), { fileName: 'b.csv' });
    expect(!binary.result.ok && binary.result.error.reason).toMatch(/binary/);
  });

  it('reports an empty file and a header without rows', async () => {
    const e = await collect('', { fileName: 'e.csv' });
    expect(!e.result.ok && issueMessage(e.result.error)).toBe('e.csv: is empty');
    const h = await collect('a,b\n', { fileName: 'h.csv' });
    expect(!h.result.ok && h.result.error.code).toBe('empty');
  });

  it('reads 10k columns and refuses more than the limit with a clear message', async () => {
    const header = Array.from({ length: 10_000 }, (_, j) => `f${j}`).join(',');
    const row = Array.from({ length: 10_000 }, (_, j) => String(j)).join(',');
    const wide = await collect(`${header}\n${row}\n${row}\n`, { fileName: 'w.csv' });
    expect(wide.result.ok).toBe(true);
    expect(wide.rows[1].f9999).toBe('9999');
    const tooWide = await collect(`${header}\n${row}\n`, { fileName: 'w.csv', maxColumns: 5000 });
    expect(!tooWide.result.ok && tooWide.result.error.code).toBe('too-many-columns');
  });

  it('stops on a 100 MB single line with a clear message, without reading the rest of the file', async () => {
    const blob = new Blob(['a,b\n1,"', 'x'.repeat(100 * 1024 * 1024)]);
    let bytesRead = 0;
    const c = await collect(blob, { fileName: 'big.csv', onProgress: (p) => (bytesRead = Math.max(bytesRead, p.bytesRead)) });
    expect(!c.result.ok && c.result.error).toMatchObject({ code: 'line-too-long', row: 1 });
    // It gives up once the row passes the 32 M-character limit (plus the slice in hand).
    expect(bytesRead).toBeGreaterThan(DEFAULTS.maxRowChars);
    expect(bytesRead).toBeLessThanOrEqual(DEFAULTS.maxRowChars + 2 * DEFAULTS.chunkBytes);
  });

  it('reports progress up to the file size and can be cancelled', async () => {
    const text = 'a\n' + Array.from({ length: 5000 }, (_, i) => `${i}`).join('\n');
    const seen: number[] = [];
    const c = await collect(text, { fileName: 'p.csv', chunkBytes: 1000, onProgress: (p) => seen.push(p.bytesRead) });
    expect(c.rows.length).toBe(5000);
    expect(seen[seen.length - 1]).toBe(new Blob([text]).size);
    expect(seen.every((v, i) => i === 0 || v >= seen[i - 1])).toBe(true);
    const ctl = new AbortController();
    const cancelled = await collect(text, {
      fileName: 'p.csv',
      chunkBytes: 1000,
      batchSize: 100,
      signal: ctl.signal,
      onProgress: () => ctl.abort(),
    });
    expect(!cancelled.result.ok && cancelled.result.error.code).toBe('cancelled');
  });

  it('rethrows errors from the caller’s sink untouched', async () => {
    const boom = new Error('disk on fire');
    const { parseTable } = await import('./parse.ts');
    await expect(
      parseTable(new Blob(['a\n1\n']), { fileName: 'x.csv' }, () => {
        throw boom;
      }),
    ).rejects.toBe(boom);
  });
});

describe('JSON Lines', () => {
  it('reads objects, unions columns, flattens nested values, skips blank lines', async () => {
    const c = await collect('{"a":1,"b":{"c":[1,2]}}\r\n\n{"a":"x","d":true,"e":null}\n', { fileName: 'a.jsonl', chunkBytes: 16 });
    expect(c.result.ok && c.result.columns).toEqual(['a', 'b', 'd', 'e']);
    expect(c.rows).toEqual([
      { a: 1, b: '{"c":[1,2]}' },
      { a: 'x', d: true, e: null },
    ]);
  });

  it('locates a bad line and a non-object line', async () => {
    const bad = await collect('{"a":1}\n{"a":\n', { fileName: 'b.jsonl' });
    expect(!bad.result.ok && bad.result.error).toMatchObject({ code: 'malformed', row: 2 });
    const arr = await collect('{"a":1}\n\n[1,2]\n', { fileName: 'b.jsonl', skipBadRows: true });
    expect(arr.result.ok && arr.result.issues[0]).toMatchObject({ row: 3, reason: 'the line is an array, not an object with fields' });
  });

  it('handles a final line without newline and one huge line', async () => {
    const c = await collect('{"a":1}\n{"a":2}', { fileName: 'f.jsonl' });
    expect(c.rows.length).toBe(2);
    let bytesRead = 0;
    const big = await collect(new Blob(['{"a":"', 'y'.repeat(100 * 1024 * 1024), '"}\n']), {
      fileName: 'big.jsonl',
      onProgress: (p) => (bytesRead = Math.max(bytesRead, p.bytesRead)),
    });
    expect(!big.result.ok && big.result.error).toMatchObject({ code: 'line-too-long', row: 1 });
    expect(bytesRead).toBeGreaterThan(DEFAULTS.maxRowChars);
    expect(bytesRead).toBeLessThanOrEqual(DEFAULTS.maxRowChars + 2 * DEFAULTS.chunkBytes);
  });

  it('says when there are no rows', async () => {
    const c = await collect('\n\n  \n', { fileName: 'e.jsonl' });
    expect(!c.result.ok && c.result.error.code).toBe('empty');
  });
});

describe('JSON arrays', () => {
  it('streams elements whatever the slicing, with brackets and escapes inside strings', async () => {
    const rows = [
      { t: 'a]b[c', n: 1 },
      { t: '"}{,\\', n: 2, x: { y: [1, { z: ']' }] } },
      { t: '😀', n: 3 },
    ];
    const text = ' [ ' + rows.map((r) => JSON.stringify(r)).join(' ,\n') + ' ]\n';
    for (const chunkBytes of [16, 19, 1024]) {
      const c = await collect(text, { fileName: 'a.json', format: 'json', chunkBytes });
      expect(c.result.ok).toBe(true);
      expect(c.rows).toEqual([
        { t: 'a]b[c', n: 1 },
        { t: '"}{,\\', n: 2, x: '{"y":[1,{"z":"]"}]}' },
        { t: '😀', n: 3 },
      ]);
    }
  });

  it('reports a truncated array, trailing text, a top-level object and bad elements', async () => {
    const cut = await collect('[{"a":1},{"a":2', { fileName: 'c.json', format: 'json' });
    expect(!cut.result.ok && cut.result.error.reason).toMatch(/cut short/);
    const trail = await collect('[{"a":1}] x', { fileName: 'c.json', format: 'json' });
    expect(!trail.result.ok && trail.result.error.reason).toMatch(/after the closing/);
    const obj = await collect('{"a":1}', { fileName: 'c.json', format: 'json' });
    expect(!obj.result.ok && obj.result.error.reason).toMatch(/not an array/);
    const bad = await collect('[{"a":1},{"a":tru},{"a":3}]', { fileName: 'c.json', format: 'json', skipBadRows: true });
    expect(bad.rows).toEqual([{ a: 1 }, { a: 3 }]);
    expect(bad.result.ok && bad.result.issues[0].row).toBe(2);
    const empty = await collect('[ ]', { fileName: 'c.json', format: 'json' });
    expect(!empty.result.ok && empty.result.error.code).toBe('empty');
  });
});

describe('Parquet', () => {
  const make = (n: number, rowGroupSize: number): ArrayBuffer =>
    parquetWriteBuffer({
      columnData: [
        { name: 'id', data: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), type: 'INT64' },
        { name: 'text', data: Array.from({ length: n }, (_, i) => `row ${i}`), type: 'STRING' },
        { name: 'score', data: Float64Array.from({ length: n }, (_, i) => i / 2), type: 'DOUBLE' },
        { name: 'flag', data: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : i % 2 === 0)), type: 'BOOLEAN' },
      ],
      rowGroupSize,
    });

  it('reads every row group in order, converting INT64 to numbers', async () => {
    const buf = make(2500, 1000);
    const seen: number[] = [];
    const c = await collect(new Blob([buf]), { fileName: 'd.parquet', onProgress: (p) => seen.push(p.bytesRead) });
    expect(c.result.ok && c.result.columns).toEqual(['id', 'text', 'score', 'flag']);
    expect(c.rows.length).toBe(2500);
    expect(c.rows[2499]).toEqual({ id: 2499, text: 'row 2499', score: 1249.5, flag: null });
    expect(c.rows[1]).toEqual({ id: 1, text: 'row 1', score: 0.5, flag: false });
    expect(seen.length).toBe(3);
    expect(seen[2]).toBe(buf.byteLength);
  });

  it('reports a file that is not Parquet', async () => {
    const c = await collect('PAR1 definitely not parquet', { fileName: 'x.parquet' });
    expect(!c.result.ok && c.result.error.reason).toMatch(/not a readable Parquet file/);
  });
});

describe('format detection and preview', () => {
  it('detects by extension, then by content', async () => {
    expect(await detectFormat(new Blob(['a,b']), 'x.csv')).toBe('csv');
    expect(await detectFormat(new Blob(['{"0":{"weak_labels":[1]}}']), 'train.json')).toBe('wrench');
    expect(await detectFormat(new Blob(['[{"a":1}]']), 'data')).toBe('json');
    expect(await detectFormat(new Blob(['{"a":1}\n{"a":2}']), 'data')).toBe('jsonl');
    expect(await detectFormat(new Blob(['a\tb\n']), 'data')).toBe('tsv');
    expect(await detectFormat(new Blob(['PAR1xxxx']), 'data')).toBe('parquet');
  });

  it('previews the first rows without reading further', async () => {
    const text = 'text,label\n' + Array.from({ length: 10_000 }, (_, i) => `t${i},${i % 2}`).join('\n') + '\nbroken,"';
    const p = await previewTable(new Blob([text]), { fileName: 'p.csv' }, 5);
    expect(p.error).toBeUndefined();
    expect(p.columns).toEqual(['text', 'label']);
    expect(p.rows.map((r) => r.text)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    const bad = await previewTable(new Blob(['']), { fileName: 'e.csv' });
    expect(bad.error?.code).toBe('empty');
  });

  it('previews a WRENCH split with its gold label and says how many weak-label columns it has', async () => {
    const text = JSON.stringify({
      0: { label: 1, weak_labels: [1, -1], data: { text: 'win cash' } },
      1: { label: 0, weak_labels: [-1, 0], data: { text: 'hi' } },
    });
    const p = await previewTable(new Blob([text]), { fileName: 'train.json' });
    expect(p).toMatchObject({
      format: 'wrench',
      columns: ['text', 'label'],
      rows: [
        { text: 'win cash', label: 1 },
        { text: 'hi', label: 0 },
      ],
    });
    expect(p.issues[0].reason).toMatch(/2 rows and 2 weak-label columns/);
    const bad = await previewTable(new Blob(['{"0": 5}']), { fileName: 'train.json' });
    expect(bad.error?.reason).toMatch(/expected an object/);
  });

  it('every outcome above satisfies the reader contract', async () => {
    const c = await collect('a,b\n1,2\n', { fileName: 'k.csv' });
    expect(contractViolations(c, 'k.csv')).toEqual([]);
  });
});
