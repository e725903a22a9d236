/**
 * `npm run bench:fit [-- --rows 1000000 --lfs 50 --k 2 --rounds 3]`
 *
 * `shoal fit` as the user waits for it, on a generated WRENCH folder (train = `--rows`, valid
 * and test 10,000 rows each; LFs independent given Y, core/synth.ts):
 * - reading the folder with the full parser (JSON.parse, what `shoal distill` needs) and with
 *   the byte scanner `shoal fit` uses (core/formats/wrench-votes.ts), each in a fresh process, alternated;
 * - the whole `shoal fit --model metal` process: start, read, fit, predict, score, output — on
 *   the WRENCH folder and on the same matrices as NumPy files (cli/npy-dir.ts).
 * - Snorkel end to end on the same WRENCH folder (bench/reference/snorkel_wrench_fit.py: Python
 *   start, imports, json.load of the three splits, LabelModel.fit, predict and score valid and
 *   test), in a fresh process each round, alternated with Shoal's (who goes first alternates);
 *   Snorkel from SNORKEL_SRC (without it the row says why it was not measured).
 * Every process is timed from outside (bench/reference-run.ts): wall time, and CPU time (user +
 * system, all threads) so that a CPU ratio exists when the neighbours' load inflates wall times.
 * Medians over `--rounds`, with the load average of each round. `--keep DIR` generates the
 * folders under DIR once and reuses them.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readWrenchDir, readWrenchVotesDir } from '../src/cli/wrench-dir.ts';
import { lastLine, markedJson, median, PYTHON, runTimed, snorkelSource, timesFaster } from './reference-run.ts';
import { writeWrenchSplit } from '../src/core/formats/wrench.ts';
import { npyInt8 } from '../src/core/formats/export.ts';
import { LabelMatrix } from '../src/core/matrix.ts';
import { synthesize } from '../src/core/synth.ts';

const args = process.argv.slice(2);
const num = (name: string, d: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const N = num('rows', 1_000_000);
const M = num('lfs', 50);
const K = num('k', 2);
const ROUNDS = num('rounds', 3);
// `--keep DIR`: generate the folders under DIR once (DIR/wrench, DIR/npy) and reuse them on later runs.
const keepAt = args.indexOf('--keep');
const KEEP = keepAt >= 0 ? resolve(args[keepAt + 1]) : undefined;

/** The same split as WRENCH JSON in `dir` and as NumPy files in `npyDir`. */
function writeSplit(dir: string, npyDir: string, name: string, n: number, seed: number): void {
  const { L, Y } = synthesize({ n, m: M, k: K, seed, accuracy: { range: [0.55, 0.9] }, propensity: { range: [0.05, 0.4] } });
  const ids = Array.from({ length: n }, (_, i) => String(i));
  writeFileSync(join(dir, `${name}.json`), writeWrenchSplit(ids, L, Y, new Array(n).fill(undefined)));
  writeFileSync(join(npyDir, `${name}.npy`), npyInt8(L));
  if (name !== 'train') writeFileSync(join(npyDir, `${name}_labels.npy`), npyInt8(new LabelMatrix(n, K, [Int8Array.from(Y)])));
}

// `--read full|scan DIR`: read the folder once in this fresh process and print the milliseconds
// (each reader measured on its own heap; in one process the first reader's garbage slows the next).
const readOnly = args.indexOf('--read');
if (readOnly >= 0) {
  const t = performance.now();
  if (args[readOnly + 1] === 'full') await readWrenchDir(args[readOnly + 2]);
  else await readWrenchVotesDir(args[readOnly + 2]);
  console.log(String(performance.now() - t));
  process.exit(0);
}

const dir = KEEP ? join(KEEP, 'wrench') : mkdtempSync(join(tmpdir(), 'shoal-fit-bench-'));
const npyDir = KEEP ? join(KEEP, 'npy') : mkdtempSync(join(tmpdir(), 'shoal-fit-bench-npy-'));
/** One timed child: wall from spawn to exit, CPU (user + system, all threads) and peak RSS from /usr/bin/time. */
interface Timed {
  ms: number;
  cpuMs: number | null;
  rssMB: number | null;
}
const timed = (args: string[], what: string): Timed & { stdout: string } => {
  const r = runTimed(process.execPath, args);
  if (!r.ok) throw new Error(`${what} failed: ${lastLine(r.stderr)}`);
  return { ms: r.wallMs, cpuMs: r.cpuMs, rssMB: r.peakRssMB, stdout: r.stdout };
};
const shoalFit = (data: string) => {
  const r = timed(
    ['--import', 'tsx', resolve(import.meta.dirname, '../src/cli/main.ts'), 'fit', '--data', data, '--model', 'metal'],
    'shoal fit',
  );
  const out = JSON.parse(r.stdout) as { fit_ms: number; test: { accuracy: number } };
  return { ...r, fitMs: out.fit_ms, accuracy: out.test.accuracy };
};
interface SnorkelE2e {
  imports_s: number;
  read_s: number;
  fit_s: number;
  predict_s: number;
  accuracy: Record<string, number>;
  peak_rss_mb: number;
}
const snorkel = snorkelSource();
const snorkelFit = (data: string) => {
  const r = runTimed(PYTHON, [resolve(import.meta.dirname, 'reference/snorkel_wrench_fit.py'), data]);
  const out = r.ok ? markedJson<SnorkelE2e>(r.stdout) : null;
  if (!out) throw new Error(`snorkel_wrench_fit.py failed: ${lastLine(r.stderr)}`);
  return { ms: r.wallMs, cpuMs: r.cpuMs, rssMB: r.peakRssMB, out };
};
try {
  if (!KEEP || !existsSync(join(npyDir, 'test_labels.npy'))) {
    mkdirSync(dir, { recursive: true });
    mkdirSync(npyDir, { recursive: true });
    writeSplit(dir, npyDir, 'train', N, 1);
    writeSplit(dir, npyDir, 'valid', 10_000, 2);
    writeSplit(dir, npyDir, 'test', 10_000, 3);
  }
  const mb = statSync(join(dir, 'train.json')).size / 1e6;
  const full: Timed[] = [];
  const scan: Timed[] = [];
  const proc: ReturnType<typeof shoalFit>[] = [];
  const procNpy: ReturnType<typeof shoalFit>[] = [];
  const snork: ReturnType<typeof snorkelFit>[] = [];
  const loads: string[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    loads.push(loadavg()[0].toFixed(1));
    // Alternate which reader goes first; each reads in a fresh process of its own.
    for (const which of r % 2 ? ['scan', 'full'] : ['full', 'scan']) {
      const t = timed(['--max-old-space-size=8192', '--import', 'tsx', import.meta.filename, '--read', which, dir], `reading (${which})`);
      (which === 'full' ? full : scan).push(t);
    }
    // Shoal and Snorkel alternate; which goes first alternates too.
    const ours = () => {
      proc.push(shoalFit(dir));
      procNpy.push(shoalFit(npyDir));
    };
    const theirs = () => {
      if ('dir' in snorkel) snork.push(snorkelFit(dir));
    };
    if (r % 2) {
      theirs();
      ours();
    } else {
      ours();
      theirs();
    }
  }
  const s = (ms: number | null) => (ms === null || !Number.isFinite(ms) ? '–' : (ms / 1000).toFixed(2));
  const med = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : median(xs as number[]));
  const wallCpu = (xs: Timed[]) => `${s(median(xs.map((x) => x.ms)))} | ${s(med(xs.map((x) => x.cpuMs)))}`;
  console.log(
    `\n### \`shoal fit\` end to end: ${N.toLocaleString('en-US')} × ${M} LFs, k = ${K} (train.json ${mb.toFixed(0)} MB), median of ${ROUNDS}\n`,
  );
  console.log('| step (each a fresh process) | wall s | CPU s (user + system) |');
  console.log('|---|---|---|');
  console.log(`| read the folder, full parser (JSON.parse; what distill uses) | ${wallCpu(full)} |`);
  console.log(`| read the folder, byte scanner (what fit uses) | ${wallCpu(scan)} |`);
  console.log(
    `| \`shoal fit --model metal\` on the WRENCH folder: start (node + tsx), read, fit, predict + score valid and test, output | ${wallCpu(proc)} |`,
  );
  console.log(`| … of which the fit (\`fit_ms\`, wall) | ${s(median(proc.map((x) => x.fitMs)))} | |`);
  console.log(`| \`shoal fit --model metal\` on the same matrices as .npy files | ${wallCpu(procNpy)} |`);
  if (snork.length) {
    const ph = (f: (o: SnorkelE2e) => number) => s(median(snork.map((x) => f(x.out) * 1000)));
    console.log(
      `| Snorkel end to end (bench/reference/snorkel_wrench_fit.py: start, imports, json.load of the three splits, LabelModel.fit, predict + score valid and test) | ${wallCpu(snork)} |`,
    );
    console.log(
      `| … of which imports / read / fit / predict + score (wall) | ${ph((o) => o.imports_s)} / ${ph((o) => o.read_s)} / ${ph((o) => o.fit_s)} / ${ph((o) => o.predict_s)} | |`,
    );
    const ratio = (ours: Timed[]) =>
      `${timesFaster(median(snork.map((x) => x.ms)), median(ours.map((x) => x.ms)))} wall, ${timesFaster(med(snork.map((x) => x.cpuMs)), med(ours.map((x) => x.cpuMs)) ?? NaN)} CPU`;
    console.log(`| **\`shoal fit\` vs Snorkel, whole processes** | WRENCH folder: **${ratio(proc)}**; .npy: ${ratio(procNpy)} | |`);
    console.log(
      `\nSnorkel per round: wall s ${snork.map((x) => s(x.ms)).join(' / ')}; CPU s ${snork.map((x) => s(x.cpuMs)).join(' / ')}; peak RSS ${snork[0].out.peak_rss_mb.toFixed(0)} MB; test accuracy ${snork[0].out.accuracy.test?.toFixed(4) ?? '–'}.`,
    );
  } else console.log(`| Snorkel end to end | not measured (${'missing' in snorkel ? snorkel.missing : ''}) | |`);
  console.log(
    `Shoal per round (WRENCH folder): wall s ${proc.map((x) => s(x.ms)).join(' / ')}; CPU s ${proc.map((x) => s(x.cpuMs)).join(' / ')}; peak RSS ${med(proc.map((x) => x.rssMB))?.toFixed(0) ?? '–'} MB; test accuracy ${proc[0]?.accuracy.toFixed(4) ?? '–'}. On .npy: wall s ${procNpy.map((x) => s(x.ms)).join(' / ')}; CPU s ${procNpy.map((x) => s(x.cpuMs)).join(' / ')}.`,
  );
  console.log(
    `Scanner vs full parser: ${(median(full.map((x) => x.ms)) / median(scan.map((x) => x.ms))).toFixed(1)}× faster (wall). ${cpus().length} CPUs, 1-min load average at the start of each round: ${loads.join(', ')}; at the end: ${loadavg()[0].toFixed(1)}.`,
  );
} finally {
  if (!KEEP) {
    rmSync(dir, { recursive: true, force: true });
    rmSync(npyDir, { recursive: true, force: true });
  }
}
