/**
 * LF application throughput: the 20 LFs of the reference benchmark's spec over 100k and
 * 1M rows, inline (one thread), through the Node worker-thread pool and through the browser pool
 * in headless Chromium, beside the Python
 * reference (snorkel PandasLFApplier and a plain loop, measured on this kind of machine).
 *
 *   npx tsx bench/lf-apply.ts [--data-dir DIR] [--sizes 100000,1000000] [--workers 2] [--seed 0] [--no-browser]
 *
 * The Chromium row runs the app's browser pool (module workers, Comlink) in a page built by vite
 * and driven by playwright-core; it is skipped without /usr/bin/chromium or with --no-browser.
 *
 * With --data-dir holding the reference inputs (`python3 tools/lf_bench.py gen --n 100000 1000000
 * --seed 0 --out-dir DIR`), fire counts and the sha256 of L are checked against the spec;
 * otherwise a seeded TS port of the reference generator makes similar (not byte-identical) text.
 * As in the reference, reading/generating the rows is not timed; starting the workers is.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Row, RowChunk } from '../src/core/lf/index.ts';
import type { ChunkSource, LfApplyResult, LfPool } from '../src/workers/pool.ts';
import { createNodeLfPool } from '../src/cli/apply-pool.ts';
import { BENCH_CLASSES, BENCH_LFS, SPEC_FIRES, SPEC_L_SHA256 } from './lf-apply-defs.ts';
import { generateRows } from './lf-apply-gen.ts';
import type { PageBenchResult } from './lf-apply-page.ts';

/** Python reference rows/s, measured on this kind of machine: PandasLFApplier and the plain loop. */
const PY = {
  100000: { pandas: 4102, plain: 49771 },
  1000000: { pandas: 3642, plain: 47732 },
} as Record<number, { pandas: number; plain: number }>;

function flag(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

function readReference(dir: string, n: number): Row[] | null {
  for (const f of [`synth_text_${n}.jsonl`, 'synth_text_1000000.jsonl']) {
    const p = join(dir, f);
    if (!existsSync(p)) continue;
    const text = readFileSync(p, 'utf8');
    const rows: Row[] = [];
    let start = 0;
    while (rows.length < n && start < text.length) {
      const end = text.indexOf('\n', start);
      rows.push(JSON.parse(text.slice(start, end < 0 ? undefined : end)));
      start = end < 0 ? text.length : end + 1;
    }
    if (rows.length === n) return rows;
  }
  return null;
}

function source(rows: Row[], chunkSize = 1000): ChunkSource {
  const chunks: RowChunk[] = [];
  for (let s = 0; s < rows.length; s += chunkSize) chunks.push({ start: s, rows: rows.slice(s, s + chunkSize) });
  return { rowCount: rows.length, chunkCount: chunks.length, read: (i) => chunks[i] };
}

/** Fire counts per LF and the sha256 of L (int8, row-major n × m), as the spec defines them. */
function summarize(res: LfApplyResult, n: number): { fires: number[]; sha256: string; errors: string[] } {
  const m = res.lfs.length;
  const L = new Int8Array(n * m);
  res.lfs.forEach((lf, j) => {
    for (let i = 0; i < n; i++) L[i * m + j] = lf.votes[i];
  });
  return {
    fires: res.lfs.map((l) => l.votes.reduce((a, v) => a + (v >= 0 ? 1 : 0), 0)),
    sha256: createHash('sha256').update(L).digest('hex'),
    errors: res.lfs.filter((l) => l.error).map((l) => `${l.name}: ${l.error!.message}`),
  };
}

function verdict(r: { fires: number[]; sha256: string; errors: string[] }, n: number, exact: boolean): string {
  if (r.errors.length) return `LF ERRORS: ${r.errors.join('; ')}`;
  if (!exact) return `fires ${r.fires.join(' ')}`;
  const want = SPEC_FIRES[n];
  const firesOk = want !== undefined && r.fires.every((f, j) => f === want[j]);
  const shaOk = SPEC_L_SHA256[n] === r.sha256;
  return `fires ${firesOk ? '= spec' : 'DIFFER ' + r.fires.join(' ')}, L sha256 ${shaOk ? '= spec' : 'DIFFERS ' + r.sha256.slice(0, 12)}`;
}

const COI = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/** Build bench/lf-apply-page.ts with vite into a temp folder, serve it isolated, open Chromium. */
async function openBrowserBench(dataDir: string | undefined) {
  const root = mkdtempSync(join(tmpdir(), 'shoal-lf-bench-'));
  const page = fileURLToPath(new URL('./lf-apply-page.ts', import.meta.url));
  writeFileSync(
    join(root, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>lf bench</title><script type="module" src="./main.ts"></script>\n',
  );
  writeFileSync(join(root, 'main.ts'), `import ${JSON.stringify(page)};\n`);
  const { build, preview } = await import('vite');
  const outDir = join(root, 'dist');
  await build({ root, configFile: false, logLevel: 'warn', worker: { format: 'es' }, build: { outDir, emptyOutDir: true } });
  // The reference inputs are served beside the page (copied: they stay out of the repo).
  if (dataDir) for (const f of readdirSync(dataDir)) if (/^synth_text_\d+\.jsonl$/.test(f)) copyFileSync(join(dataDir, f), join(outDir, f));
  const server = await preview({
    root,
    configFile: false,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, headers: COI },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL');
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--disable-gpu', '--no-first-run'] });
  const tab = await browser.newPage();
  await tab.goto(url);
  await tab.waitForFunction(() => 'shoalLfBench' in globalThis);
  const files = dataDir ? readdirSync(outDir).filter((f) => f.startsWith('synth_text_')) : [];
  return {
    async run(n: number, seed: number, workers: number): Promise<PageBenchResult & { exact: boolean }> {
      // The 100k reference is the first 100k lines of the 1M file.
      const file = files.find((f) => f === `synth_text_${n}.jsonl`) ?? files.find((f) => Number(f.match(/\d+/)![0]) >= n);
      const r = await tab.evaluate(
        (o) => (globalThis as unknown as { shoalLfBench: (o: unknown) => Promise<PageBenchResult> }).shoalLfBench(o),
        { n, seed, workers, dataUrl: file ? `${url}${file}` : undefined },
      );
      return { ...r, exact: file !== undefined };
    },
    async close() {
      await browser.close();
      await new Promise<void>((ok) => server.httpServer.close(() => ok()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Wall time, and CPU time of the whole process (all threads): the machine may be shared. */
async function timed(pool: () => LfPool | Promise<LfPool>, src: ChunkSource): Promise<{ ms: number; cpuMs: number; res: LfApplyResult }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const p = await pool();
  try {
    const res = await p.applyLfs(BENCH_LFS, BENCH_CLASSES, src);
    const c = process.cpuUsage(c0);
    return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, res };
  } finally {
    p.close();
  }
}

async function main(): Promise<void> {
  const sizes = (flag('sizes', '100000,1000000') ?? '').split(',').map(Number);
  const workers = Number(flag('workers', '2'));
  const seed = Number(flag('seed', '0'));
  const dataDir = flag('data-dir');
  const withBrowser = !process.argv.includes('--no-browser') && existsSync('/usr/bin/chromium');
  const browser = withBrowser ? await openBrowserBench(dataDir) : null;
  const lines: string[] = [];
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  lines.push('| N | applier | s | rows/s | × PandasLFApplier | × plain Python loop | CPU s (all threads) | check |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const n of sizes) {
    const ref = dataDir ? readReference(dataDir, n) : null;
    if (dataDir && !ref) console.error(`(no synth_text_${n}.jsonl with ${n} rows in ${dataDir}: generating instead)`);
    const rows = ref ?? generateRows(n, seed);
    const src = source(rows);
    const py = PY[n];
    const row = (name: string, ms: number, cpuMs: number | null, check: string) => {
      const rps = n / (ms / 1000);
      const vs = (x: number | undefined) => (x ? `${(rps / x).toFixed(1)}×` : '–');
      lines.push(
        `| ${fmt(n)} | ${name} | ${(ms / 1000).toFixed(2)} | ${fmt(rps)} | ${vs(py?.pandas)} | ${vs(py?.plain)} | ${cpuMs === null ? '–' : (cpuMs / 1000).toFixed(2)} | ${check} |`,
      );
      console.error(lines.at(-1));
    };
    // One worker thread: code LFs compile only in a hardened realm, which this process is not.
    const single = await timed(() => createNodeLfPool({ size: 1 }), src);
    row('Shoal, 1 Node worker thread (start-up included)', single.ms, single.cpuMs, verdict(summarize(single.res, n), n, ref !== null));
    const pooled = await timed(() => createNodeLfPool({ size: workers }), src);
    row(
      `Shoal Node worker pool (${workers} threads, start-up included)`,
      pooled.ms,
      pooled.cpuMs,
      verdict(summarize(pooled.res, n), n, ref !== null),
    );
    if (browser) {
      const b = await browser.run(n, seed, workers);
      row(
        `Shoal Chromium worker pool (${workers} isolated LF workers, start-up included)`,
        b.ms,
        null,
        verdict(b, n, b.exact) + (b.crossOriginIsolated ? '' : ' (not isolated)'),
      );
    }
    if (py) {
      lines.push(
        `| ${fmt(n)} | snorkel PandasLFApplier (Python reference) | ${(n / py.pandas).toFixed(2)} | ${fmt(py.pandas)} | 1.0× | – | | |`,
      );
      lines.push(
        `| ${fmt(n)} | plain Python loop (reference) | ${(n / py.plain).toFixed(2)} | ${fmt(py.plain)} | ${(py.plain / py.pandas).toFixed(1)}× | 1.0× | | |`,
      );
    }
  }
  await browser?.close();
  console.log(`\nLF apply: 20 LFs (lf-bench-spec.md), ${dataDir ? 'reference input from ' + dataDir : `generated input (seed ${seed})`}`);
  // Wall-clock rows/s depend on what else runs: state the load so a slow row can be read right.
  console.log(`${cpus().length} CPUs, 1-min load average at the end: ${loadavg()[0].toFixed(1)}\n`);
  console.log(lines.join('\n'));
}

await main();
