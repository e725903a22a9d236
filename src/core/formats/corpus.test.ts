/**
 * Our CSV/TSV reader against a reference reader, row by row, on a seeded corpus of messy files
 * (messy-corpus.ts). The reference is Python's `csv` module (RFC 4180 for CSV with
 * `strict=True`; `quoting=QUOTE_NONE` for IANA TSV, where a quote is an ordinary character),
 * driven the way "skip malformed rows" is specified: a record the reader rejects costs its
 * first line and reading resumes on the next one. Python decodes the bytes itself (UTF-8,
 * WHATWG Windows-1252, UTF-16), so encoding detection is checked too.
 *
 * Real files, when the shared data folder is present (none is copied into the repository): the
 * UCI SMS Spam Collection as distributed (tab-separated, unquoted) given a header row, and the
 * UCI YouTube Spam Collection CSVs (quoted comments over several lines).
 *
 * Without python3 the Python comparison is skipped (with a message); the invariants that need
 * no reference (every record is either imported or listed, nothing is lost) still run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCorpus, type CorpusFile } from './messy-corpus.ts';
import { mulberry32 } from '../rng.ts';
import { collect } from './testutil.ts';
import { issueMessage, type ParseIssue } from './types.ts';

const PYTHON = spawnSync('python3', ['-c', 'import csv, json, sys; print(sys.version_info[:2] >= (3, 11))'], { encoding: 'utf8' });
const HAVE_PYTHON = PYTHON.status === 0 && PYTHON.stdout.trim() === 'True';
if (!HAVE_PYTHON) console.warn("python3 ≥ 3.11 not found: the comparison with Python's csv module is skipped");

/** The reference reader, in Python: files in, {header, rows: [[line, fields]], bad: [line]} out. */
const ORACLE = String.raw`
import csv, json, re, sys
csv.field_size_limit(sys.maxsize)

def whatwg_1252(data):
    # WHATWG windows-1252: Latin-1, with 0x80-0x9F mapped by cp1252 where it defines them.
    out = []
    for ch in data.decode('latin-1'):
        o = ord(ch)
        if 0x80 <= o <= 0x9f:
            try:
                ch = bytes([o]).decode('cp1252')
            except UnicodeDecodeError:
                pass
        out.append(ch)
    return ''.join(out)

def decode(data, enc):
    if enc == 'windows-1252':
        text = whatwg_1252(data)
    elif enc == 'utf-16le':
        text = data.decode('utf-16-le')
    else:
        text = data.decode('utf-8')
    return text[1:] if text.startswith('\ufeff') else text

class Lines:
    def __init__(self, lines, start):
        self.lines, self.i = lines, start
    def __iter__(self):
        return self
    def __next__(self):
        if self.i >= len(self.lines):
            raise StopIteration
        self.i += 1
        return self.lines[self.i - 1]

def read(text, delimiter, quoted):
    lines = re.findall(r'[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z', text)
    kw = dict(delimiter=delimiter, strict=True) if quoted else dict(delimiter=delimiter, quoting=csv.QUOTE_NONE)
    pos, header, rows, bad = 0, None, [], []
    while pos < len(lines):
        src = Lines(lines, pos)
        try:
            rec = next(csv.reader(src, **kw))
        except StopIteration:
            break
        except csv.Error:
            if header is None:
                return dict(header_error=pos + 1)
            bad.append(pos + 1)
            pos += 1
            continue
        used = src.i - pos
        if rec == []:
            pos += used
            continue
        if header is None:
            if len(rec) > 1 and rec[-1].strip() == '':
                rec = rec[:-1]
            header = rec
            pos += used
            continue
        if len(rec) == len(header) + 1 and rec[-1] == '':
            rec = rec[:-1]
        if len(rec) != len(header):
            bad.append(pos + 1)
            pos += 1 if used > 1 else used
            continue
        rows.append([pos + 1, rec])
        pos += used
    return dict(header=header, rows=rows, bad=bad)

jobs = json.load(open(sys.argv[1]))
out = []
for j in jobs:
    text = decode(open(j['path'], 'rb').read(), j['encoding'])
    out.append(read(text, j['delimiter'], j['quoted']))
json.dump(out, open(sys.argv[2], 'w'))
`;

interface OracleResult {
  header?: string[];
  rows?: [number, string[]][];
  bad?: number[];
  header_error?: number;
}

const dir = mkdtempSync(join(tmpdir(), 'shoal-corpus-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runOracle(files: CorpusFile[], decodeAs: (f: CorpusFile) => string, quoted: (f: CorpusFile) => boolean): OracleResult[] {
  const jobs = files.map((f, i) => {
    const path = join(dir, `${i}-${f.name}`);
    writeFileSync(path, f.bytes);
    return { path, encoding: decodeAs(f), delimiter: f.delimiter, quoted: quoted(f) };
  });
  writeFileSync(join(dir, 'oracle.py'), ORACLE);
  writeFileSync(join(dir, 'jobs.json'), JSON.stringify(jobs));
  const r = spawnSync('python3', [join(dir, 'oracle.py'), join(dir, 'jobs.json'), join(dir, 'out.json')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the Python reference failed: ${r.stderr}`);
  return JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as OracleResult[];
}

const CORPUS = generateCorpus(0xc5f, 200);

/** Our reading of a file with "skip malformed rows" and no share limit: rows as [line, fields] and skipped lines. */
async function ours(f: CorpusFile, chunkBytes: number, extra: { quoted?: boolean } = {}) {
  const skippedIssues: ParseIssue[] = [];
  const c = await collect(f.bytes, {
    fileName: f.name,
    format: f.delimiter === '\t' ? 'tsv' : 'csv',
    delimiter: f.delimiter,
    skipBadRows: true,
    maxBadShare: 1,
    chunkBytes,
    onSkip: (i) => skippedIssues.push(i),
    ...extra,
  });
  const lines = c.batches.flatMap((b) => b.lineNumbers ?? []);
  return { c, lines, skippedIssues };
}

describe('messy corpus: every record is imported or listed, nothing else', () => {
  it('generates every kind and encoding, with the hard cases present', () => {
    const text = CORPUS.map((f) => new TextDecoder(f.decodeAs).decode(f.bytes)).join('');
    expect(new Set(CORPUS.map((f) => `${f.kind}/${f.encoding}`)).size).toBe(20);
    for (const needle of ['\u0000', '\r\n', '\t', '""', '😀', 'é', '€', 'L'.repeat(20_000)])
      expect(text.includes(needle), JSON.stringify(needle.slice(0, 3))).toBe(true);
  });

  it('imported rows + skipped rows = records, skipped rows listed with their line, rows in file order', async () => {
    const rng = mulberry32(11);
    let skippedTotal = 0;
    for (const f of CORPUS) {
      const { c, lines, skippedIssues } = await ours(f, 512 + Math.floor(rng() * 70_000));
      expect(c.result.ok, `${f.name}: ${JSON.stringify(!c.result.ok && c.result.error)}`).toBe(true);
      if (!c.result.ok) continue;
      expect(c.result.encoding, f.name).toBe(f.decodeAs);
      expect(lines.length).toBe(c.rows.length);
      expect(skippedIssues.length).toBe(c.result.skipped);
      // Every skipped row names its line; rows and skipped lines never share a line and are in order.
      const skippedLines = skippedIssues.map((i) => i.line!);
      expect(skippedLines.every((l) => Number.isInteger(l) && l > 1)).toBe(true);
      const all = [...lines, ...skippedLines].sort((a, b) => a - b);
      expect(new Set(all).size, f.name).toBe(all.length);
      expect(skippedIssues.map((i) => i.row)).toEqual(skippedIssues.map((_, k) => skippedIssues[k].row).sort((a, b) => a! - b!));
      skippedTotal += c.result.skipped;
    }
    // The broken files do break: otherwise this test would prove nothing about skipping.
    expect(skippedTotal).toBeGreaterThan(40);
  }, 120_000);
});

describe.skipIf(!HAVE_PYTHON)("messy corpus against Python's csv module", () => {
  it('same header, same rows (line by line), same skipped lines, with detected encoding and quoting', async () => {
    const expected = runOracle(
      CORPUS,
      (f) => f.decodeAs,
      (f) => f.quoted,
    );
    const rng = mulberry32(5);
    let rows = 0;
    let bad = 0;
    for (let i = 0; i < CORPUS.length; i++) {
      const f = CORPUS[i];
      const want = expected[i];
      expect(want.header_error, f.name).toBeUndefined();
      const { c, lines, skippedIssues } = await ours(f, 256 + Math.floor(rng() * 100_000));
      expect(c.result.ok, `${f.name}: ${!c.result.ok && issueMessage(c.result.error)}`).toBe(true);
      if (!c.result.ok) continue;
      // Quoting was detected as the file was written (IANA TSV stays unquoted).
      expect(c.result.quoted, f.name).toBe(f.quoted);
      expect(c.result.columns, f.name).toEqual(want.header);
      const got = c.rows.map((r, k) => [lines[k], c.result.ok ? c.result.columns.map((h) => r[h]) : []]);
      expect(got, f.name).toEqual(want.rows);
      expect(
        skippedIssues.map((x) => x.line),
        f.name,
      ).toEqual(want.bad);
      rows += want.rows!.length;
      bad += want.bad!.length;
    }
    expect(rows).toBeGreaterThan(3000);
    expect(bad).toBeGreaterThan(40);
  }, 180_000);

  it('without skipping, a file with a bad record stops at the first one Python rejects, naming its line', async () => {
    const broken = CORPUS.filter((f) => f.kind === 'csv-broken' || f.kind === 'tsv');
    const expected = runOracle(
      broken,
      (f) => f.decodeAs,
      (f) => f.quoted,
    );
    let stopped = 0;
    for (let i = 0; i < broken.length; i++) {
      const f = broken[i];
      const c = await collect(f.bytes, { fileName: f.name, delimiter: f.delimiter });
      const firstBad = expected[i].bad![0];
      if (firstBad === undefined) {
        expect(c.result.ok, f.name).toBe(true);
        continue;
      }
      expect(!c.result.ok && c.result.error.line, f.name).toBe(firstBad);
      stopped++;
    }
    expect(stopped).toBeGreaterThan(20);
  }, 120_000);

  it('the IANA files read with CSV quoting lose rows (what quote-aware TSV reading did before)', async () => {
    const tsv = CORPUS.filter((f) => f.kind === 'tsv');
    const asIana = runOracle(
      tsv,
      (f) => f.decodeAs,
      () => false,
    );
    const asQuoted = runOracle(
      tsv,
      (f) => f.decodeAs,
      () => true,
    );
    let differ = 0;
    for (let i = 0; i < tsv.length; i++) {
      const quoted = await ours(tsv[i], 4096, { quoted: true });
      if (quoted.c.result.ok) expect(quoted.c.rows.length, tsv[i].name).toBe(asQuoted[i].rows!.length);
      if (JSON.stringify(asIana[i].rows) !== JSON.stringify(asQuoted[i].rows)) differ++;
    }
    expect(differ).toBeGreaterThan(tsv.length / 2);
  }, 120_000);
});

const SMS = '/work/shared/data/raw/sms/SMSSpamCollection';

describe.skipIf(!existsSync(SMS))('the UCI SMS Spam Collection as distributed (tab-separated, unquoted), given a header', () => {
  it('imports all 5,574 messages, quotes kept as text, and matches the IANA reading line by line', async () => {
    const raw = readFileSync(SMS);
    const bytes = new Uint8Array(Buffer.concat([Buffer.from('label\ttext\n'), raw]));
    const f: CorpusFile = { name: 'sms.tsv', kind: 'tsv', encoding: 'utf-8', decodeAs: 'utf-8', delimiter: '\t', quoted: false, bytes };
    const { c, lines } = await ours(f, 1 << 20);
    expect(c.result.ok && [c.result.rows, c.result.skipped, c.result.quoted]).toEqual([5574, 0, false]);
    expect(c.rows.filter((r) => String(r.text).includes('"')).length).toBeGreaterThan(50);
    // Row 283 is the one quote-aware reading used to stop at.
    expect(String(c.rows[282].text).startsWith('"')).toBe(true);
    expect(new Set(c.rows.map((r) => r.label))).toEqual(new Set(['ham', 'spam']));
    if (HAVE_PYTHON) {
      const [want] = runOracle(
        [f],
        () => 'utf-8',
        () => false,
      );
      expect(c.rows.map((r, k) => [lines[k], [r.label, r.text]])).toEqual(want.rows);
    }
    // Strict reading (no skipping) needs nothing skipped either.
    const strict = await collect(bytes, { fileName: 'sms.tsv' });
    expect(strict.result.ok && strict.result.rows).toBe(5574);
  }, 60_000);
});

const YOUTUBE = '/work/shared/data/raw/youtube';

describe.skipIf(!existsSync(YOUTUBE) || !HAVE_PYTHON)('the UCI YouTube Spam Collection CSVs as distributed', () => {
  it("every file reads row by row as Python's csv reads it (multi-line quoted comments included)", async () => {
    const names = [
      'Youtube01-Psy.csv',
      'Youtube02-KatyPerry.csv',
      'Youtube03-LMFAO.csv',
      'Youtube04-Eminem.csv',
      'Youtube05-Shakira.csv',
    ].filter((n) => existsSync(join(YOUTUBE, n)));
    const files: CorpusFile[] = names.map((name) => ({
      name,
      kind: 'csv',
      encoding: 'utf-8',
      decodeAs: 'utf-8',
      delimiter: ',',
      quoted: true,
      bytes: new Uint8Array(readFileSync(join(YOUTUBE, name))),
    }));
    const expected = runOracle(
      files,
      () => 'utf-8',
      () => true,
    );
    let rows = 0;
    for (let i = 0; i < files.length; i++) {
      const { c, lines } = await ours(files[i], 4096);
      expect(c.result.ok && [c.result.skipped, c.result.columns]).toEqual([0, expected[i].header]);
      if (!c.result.ok) continue;
      const cols = c.result.columns;
      expect(c.rows.map((r, k) => [lines[k], cols.map((h) => r[h])])).toEqual(expected[i].rows);
      rows += c.rows.length;
    }
    expect(rows).toBe(1956);
  }, 60_000);
});
