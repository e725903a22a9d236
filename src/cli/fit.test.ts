import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { synthesize } from '../core/synth.ts';
import { writeWrenchSplit } from '../core/formats/wrench.ts';
import { npyInt8 } from '../core/formats/export.ts';
import { LabelMatrix } from '../core/matrix.ts';
import { run } from './fit.ts';

function writeDataset(dir: string): void {
  const splits = { train: 3000, valid: 300, test: 500 } as const;
  let offset = 0;
  for (const [name, n] of Object.entries(splits)) {
    // Same LF parameters (seeded by m, k), different rows per split.
    const s = synthesize({ n, m: 6, k: 2, seed: 21 + offset });
    const ids = Array.from({ length: n }, (_, i) => String(i));
    const data = ids.map((id) => ({ text: `row ${id}` }));
    writeFileSync(join(dir, `${name}.json`), writeWrenchSplit(ids, s.L, s.Y, data));
    offset++;
  }
  writeFileSync(join(dir, 'label.json'), JSON.stringify({ 0: 'ham', 1: 'spam' }));
}

describe('shoal fit', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'shoal-fit-'));
    writeDataset(dir);
  });

  it('returns the documented JSON fields', async () => {
    const out = await run(['--data', dir, '--model', 'auto']);
    expect(out.copies).toBe('keep');
    expect((await run(['--data', dir, '--model', 'auto', '--copies', 'once'])).copies).toBe('once');
    expect(Object.keys(out)).toEqual(
      expect.arrayContaining(['dataset', 'model', 'chosen', 'metric', 'n_train', 'n_lfs', 'k', 'test', 'valid', 'fit_ms', 'backend']),
    );
    expect(out).toMatchObject({ model: 'auto', metric: 'acc', n_train: 3000, n_lfs: 6, k: 2 });
    expect(['metal', 'metal_uniform', 'wmv', 'mv', 'ds', 'triplet']).toContain(out.chosen);
    expect(Object.keys(out.test)).toEqual(['accuracy', 'f1', 'coverage']);
    // Synthetic LFs with accuracies 0.55–0.9: the label model must do clearly better than chance.
    expect(out.test.accuracy).toBeGreaterThan(0.7);
    expect(out.test.coverage).toBeGreaterThan(0.5);
    expect(out.fit_ms).toBeGreaterThan(0);
    // How auto chose: every candidate's error and tie, and the rule in one sentence.
    expect(Object.keys(out.candidates![0])).toEqual(['name', 'valid_score', 'se', 'tied']);
    expect(out.selection).toMatchObject({ rule: 'paired-bootstrap', resamples: 500, metric: 'acc' });
    expect(Object.keys(out.selection!)).toEqual(['rule', 'valid_rows', 'resamples', 'metric', 'best', 'explanation']);
    expect(out.selection!.explanation).toContain(`): ${out.chosen} `);
  });

  it('the same seed gives the same result', async () => {
    const a = await run(['--data', dir, '--model', 'metal', '--seed', '5']);
    const b = await run(['--data', dir, '--model', 'metal', '--seed', '5']);
    expect(b.test).toEqual(a.test);
  });

  it('rejects bad options with one clear sentence', async () => {
    await expect(run(['--data', dir, '--model', 'snorkel'])).rejects.toThrow(/--model must be one of/);
    await expect(run(['--data', dir, '--tie', 'coin'])).rejects.toThrow(/--tie must be one of/);
    await expect(run(['--data', dir, '--seeed', '1'])).rejects.toThrow(/unknown option --seeed/);
    await expect(run(['--data', dir, '--copies', 'twice'])).rejects.toThrow(/--copies must be one of/);
    await expect(run(['--data', dir, '--model', 'mv', '--copies', 'once'])).rejects.toThrow(/--copies once applies to --model auto only/);
    await expect(run([])).rejects.toThrow(/missing required option --data/);
  });

  it('as a process: one JSON object on stdout; errors name the file on stderr with exit 1', () => {
    const cli = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', cwd: process.cwd() });
    const ok = cli(['fit', '--data', dir, '--model', 'mv']);
    expect(ok.status).toBe(0);
    const lines = ok.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]).model).toBe('mv');

    const broken = mkdtempSync(join(tmpdir(), 'shoal-fit-bad-'));
    writeFileSync(join(broken, 'train.json'), '{"0": {"label": 0, "weak_labels": [1, -1]');
    const bad = cli(['fit', '--data', broken]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toMatch(/train\.json/);
    expect(
      bad.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('shoal')),
    ).toHaveLength(1);

    const missing = cli(['fit', '--data', join(broken, 'nope')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nope: directory not found/);
  });
});

describe('shoal fit on a NumPy label-matrix folder', () => {
  it('gives what it gives on the same matrices as WRENCH JSON', async () => {
    const wrench = mkdtempSync(join(tmpdir(), 'shoal-fit-wrench-'));
    const numpy = mkdtempSync(join(tmpdir(), 'shoal-fit-npy-'));
    writeDataset(wrench);
    const splits = { train: 3000, valid: 300, test: 500 } as const;
    let offset = 0;
    for (const [name, n] of Object.entries(splits)) {
      const s = synthesize({ n, m: 6, k: 2, seed: 21 + offset++ });
      writeFileSync(join(numpy, `${name}.npy`), npyInt8(s.L));
      if (name !== 'train') writeFileSync(join(numpy, `${name}_labels.npy`), npyInt8(new LabelMatrix(n, 2, [Int8Array.from(s.Y)])));
    }
    writeFileSync(join(numpy, 'label.json'), JSON.stringify({ 0: 'ham', 1: 'spam' }));
    for (const model of ['auto', 'metal', 'mv']) {
      const a = await run(['--data', wrench, '--model', model]);
      const b = await run(['--data', numpy, '--model', model]);
      expect({ ...b, dataset: a.dataset, fit_ms: a.fit_ms }).toEqual(a);
    }
  });

  it('refuses a vote outside the classes with the file, row and column', async () => {
    const numpy = mkdtempSync(join(tmpdir(), 'shoal-fit-npy-'));
    const L = new LabelMatrix(2, 3, [Int8Array.from([0, 2])]);
    writeFileSync(join(numpy, 'train.npy'), npyInt8(L));
    writeFileSync(join(numpy, 'test.npy'), npyInt8(L));
    writeFileSync(join(numpy, 'label.json'), JSON.stringify({ 0: 'ham', 1: 'spam' }));
    await expect(run(['--data', numpy])).rejects.toThrow(/train\.npy: value 2 at row 1, column 0 is outside -1\.\.1/);
  });
});
