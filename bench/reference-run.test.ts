import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastLine, markedJson, median, parseGnuTime, runTimed, snorkelSource, timesFaster } from './reference-run.ts';

describe('markedJson', () => {
  it('takes the JSON after the last marked line, ignoring the rest of the output', () => {
    const out = 'noise\n@@R {"a":1}\nmore\n@@R {"a":2}\ntrailing\n';
    expect(markedJson<{ a: number }>(out, '@@R ')).toEqual({ a: 2 });
  });
  it('without a mark, takes the last line that is a JSON object', () => {
    expect(markedJson('warning: x\n{"fit_s": 1.5}\n\n')).toEqual({ fit_s: 1.5 });
    expect(markedJson('{"a":1}\n{broken\n')).toEqual({ a: 1 });
  });
  it('is null when nothing matches or the marked line is not JSON', () => {
    expect(markedJson('nothing here', '@@R ')).toBeNull();
    expect(markedJson('@@R {oops', '@@R ')).toBeNull();
    expect(markedJson('')).toBeNull();
  });
});

describe('parseGnuTime', () => {
  it('reads wall, CPU (user + system) and peak RSS', () => {
    expect(parseGnuTime('12.50 20.25 1.75 204800\n')).toEqual({ wallMs: 12500, cpuMs: 22000, peakRssMB: 200 });
  });
  it('reads the last line when the command wrote a warning before it', () => {
    expect(parseGnuTime('Command exited with non-zero status 1\n0.01 0.00 0.00 1024')).toEqual({ wallMs: 10, cpuMs: 0, peakRssMB: 1 });
  });
  it('is null for anything else', () => {
    expect(parseGnuTime('')).toBeNull();
    expect(parseGnuTime('a b c d')).toBeNull();
  });
});

describe('median and timesFaster', () => {
  it('median of odd and even counts, NaN when empty', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
  it('says why instead of inventing a ratio', () => {
    expect(timesFaster(null, 100)).toBe('not measured');
    expect(timesFaster(undefined, 100, 'not measured (no SNORKEL_SRC)')).toBe('not measured (no SNORKEL_SRC)');
    expect(timesFaster(NaN, 100)).toBe('not measured');
    expect(timesFaster(1000, 0)).toBe('not measured');
  });
  it('one decimal under 10×, none above', () => {
    expect(timesFaster(1500, 1000)).toBe('1.5×');
    expect(timesFaster(47_000, 1000)).toBe('47×');
  });
});

describe('snorkelSource', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-snorkel-src-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('says that SNORKEL_SRC is not set', () => {
    expect(snorkelSource({})).toEqual({ missing: 'SNORKEL_SRC is not set' });
  });
  it('says when the folder holds no Snorkel', () => {
    const r = snorkelSource({ SNORKEL_SRC: dir });
    expect('missing' in r && r.missing).toMatch(/holds no snorkel\/labeling\/model\/label_model\.py/);
  });
  it('says when the Snorkel there does not import', () => {
    mkdirSync(join(dir, 'snorkel', 'labeling', 'model'), { recursive: true });
    writeFileSync(join(dir, 'snorkel', '__init__.py'), 'raise ImportError("broken on purpose")\n');
    writeFileSync(join(dir, 'snorkel', 'labeling', 'model', 'label_model.py'), '');
    const r = snorkelSource({ SNORKEL_SRC: dir });
    expect('missing' in r && r.missing).toMatch(/does not import: .*broken on purpose/);
  });
});

describe('runTimed', () => {
  it('returns the output and exit status of a process it ran to its end', () => {
    const r = runTimed(process.execPath, ['-e', 'console.log(JSON.stringify({x: 1})); console.error("e")']);
    expect(r.ok).toBe(true);
    expect(markedJson(r.stdout)).toEqual({ x: 1 });
    expect(lastLine(r.stderr)).toBe('e');
    expect(r.wallMs).toBeGreaterThan(0);
  });
  it('reports a failing process as not ok', () => {
    expect(runTimed(process.execPath, ['-e', 'process.exit(3)']).ok).toBe(false);
  });
});
