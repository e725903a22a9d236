import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const run = (entry: string[], args: string[]) => spawnSync(process.execPath, [...entry, ...args], { encoding: 'utf8', cwd: process.cwd() });
const launcher = (...args: string[]) => run(['scripts/shoal.mjs'], args);
const viaTsx = (...args: string[]) => run(['--import', 'tsx', 'src/cli/main.ts'], args);

describe('scripts/shoal.mjs (npm run shoal): the CLI from a cached bundle', () => {
  it('prints what the TypeScript entry prints, and records the sources it was built from', () => {
    for (const args of [['--help'], ['apply', '--help'], ['fit', '--help']]) {
      const a = launcher(...args);
      const b = viaTsx(...args);
      expect(a.status).toBe(0);
      expect(a.stdout).toBe(b.stdout);
    }
    const current = JSON.parse(readFileSync('node_modules/.cache/shoal-cli/current.json', 'utf8')) as { inputs: Record<string, unknown> };
    expect(Object.keys(current.inputs)).toEqual(expect.arrayContaining(['src/cli/main.ts', 'src/cli/apply.ts', 'src/cli/apply-worker.ts']));
  }, 60_000);

  it('runs `apply` with the worker bundled beside it: the same WRENCH files and summary as through tsx', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shoal-launcher-'));
    try {
      writeFileSync(
        join(dir, 'd.jsonl'),
        Array.from({ length: 50 }, (_, i) => JSON.stringify({ text: i % 2 ? `free ${i}` : `hi ${i}` })).join('\n'),
      );
      writeFileSync(
        join(dir, 'lfs.mjs'),
        "export const classes = ['ham', 'spam'];\nexport default [{ name: 'free', apply: (x) => (/free/.test(x.text) ? 'spam' : null) }, { name: 'hi', kind: 'keyword', keywords: ['hi'], label: 'ham' }];\n",
      );
      const outs = [join(dir, 'a'), join(dir, 'b')];
      const a = launcher('apply', '--lfs', join(dir, 'lfs.mjs'), '--data', join(dir, 'd.jsonl'), '--out', outs[0]);
      const b = viaTsx('apply', '--lfs', join(dir, 'lfs.mjs'), '--data', join(dir, 'd.jsonl'), '--out', outs[1]);
      expect(a.status, a.stderr).toBe(0);
      expect(b.status, b.stderr).toBe(0);
      const strip = (s: string) => {
        const { ms: _ms, rows_per_s: _r, total_ms: _t, ...rest } = JSON.parse(s) as Record<string, unknown>;
        return rest;
      };
      expect(strip(a.stdout)).toEqual(strip(b.stdout));
      expect(strip(a.stdout)).toMatchObject({ rows: 50, lfs: 2, workers_chosen: 1 });
      for (const f of ['train.json', 'valid.json', 'test.json', 'label.json'])
        expect(readFileSync(join(outs[0], f), 'utf8')).toBe(readFileSync(join(outs[1], f), 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
