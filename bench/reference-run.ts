/**
 * Running a Python reference (Snorkel, scikit-learn) or a Shoal process in the same bench run:
 * where Snorkel's source is, one child process timed from outside (wall, CPU, peak RSS through
 * /usr/bin/time), the JSON a child prints, medians, and ratios that say "not measured" rather
 * than fall back to a number from another run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's interpreter: numpy, pandas, torch and scikit-learn are installed for it, not for a pyenv one. */
export const PYTHON = '/usr/bin/python3';
const GNU_TIME = '/usr/bin/time';

/** Where Snorkel's source is (`SNORKEL_SRC`, the folder holding the `snorkel` package), or why there is none. */
export function snorkelSource(env: NodeJS.ProcessEnv = process.env): { dir: string } | { missing: string } {
  const dir = env.SNORKEL_SRC;
  if (!dir) return { missing: 'SNORKEL_SRC is not set' };
  if (!existsSync(join(dir, 'snorkel', 'labeling', 'model', 'label_model.py')))
    return { missing: `SNORKEL_SRC=${dir} holds no snorkel/labeling/model/label_model.py` };
  if (!existsSync(PYTHON)) return { missing: `${PYTHON} is absent` };
  const probe = spawnSync(
    PYTHON,
    ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); import snorkel.labeling, snorkel.labeling.model', dir],
    {
      encoding: 'utf8',
    },
  );
  if (probe.status !== 0) return { missing: `snorkel from ${dir} does not import: ${lastLine(probe.stderr)}` };
  return { dir };
}

export function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .pop() ?? ''
  );
}

/** The JSON after the last line that starts with `mark` (`''`: the last line that parses as a JSON object). */
export function markedJson<T>(stdout: string, mark = ''): T | null {
  const lines = stdout.split('\n').reverse();
  for (const line of lines) {
    if (mark ? !line.startsWith(mark) : !line.trimStart().startsWith('{')) continue;
    try {
      return JSON.parse(line.slice(mark.length)) as T;
    } catch {
      if (mark) return null;
    }
  }
  return null;
}

/** /usr/bin/time's `-f '%e %U %S %M'` line: wall s, user s, system s, peak RSS KB. */
export function parseGnuTime(text: string): { wallMs: number; cpuMs: number; peakRssMB: number } | null {
  const m = /(\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?) (\d+)\s*$/.exec(text.trim());
  if (!m) return null;
  return { wallMs: Number(m[1]) * 1000, cpuMs: (Number(m[2]) + Number(m[3])) * 1000, peakRssMB: Number(m[4]) / 1024 };
}

export interface ChildRun {
  ok: boolean;
  /** Wall time measured here, from spawn to exit: process start and everything after it. */
  wallMs: number;
  /** User + system CPU time of the child and its threads (null without /usr/bin/time). */
  cpuMs: number | null;
  peakRssMB: number | null;
  stdout: string;
  stderr: string;
}

/** Run one process to its end, timed from outside; CPU and peak RSS come from /usr/bin/time when it exists. */
export function runTimed(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ChildRun {
  const withTime = existsSync(GNU_TIME);
  const dir = withTime ? mkdtempSync(join(tmpdir(), 'shoal-ref-time-')) : '';
  const timeFile = join(dir, 'time.txt');
  try {
    const t0 = performance.now();
    const r = withTime
      ? spawnSync(GNU_TIME, ['-o', timeFile, '-f', '%e %U %S %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28, ...opts })
      : spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
    const wallMs = performance.now() - t0;
    const t = withTime && existsSync(timeFile) ? parseGnuTime(readFileSync(timeFile, 'utf8')) : null;
    return {
      ok: r.status === 0,
      wallMs,
      cpuMs: t?.cpuMs ?? null,
      peakRssMB: t?.peakRssMB ?? null,
      stdout: r.stdout ?? '',
      stderr: r.stderr ?? '',
    };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** How many times faster `oursMs` is than `refMs`, or why there is no ratio: never a number from elsewhere. */
export function timesFaster(refMs: number | null | undefined, oursMs: number, why = 'not measured'): string {
  if (refMs === null || refMs === undefined || !Number.isFinite(refMs) || !(oursMs > 0)) return why;
  const r = refMs / oursMs;
  return `${r.toFixed(r >= 10 ? 0 : 1)}×`;
}
