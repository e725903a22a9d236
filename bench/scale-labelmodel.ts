/**
 * bench:scale, part "labelmodel": metal (500 epochs, uniform balance) at 1M×50 (k=2, 5) and
 * 100k×200 (k=6) — 100k×50 k=5 and 100k×200 k=6 with --quick — against Snorkel's
 * LabelModel.fit on the very same matrices, in the same run (the target: "≥ 10× faster than
 * Snorkel's LabelModel.fit here at equal or better accuracy, peak memory below Snorkel's").
 *
 * Matrices: the files of synth.py (the Python generator the Snorkel reference numbers came
 * from, in the optional shared benchmark folder) when that script and Debian's /usr/bin/python3
 * with numpy are here, else core/synth.ts (same model, our RNG). Reference:
 * bench/reference/snorkel_lm_fit.py, Snorkel's fit transcribed op for op onto Debian's numpy +
 * torch (snorkel itself is not installable here), in its own process. Its times at the shapes
 * the reference measurements (their §3) timed with snorkel are printed beside those, so the
 * transcription's fidelity is on the page. Without torch the row says so and shows §3's figure
 * where one exists; nothing is extrapolated.
 *
 * Ours, twice: fitted from a fresh LabelMatrix (row index + overlap counts + training), and
 * from overlap statistics accumulated the way the LF workers do (LF-major 1000-row chunks
 * alternating between two accumulators, merged); there only the merge and training are timed,
 * because in the app the counting happens in the workers while they vote.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { resourceUsage } from 'node:process';
import type { Page } from 'playwright-core';
import { synthesize } from '../src/core/synth.ts';
import type { Table } from './scale-distill.ts';
import { columnsOfRowMajor, metalAtScale, type MetalScaleRun } from './scale-lm-run.ts';

const PYTHON = '/usr/bin/python3';
const SYNTH_PY = resolve(import.meta.dirname, '../../shared/benchmarks/tools/synth.py');
const SNORKEL_SCRIPT = resolve(import.meta.dirname, 'reference/snorkel_lm_fit.py');

interface Shape {
  n: number;
  m: number;
  k: number;
  /** Snorkel LabelModel.fit seconds / peak RSS GB from the reference measurements (§3), where measured. */
  readme?: { fitS: number; rssGB: number };
}

const FULL: Shape[] = [
  { n: 1_000_000, m: 50, k: 2, readme: { fitS: 2.9, rssGB: 2.8 } },
  { n: 1_000_000, m: 50, k: 5, readme: { fitS: 7.9, rssGB: 5.2 } },
  { n: 100_000, m: 200, k: 6 },
];
const QUICK: Shape[] = [
  { n: 100_000, m: 50, k: 5, readme: { fitS: 1.0, rssGB: 1.0 } },
  { n: 100_000, m: 200, k: 6 },
];

const id = (s: Shape) => `${s.n >= 1e6 ? `${s.n / 1e6}M` : `${s.n / 1e3}k`}×${s.m} k=${s.k}`;
const s2 = (ms: number) => (ms / 1000).toFixed(2);
const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

function pythonHas(modules: string): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0;
}

/** synth.py's files for this shape (generated once into the temp dir, reused by later runs). */
function synthPyMatrix(s: Shape): { columns: Int8Array[]; Y: Int32Array; prefix: string } | null {
  if (!existsSync(SYNTH_PY) || !pythonHas('numpy')) return null;
  const dir = join(tmpdir(), 'shoal-bench-synth');
  mkdirSync(dir, { recursive: true });
  const prefix = join(dir, `k${s.k}_m${s.m}_n${s.n}_s0`);
  if (!existsSync(`${prefix}.json`)) {
    const r = spawnSync(PYTHON, [SYNTH_PY, '--out', dir, '--n', String(s.n), '--m', String(s.m), '--k', String(s.k), '--seed', '0'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (r.status !== 0) return null;
  }
  const raw = readFileSync(`${prefix}.L.i8`);
  const columns = columnsOfRowMajor(new Int8Array(raw.buffer, raw.byteOffset, raw.length), s.n, s.m, s.k);
  const y = readFileSync(`${prefix}.Y.i8`);
  return { columns, Y: Int32Array.from(new Int8Array(y.buffer, y.byteOffset, y.length)), prefix };
}

interface SnorkelRun {
  fit_s: number;
  acc: number;
  peak_rss_mb: number;
}

function snorkelFit(prefix: string): SnorkelRun | string {
  const r = spawnSync(PYTHON, [SNORKEL_SCRIPT, prefix], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) return `failed: ${(r.stderr || '').trim().split('\n').pop()}`;
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as SnorkelRun;
}

/**
 * The same measurement in the Chromium page (bench/scale-page.ts): synth.py's files are served to
 * it through a Playwright route, so both hosts fit the same bytes; without them the page
 * synthesizes the same matrix core/synth.ts gives Node.
 */
async function inChromium(page: Page, shape: Shape, prefix: string | null): Promise<MetalScaleRun> {
  if (prefix) {
    const file = (ext: string) => readFileSync(`${prefix}.${ext}`);
    await page.route('**/__bench-matrix/*', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/octet-stream',
        body: file(route.request().url().endsWith('.Y.i8') ? 'Y.i8' : 'L.i8'),
      }),
    );
  }
  try {
    return await page.evaluate(
      (o) => (globalThis as unknown as { shoalScale: { labelModel(o: unknown): Promise<MetalScaleRun> } }).shoalScale.labelModel(o),
      { n: shape.n, m: shape.m, k: shape.k, url: prefix ? '/__bench-matrix/m' : null },
    );
  } finally {
    if (prefix) await page.unroute('**/__bench-matrix/*');
  }
}

export async function partLabelModel(table: Table, opts: { quick: boolean; page?: Page }): Promise<void> {
  const shapes = opts.quick ? QUICK : FULL;
  const torch = pythonHas('numpy, torch');
  const body: string[][] = [];
  const calibration: string[] = [];
  let source = '';
  for (const shape of shapes) {
    const fromPy = synthPyMatrix(shape);
    const gen =
      fromPy ??
      (() => {
        const g = synthesize({ n: shape.n, m: shape.m, k: shape.k, seed: 0 });
        return { columns: Array.from({ length: shape.m }, (_, j) => g.L.column(j)), Y: g.Y, prefix: null };
      })();
    source = fromPy
      ? '../shared/benchmarks/tools/synth.py (seed 0): the same bytes for Snorkel, Node and Chromium'
      : 'core/synth.ts (seed 0): synth.py or numpy missing here';
    const node = await metalAtScale(gen.columns, shape.n, shape.k, gen.Y, cpuNow);
    const rssMB = resourceUsage().maxRSS / 1e3;
    const browser = opts.page ? await inChromium(opts.page, shape, fromPy?.prefix ?? null) : null;
    const acc = node.acc;

    // Snorkel, same matrix, its own process.
    let ref: SnorkelRun | string;
    if (!fromPy) ref = 'not measured: synth.py or numpy missing';
    else if (!torch) ref = 'not measured: torch missing (apt-get install python3-torch)';
    else ref = snorkelFit(fromPy.prefix);
    const run = typeof ref === 'string' ? null : ref;
    if (run && shape.readme)
      calibration.push(
        `${id(shape)}: transcription ${run.fit_s.toFixed(2)} s / ${(run.peak_rss_mb / 1e3).toFixed(1)} GB here, snorkel ${shape.readme.fitS} s / ${shape.readme.rssGB} GB in §3`,
      );
    // Both references where both exist, and the verdict on the smaller ratio: the transcription
    // under this run's load can be slower than snorkel was when §3 was measured.
    const refs = [...(run ? [run.fit_s] : []), ...(shape.readme ? [shape.readme.fitS] : [])];
    const ratios = (ms: number) => refs.map((r) => r / (ms / 1000));
    const ratio = (ms: number) =>
      refs.length
        ? ratios(ms)
            .map((x) => `**${x.toFixed(1)}×**`)
            .join(' / ')
        : '–';
    const refAcc = run ? run.acc : null;
    const verdict = (ms: number) => {
      if (!refs.length) return '–';
      const fast = Math.min(...ratios(ms)) >= 10;
      return fast && (refAcc === null || acc >= refAcc - 1e-9) ? 'met' : 'missed';
    };
    const cell = (r: MetalScaleRun | null, ms: (r: MetalScaleRun) => number) =>
      r ? `${s2(ms(r))} s: ${ratio(ms(r))}, ${verdict(ms(r))}` : '–';
    body.push([
      id(shape),
      run
        ? `${run.fit_s.toFixed(2)} s, acc ${run.acc.toFixed(3)}, ${(run.peak_rss_mb / 1e3).toFixed(2)} GB`
        : `${ref}${shape.readme ? ` (§3 measured ${shape.readme.fitS} s / ${shape.readme.rssGB} GB)` : ''}`,
      node.engine,
      acc.toFixed(3),
      cell(node, (r) => r.fitMs),
      cell(node, (r) => r.statsMs),
      cell(browser, (r) => r.fitMs),
      cell(browser, (r) => r.statsMs),
      `${s2(node.countCpuMs ?? 0)}`,
      [node.maxDiff, ...(browser ? [browser.maxDiff] : [])].map((x) => x.toExponential(1)).join(' / '),
      browser ? `${browser.acc.toFixed(3)} (${browser.engine})` : '–',
      `${Math.round(rssMB)} MB`,
    ]);
  }
  table(
    'Label model (metal, 500 epochs) at scale, Node, beside Snorkel LabelModel.fit on the same matrices (target ≥ 10× at ≥ its accuracy, memory below Snorkel)',
    [
      'shape',
      'Snorkel LabelModel.fit (transcribed, this run)',
      'engine',
      'our accuracy',
      'Node, from matrix: s, × Snorkel (this run / §3), target',
      'Node, fitFromStats (merge + train)',
      'Chromium, from matrix',
      'Chromium, fitFromStats',
      'worker-side counting CPU s (Node)',
      'max |Δ proba| matrix vs stats (Node / Chromium)',
      'Chromium accuracy',
      'our peak RSS, Node process so far',
    ],
    body,
    [
      `Matrices: ${source}.`,
      "Snorkel: bench/reference/snorkel_lm_fit.py, LabelModel.fit of snorkel 0.10 transcribed onto Debian numpy 1.24 + torch 1.13 (n_epochs 500, lr 0.01, SGD momentum 0.9, seed 123): dense one-hot L, O = LᵀL/n, masked loss. Fit time covers L_ind, O, init, epochs, clamp; peak RSS is that process's.",
      calibration.length
        ? `Fidelity check against ../shared/benchmarks/README.md §3 (real snorkel, same kind of machine): ${calibration.join('; ')}.`
        : 'No shape here was also measured in ../shared/benchmarks/README.md §3 with snorkel.',
      "Target: met when every reference available for the shape is ≥ 10× our time (this run's transcription and §3's snorkel), at no lower accuracy than the transcription's.",
      "Accuracy: argmax (Snorkel tie rule) against the generator's true labels; Snorkel's: argmax, ties to the lowest class.",
      'fitFromStats excludes the row pass that made the counts: in the app that pass runs in the LF workers while they vote (column "worker-side counting CPU"), so the main thread only merges and trains.',
      'Our peak RSS is the Node process high-water mark (tsx + every matrix so far, both fits); `npm run bench:core` measures each model in its own process.',
    ],
  );
}
