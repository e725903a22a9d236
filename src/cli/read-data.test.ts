/**
 * The CLI's data reading from the user's side: `shoal apply --encoding NAME` and
 * `--bad-rows skip` run as a real process, with skipped rows listed on stderr by line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCp1252 } from '../core/formats/messy-corpus.ts';
import { readRows } from './read-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'shoal-read-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, body: string | Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
};

const lfs = file(
  'lfs.mjs',
  `export const classes = ['ham', 'spam'];\nexport default [{ name: 'free', apply: (x) => /free/i.test(x.text) ? 'spam' : null }];\n`,
);
const TSX = resolve('node_modules/.bin/tsx');

function shoal(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(TSX, [resolve('src/cli/main.ts'), ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('reading data files in the CLI', () => {
  // "café" and “quotes” in Windows-1252: not UTF-8.
  const latin = file('latin.csv', encodeCp1252('text,label\ncafé “free” entry,spam\nnaïve,ham\n'));

  it('detects Windows-1252, and --encoding chooses another reading', async () => {
    const notes: string[] = [];
    const rows = await readRows(latin, { log: (l) => notes.push(l) });
    expect(rows.map((r) => r.text)).toEqual(['café “free” entry', 'naïve']);
    expect(notes).toEqual([
      'latin.csv: read as windows-1252 (not valid UTF-8 (byte 0xE9 at offset 14), so taken for Windows-1252); give --encoding to choose another',
    ]);
    await expect(readRows(latin, { encoding: 'utf-8' })).rejects.toThrow(
      /^latin\.csv, near row 1: is not valid UTF-8 text \(first bad byte at offset 14\)/,
    );
    expect((await readRows(latin, { encoding: 'iso-8859-15', log: () => undefined })).map((r) => r.text)[1]).toBe('naïve');
    await expect(readRows(latin, { encoding: 'klingon' })).rejects.toThrow('--encoding "klingon" is not an encoding this Node knows');
    // Skipping refuses when more than 1% of the rows would go.
    const bad = file(
      'bad.tsv',
      'text\tlabel\n' + Array.from({ length: 100 }, (_, i) => (i % 40 === 5 ? `x\ty\tz` : `m ${i}\tham`)).join('\n'),
    );
    const skipped: string[] = [];
    await expect(readRows(bad, { skipBadRows: true, log: (l) => skipped.push(l) })).rejects.toThrow(
      /^bad\.tsv, row 6 \(line 7\): 3 of 100 rows \(3\.0%\) could not be read, more than the 1% that skipping allows/,
    );
    expect(skipped).toEqual(
      [6, 46, 86].map((r) => `skipped bad.tsv, row ${r} (line ${r + 1}): has 3 fields but the header has 2 (delimiter "\\t")`),
    );
  });

  it('shoal apply --encoding windows-1252 reads the file and keeps the JSON summary', () => {
    const out = join(dir, 'out');
    const r = shoal('apply', '--lfs', lfs, '--data', latin, '--encoding', 'windows-1252', '--workers', '1', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ rows: 2, lfs: 1, coverage: 0.5 });
    const all = ['train', 'valid', 'test'].flatMap(
      (s) => Object.values(JSON.parse(readFileSync(join(out, `${s}.json`), 'utf8'))) as { data: { text: string } }[],
    );
    expect(all.map((x) => x.data.text).sort()).toEqual(['café “free” entry', 'naïve']);
    const bad = shoal('apply', '--lfs', lfs, '--data', latin, '--encoding', 'utf-8', '--out', out);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^shoal apply: latin\.csv, near row 1: is not valid UTF-8 text/);
  }, 60_000);

  it('shoal apply --bad-rows skip lists each skipped row with its line on stderr; an unterminated quote names its line', () => {
    const rows = Array.from({ length: 300 }, (_, i) => `${i % 3 ? 'ham' : 'spam'}\tmessage ${i} "quoted" free`);
    rows[41] = 'ham\ttoo\tmany';
    const tsv = file('msgs.tsv', `label\ttext\n${rows.join('\n')}\n`);
    const out = join(dir, 'out2');
    const r = shoal('apply', '--lfs', lfs, '--data', tsv, '--bad-rows', 'skip', '--workers', '1', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).rows).toBe(299);
    expect(r.stderr).toMatch(/^skipped msgs\.tsv, row 42 \(line 43\): has 3 fields but the header has 2 \(delimiter "\\t"\)\n/m);
    expect(r.stderr).toContain('msgs.tsv: 1 row was skipped, 299 read');
    // Without skipping it stops there; a CSV with an unterminated quote names the line.
    expect(shoal('apply', '--lfs', lfs, '--data', tsv, '--out', out).stderr).toMatch(/msgs\.tsv, row 42 \(line 43\): has 3 fields/);
    const open = file('open.csv', 'text,label\nfine,ham\n"never closed,spam\nnext,ham\n');
    const o = shoal('apply', '--lfs', lfs, '--data', open, '--out', out);
    expect(o.status).toBe(1);
    expect(o.stderr).toBe(
      'shoal apply: open.csv, row 2 (line 3): has a quoted field opened on line 3 that is never closed (a quote inside a quoted field must be doubled: "")\n',
    );
  }, 60_000);
});
