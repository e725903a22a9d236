/**
 * LF application throughput: the 20 LFs of the reference benchmark's spec, as Shoal runs them
 * (templates on the Node worker pool, one thread, Chromium's pool) and as a user's LF module
 * through `shoal apply --lfs` (the whole process), beside snorkel's PandasLFApplier and a plain
 * Python loop measured in the same run on the same rows.
 *
 *   npx tsx bench/lf-apply.ts [--data-dir DIR] [--sizes 200000] [--rounds 3] [--workers 2] [--seed 0]
 *                             [--no-browser] [--no-single] [--lf-bench FILE] [--module-workers N]
 *
 * `--workers` sizes the in-process pools; `shoal apply` chooses its own count by measurement
 * (src/cli/worker-choice.ts) unless `--module-workers N` forces one.
 *
 * The references run the reference benchmark's own script (lf_bench.py, `--lf-bench`, by default
 * in the shared benchmark folder beside the repository) with Debian's /usr/bin/python3 and
 * Snorkel's source from SNORKEL_SRC; each is a fresh process per round, alternated with Shoal's
 * runs (Shoal pool, module CLI, Pandas, plain loop, then again), and the table gives medians and
 * the 1-minute load average of each round. Without SNORKEL_SRC, the script, or a reference input
 * file of exactly N rows, the reference rows say why they were not measured.
 *
 * With --data-dir holding the reference inputs (`python3 tools/lf_bench.py gen --n 200000 1000000
 * --seed 0 --out-dir DIR`), fire counts (and at 100k/1M the sha256 of L) are checked against the
 * spec and against Pandas's L of the same run; otherwise a seeded TS port of the reference
 * generator makes similar (not byte-identical) text.
 * As in the reference, reading the rows is not timed for the in-process rows; starting the
 * workers is. The module row is the whole `shoal apply` process as a user waits for it.
 *
 * The Chromium row runs the app's browser pool (module workers, Comlink) in a page built by vite
 * and driven by playwright-core; it is skipped without /usr/bin/chromium or with --no-browser.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Row, RowChunk } from '../src/core/lf/index.ts';
import type { ChunkSource, LfApplyResult, LfPool } from '../src/workers/pool.ts';
import { createNodeLfPool } from '../src/cli/apply-pool.ts';
import { BENCH_CLASSES, BENCH_LFS, SPEC_FIRES, SPEC_L_SHA256 } from './lf-apply-defs.ts';
import { generateRows } from './lf-apply-gen.ts';
import type { PageBenchResult } from './lf-apply-page.ts';
import { lastLine, markedJson, median, PYTHON, runTimed, snorkelSource, timesFaster } from './reference-run.ts';
import { lfIsolatedWorkerPlugin } from '../scripts/lf-isolated-plugin.ts';

const REPO = resolve(import.meta.dirname, '..');
const DEFAULT_LF_BENCH = resolve(REPO, '..', 'shared', 'benchmarks', 'tools', 'lf_bench.py');
/** The spec's LFs as a user's module: all functions, then the templates declared as data. */
const MODULES = [
  { file: resolve(import.meta.dirname, 'lf-apply-spec-lfs.mjs'), what: 'the spec LFs as functions' },
  { file: resolve(import.meta.dirname, 'lf-apply-spec-templates.mjs'), what: '18 spec LFs declared as templates, 2 functions' },
];

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

interface Summary {
  fires: number[];
  sha256: string;
  errors: string[];
}

/** Fire counts per LF and the sha256 of L (int8, row-major n × m), as the spec defines them. */
function summarizeL(L: Int8Array, n: number, m: number, errors: string[] = []): Summary {
  const fires = new Array<number>(m).fill(0);
  for (let i = 0; i < n * m; i++) if (L[i] >= 0) fires[i % m]++;
  return { fires, sha256: createHash('sha256').update(L).digest('hex'), errors };
}

function summarize(res: LfApplyResult, n: number): Summary {
  const m = res.lfs.length;
  const L = new Int8Array(n * m);
  res.lfs.forEach((lf, j) => {
    for (let i = 0; i < n; i++) L[i * m + j] = lf.votes[i];
  });
  return summarizeL(
    L,
    n,
    m,
    res.lfs.filter((l) => l.error).map((l) => `${l.name}: ${l.error!.message}`),
  );
}

/** L of a `shoal apply` output folder, rows back in file order (each split's ids are file positions). */
function summarizeApplyOut(dir: string, n: number, m: number): Summary {
  const L = new Int8Array(n * m);
  for (const split of ['train', 'valid', 'test']) {
    const d = JSON.parse(readFileSync(join(dir, `${split}.json`), 'utf8')) as Record<string, { weak_labels: number[] }>;
    for (const [id, ex] of Object.entries(d)) L.set(ex.weak_labels, Number(id) * m);
  }
  return summarizeL(L, n, m);
}

/** How an L compares with the spec (100k, 1M) and with the L Pandas produced in this run. */
function verdict(r: Summary, n: number, exact: boolean, pandasSha?: string): string {
  if (r.errors.length) return `LF ERRORS: ${r.errors.join('; ')}`;
  const parts: string[] = [];
  if (pandasSha) parts.push(r.sha256 === pandasSha ? 'L = Pandas L (sha256)' : `L DIFFERS from Pandas (${r.sha256.slice(0, 12)})`);
  const want = SPEC_FIRES[n];
  if (exact && want) {
    parts.push(`fires ${r.fires.every((f, j) => f === want[j]) ? '= spec' : 'DIFFER ' + r.fires.join(' ')}`);
    parts.push(`L sha256 ${SPEC_L_SHA256[n] === r.sha256 ? '= spec' : 'DIFFERS ' + r.sha256.slice(0, 12)}`);
  }
  return parts.length ? parts.join(', ') : `fires ${r.fires.join(' ')}`;
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
  // The isolated LF workers' script is a virtual module the app's vite config provides.
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    plugins: [lfIsolatedWorkerPlugin()],
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true },
  });
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

interface PyResult {
  median_s: number;
  read_jsonl_s: number;
  df_build_s: number | null;
  L_sha256: string;
  fire_counts: number[];
  peak_rss_mb: number;
  versions: Record<string, string>;
}

/** One fresh reference process (lf_bench.py's own worker entry): the apply call is timed inside it. */
function pythonApply(lfBench: string, applier: 'pandas' | 'plain', n: number, dataDir: string, snorkelDir: string | null) {
  const spec = { n, applier, data_dir: resolve(dataDir), repeats: 1, snorkel_src: snorkelDir };
  const r = runTimed(PYTHON, [lfBench, '_worker', JSON.stringify(spec)]);
  const res = r.ok ? markedJson<PyResult>(r.stdout, '@@RESULT@@ ') : null;
  return res ? { ...r, res, why: '' } : { ...r, res: null, why: `failed: ${lastLine(r.stderr).slice(0, 160)}` };
}

async function main(): Promise<void> {
  const sizes = (flag('sizes', '200000') ?? '').split(',').map(Number);
  const workers = Number(flag('workers', '2'));
  // `shoal apply` chooses its worker count by timing the first chunks; --module-workers N forces it.
  const moduleWorkers = flag('module-workers');
  const seed = Number(flag('seed', '0'));
  const rounds = Math.max(1, Number(flag('rounds', '3')));
  const dataDir = flag('data-dir');
  const lfBench = resolve(flag('lf-bench', DEFAULT_LF_BENCH)!);
  const withBrowser = !process.argv.includes('--no-browser') && existsSync('/usr/bin/chromium');
  const withSingle = !process.argv.includes('--no-single');
  const snorkel = snorkelSource();
  const snorkelDir = 'dir' in snorkel ? snorkel.dir : null;
  const browser = withBrowser ? await openBrowserBench(dataDir) : null;
  const outDir = join(REPO, 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  const lines: string[] = [];
  const notes: string[] = [];
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const s2 = (ms: number | null) => (ms === null || !Number.isFinite(ms) ? '–' : (ms / 1000).toFixed(2));
  lines.push(
    '| N | applier | what the time includes | s (median) | per round | rows/s | × PandasLFApplier (same run) | CPU s (median) | check |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|');
  for (const n of sizes) {
    const ref = dataDir ? readReference(dataDir, n) : null;
    if (dataDir && !ref) console.error(`(no synth_text_${n}.jsonl with ${n} rows in ${dataDir}: generating instead)`);
    const rows = ref ?? generateRows(n, seed);
    const src = source(rows);
    // The Python worker reads exactly synth_text_N.jsonl; the CLI reads a file too: write generated rows out.
    const exactFile = dataDir && existsSync(join(dataDir, `synth_text_${n}.jsonl`)) ? join(dataDir, `synth_text_${n}.jsonl`) : null;
    let dataFile = exactFile;
    if (!dataFile) {
      dataFile = join(outDir, `lf-apply-generated-${n}-s${seed}.jsonl`);
      if (!existsSync(dataFile)) writeFileSync(dataFile, rows.map((r) => JSON.stringify({ text: r.text })).join('\n') + '\n');
    }
    const pyWhy = !existsSync(lfBench)
      ? `not measured (no ${lfBench})`
      : !exactFile
        ? `not measured (needs --data-dir with synth_text_${n}.jsonl from lf_bench.py gen)`
        : null;
    const pandasWhy = pyWhy ?? (snorkelDir ? null : `not measured (${'missing' in snorkel ? snorkel.missing : ''})`);
    const pool: { ms: number; cpuMs: number; sum: Summary }[] = [];
    const mods: { ms: number; cpuMs: number | null; inner: number | null; chosen: number | null; sum: Summary | null; why?: string }[][] =
      MODULES.map(() => []);
    const pandas: ReturnType<typeof pythonApply>[] = [];
    const plain: ReturnType<typeof pythonApply>[] = [];
    const loads: string[] = [];
    const cliOut = mkdtempSync(join(tmpdir(), 'shoal-lf-apply-cli-'));
    try {
      for (let r = 0; r < rounds; r++) {
        loads.push(loadavg()[0].toFixed(1));
        const p = await timed(() => createNodeLfPool({ size: workers }), src);
        pool.push({ ms: p.ms, cpuMs: p.cpuMs, sum: summarize(p.res, n) });
        console.error(`  round ${r + 1}: Shoal pool ${s2(p.ms)} s`);
        MODULES.forEach((m, k) => {
          // What `npm run shoal -- apply` runs (scripts/shoal.mjs, the cached bundle), without npm's own start.
          const c = runTimed(process.execPath, [
            join(REPO, 'scripts', 'shoal.mjs'),
            'apply',
            '--lfs',
            m.file,
            '--data',
            dataFile,
            ...(moduleWorkers ? ['--workers', moduleWorkers] : []),
            '--out',
            cliOut,
          ]);
          const summary = c.ok ? markedJson<{ ms: number; workers_chosen?: number; workers_reason?: string }>(c.stdout) : null;
          mods[k].push({
            ms: c.wallMs,
            cpuMs: c.cpuMs,
            inner: summary?.ms ?? null,
            chosen: summary?.workers_chosen ?? null,
            sum: c.ok && r === 0 ? summarizeApplyOut(cliOut, n, BENCH_LFS.length) : null,
            why: c.ok ? undefined : `failed: ${lastLine(c.stderr).slice(0, 160)}`,
          });
          console.error(
            `  round ${r + 1}: shoal apply --lfs (${m.what}) ${s2(c.wallMs)} s, CPU ${s2(c.cpuMs)} s${c.ok ? `; ${summary?.workers_reason ?? ''}` : ' ' + lastLine(c.stderr)}`,
          );
        });
        if (!pandasWhy) {
          const pr = pythonApply(lfBench, 'pandas', n, dataDir!, snorkelDir);
          pandas.push(pr);
          console.error(`  round ${r + 1}: Pandas ${pr.res ? pr.res.median_s.toFixed(2) + ' s apply' : pr.why}`);
        }
        if (!pyWhy) {
          const pr = pythonApply(lfBench, 'plain', n, dataDir!, null);
          plain.push(pr);
          console.error(`  round ${r + 1}: plain loop ${pr.res ? pr.res.median_s.toFixed(2) + ' s' : pr.why}`);
        }
      }
    } finally {
      rmSync(cliOut, { recursive: true, force: true });
    }
    const okPandas = pandas.filter((x) => x.res);
    const pandasApplyMs = okPandas.length ? median(okPandas.map((x) => x.res!.median_s * 1000)) : null;
    const pandasProcMs = okPandas.length ? median(okPandas.map((x) => x.wallMs)) : null;
    const pandasSha = okPandas[0]?.res?.L_sha256;
    const pandasRowWhy = pandasWhy ?? (okPandas.length ? null : `not measured (${pandas[0]?.why ?? 'no run'})`);
    const row = (name: string, what: string, msList: number[], cpu: number | null, refMs: number | null, check: string) => {
      const ms = median(msList);
      lines.push(
        `| ${fmt(n)} | ${name} | ${what} | ${s2(ms)} | ${msList.map((x) => s2(x)).join(' / ')} | ${fmt(n / (ms / 1000))} | ${timesFaster(refMs, ms, pandasRowWhy ?? 'not measured')} | ${s2(cpu)} | ${check} |`,
      );
      console.error(lines.at(-1));
    };
    row(
      `Shoal Node worker pool, template LFs (${workers} threads)`,
      'pool start + apply (rows in memory)',
      pool.map((x) => x.ms),
      median(pool.map((x) => x.cpuMs)),
      pandasApplyMs,
      verdict(pool[0].sum, n, ref !== null, pandasSha),
    );
    MODULES.forEach((m, k) => {
      const mod = mods[k];
      const okMod = mod.filter((x) => !x.why);
      if (okMod.length) {
        row(
          `\`shoal apply --lfs\`, ${m.what} (${moduleWorkers ? `--workers ${moduleWorkers}` : `workers chosen: ${okMod.map((x) => x.chosen ?? '?').join(' / ')}`})`,
          'the whole process: start, read JSONL, apply, write WRENCH JSON; × is against the whole Pandas process below',
          okMod.map((x) => x.ms),
          okMod.every((x) => x.cpuMs !== null) ? median(okMod.map((x) => x.cpuMs!)) : null,
          pandasProcMs,
          (mod[0].sum ? verdict(mod[0].sum, n, ref !== null, pandasSha) : '') +
            `; its own apply time (\`ms\`, workers included) ${okMod.map((x) => s2(x.inner)).join(' / ')} s`,
        );
      } else lines.push(`| ${fmt(n)} | \`shoal apply --lfs\`, ${m.what} | ${mod[0]?.why ?? 'not run'} | | | | | | |`);
    });
    if (withSingle) {
      // One worker thread: code LFs compile only in a hardened realm, which this process is not.
      const single = await timed(() => createNodeLfPool({ size: 1 }), src);
      row(
        'Shoal, 1 Node worker thread (once, after the rounds)',
        'pool start + apply',
        [single.ms],
        single.cpuMs,
        pandasApplyMs,
        verdict(summarize(single.res, n), n, ref !== null, pandasSha),
      );
    }
    if (browser) {
      const b = await browser.run(n, seed, workers);
      row(
        `Shoal Chromium worker pool (${workers} isolated LF workers, once)`,
        'pool start + apply',
        [b.ms],
        null,
        pandasApplyMs,
        verdict(b, n, b.exact, pandasSha) + (b.crossOriginIsolated ? '' : ' (not isolated)'),
      );
    }
    if (okPandas.length) {
      const ms = okPandas.map((x) => x.res!.median_s * 1000);
      lines.push(
        `| ${fmt(n)} | snorkel PandasLFApplier (SNORKEL_SRC, /usr/bin/python3) | apply() only (DataFrame built, rows read, not timed) | ${s2(median(ms))} | ${ms.map((x) => s2(x)).join(' / ')} | ${fmt(n / (median(ms) / 1000))} | 1.0× | – | fires ${okPandas[0].res!.fire_counts.join(' ')} |`,
      );
      const proc = okPandas.map((x) => x.wallMs);
      lines.push(
        `| ${fmt(n)} | … the same Pandas process end to end | interpreter start, imports, read JSONL, DataFrame, apply | ${s2(median(proc))} | ${proc.map((x) => s2(x)).join(' / ')} | ${fmt(n / (median(proc) / 1000))} | 1.0× (vs the module row) | ${s2(median(okPandas.map((x) => x.cpuMs ?? NaN)))} | peak RSS ${okPandas[0].peakRssMB?.toFixed(0) ?? '–'} MB |`,
      );
      notes.push(`Pandas versions: ${JSON.stringify(okPandas[0].res!.versions)}; snorkel from ${snorkelDir}.`);
    } else lines.push(`| ${fmt(n)} | snorkel PandasLFApplier | ${pandasRowWhy} | | | | | | |`);
    const okPlain = plain.filter((x) => x.res);
    if (okPlain.length) {
      const ms = okPlain.map((x) => x.res!.median_s * 1000);
      lines.push(
        `| ${fmt(n)} | plain Python loop (lf_bench.py) | the loop only | ${s2(median(ms))} | ${ms.map((x) => s2(x)).join(' / ')} | ${fmt(n / (median(ms) / 1000))} | ${timesFaster(pandasApplyMs, median(ms), pandasRowWhy ?? 'not measured')} | – | ${okPlain[0].res!.L_sha256 === pandasSha ? 'L = Pandas L' : 'fires ' + okPlain[0].res!.fire_counts.join(' ')} |`,
      );
    } else lines.push(`| ${fmt(n)} | plain Python loop | ${pyWhy ?? plain[0]?.why ?? 'not run'} | | | | | | |`);
    notes.push(`N = ${fmt(n)}: 1-minute load average at the start of each round: ${loads.join(', ')}.`);
  }
  await browser?.close();
  console.log(`\nLF apply: 20 LFs (lf-bench-spec.md), ${dataDir ? 'reference input from ' + dataDir : `generated input (seed ${seed})`}`);
  // Wall-clock rows/s depend on what else runs: state the load so a slow row can be read right.
  console.log(
    `${cpus().length} CPUs, ${rounds} rounds alternated (Shoal pool, shoal apply module, Pandas, plain loop), medians; 1-min load average at the end: ${loadavg()[0].toFixed(1)}\n`,
  );
  console.log(lines.join('\n'));
  console.log('\n' + notes.map((x) => `- ${x}`).join('\n'));
}

await main();
