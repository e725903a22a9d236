/**
 * `npm run bench:scale [-- --only import,apply,edit,labelmodel,distill,browse] [--quick] [--no-browser]`
 * `npm run bench:scale -- --only hospital [--rows 500000] [--seed 1] [--no-build] [--step-timeout S] [--skip classifier,…] [--profile edit-word]`
 *
 * The product's targets at scale, measured in Node and in headless Chromium and printed as
 * Markdown tables beside the Python references measured on this kind of machine
 * (bench/NOTES.md, "What every figure shares"):
 * - import: 1M rows (≈200 MB CSV) into IndexedDB through the import worker (Chromium): longest
 *   main-thread task (PerformanceObserver 'longtask'), longest frame gap, peak memory;
 * - apply: the 20 spec LFs over 1M rows on a 2-worker pool (bench:apply measures snorkel's
 *   PandasLFApplier in the same run; this table does not divide by a Pandas figure), plus
 *   the worker-side statistics path (pool `stats: true` → `fitFromStats`) vs fit-from-matrix;
 * - edit: edit one LF on 100k rows → that LF re-run → analyze → label model refit + predict;
 * - labelmodel: metal at 1M×50 (k=2, 5) and 100k×200 (k=6), from the matrix and from merged
 *   per-chunk statistics, beside Snorkel's LabelModel.fit on the same matrices (scale-labelmodel.ts);
 * - distill: the distilled classifier on 100k generated documents with a hidden labelling rule;
 * - browse: the studio's data browser (scroll frame intervals over a long virtualized list,
 *   filter latency), when the UI is present.
 * - hospital (only when named): the built app, driven through its screens over N long
 *   clinical-note-like documents (default 500k, ≈1.5 GB); see scale-hospital.ts.
 * `--quick` uses 100k rows where the full run uses 1M (a couple of minutes in all).
 *
 * The machine has 2 cores and is shared: CPU time is printed beside wall time where it can be
 * read (Node: process CPU, all threads; Chromium: all Chromium processes, from /proc).
 */
import { createWriteStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mulberry32 } from '../src/core/rng.ts';
import { createNodeLfPool } from '../src/cli/apply-pool.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/harness.ts';
import { procTree } from './chromium-proc.ts';
import { generateRows } from './lf-apply-gen.ts';
import { applyRun, editLoop, type ApplyRun, type EditLoopResult } from './scale-loop.ts';
import { partDistill } from './scale-distill.ts';
import { partLabelModel } from './scale-labelmodel.ts';
import { HOSPITAL_STEPS, partHospital } from './scale-hospital.ts';

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const QUICK = args.includes('--quick');
const PARTS = ['import', 'apply', 'edit', 'labelmodel', 'distill', 'browse'];
// The hospital-scale run takes minutes to hours by itself: only when asked for.
const OPT_IN = ['hospital'];
const only = (flag('only') ?? PARTS.join(',')).split(',');
for (const p of only)
  if (!PARTS.includes(p) && !OPT_IN.includes(p)) throw new Error(`unknown part "${p}"; parts: ${[...PARTS, ...OPT_IN].join(', ')}`);
const HOSPITAL_ROWS = Number(flag('rows') ?? 500_000);
for (const k of (flag('skip') ?? '').split(',').filter(Boolean))
  if (!(HOSPITAL_STEPS as readonly string[]).includes(k))
    throw new Error(`--skip: unknown step "${k}"; steps: ${HOSPITAL_STEPS.join(', ')}`);
if (!Number.isInteger(HOSPITAL_ROWS) || HOSPITAL_ROWS < 1) throw new Error(`--rows must be a positive whole number, not "${flag('rows')}"`);
const BROWSER = !args.includes('--no-browser') && existsSync(CHROMIUM);
const BIG = QUICK ? 100_000 : 1_000_000;
const WORKERS = 2;

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
const s2 = (ms: number) => (ms / 1000).toFixed(2);
const out: string[] = [];
function table(title: string, head: string[], rows: (string | number)[][], notes: string[] = []): void {
  const lines = [
    `\n### ${title}\n`,
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    ...(notes.length ? ['', ...notes.map((n) => `- ${n}`)] : []),
  ];
  out.push(...lines);
  console.error(lines.join('\n'));
}

async function openBrowser() {
  const { createServer } = await import('vite');
  const { chromium } = await import('playwright-core');
  const server = await createServer({ configFile: resolve('vite.config.ts'), logLevel: 'silent', server: { host: '127.0.0.1', port: 0 } });
  await server.listen();
  const origin = new URL(server.resolvedUrls!.local[0]).origin;
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const pid = process.pid;
  const context = await browser.newContext();
  const page = await context.newPage();
  // A page of the app's origin without the app (so nothing else runs), cross-origin isolated by
  // the dev server's headers.
  await page.goto(`${origin}/bench/scale.html`, { waitUntil: 'load' });
  await page.evaluate(`import('/bench/scale-page.ts')`);
  await page.waitForFunction(() => 'shoalScale' in globalThis, undefined, { timeout: 120_000 });
  return {
    page,
    context,
    origin,
    tree: () => procTree(pid),
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
type Browser = Awaited<ReturnType<typeof openBrowser>>;

/** Peak RSS of the Chromium process tree while `fn` runs (sampled every 200 ms). */
async function sampled<T>(
  b: Browser,
  fn: () => Promise<T>,
): Promise<{ value: T; ms: number; cpuMs: number; cpuByType: Record<string, number>; peakMB: number; rendererPeakMB: number }> {
  const c0 = b.tree();
  let peak = c0.rssMB;
  let rendererPeak = c0.rendererMB;
  const timer = setInterval(() => {
    const t = b.tree();
    peak = Math.max(peak, t.rssMB);
    rendererPeak = Math.max(rendererPeak, t.rendererMB);
  }, 200);
  const t0 = performance.now();
  try {
    const value = await fn();
    const ms = performance.now() - t0;
    const c1 = b.tree();
    const cpuByType = Object.fromEntries(Object.entries(c1.cpuByType).map(([k, v]) => [k, v - (c0.cpuByType[k] ?? 0)]));
    return {
      value,
      ms,
      cpuMs: c1.cpuMs - c0.cpuMs,
      cpuByType,
      peakMB: Math.max(peak, c1.rssMB),
      rendererPeakMB: Math.max(rendererPeak, c1.rendererMB),
    };
  } finally {
    clearInterval(timer);
  }
}

// ─── import (Chromium) ─────────────────────────────────────────────────────────────────────────

const WORDS =
  'free money offer click now meeting tomorrow report attached please review winner prize urgent account verify lunch project update'.split(
    ' ',
  );

/**
 * A CSV of `rows` rows ≈ `bytesPerRow` bytes each: the `text` column is the spec generator's
 * text (so the 20 LFs fire at the reference rates when applied to the imported rows), a `note`
 * column of filler words brings each row to the size the import target's "≈200 MB for 1M rows" implies.
 */
async function writeCsv(path: string, rows: number, bytesPerRow: number): Promise<void> {
  const stream = createWriteStream(path);
  const rng = mulberry32(1);
  const texts = generateRows(rows, 0);
  const write = (s: string) => (stream.write(s) ? Promise.resolve() : new Promise<void>((r) => stream.once('drain', () => r())));
  await write('id,text,label,note\n');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    const t = String(texts[i].text).replace(/"/g, '""');
    let note = '';
    while (t.length + note.length < bytesPerRow - 20) note += (note ? ' ' : '') + WORDS[Math.floor(rng() * WORDS.length)];
    buf += `${i},"${t}",${rng() < 0.3 ? 'spam' : 'ham'},"${note}, ""quoted"""\n`;
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  await new Promise<void>((r) => stream.end(() => r()));
}

async function partImport(b: Browser): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-scale-import-'));
  const path = join(dir, 'bench.csv');
  try {
    await writeCsv(path, BIG, 200);
    const mb = statSync(path).size / 1e6;
    const cdp = await b.context.newCDPSession(b.page);
    await cdp.send('Performance.enable');
    await b.page.evaluate(`(async () => {
      window.__imp = await import('/src/app/import.ts');
      window.__db = await import('/src/storage/dexie.ts');
      window.__chunks = await import('/src/workers/lf-chunk-reader.ts');
      window.__pool = await import('/src/workers/pool-browser.ts');
      window.__defs = await import('/bench/lf-apply-defs.ts');
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'bench-file';
      document.body.append(input);
    })()`);
    await b.page.setInputFiles('#bench-file', path);
    let heapPeak = 0;
    const heapTimer = setInterval(() => {
      cdp
        .send('Performance.getMetrics')
        .then((r) => (heapPeak = Math.max(heapPeak, r.metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0)))
        .catch(() => {});
    }, 250);
    type R = {
      ok: boolean;
      message: string;
      rows: number;
      ms: number;
      longest: number;
      longCount: number;
      longTotal: number;
      worstGap: number;
      usage: number;
      observerWorks: boolean;
    };
    const r = await sampled(
      b,
      () =>
        b.page.evaluate(`(async () => {
        const s = await window.__db.openDexieStorage({ name: 'shoal-scale-import', watchTabs: false });
        const project = await s.createProject('bench');
        const file = document.getElementById('bench-file').files[0];
        const long = [];
        const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) long.push(e.duration); });
        obs.observe({ type: 'longtask' });
        // Self-check: an 80 ms task must be reported, or "no long task" would mean nothing.
        await new Promise((r) => setTimeout(() => { const t = performance.now(); while (performance.now() - t < 80); r(); }, 0));
        await new Promise((r) => setTimeout(r, 100));
        const observerWorks = long.length > 0;
        long.length = 0;
        let last = performance.now(), worstGap = 0, running = true;
        const tick = () => { const now = performance.now(); worstGap = Math.max(worstGap, now - last); last = now; if (running) requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
        const t0 = performance.now();
        const out = await window.__imp.startImport(file, { projectId: project.id, classes: ['ham', 'spam'] }, { dbName: 'shoal-scale-import' }).done;
        const ms = performance.now() - t0;
        running = false;
        await new Promise((r) => setTimeout(r, 100));
        obs.disconnect();
        const est = await navigator.storage.estimate();
        window.__version = out.ok ? await s.getVersion(out.summary.versionId) : null;
        s.close();
        return { ok: out.ok, message: out.ok ? '' : out.message, rows: out.ok ? out.summary.rows : 0, ms, longest: Math.max(0, ...long), longCount: long.length,
          longTotal: long.reduce((a, b) => a + b, 0), worstGap, usage: est.usage, observerWorks };
      })()`) as Promise<R>,
    );
    clearInterval(heapTimer);
    const v = r.value;
    if (!v.ok) throw new Error(`import failed: ${v.message}`);
    if (!v.observerWorks) throw new Error('the longtask observer did not see an 80 ms task: long tasks cannot be measured in this browser');
    table(
      `Import into IndexedDB (Chromium, import worker), ${fmt(v.rows)} rows, ${mb.toFixed(0)} MB CSV`,
      [
        'rows',
        'MB',
        's',
        'rows/s',
        'MB/s',
        'longest main-thread task',
        'long tasks (count, total)',
        'longest frame gap',
        'peak JS heap, page thread (CDP)',
        'peak RSS, tab (renderer process, page + workers)',
        'peak RSS, all Chromium processes',
        'IndexedDB usage',
        'CPU s (Chromium)',
        'target: no task > 50 ms',
      ],
      [
        [
          fmt(v.rows),
          mb.toFixed(0),
          s2(v.ms),
          fmt(v.rows / (v.ms / 1000)),
          (mb / (v.ms / 1000)).toFixed(1),
          `${v.longest.toFixed(0)} ms`,
          `${v.longCount}, ${v.longTotal.toFixed(0)} ms`,
          `${v.worstGap.toFixed(0)} ms`,
          `${(heapPeak / 1e6).toFixed(0)} MB`,
          `${r.rendererPeakMB.toFixed(0)} MB`,
          `${r.peakMB.toFixed(0)} MB`,
          `${(v.usage / 1e6).toFixed(0)} MB`,
          s2(r.cpuMs),
          v.longest <= 50 ? 'met' : 'missed',
        ],
      ],
      [
        'Long tasks are main-thread tasks over 50 ms as Chromium reports them (the page does nothing but the import; the observer is checked first with an 80 ms busy task, which it must report); the frame gap is the longest interval between requestAnimationFrame callbacks (headless Chromium still ticks rAF).',
        'Memory is sampled every 200 ms from /proc. The tab is its renderer process (the page and its dedicated workers, the import worker included); the all-process sum adds the browser, GPU, network and storage processes and counts shared pages more than once. IndexedDB writes happen in the storage process. performance.measureUserAgentSpecificMemory is not used: in headless Chromium here it did not resolve within 15 s (it waits for a garbage collection). The Python reference has no import step (pandas read_csv is not measured there).',
        "The CSV: `text` is the spec generator's text (bench/lf-apply-gen.ts), padded by a `note` column of filler words to ≈200 bytes a row.",
      ],
    );

    // The app's path for LF runs on the imported rows: the workers read the stored chunks from
    // IndexedDB themselves, the page thread only schedules. Long tasks watched again.
    type A = {
      ms: number;
      rows: number;
      longest: number;
      longCount: number;
      worstGap: number;
      stats: boolean;
      fires: number[];
      errors: string[];
    };
    // Run 1 starts the workers (timed, as everywhere else); run 2 reuses them (warm).
    // The spec set has code LFs: the app runs it on isolated workers, whose chunks the chunk
    // server reads from IndexedDB and relays (the page's workers refuse code LFs).
    await b.page.evaluate(
      `(async () => { window.__lfPool = (await import('/src/workers/pool-isolated.ts')).createIsolatedLfPool(${WORKERS}); })()`,
    );
    const appRun = () =>
      sampled(
        b,
        () =>
          b.page.evaluate(`(async () => {
        const long = [];
        const obs = new PerformanceObserver((l) => { for (const e of l.getEntries()) long.push(e.duration); });
        obs.observe({ type: 'longtask' });
        let last = performance.now(), worstGap = 0, running = true;
        const tick = () => { const now = performance.now(); worstGap = Math.max(worstGap, now - last); last = now; if (running) requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
        const t0 = performance.now();
        const res = await window.__lfPool.applyLfs(window.__defs.BENCH_LFS, [...window.__defs.BENCH_CLASSES], window.__chunks.storedChunkSource(window.__version, 'shoal-scale-import'), { stats: true });
        const ms = performance.now() - t0;
        running = false;
        await new Promise((r) => setTimeout(r, 100));
        obs.disconnect();
        return { ms, rows: res.rows, longest: Math.max(0, ...long), longCount: long.length, worstGap, stats: res.stats != null,
          fires: res.lfs.map((l) => l.votes.reduce((a, v) => a + (v >= 0 ? 1 : 0), 0)), errors: res.lfs.filter((l) => l.error).map((l) => l.name + ': ' + l.error.message) };
      })()`) as Promise<A>,
      );
    const a = await appRun();
    const warm = await appRun();
    // What reading alone costs: every chunk's text column (rows sliced out, as the LF worker does), two reads in flight, on the page thread.
    const read = await sampled(
      b,
      () =>
        b.page.evaluate(`(async () => {
        const s = await window.__db.openDexieStorage({ name: 'shoal-scale-import', watchTabs: false });
        const v = window.__version;
        const t0 = performance.now();
        let next = 0, chars = 0;
        const reader = async () => { for (let i = next++; i < v.chunkCount; i = next++) { const c = await s.getChunkColumns(v.id, i, ['text']); const col = c.columns[0]; if (Array.isArray(col)) { for (const t of col) chars += t.length; } else { for (let r = 0; r < c.length; r++) chars += col.text.slice(col.offsets[r], col.offsets[r + 1]).length; } } };
        await Promise.all([reader(), reader()]);
        const ms = performance.now() - t0;
        s.close();
        return { ms, chars };
      })()`) as Promise<{ ms: number; chars: number }>,
    );
    // Split by kind: templates on the page's workers, then the code LFs on the isolated pool
    // (sandboxed frames, chunks relayed by the chunk server worker). The app ran them so until it
    // measured the next row; it now runs a set with any code LF on the isolated pool as one job.
    type G = { ms: number; templatesMs: number; codeMs: number; fires: number[]; error: string };
    const grouped = await sampled(
      b,
      () =>
        b.page.evaluate(`(async () => {
        try {
          const iso = await import('/src/workers/pool-isolated.ts');
          // Closed after the CPU sample: the frames' processes take their CPU time with them.
          const pool = (window.__isoPool = iso.createIsolatedLfPool(${WORKERS}));
          const defs = window.__defs.BENCH_LFS;
          const classes = [...window.__defs.BENCH_CLASSES];
          const src = window.__chunks.storedChunkSource(window.__version, 'shoal-scale-import');
          const templates = defs.filter((d) => d.kind !== 'code'), code = defs.filter((d) => d.kind === 'code');
          const t0 = performance.now();
          const r1 = await window.__lfPool.applyLfs(templates, classes, src, { textField: 'text' });
          const t1 = performance.now();
          const r2 = await pool.applyLfs(code, classes, src, { textField: 'text' });
          const t2 = performance.now();
          const byName = new Map([...r1.lfs, ...r2.lfs].map((l) => [l.name, l]));
          const errs = [...r1.lfs, ...r2.lfs].filter((l) => l.error).map((l) => l.name + ': ' + l.error.message);
          return { ms: t2 - t0, templatesMs: t1 - t0, codeMs: t2 - t1, fires: defs.map((d) => byName.get(d.name).votes.reduce((a, v) => a + (v >= 0 ? 1 : 0), 0)), error: errs.join('; ') };
        } catch (e) {
          return { ms: 0, templatesMs: 0, codeMs: 0, fires: [], error: String(e && e.message || e) };
        }
      })()`) as Promise<G>,
    );
    // Alternative: every LF of the set on the isolated pool (one relay, one pass, shared split).
    const isoAll = await sampled(
      b,
      () =>
        b.page.evaluate(`(async () => {
        if (!window.__isoPool) return { ms: 0, fires: [] };
        const defs = window.__defs.BENCH_LFS;
        const t0 = performance.now();
        const r = await window.__isoPool.applyLfs(defs, [...window.__defs.BENCH_CLASSES], window.__chunks.storedChunkSource(window.__version, 'shoal-scale-import'), { textField: 'text' });
        return { ms: performance.now() - t0, fires: r.lfs.map((l) => l.votes.reduce((a, v) => a + (v >= 0 ? 1 : 0), 0)) };
      })()`) as Promise<{ ms: number; fires: number[] }>,
    );
    // The relay's own cost: one code LF that reads nothing and abstains, on the isolated pool.
    const relay = await sampled(
      b,
      () =>
        b.page.evaluate(`(async () => {
        if (!window.__isoPool) return 0;
        const t0 = performance.now();
        await window.__isoPool.applyLfs([{ id: 'noop', name: 'noop', enabled: true, kind: 'code', source: '(x) => null' }], [...window.__defs.BENCH_CLASSES], window.__chunks.storedChunkSource(window.__version, 'shoal-scale-import'));
        return performance.now() - t0;
      })()`) as Promise<number>,
    );
    await b.page.evaluate(`(async () => {
      window.__isoPool?.close();
      window.__lfPool.close();
      await new Promise((r) => { const q = indexedDB.deleteDatabase('shoal-scale-import'); q.onsuccess = q.onerror = q.onblocked = r; });
    })()`);
    const av = a.value;
    const byType = (c: Record<string, number>) =>
      Object.entries(c)
        .filter(([, v]) => v >= 50)
        .sort((x, y) => y[1] - x[1])
        .map(([k, v]) => `${k} ${s2(v)}`)
        .join(', ');
    const runRow = (label: string, r: typeof a) => {
      const v = r.value;
      const rps = v.rows / (v.ms / 1000);
      return [
        label,
        fmt(v.rows),
        s2(v.ms),
        fmt(rps),
        `${v.longest.toFixed(0)} ms (${v.longCount} tasks)`,
        `${v.worstGap.toFixed(0)} ms`,
        v.stats ? 'yes' : 'NO',
        s2(r.cpuMs),
        byType(r.cpuByType),
        fmt(v.rows / (r.cpuMs / 1000 / WORKERS)),
        `${r.rendererPeakMB.toFixed(0)} MB`,
      ];
    };
    table(
      `Apply the 20 spec LFs to the ${fmt(av.rows)} imported rows, workers reading IndexedDB (Chromium, the app's path)`,
      [
        'run',
        'rows',
        's',
        'rows/s',
        'longest main-thread task',
        'longest frame gap',
        'worker-side stats returned',
        'CPU s (Chromium)',
        'CPU s by process',
        'rows/s on 2 idle cores (n ÷ CPU/2)',
        'peak RSS, tab',
      ],
      [
        runRow('first (workers start)', a),
        runRow('second (warm workers)', warm),
        grouped.value.ms > 0
          ? [
              `split by kind: 18 templates on the page's workers (${s2(grouped.value.templatesMs)} s), then the 2 code LFs on the isolated pool (${s2(grouped.value.codeMs)} s)`,
              fmt(av.rows),
              s2(grouped.value.ms),
              fmt(av.rows / (grouped.value.ms / 1000)),
              '',
              '',
              '',
              s2(grouped.cpuMs),
              byType(grouped.cpuByType),
              fmt(av.rows / (grouped.cpuMs / 1000 / WORKERS)),
              `${grouped.rendererPeakMB.toFixed(0)} MB`,
            ]
          : [`split by kind: FAILED (${grouped.value.error})`, '', '', '', '', '', '', '', '', '', ''],
        isoAll.value.ms > 0
          ? [
              `as the app runs them: all 20 LFs on the isolated pool (one job, a set with code LFs)${isoAll.value.fires.join(' ') === av.fires.join(' ') ? '' : ' — FIRES DIFFER'}`,
              fmt(av.rows),
              s2(isoAll.value.ms),
              fmt(av.rows / (isoAll.value.ms / 1000)),
              '',
              '',
              '',
              s2(isoAll.cpuMs),
              byType(isoAll.cpuByType),
              '',
              `${isoAll.rendererPeakMB.toFixed(0)} MB`,
            ]
          : ['isolated pool, all LFs: not run', '', '', '', '', '', '', '', '', '', ''],
        relay.value > 0
          ? [
              'isolated pool, one code LF `(x) => null` (the cost of relaying every chunk, all columns, to the frames)',
              fmt(av.rows),
              s2(relay.value),
              fmt(av.rows / (relay.value / 1000)),
              '',
              '',
              '',
              s2(relay.cpuMs),
              byType(relay.cpuByType),
              '',
              `${relay.rendererPeakMB.toFixed(0)} MB`,
            ]
          : ['isolated pool: not run', '', '', '', '', '', '', '', '', '', ''],
        [
          "read only: every chunk's text column, page thread, 2 reads in flight",
          fmt(av.rows),
          s2(read.value.ms),
          fmt(av.rows / (read.value.ms / 1000)),
          '',
          '',
          '',
          s2(read.cpuMs),
          byType(read.cpuByType),
          '',
          '',
        ],
      ],
      [
        `Fires per LF: ${av.fires.join(' ')}${av.errors.length ? `; errors: ${av.errors.join('; ')}` : ''}${warm.value.fires.join(' ') === av.fires.join(' ') ? ' (both runs)' : `; SECOND RUN DIFFERS: ${warm.value.fires.join(' ')}`}${grouped.value.ms > 0 ? (grouped.value.fires.join(' ') === av.fires.join(' ') ? ', and the same split by kind' : `; SPLIT BY KIND: ${grouped.value.fires.join(' ')}${grouped.value.error ? ` (${grouped.value.error})` : ''}`) : ''}. The CPU column counts every Chromium process (the storage process serving IndexedDB included); "by process" splits it (renderer = the tab: page + LF workers; storage = the storage service).`,
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ─── apply (Node + Chromium) ───────────────────────────────────────────────────────────────────

const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

async function partApply(b: Browser | null): Promise<void> {
  const n = BIG;
  const rows = generateRows(n, 0);
  // Pool start-up is inside the first timed run: the pool spawns its workers lazily.
  const pool = await createNodeLfPool({ size: WORKERS });
  let node: ApplyRun;
  try {
    node = await applyRun(pool, rows, cpuNow);
  } finally {
    pool.close();
  }
  let br: { value: ApplyRun; cpuMs: number; peakMB: number } | null = null;
  if (b)
    br = await sampled(b, () =>
      b.page.evaluate((o) => (globalThis as unknown as { shoalScale: { apply(o: unknown): Promise<ApplyRun> } }).shoalScale.apply(o), {
        n,
        seed: 0,
        workers: WORKERS,
      }),
    );
  if (br) br.value.cpuMs = br.cpuMs; // all Chromium processes over the whole page call (both runs + fits)
  // No Pandas figure here: a ratio needs PandasLFApplier measured in the same run, on the same
  // rows, which bench:apply does (bench/lf-apply.ts); a fixed Pandas speed would mislead.
  const notMeasured = 'not measured here (bench:apply)';
  const row = (name: string, r: ApplyRun, cpu: string, cpuMs: number | null) => {
    const rps = n / (r.ms / 1000);
    // What 2 idle cores would give if the job were CPU-bound: rows per (CPU time / workers).
    const idle = cpuMs === null ? '–' : fmt(n / (cpuMs / 1000 / WORKERS));
    return [name, s2(r.ms), fmt(rps), notMeasured, s2(r.statsMs), cpu, idle];
  };
  const rowsOut = [row(`Node, ${WORKERS} worker threads`, node, `${s2(node.cpuMs ?? 0)} (first run, process, all threads)`, node.cpuMs)];
  if (br)
    rowsOut.push(
      row(
        `Chromium, ${WORKERS} isolated LF workers (as the app runs a set with code LFs)`,
        br.value,
        `${s2(br.cpuMs)} (all Chromium processes, both runs + fits)`,
        null,
      ),
    );
  table(
    `Apply the 20 spec LFs to ${fmt(n)} generated rows`,
    [
      'applier',
      's (start-up incl.)',
      'rows/s',
      '× PandasLFApplier',
      's again, with worker-side stats (warm)',
      'CPU s',
      'rows/s on 2 idle cores (n ÷ CPU/2)',
    ],
    rowsOut,
    [
      'Rows come from the seeded TS port of the reference generator (bench/lf-apply-gen.ts): similar LF fire rates, not byte-identical text. Generating rows is not timed; starting the workers is. Rows are read on the main thread in 1000-row chunks.',
      `Node fires per LF: ${node.fires.join(' ')}${node.errors.length ? `; errors: ${node.errors.join('; ')}` : ''}.`,
    ],
  );
  const statRows = [['Node', s2(node.fitFromMatrixMs), s2(node.fitFromStatsMs), node.maxProbaDiff.toExponential(1)]];
  if (br) statRows.push(['Chromium', s2(br.value.fitFromMatrixMs), s2(br.value.fitFromStatsMs), br.value.maxProbaDiff.toExponential(1)]);
  table(
    `Label model from worker-side statistics, ${fmt(n)} rows × 20 LFs (k=2)`,
    [
      'host',
      'metal fit from the matrix, s (row index + overlap + train)',
      'metal fitFromStats on the merged worker counts, s',
      'max |Δ proba| between the two',
    ],
    statRows,
    [
      'With `stats: true` each LF worker adds the overlap counts of the votes it makes (src/workers/pool-stats.ts); the pool merges one (m·k)² array per worker. Same seed, typed-array engine: the two fits must agree (unit-tested bit for bit in src/workers/pool-stats.test.ts).',
    ],
  );
}

// ─── edit one LF (Node + Chromium) ─────────────────────────────────────────────────────────────

async function partEdit(b: Browser | null): Promise<void> {
  const n = 100_000;
  const reps = QUICK ? 3 : 5;
  const models = ['metal', 'auto'];
  const rows = generateRows(n + 500, 3);
  const pool = await createNodeLfPool({ size: WORKERS });
  let node: EditLoopResult;
  try {
    node = await editLoop(pool, rows.slice(0, n), rows.slice(n), { reps, models });
  } finally {
    pool.close();
  }
  let br: EditLoopResult | null = null;
  if (b)
    br = await b.page.evaluate(
      (o) => (globalThis as unknown as { shoalScale: { edit(o: unknown): Promise<EditLoopResult> } }).shoalScale.edit(o),
      { n, seed: 3, workers: WORKERS, reps, models },
    );
  const body: string[][] = [];
  for (const [host, r] of [
    ['Node', node],
    ['Chromium', br],
  ] as const) {
    if (!r) continue;
    for (const model of models) {
      const s = r.steps[model];
      const totals = r.all[model].map((x) => x.totalMs.toFixed(0)).join(', ');
      body.push([
        host,
        `${model} (${s.backend})`,
        s.lfMs.toFixed(0),
        s.analyzeMs.toFixed(0),
        s.fitMs.toFixed(0),
        s.predictMs.toFixed(0),
        `**${s.totalMs.toFixed(0)}**`,
        totals,
        s.totalMs < 1000 ? 'met' : 'missed',
      ]);
    }
  }
  table(
    `Edit one LF on ${fmt(n)} rows → re-run it, analyze, refit the label model (target < 1 s end to end)`,
    [
      'host',
      'label model',
      'LF re-run ms (pool, that LF only, + 500 dev rows)',
      'analyze ms',
      'fit ms',
      'predict ms',
      'total ms (median)',
      'all runs ms',
      'target',
    ],
    body,
    [
      `The 20 spec LFs were applied once before (Node: ${node.firstApplyMs.toFixed(0)} ms${br ? `, Chromium: ${br.firstApplyMs.toFixed(0)} ms` : ''}, workers warm after that). Each repeat changes kw_free's keywords, re-runs only that LF on the 2-worker pool (rows read on the main thread), replaces its column, runs \`analyze\` and fits + predicts with a fresh model; \`auto\` fits mv, metal, ds, triplet and wmv and keeps the best on a 500-row dev split whose gold is the bench's hidden rule with 10% noise.`,
    ],
  );
}

// ─── data browser (Chromium, needs the studio UI) ──────────────────────────────────────────────

async function partBrowse(b: Browser): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-scale-browse-'));
  const path = join(dir, 'browse.csv');
  try {
    await writeCsv(path, BIG, 200);
    const page = b.page;
    // Import into the app's own database, as the import screen would, then open it in the studio.
    await page.goto(`${b.origin}/bench/scale.html`, { waitUntil: 'load' });
    await page.evaluate(`(async () => {
      window.__imp = await import('/src/app/import.ts');
      window.__db = await import('/src/storage/dexie.ts');
      const input = document.createElement('input');
      input.type = 'file';
      input.id = 'bench-file';
      document.body.append(input);
    })()`);
    await page.setInputFiles('#bench-file', path);
    const imported = (await page.evaluate(`(async () => {
      const s = await window.__db.openDexieStorage({ watchTabs: false });
      const project = await s.createProject('bench-browse');
      const out = await window.__imp.startImport(document.getElementById('bench-file').files[0], { projectId: project.id, classes: ['ham', 'spam'] }).done;
      s.close();
      return out.ok ? out.summary.rows : -1;
    })()`)) as number;
    if (imported !== BIG) throw new Error(`browse: imported ${imported} rows`);
    await page.goto(`${b.origin}/#/home`, { waitUntil: 'load' });
    const t0 = performance.now();
    await page
      .locator('[data-testid="project"][data-project-name="bench-browse"]')
      .getByRole('button', { name: /^(Open|Go to data)$/ })
      .click();
    // Opening ends with a move to the data screen: wait for it, or it would leave the browser again.
    await page.waitForURL(/#\/data/, { timeout: 300_000 });
    await page.getByRole('link', { name: 'Browse' }).click();
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid="browse-count"]')?.textContent?.includes(`of ${n} rows`),
      BIG.toLocaleString('en-US'),
      { timeout: 300_000 },
    );
    const openMs = performance.now() - t0;
    await page.waitForSelector('[data-testid="browse-row"]', { timeout: 60_000 }).catch(async (e) => {
      await page.screenshot({ path: join(tmpdir(), 'shoal-scale-browse.png') });
      throw new Error(
        `no browse rows (screenshot in ${join(tmpdir(), 'shoal-scale-browse.png')}): ${e instanceof Error ? e.message : String(e)}`,
      );
    });
    type Scroll = {
      frames: number;
      seconds: number;
      p50: number;
      p95: number;
      worst: number;
      over20: number;
      over33: number;
      rowsPassed: number;
      domRows: number;
    };
    const scroll = async (jump: boolean) =>
      (await page.evaluate(`(async () => {
        const row = document.querySelector('[data-testid="browse-row"]');
        let el = row.parentElement;
        while (el && el.scrollHeight <= el.clientHeight + 1) el = el.parentElement;
        if (!el) throw new Error('no scrolling ancestor of the browse rows');
        const ivals = [];
        let last = performance.now();
        const end = last + 3000;
        const start = el.scrollTop;
        let rng = 1;
        await new Promise((done) => {
          const tick = () => {
            const now = performance.now();
            ivals.push(now - last);
            last = now;
            if (${jump}) { rng = (rng * 48271) % 2147483647; el.scrollTop = (rng / 2147483647) * (el.scrollHeight - el.clientHeight); }
            else el.scrollTop += 400;
            if (now < end) requestAnimationFrame(tick); else done();
          };
          requestAnimationFrame(tick);
        });
        ivals.shift();
        const sorted = [...ivals].sort((a, b) => a - b);
        return { frames: ivals.length, seconds: ivals.reduce((a, b) => a + b, 0) / 1000, p50: sorted[Math.floor(sorted.length / 2)], p95: sorted[Math.floor(sorted.length * 0.95)],
          worst: sorted[sorted.length - 1], over20: ivals.filter((x) => x > 20).length, over33: ivals.filter((x) => x > 33.4).length, rowsPassed: Math.round((el.scrollTop - start) / 76),
          domRows: document.querySelectorAll('[data-testid="browse-row"]').length };
      })()`)) as Scroll;
    const smooth = await scroll(false);
    const jumps = await scroll(true);
    /**
     * From the control's first input/change event (a capturing listener) to the first animation
     * frame after the "N of M rows" text changed. Playwright drives the control as a user would.
     */
    const filter = async (act: () => Promise<void>) => {
      await page.evaluate(`(() => {
        const count = document.querySelector('[data-testid="browse-count"]');
        const before = count.textContent;
        const f = (window.__f = { start: 0, end: 0, count: '' });
        const mark = () => { if (!f.start) f.start = performance.now(); };
        document.addEventListener('input', mark, { capture: true, once: true });
        document.addEventListener('change', mark, { capture: true, once: true });
        const mo = new MutationObserver(() => {
          if (count.textContent === before || f.count) return;
          f.count = count.textContent;
          mo.disconnect();
          requestAnimationFrame(() => (f.end = performance.now()));
        });
        mo.observe(count, { subtree: true, characterData: true, childList: true });
      })()`);
      await act();
      await page.waitForFunction(() => (globalThis as unknown as { __f: { end: number } }).__f.end > 0, undefined, { timeout: 120_000 });
      return (await page.evaluate(`({ ms: window.__f.end - window.__f.start, count: window.__f.count })`)) as { ms: number; count: string };
    };
    const filters: [string, { ms: number; count: string }][] = [];
    filters.push([
      'split = dev',
      await filter(() =>
        page
          .getByTestId('browse-filter-split')
          .selectOption('dev')
          .then(() => {}),
      ),
    ]);
    filters.push([
      'split = all',
      await filter(() =>
        page
          .getByTestId('browse-filter-split')
          .selectOption('all')
          .then(() => {}),
      ),
    ]);
    filters.push([
      'text search "winner" (includes the 200 ms typing debounce)',
      await filter(() => page.getByTestId('browse-filter-search').fill('winner')),
    ]);
    filters.push(['text search cleared (includes the debounce)', await filter(() => page.getByTestId('browse-filter-search').fill(''))]);
    const fps = (x: Scroll) => (x.frames / x.seconds).toFixed(0);
    // 60 fps: the mean rate holds 60 (≥ 58) and fewer than 2% of frames are dropped (> 2 vsyncs).
    const ok = (x: Scroll) => (x.frames / x.seconds >= 58 && x.over33 < 0.02 * x.frames ? 'met' : 'missed');
    table(
      `Data browser on ${fmt(BIG)} rows (Chromium, studio UI from the vite dev server)`,
      [
        'what',
        'frames',
        'fps (mean)',
        'frame interval p50 / p95 / worst ms',
        'frames > 20 ms / > 33 ms',
        'rows passed',
        'row elements in the DOM',
        'target 60 fps (mean ≥ 58, < 2% frames > 33 ms)',
      ],
      [
        [
          'scroll 400 px per frame for 3 s',
          smooth.frames,
          fps(smooth),
          `${smooth.p50.toFixed(1)} / ${smooth.p95.toFixed(1)} / ${smooth.worst.toFixed(0)}`,
          `${smooth.over20} / ${smooth.over33}`,
          fmt(smooth.rowsPassed),
          smooth.domRows,
          ok(smooth),
        ],
        [
          'jump to a random position every frame for 3 s',
          jumps.frames,
          fps(jumps),
          `${jumps.p50.toFixed(1)} / ${jumps.p95.toFixed(1)} / ${jumps.worst.toFixed(0)}`,
          `${jumps.over20} / ${jumps.over33}`,
          '–',
          jumps.domRows,
          ok(jumps),
        ],
      ],
      [
        `Opening the project (rows loaded from IndexedDB into the session) and showing the browser took ${s2(openMs)} s. No LFs were run on it: filters over LF votes have nothing to scan.`,
      ],
    );
    table(
      `Data browser filters on ${fmt(BIG)} rows (target < 200 ms)`,
      ['filter', 'ms to the next frame showing the new count', 'count shown', 'target'],
      filters.map(([name, r]) => [
        name,
        r.ms.toFixed(0),
        r.count.trim(),
        (name.includes('debounce') ? r.ms - 200 : r.ms) < 200 ? 'met' : 'missed',
      ]),
      [
        'Measured in the page: from setting the control and dispatching its event to the first animation frame after the "N of M rows" text changed, i.e. Svelte update + filterRows over every row + re-render.',
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ─── main ──────────────────────────────────────────────────────────────────────────────────────

const needsBrowser = BROWSER && only.some((p) => ['import', 'apply', 'edit', 'labelmodel', 'distill', 'browse'].includes(p));
const b = needsBrowser ? await openBrowser() : null;
try {
  if (only.includes('import')) {
    if (b) await partImport(b);
    else table('Import into IndexedDB', ['measured'], [['no: Chromium not available or --no-browser']]);
  }
  if (only.includes('apply')) await partApply(b);
  if (only.includes('edit')) await partEdit(b);
  if (only.includes('labelmodel')) await partLabelModel(table, { quick: QUICK, page: b?.page });
  if (only.includes('distill')) await partDistill(table, { quick: QUICK, page: b?.page });
  if (only.includes('browse')) {
    if (b) await partBrowse(b);
    else table('Data browser', ['measured'], [['no: Chromium not available or --no-browser']]);
  }
  if (only.includes('hospital')) {
    if (BROWSER) {
      const r = await partHospital({
        rows: HOSPITAL_ROWS,
        seed: Number(flag('seed') ?? 1),
        build: !args.includes('--no-build'),
        outDir: resolve('bench/out/dist'),
        // Per step; generous, so a slow step is timed rather than cut (a cut one says so).
        stepTimeoutMs: Number(flag('step-timeout') ?? Math.max(1800, HOSPITAL_ROWS / 50)) * 1000,
        skip: (flag('skip') ?? '').split(',').filter(Boolean),
        profile: flag('profile'),
      });
      table(r.title, r.head, r.rows, r.notes);
    } else table('Hospital scale', ['measured'], [['no: Chromium not available or --no-browser']]);
  }
} finally {
  await b?.close();
}
console.log(`\n## bench:scale${QUICK ? ' --quick' : ''} (${new Date().toISOString().slice(0, 16)}Z)\n`);
console.log(
  `${cpus().length} CPUs, Node ${process.version}, 1-min load average at the end: ${loadavg()[0].toFixed(1)}${BROWSER ? '' : ', no Chromium'}`,
);
console.log(out.join('\n'));
