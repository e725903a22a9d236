import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { run } from './apply.ts';

const dir = mkdtempSync(join(tmpdir(), 'shoal-apply-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('shoal apply writes its splits while the LFs run', () => {
  it('an LF stopped late in the job (after its first votes were written) abstains on every row of the files', async () => {
    const lfs = join(dir, 'lfs.mjs');
    writeFileSync(
      lfs,
      `export const classes = ['ham', 'spam'];
export default [
  { name: 'odd', apply: (x) => (x.i % 2 ? 'spam' : 'ham') },
  { name: 'late_loop', apply: (x) => { if (x.i === 170) for (;;) {} return 'ham'; } },
];`,
    );
    const data = join(dir, 'd.jsonl');
    writeFileSync(data, Array.from({ length: 200 }, (_, i) => JSON.stringify({ i, text: `row ${i}` })).join('\n') + '\n');
    const out = join(dir, 'out');
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const summary = await run(['--lfs', lfs, '--data', data, '--out', out, '--chunk-size', '10', '--workers', '2', '--budget-ms', '300']);
    stderr.mockRestore();
    expect(summary.lf_errors).toBe(1);
    expect(readdirSync(out).sort()).toEqual(['label.json', 'test.json', 'train.json', 'valid.json']);
    const rows: Record<string, { weak_labels: number[] }> = {};
    for (const s of ['train', 'valid', 'test']) Object.assign(rows, JSON.parse(readFileSync(join(out, `${s}.json`), 'utf8')));
    expect(Object.keys(rows)).toHaveLength(200);
    for (const [id, r] of Object.entries(rows)) expect(r.weak_labels).toEqual([Number(id) % 2, -1]);
  }, 30_000);
});
