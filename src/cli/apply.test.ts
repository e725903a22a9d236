import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { ShoalError } from '../core/types.ts';
import { assignSplits, parseSplit, run } from './apply.ts';
import { readRows } from './read-data.ts';

const dir = mkdtempSync(join(tmpdir(), 'shoal-apply-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, body: string | ArrayBuffer) => {
  const p = join(dir, name);
  writeFileSync(p, typeof body === 'string' ? body : Buffer.from(body));
  return p;
};

const lfs = file(
  'lfs.mjs',
  `export const classes = ['ham', 'spam'];
export default [
  { name: 'mentions_free', apply: (x) => /\\bfree\\b/i.test(x.text) ? 'spam' : null },
  { name: 'short', apply: (x) => x.text.length < 12 ? 0 : -1 },
  { name: 'throws', apply: (x) => { if (x.text.includes('boom')) throw new Error('kaboom'); return undefined; } },
  { name: 'helpers', apply: (x, h) => h.words(x).includes('hello') ? 'HAM' : null },
];`,
);
const texts = ['free stuff', 'hello there friend', 'boom, free', 'ok', 'a long message about nothing', 'FREE!'];
const labels = ['spam', 'ham', 'spam', '', 'ham', '1'];

type WrenchRow = { label: number; weak_labels: number[]; data: Record<string, unknown> };
function readOut(out: string): Record<string, WrenchRow> {
  const all: Record<string, WrenchRow> = {};
  for (const s of ['train', 'valid', 'test']) Object.assign(all, JSON.parse(readFileSync(join(out, `${s}.json`), 'utf8')));
  return all;
}
const want: Record<string, number[]> = {
  '0': [1, 0, -1, -1],
  '1': [-1, -1, -1, 0],
  '2': [1, 0, -1, -1],
  '3': [-1, 0, -1, -1],
  '4': [-1, -1, -1, -1],
  '5': [1, 0, -1, -1],
};

describe('shoal apply', () => {
  const csv = file('d.csv', 'text,label\n' + texts.map((t, i) => `"${t}",${labels[i]}`).join('\n') + '\n');
  const jsonl = file('d.jsonl', texts.map((t, i) => JSON.stringify({ text: t, label: labels[i] })).join('\n') + '\n');
  const json = file('d.json', JSON.stringify(texts.map((t, i) => ({ text: t, label: labels[i] }))));
  const tsv = file('d.tsv', 'text\tlabel\n' + texts.map((t, i) => `${t}\t${labels[i]}`).join('\n') + '\n');
  const parquet = file(
    'd.parquet',
    parquetWriteBuffer({
      columnData: [
        { name: 'text', data: texts, type: 'STRING' },
        { name: 'label', data: labels, type: 'STRING' },
        { name: 'n', data: BigInt64Array.from(texts, (_, i) => BigInt(i)), type: 'INT64' },
      ],
    }),
  );

  it('runs template LFs declared as data in the module as the function LFs they replace', async () => {
    const templated = file(
      'templated.mjs',
      `export const classes = ['ham', 'spam'];
export default [
  { name: 'mentions_free', kind: 'keyword', keywords: ['free'], label: 'spam' },
  { name: 'short', kind: 'length', unit: 'chars', op: '<', value: 12, label: 'ham' },
  { name: 'throws', apply: (x) => { if (x.text.includes('boom')) throw new Error('kaboom'); return undefined; } },
  { name: 'helpers', kind: 'regex', pattern: '\\\\bhello\\\\b', flags: 'i', label: 'ham' },
];`,
    );
    const out = join(dir, 'out-templated');
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let summary;
    try {
      summary = await run(['--lfs', templated, '--data', csv, '--workers', '2', '--chunk-size', '4', '--out', out]);
    } finally {
      quiet.mockRestore();
    }
    expect(summary).toMatchObject({ rows: 6, lfs: 4, lf_errors: 1 });
    const rows = readOut(out);
    for (const [id, w] of Object.entries(want)) expect(rows[id].weak_labels).toEqual(w);
    const bad = file(
      'bad-template.mjs',
      `export const classes = ['ham', 'spam']; export default [{ name: 'k', kind: 'keyword', keywords: [], label: 'spam' }];`,
    );
    await expect(run(['--lfs', bad, '--data', csv, '--out', join(dir, 'out-bad')])).rejects.toThrow(
      /template LF "k" \(keyword\): `keywords` must be a non-empty array/,
    );
  });

  it.each([
    ['jsonl', jsonl],
    ['json', json],
    ['tsv', tsv],
    ['parquet', parquet],
  ])('reads %s like csv', async (_kind, data) => {
    const want = await readRows(csv);
    const got = await readRows(data);
    expect(got.map((r) => ({ text: r.text, label: r.label }))).toEqual(want.map((r) => ({ text: r.text, label: r.label })));
    if (_kind === 'parquet') expect(got[5].n).toBe(5); // INT64 arrives as a plain number
  });

  it('runs an LF module over a data file and writes WRENCH splits', async () => {
    const out = join(dir, 'out');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let summary;
    let errText = '';
    try {
      summary = await run([
        '--lfs',
        lfs,
        '--data',
        csv,
        '--label-field',
        'label',
        '--split',
        '0.5,0.25,0.25',
        '--seed',
        '3',
        '--workers',
        '2',
        '--chunk-size',
        '4',
        '--out',
        out,
      ]);
    } finally {
      errText = stderr.mock.calls.map((c) => String(c[0])).join('');
      stderr.mockRestore();
    }
    expect(summary).toMatchObject({ rows: 6, lfs: 4, coverage: 5 / 6, lf_errors: 1, workers: 2, splits: { train: 3, valid: 2, test: 1 } });
    expect(summary.rows_per_s).toBeGreaterThan(0);
    expect(errText).toContain('LF "throws": row 2: threw kaboom');
    const rows = readOut(out);
    expect(Object.keys(rows).sort()).toEqual(['0', '1', '2', '3', '4', '5']);
    for (const [id, w] of Object.entries(want)) expect(rows[id].weak_labels).toEqual(w);
    expect(rows['0'].label).toBe(1);
    expect(rows['3'].label).toBe(-1);
    expect(rows['5'].label).toBe(1); // an index is a class too
    expect(rows['1'].data).toEqual({ text: 'hello there friend' });
    expect(JSON.parse(readFileSync(join(out, 'label.json'), 'utf8'))).toEqual({ '0': 'ham', '1': 'spam' });
    // The same seed gives the same files.
    const first = readFileSync(join(out, 'train.json'), 'utf8');
    const again = join(dir, 'out2');
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await run([
        '--lfs',
        lfs,
        '--data',
        csv,
        '--label-field',
        'label',
        '--split',
        '0.5,0.25,0.25',
        '--seed',
        '3',
        '--workers',
        '1',
        '--out',
        again,
      ]);
    } finally {
      quiet.mockRestore();
    }
    expect(readFileSync(join(again, 'train.json'), 'utf8')).toBe(first);
  }, 20_000);

  it('never passes the --label-field to an LF: the row object has no gold field', async () => {
    // One LF copies the answer, one votes on whether the row has a label key at all.
    const cheat = file(
      'cheat.mjs',
      `export const classes = ['ham', 'spam'];
export default [
  { name: 'copies_label', apply: (x) => (x.label === 'spam' || x.label === 'ham' ? x.label : null) },
  { name: 'has_label_key', apply: (x) => ('label' in x ? 'spam' : 'ham') },
  { name: 'keys', apply: (x) => (Object.keys(x).join() === 'text' ? 'ham' : 'spam') },
];`,
    );
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const out = join(dir, 'cheat');
      await run(['--lfs', cheat, '--data', csv, '--label-field', 'label', '--workers', '1', '--out', out]);
      const rows = Object.values(readOut(out));
      expect(rows).toHaveLength(6);
      for (const r of rows) expect(r.weak_labels).toEqual([-1, 0, 0]);
      // Gold is still read from the field for the WRENCH labels.
      expect(rows.filter((r) => r.label >= 0)).toHaveLength(5);
      // Without --label-field the field is just data, and the LFs see it.
      const open = join(dir, 'cheat-open');
      await run(['--lfs', cheat, '--data', csv, '--workers', '1', '--out', open]);
      const seen = readOut(open);
      expect(seen['0'].weak_labels).toEqual([1, 1, 1]);
    } finally {
      quiet.mockRestore();
    }
  }, 20_000);

  it('reports bad input as one ShoalError', async () => {
    const out = join(dir, 'bad');
    await expect(readRows(file('bad.jsonl', '{"text": "a"}\n{oops\n'))).rejects.toThrow(/^bad\.jsonl, row 2: /);
    await expect(readRows(file('e.csv', ''))).rejects.toThrow(/e\.csv.*empty/);
    await expect(readRows(file('x.xlsx', 'x'))).rejects.toThrow(/unknown data format/);
    await expect(readRows(file('bad.parquet', 'not parquet at all'))).rejects.toThrow(/bad\.parquet.*Parquet/);
    await expect(run(['--lfs', lfs, '--data', csv, '--label-field', 'text', '--out', out])).rejects.toThrow(/row 1: label "free stuff"/);
    await expect(
      run(['--lfs', file('nolfs.mjs', 'export const classes = ["a"]; export default [];'), '--data', csv, '--out', out]),
    ).rejects.toThrow(ShoalError);
    await expect(
      run([
        '--lfs',
        file('dup.mjs', 'export const classes = ["a","b"]; export default [{name:"x",apply:()=>0},{name:"x",apply:()=>1}];'),
        '--data',
        csv,
        '--out',
        out,
      ]),
    ).rejects.toThrow(/two LFs are named "x"/);
    await expect(run(['--lfs', lfs, '--data', csv, '--out', out, '--split', '0.5,0.5'])).rejects.toThrow(/--split/);
  }, 20_000);
});

describe('splits', () => {
  it('parseSplit validates fractions', () => {
    expect(parseSplit('0.8, 0.1, 0.1')).toEqual([0.8, 0.1, 0.1]);
    expect(() => parseSplit('0.8,0.1,0.2')).toThrow(/add up to 1/);
    expect(() => parseSplit('a,b,c')).toThrow(ShoalError);
  });

  it('assignSplits is seeded, exact in size and shuffles', () => {
    const a = assignSplits(1000, [0.8, 0.1, 0.1], 1);
    expect(Array.from(assignSplits(1000, [0.8, 0.1, 0.1], 1))).toEqual(Array.from(a));
    expect(Array.from(assignSplits(1000, [0.8, 0.1, 0.1], 2))).not.toEqual(Array.from(a));
    const count = (s: number) => a.filter((x) => x === s).length;
    expect([count(0), count(1), count(2)]).toEqual([800, 100, 100]);
    expect(Array.from(a.subarray(0, 100)).some((x) => x !== 0)).toBe(true);
  });
});
