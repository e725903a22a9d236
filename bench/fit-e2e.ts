/**
 * `npm run bench:fit [-- --rows 1000000 --lfs 50 --k 2 --rounds 3]`
 *
 * `shoal fit` as the user waits for it, on a generated WRENCH folder (train = `--rows`, valid
 * and test 10,000 rows each; LFs independent given Y, core/synth.ts):
 * - reading the folder with the full parser (JSON.parse, what `shoal distill` needs) and with
 *   the byte scanner `shoal fit` uses (core/formats/wrench-votes.ts), each in a fresh process, alternated;
 * - the whole `shoal fit --model metal` process: start, read, fit, predict, score, output — on
 *   the WRENCH folder and on the same matrices as NumPy files (cli/npy-dir.ts).
 * Medians over `--rounds`, with the load average. Snorkel is not installed on this machine, so
 * its end-to-end time is not measured here.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readWrenchDir, readWrenchVotesDir } from '../src/cli/wrench-dir.ts';
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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dir = mkdtempSync(join(tmpdir(), 'shoal-fit-bench-'));
const npyDir = mkdtempSync(join(tmpdir(), 'shoal-fit-bench-npy-'));
const shoalFit = (data: string) => {
  const t = performance.now();
  const out = spawnSync(
    process.execPath,
    ['--import', 'tsx', resolve(import.meta.dirname, '../src/cli/main.ts'), 'fit', '--data', data, '--model', 'metal'],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    },
  );
  if (out.status !== 0) throw new Error(`shoal fit failed: ${out.stderr}`);
  return { ms: performance.now() - t, fitMs: (JSON.parse(out.stdout) as { fit_ms: number }).fit_ms };
};
try {
  writeSplit(dir, npyDir, 'train', N, 1);
  writeSplit(dir, npyDir, 'valid', 10_000, 2);
  writeSplit(dir, npyDir, 'test', 10_000, 3);
  const mb = statSync(join(dir, 'train.json')).size / 1e6;
  const full: number[] = [];
  const scan: number[] = [];
  const proc: number[] = [];
  const procNpy: number[] = [];
  let fitMs = NaN;
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate which reader goes first; each reads in a fresh process of its own.
    for (const which of r % 2 ? ['scan', 'full'] : ['full', 'scan']) {
      const out = spawnSync(
        process.execPath,
        ['--max-old-space-size=8192', '--import', 'tsx', import.meta.filename, '--read', which, dir],
        {
          encoding: 'utf8',
        },
      );
      if (out.status !== 0) throw new Error(`reading failed: ${out.stderr}`);
      (which === 'full' ? full : scan).push(Number(out.stdout.trim()));
    }
    const json = shoalFit(dir);
    proc.push(json.ms);
    fitMs = json.fitMs;
    procNpy.push(shoalFit(npyDir).ms);
  }
  const s = (ms: number) => (ms / 1000).toFixed(2);
  console.log(
    `\n### \`shoal fit\` end to end: ${N.toLocaleString('en-US')} × ${M} LFs, k = ${K} (train.json ${mb.toFixed(0)} MB), median of ${ROUNDS}\n`,
  );
  console.log('| step | seconds |');
  console.log('|---|---|');
  console.log(`| read the folder, full parser (JSON.parse; what distill uses) | ${s(median(full))} |`);
  console.log(`| read the folder, byte scanner (what fit uses) | ${s(median(scan))} |`);
  console.log(`| \`shoal fit --model metal\`, whole process (start, read, fit, predict, output) | ${s(median(proc))} |`);
  console.log(`| … of which the fit (its \`fit_ms\`, last round) | ${s(fitMs)} |`);
  console.log(`| \`shoal fit --model metal\` on the same matrices as .npy files, whole process | ${s(median(procNpy))} |`);
  console.log(`| Snorkel end to end | not measured (Snorkel is not installed on this machine) |`);
  console.log(
    `\nScanner vs full parser: ${(median(full) / median(scan)).toFixed(1)}× faster. ${cpus().length} CPUs, 1-min load average at the end: ${loadavg()[0].toFixed(1)}.`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(npyDir, { recursive: true, force: true });
}
