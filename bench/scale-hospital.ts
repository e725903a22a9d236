/**
 * The hospital-scale benchmark (`npm run bench:scale -- --only hospital [--rows N]`): the built
 * app in headless Chromium, driven from the user's side of the screen (the `data-testid`s the
 * browser tests use) over a seeded corpus of long clinical-note-like documents
 * (bench/hospital-corpus.ts), one step after another as a user would take them:
 *
 * 1. import the CSV on the import screen (file picker → Import) until the data screen shows it;
 * 2. open the project again (reload the page) until the data screen shows it;
 * 3. Browse: open it, scroll for 2 s, jump to the last row;
 * 4. 20 template LFs + 2 code LFs, from a project file without data opened on the Export
 *    screen (review → import), until every LF has run;
 * 5. fit the label model (Model → Fit);
 * 6. wait for the word index (app/text-index.ts), built in the background since the project
 *    opened; then edit two LFs (one more keyword each: whole words, which the index answers, and
 *    a phrase, which is scanned) → the re-run, the Analysis table and the label model's automatic
 *    refit all show the change;
 * 7. train the classifier (Model → Train);
 * 8. download the labels as CSV (Export).
 *
 * For each step: wall time; the page's JS heap (CDP `Performance.getMetrics` → `JSHeapUsedSize`,
 * the page's main thread only, sampled every 250 ms: peak and at the end); the tab's resident
 * memory from /proc, sampled every 250 ms (bench/chromium-proc.ts): the largest renderer process
 * (the page and its dedicated workers) and the sum over every renderer process (adding the
 * isolated LF workers' frames, which run in processes of their own). A step that fails or times
 * out says so in its row and gets no figures.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { Harness } from '../e2e/harness.ts';
import { procTree } from './chromium-proc.ts';
import { HOSPITAL_CLASSES, GENERATOR_VERSION, metaPath, writeHospitalCsv, type HospitalMeta } from './hospital-corpus.ts';
import { EDITED_KEYWORDS, EDITED_LF, HOSPITAL_LFS, WORD_EDITED_KEYWORDS, WORD_EDITED_LF, hospitalBundle } from './hospital-lfs.ts';

export interface HospitalOptions {
  rows: number;
  seed: number;
  /** Build the app into `outDir` first (vite build); without it `outDir` must hold a build. */
  build: boolean;
  outDir: string;
  /** Per step, ms. */
  stepTimeoutMs: number;
  /** Steps to leave out, by key (HOSPITAL_STEPS), e.g. the classifier's long training. */
  skip?: readonly string[];
  /**
   * An LF edit step (`edit-word` or `edit`) to CPU-profile: the page's and each worker's V8
   * profile are written to `bench/out/profile-<step>[-wN].cpuprofile`, and a timeline trace of
   * the tab to `bench/out/profile-<step>.trace.json` (open them in Chromium's DevTools,
   * Performance panel).
   */
  profile?: string;
}

/** Keys of the steps that can be left out with `--skip`. */
export const HOSPITAL_STEPS = ['browse', 'lfs', 'labelmodel', 'edit-word', 'edit', 'classifier', 'export', 'export-parquet'] as const;

/** The jobs tray's label of the word-index build (app/text-index.ts). */
const INDEX_JOB = 'Indexing words for instant keyword LFs';

export interface StepRow {
  step: string;
  ok: boolean;
  ms: number;
  heapPeakMB: number;
  heapEndMB: number;
  heapHeldMB: number;
  rendererPeakMB: number;
  renderersPeakMB: number;
  /** CPU time of every Chromium process during the step, ms: the tab's renderer(s), the storage service, the rest. */
  cpu: { renderer: number; storage: number; other: number };
  load: number;
  note: string;
}

export interface HospitalReport {
  title: string;
  head: string[];
  rows: string[][];
  notes: string[];
  steps: StepRow[];
}

const OUT = resolve('bench/out');
const mb = (b: number) => b / 1e6;
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** The corpus for (rows, seed), generated once into bench/out and reused while its meta matches. */
export async function corpus(rows: number, seed: number): Promise<{ path: string; meta: HospitalMeta; generatedMs: number | null }> {
  const path = join(OUT, `hospital-${rows}-s${seed}.csv`);
  if (existsSync(path) && existsSync(metaPath(path))) {
    const meta = JSON.parse(readFileSync(metaPath(path), 'utf8')) as HospitalMeta;
    if (meta.generator === GENERATOR_VERSION && meta.rows === rows && meta.seed === seed && statSync(path).size === meta.bytes) {
      return { path, meta, generatedMs: null };
    }
  }
  const t0 = performance.now();
  const meta = await writeHospitalCsv(path, rows, seed);
  return { path, meta, generatedMs: performance.now() - t0 };
}

/** JS heap of the page's main thread and renderer RSS, sampled every 250 ms while a step runs. */
class Sampler {
  heapPeak = 0;
  heapLast = 0;
  /** After the step, once a forced GC has run. */
  heapHeld = 0;
  rendererPeak = 0;
  renderersPeak = 0;
  /** The largest renderer's RSS when the step started (what the step's peak grew from). */
  rendererStart = 0;
  private cpu0: Record<string, number> = {};
  cpu = { renderer: 0, storage: 0, other: 0 };
  private timer: ReturnType<typeof setInterval> | null = null;
  private inFlight = false;
  constructor(private readonly cdp: CDPSession) {}

  private sampleProc(): Record<string, number> {
    const t = procTree(process.pid);
    this.rendererPeak = Math.max(this.rendererPeak, t.rendererMB);
    this.renderersPeak = Math.max(this.renderersPeak, t.renderersMB);
    return t.cpuByType;
  }

  async sampleHeap(): Promise<void> {
    if (this.inFlight) return;
    this.inFlight = true;
    try {
      // Re-enabling is harmless and needed after a reload replaced the page's document.
      await this.cdp.send('Performance.enable');
      const r = await this.cdp.send('Performance.getMetrics');
      const heap = r.metrics.find((m) => m.name === 'JSHeapUsedSize')?.value;
      if (heap !== undefined) {
        this.heapLast = heap;
        this.heapPeak = Math.max(this.heapPeak, heap);
      }
    } catch {
      // The page is between documents (a reload): the next sample reads it.
    } finally {
      this.inFlight = false;
    }
  }

  start(): void {
    this.heapPeak = this.heapLast = this.rendererPeak = this.renderersPeak = 0;
    this.cpu0 = this.sampleProc();
    this.rendererStart = this.rendererPeak;
    void this.sampleHeap();
    this.timer = setInterval(() => {
      this.sampleProc();
      void this.sampleHeap();
    }, 250);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.inFlight) await new Promise((r) => setTimeout(r, 20));
    const cpu1 = this.sampleProc();
    this.cpu = { renderer: 0, storage: 0, other: 0 };
    for (const [type, ms] of Object.entries(cpu1)) {
      const d = ms - (this.cpu0[type] ?? 0);
      if (type === 'renderer') this.cpu.renderer += d;
      else if (type === 'storage') this.cpu.storage += d;
      else this.cpu.other += d;
    }
    await this.sampleHeap();
    const atEnd = this.heapLast;
    // What the page still holds once garbage is gone (after the step's timing: the app never forces a GC).
    try {
      await this.cdp.send('HeapProfiler.collectGarbage');
      await this.sampleHeap();
      this.heapHeld = this.heapLast;
    } catch {
      this.heapHeld = NaN;
    }
    this.heapLast = atEnd;
  }
}

/**
 * Start V8's sampling profiler on the page and on each dedicated worker (attached through the
 * page's CDP session, not flattened, so messages to a worker go through Target.sendMessageToTarget);
 * `stop` writes one .cpuprofile per thread.
 */
async function startProfiles(cdp: CDPSession): Promise<{ stop(prefix: string): Promise<void> }> {
  const workers: { sessionId: string; url: string }[] = [];
  const replies = new Map<number, (r: { profile?: unknown }) => void>();
  let id = 1000;
  const toWorker = (sessionId: string, method: string, params: object = {}) =>
    new Promise<{ profile?: unknown }>((resolve) => {
      replies.set(++id, resolve);
      void cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) });
    });
  cdp.on('Target.attachedToTarget', (e) => {
    if (e.targetInfo.type === 'worker') workers.push({ sessionId: e.sessionId, url: e.targetInfo.url });
  });
  cdp.on('Target.receivedMessageFromTarget', (e) => {
    const m = JSON.parse(e.message) as { id?: number; result?: { profile?: unknown } };
    if (m.id !== undefined) replies.get(m.id)?.(m.result ?? {});
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  // The already-running workers are reported right after auto-attach is turned on.
  await new Promise((r) => setTimeout(r, 300));
  const start = async (send: (method: string, params?: object) => Promise<unknown>) => {
    await send('Profiler.enable');
    await send('Profiler.setSamplingInterval', { interval: 200 });
    await send('Profiler.start');
  };
  for (const w of workers) await start((m, p) => toWorker(w.sessionId, m, p));
  await start((m, p) => cdp.send(m as 'Profiler.enable', p));
  // A timeline trace beside the profiles: where the page's non-JavaScript time goes (style,
  // layout, paint, structured clone, IndexedDB), which a V8 profile shows only as "(program)".
  const events: unknown[] = [];
  cdp.on('Tracing.dataCollected', (e) => void events.push(...e.value));
  await cdp.send('Tracing.start', {
    categories: 'devtools.timeline,disabled-by-default-devtools.timeline,v8,blink,toplevel,IndexedDB',
    transferMode: 'ReportEvents',
  });
  return {
    async stop(prefix) {
      const done = new Promise<void>((r) => cdp.once('Tracing.tracingComplete', () => r()));
      await cdp.send('Tracing.end');
      await done;
      writeFileSync(`${prefix}.trace.json`, JSON.stringify({ traceEvents: events }));
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(`${prefix}.cpuprofile`, JSON.stringify(profile));
      let n = 0;
      for (const w of workers) {
        const r = await toWorker(w.sessionId, 'Profiler.stop');
        if (r.profile) writeFileSync(`${prefix}-w${n++}.cpuprofile`, JSON.stringify({ ...r.profile, url: w.url }));
      }
    },
  };
}

/** In-app navigation (a link click does the same): a hash change, no page load. */
async function go(page: Page, route: string): Promise<void> {
  await page.evaluate((r) => {
    location.hash = r;
  }, `#/${route}`);
}

/** The number before "rows" in the data screen's summary. */
async function shownRows(page: Page): Promise<number> {
  const t = (await page.getByTestId('dataset-ready').textContent()) ?? '';
  const m = /([\d,]+)\s*rows/.exec(t);
  return m ? Number(m[1].replace(/,/g, '')) : NaN;
}

export async function partHospital(o: HospitalOptions): Promise<HospitalReport> {
  mkdirSync(OUT, { recursive: true });
  // Screenshots of an earlier run's failures would pass for this run's.
  for (const f of readdirSync(OUT)) if (/^hospital-failed-.*\.png$/.test(f)) rmSync(join(OUT, f));
  const log = (s: string) => console.error(`[hospital] ${s}`);
  log(`corpus: ${fmt(o.rows)} rows, seed ${o.seed}`);
  const c = await corpus(o.rows, o.seed);
  log(
    `${c.path}: ${(mb(c.meta.bytes) / 1000).toFixed(2)} GB${c.generatedMs === null ? ' (reused)' : ` generated in ${(c.generatedMs / 1000).toFixed(1)} s`}`,
  );
  const bundlePath = join(OUT, `hospital-${o.rows}-s${o.seed}.shoal.json`);
  writeFileSync(bundlePath, hospitalBundle(c.meta));

  if (o.build) {
    log(`building the app into ${o.outDir}`);
    const { build } = await import('vite');
    await build({ configFile: resolve('vite.config.ts'), logLevel: 'warn', build: { outDir: o.outDir, emptyOutDir: true } });
  }

  const h = new Harness({ outDir: o.outDir });
  const steps: StepRow[] = [];
  const loadStart = loadavg()[0];
  let version = '';
  let pageErrors: string[] = [];
  try {
    await h.start();
    version = h.context.browser()?.version() ?? '';
    const page = h.page;
    const cdp = await h.context.newCDPSession(page);
    const sampler = new Sampler(cdp);
    const T = o.stepTimeoutMs;
    let stop = false;
    // A renderer that runs out of memory crashes the tab: every wait after it would only time out.
    let crashed: (e: Error) => void = () => undefined;
    const crash = new Promise<never>((_, reject) => (crashed = reject));
    crash.catch(() => undefined);
    page.on('crash', () => crashed(new Error('the tab crashed (its renderer process died, e.g. out of memory)')));

    const step = async (name: string, fn: () => Promise<string>, required = false, key = ''): Promise<void> => {
      if (stop || (key && o.skip?.includes(key))) {
        steps.push({
          step: name,
          ok: false,
          ms: 0,
          heapPeakMB: 0,
          heapEndMB: 0,
          heapHeldMB: 0,
          rendererPeakMB: 0,
          renderersPeakMB: 0,
          cpu: { renderer: 0, storage: 0, other: 0 },
          load: loadavg()[0],
          note: stop ? 'not run: an earlier required step failed, or the tab crashed' : `skipped (--skip ${key})`,
        });
        return;
      }
      log(`${name}…`);
      sampler.start();
      const t0 = performance.now();
      let ok = true;
      let note = '';
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        note = await Promise.race([
          fn(),
          crash,
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(T / 1000)} s`)), T);
          }),
        ]);
      } catch (e) {
        ok = false;
        note = `failed: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`;
        const shot = join(OUT, `hospital-failed-${name.replace(/\W+/g, '-')}.png`);
        await page.screenshot({ path: shot }).catch(() => undefined);
        note += ` (screenshot: ${shot})`;
        if (required || page.isClosed() || /tab crashed/.test(note)) stop = true;
      } finally {
        clearTimeout(timer);
      }
      const ms = performance.now() - t0;
      await sampler.stop();
      const row: StepRow = {
        step: name,
        ok,
        ms,
        heapPeakMB: mb(sampler.heapPeak),
        heapEndMB: mb(sampler.heapLast),
        heapHeldMB: mb(sampler.heapHeld),
        rendererPeakMB: sampler.rendererPeak,
        renderersPeakMB: sampler.renderersPeak,
        cpu: { ...sampler.cpu },
        load: loadavg()[0],
        note,
      };
      steps.push(row);
      log(
        `${name}: ${ok ? `${(ms / 1000).toFixed(2)} s, heap peak ${row.heapPeakMB.toFixed(0)} MB, tab peak ${row.rendererPeakMB.toFixed(0)} MB` : note}`,
      );
    };

    await h.goto('#/import');
    await page.getByTestId('import-file').waitFor({ state: 'attached', timeout: 60_000 });
    let tOpened = performance.now();

    await step(
      'import (file picker → data screen)',
      async () => {
        await page.getByTestId('import-file').setInputFiles(c.path);
        await page.getByTestId('import-classes').fill(HOSPITAL_CLASSES.join(', '), { timeout: T });
        const confirm = page.getByTestId('import-confirm');
        await page.waitForFunction(
          () => {
            const b = document.querySelector<HTMLButtonElement>('[data-testid="import-confirm"]');
            return b !== null && !b.disabled;
          },
          undefined,
          { timeout: T },
        );
        await confirm.click();
        await page.getByTestId('dataset-ready').waitFor({ state: 'visible', timeout: T });
        const n = await shownRows(page);
        if (n !== o.rows) throw new Error(`the data screen shows ${n} rows, the file has ${o.rows}`);
        const usage = await page.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
        return `IndexedDB and caches: ${(mb(usage) / 1000).toFixed(2)} GB after the import`;
      },
      true,
    );

    await step(
      'open the project (reload → data screen)',
      async () => {
        await page.reload({ waitUntil: 'load', timeout: T });
        await page.getByTestId('dataset-ready').waitFor({ state: 'visible', timeout: T });
        const n = await shownRows(page);
        if (n !== o.rows) throw new Error(`the data screen shows ${n} rows after the reload, the file has ${o.rows}`);
        tOpened = performance.now();
        return '';
      },
      true,
    );

    await step(
      'Browse: open, scroll 2 s, jump to the last row',
      async () => {
        await go(page, 'browse');
        await page.getByTestId('browse-row').first().waitFor({ timeout: T });
        const count = (await page.getByTestId('browse-count').textContent()) ?? '';
        const shown = Number((/^([\d,]+) of/.exec(count)?.[1] ?? 'NaN').replace(/,/g, ''));
        // A string, not a function: tsx's transform would add helpers the page does not have.
        const frames = (await page.evaluate(`(async () => {
        const row = document.querySelector('[data-testid="browse-row"]');
        let el = row.parentElement;
        while (el && el.scrollHeight <= el.clientHeight + 1) el = el.parentElement;
        if (!el) throw new Error('no scrolling ancestor of the browse rows');
        const gaps = [];
        let last = performance.now();
        const end = last + 2000;
        await new Promise((done) => {
          const tick = () => {
            const now = performance.now();
            gaps.push(now - last);
            last = now;
            el.scrollTop += 400;
            if (now < end) requestAnimationFrame(tick);
            else done();
          };
          requestAnimationFrame(tick);
        });
        el.scrollTop = el.scrollHeight;
        gaps.shift();
        gaps.sort((a, b) => a - b);
        return { n: gaps.length, p95: gaps[Math.floor(gaps.length * 0.95)] ?? 0, over33: gaps.filter((g) => g > 33.4).length };
      })()`)) as { n: number; p95: number; over33: number };
        // The last row shows within a minute or not at all (a list taller than the browser's
        // largest element height cannot scroll to its end): say how far it got.
        await page
          .locator(`[data-testid="browse-row"][data-pos="${shown - 1}"]`)
          .waitFor({ timeout: Math.min(T, 60_000) })
          .catch(async () => {
            const last = await page
              .locator('[data-testid="browse-row"]')
              .evaluateAll((rs) => Math.max(-1, ...rs.map((r) => Number(r.getAttribute('data-pos')))));
            throw new Error(`after a jump to the end of the list the last row shown is #${fmt(last + 1)} of ${fmt(shown)}`);
          });
        return `${fmt(shown)} rows listed; scrolling: ${frames.n} frames, p95 ${frames.p95.toFixed(0)} ms, ${frames.over33} over 33 ms`;
      },
      false,
      'browse',
    );

    await step(
      '22 LFs (20 templates + 2 code) from a project file, until all have run',
      async () => {
        await go(page, 'export');
        await page.getByTestId('import-project').setInputFiles(bundlePath, { timeout: T });
        await page.getByTestId('import-review').waitFor({ timeout: T });
        await page.getByTestId('import-confirm').click({ timeout: T });
        await page.waitForFunction(
          (n) => {
            const rows = document.querySelectorAll('[data-testid="lf-row"]');
            if (rows.length !== n) return false;
            return [...rows].every((r) => /coverage|error/.test(r.querySelector('[data-testid="lf-status"]')?.textContent ?? ''));
          },
          HOSPITAL_LFS.length,
          { timeout: T, polling: 250 },
        );
        const errors = await page
          .locator('[data-testid="lf-row"]:has([data-testid="lf-error"])')
          .evaluateAll((rs) =>
            rs.map((r) => `${r.getAttribute('data-lf-name')}: ${r.querySelector('[data-testid="lf-error"]')?.textContent ?? ''}`),
          );
        if (errors.length) throw new Error(`${errors.length} LF(s) in error: ${errors.join('; ')}`);
        const cov = await page
          .locator('[data-testid="lf-status"]')
          .allTextContents()
          .then((t) => t.map((x) => parseFloat(x)).filter((x) => !Number.isNaN(x)));
        return `coverage per LF ${Math.min(...cov).toFixed(1)}–${Math.max(...cov).toFixed(1)}%`;
      },
      false,
      'lfs',
    );

    await step(
      'label model fit (Model → Fit)',
      async () => {
        await go(page, 'model');
        await page.waitForFunction(
          () => {
            const b = document.querySelector<HTMLButtonElement>('[data-testid="lm-fit"]');
            return b !== null && !b.disabled;
          },
          undefined,
          { timeout: T },
        );
        await page.getByTestId('lm-fit').click();
        await page.getByTestId('lm-metrics').waitFor({ timeout: T });
        const chosen = (
          (await page
            .getByTestId('lm-chosen')
            .textContent()
            .catch(() => '')) ?? ''
        ).trim();
        const test = ((await page.getByTestId('lm-test-acc').textContent()) ?? '').trim();
        return `${chosen ? `${chosen}; ` : ''}test accuracy ${test}`;
      },
      false,
      'labelmodel',
    );

    const textOf = async (s: string) => ((await page.locator(s).textContent({ timeout: T })) ?? '').trim();
    /** Until the element `s` (looked up afresh each frame: screens re-render) shows something other than `was`. */
    const changed = (s: string, was: string) =>
      page.waitForFunction(
        ([q, w]) => {
          const t = document.querySelector(q)?.textContent?.trim() ?? '';
          return t !== '' && t !== w && !t.includes('running');
        },
        [s, was] as const,
        { timeout: T, polling: 'raf' },
      );

    await step(
      'word index ready (built in the background since the project opened)',
      async () => {
        // The jobs tray shows the build's progress bar while it runs (app/text-index.ts).
        const bar = page.locator(`progress[aria-label="${INDEX_JOB}"]`);
        await bar.waitFor({ state: 'detached', timeout: T });
        return `ready ${((performance.now() - tOpened) / 1000).toFixed(1)} s after the project opened (Browse, the 22 LFs and the label model ran meanwhile)`;
      },
      false,
      'edit-word',
    );

    /** Edit `lf` (its keywords become `keywords`) and time its re-run, the Analysis table and the label model's refit. */
    const editStep = async (title: string, lf: string, keywords: string, key: string) => {
      // Before the edit: the LF's coverage as its status, the Analysis table and the label model show it.
      const sel = {
        status: `[data-testid="lf-row"][data-lf-name="${lf}"] [data-testid="lf-status"]`,
        analysis: `[data-testid="lf-table"] tr[data-lf-name="${lf}"] td[data-col="coverage"]`,
        // The label model's LF table: name, votes, coverage, …
        model: `[data-testid="lm-lf-table"] tr[data-lf="${lf}"] td:nth-child(3)`,
      };
      const before = { analysis: '', model: '', status: '' };
      let prepared = '';
      if (!o.skip?.includes(key)) {
        try {
          await go(page, 'model');
          before.model = await textOf(sel.model);
          await go(page, 'analysis');
          before.analysis = await textOf(sel.analysis);
          await go(page, 'lfs');
          before.status = await textOf(sel.status);
          await page.locator(`[data-testid="lf-row"][data-lf-name="${lf}"]`).getByTitle(`Edit ${lf}`).click({ timeout: T });
          await page.getByTestId('lf-keywords').fill(keywords, { timeout: T });
        } catch (e) {
          prepared = e instanceof Error ? e.message.split('\n')[0] : String(e);
        }
      }
      await step(
        title,
        async () => {
          if (prepared) throw new Error(`could not open the LF for editing: ${prepared}`);
          const profiler = o.profile === key ? await startProfiles(cdp) : null;
          const t0 = performance.now();
          await page.getByTestId('lf-save').click();
          await changed(sel.status, before.status);
          const tRun = performance.now() - t0;
          await go(page, 'analysis');
          await changed(sel.analysis, before.analysis);
          const tAnalysis = performance.now() - t0;
          await go(page, 'model');
          await changed(sel.model, before.model);
          const after = await textOf(sel.model);
          if (profiler) await profiler.stop(`bench/out/profile-${key}`);
          return `coverage ${before.model} → ${after}; LF re-run shown at ${(tRun / 1000).toFixed(2)} s, Analysis at ${(tAnalysis / 1000).toFixed(2)} s`;
        },
        false,
        key,
      );
    };
    await editStep(
      `LF edit, whole words → re-run, Analysis table and label model refit (${WORD_EDITED_LF}: one more keyword)`,
      WORD_EDITED_LF,
      WORD_EDITED_KEYWORDS,
      'edit-word',
    );
    await editStep(
      `LF edit, a phrase → re-run, Analysis table and label model refit (${EDITED_LF}: one more keyword)`,
      EDITED_LF,
      EDITED_KEYWORDS,
      'edit',
    );

    await step(
      'classifier training (Model → Train)',
      async () => {
        await go(page, 'model');
        await page.getByTestId('clf-train').click({ timeout: T });
        await page.getByTestId('clf-metrics').waitFor({ timeout: T });
        const test = ((await page.getByTestId('clf-test-acc').textContent()) ?? '').trim();
        const settings = (
          (await page
            .getByTestId('clf-trained-settings')
            .textContent()
            .catch(() => '')) ?? ''
        )
          .replace(/\s+/g, ' ')
          .trim();
        // The train worker runs in the tab's renderer: its memory is what the tab grew by.
        const grew = `tab RSS ${sampler.rendererStart.toFixed(0)} MB before training, peak +${(sampler.rendererPeak - sampler.rendererStart).toFixed(0)} MB during it`;
        const sample = (
          (await page
            .getByTestId('clf-sample')
            .textContent({ timeout: 1000 })
            .catch(() => '')) ?? ''
        )
          .replace(/\s+/g, ' ')
          .trim();
        return `test accuracy ${test}; ${grew}${sample ? `; ${sample}` : ''}${settings ? `; ${settings.slice(0, 120)}` : ''}`;
      },
      false,
      'classifier',
    );

    const exportStep = async (format: 'csv' | 'parquet', key: string) =>
      step(
        `labels export (Export → ${format === 'csv' ? 'CSV' : 'Parquet'} download)`,
        async () => {
          await go(page, 'export');
          await page.getByTestId('export-format').selectOption(format, { timeout: T });
          const [dl] = await Promise.all([page.waitForEvent('download', { timeout: T }), page.getByTestId('export-labels').click()]);
          // Resolves once the download has finished.
          const size = statSync(await dl.path()).size;
          await dl.delete();
          return `${dl.suggestedFilename()}: ${(mb(size) / 1000).toFixed(2)} GB`;
        },
        false,
        key,
      );
    await exportStep('csv', 'export');
    await exportStep('parquet', 'export-parquet');

    pageErrors = [...h.pageErrors];
  } finally {
    await h.close();
  }

  const loadEnd = loadavg()[0];
  const cell = (r: StepRow, v: string) => (r.ok ? v : '—');
  return {
    title: `Hospital scale: ${fmt(c.meta.rows)} clinical-note-like documents, ${(mb(c.meta.bytes) / 1000).toFixed(2)} GB CSV (Chromium, production build)`,
    head: [
      'step',
      'result',
      'wall s',
      'page JS heap: peak / end / held after GC',
      'tab RSS peak (largest renderer)',
      'all renderers RSS peak',
      'Chromium CPU s: renderers / storage / other',
      '1-min load after',
      'notes',
    ],
    rows: steps.map((r) => [
      r.step,
      r.ok ? 'ok' : r.note.startsWith('not run') ? 'not run' : r.note.startsWith('skipped') ? 'skipped' : 'FAILED',
      cell(r, (r.ms / 1000).toFixed(2)),
      cell(r, `${r.heapPeakMB.toFixed(0)} / ${r.heapEndMB.toFixed(0)} / ${r.heapHeldMB.toFixed(0)} MB`),
      cell(r, `${r.rendererPeakMB.toFixed(0)} MB`),
      cell(r, `${r.renderersPeakMB.toFixed(0)} MB`),
      cell(r, [r.cpu.renderer, r.cpu.storage, r.cpu.other].map((ms) => (ms / 1000).toFixed(1)).join(' / ')),
      r.load.toFixed(1),
      r.note,
    ]),
    notes: [
      `Corpus: bench/hospital-corpus.ts, ${fmt(c.meta.rows)} rows (train ${fmt(c.meta.splitCounts.train)}, dev ${fmt(c.meta.splitCounts.dev)}, test ${fmt(c.meta.splitCounts.test)}; gold only on dev and test), seed ${c.meta.seed}, ${fmt(c.meta.bytes / c.meta.rows)} bytes a row on average, ${(mb(c.meta.bytes) / 1000).toFixed(2)} GB.`,
      `1-min load average ${loadStart.toFixed(1)} at the start, ${loadEnd.toFixed(1)} at the end; 2 shared cores. ${version ? `Chromium ${version}.` : ''}`,
      'Chromium CPU: utime + stime from /proc over the step, by process: renderers (the tab, its workers, the isolated LF frames), the storage service (IndexedDB, when Chromium runs it as a process of its own; 0 when it runs inside the browser process, whose CPU is under the rest), the rest (browser, GPU, network). Under load, wall time mostly measures the neighbours; CPU time does not.',
      'Browse includes 2 s of scripted scrolling (400 px a frame). The LF edit row starts at the click on "Save and re-run" and ends when the label model\'s LF table shows the new coverage; once the edited LF’s votes are in, the label model refits at once (label-model.svelte.ts `onVotes`: no pause when no LF runs and no fit is under way). Whole-word keyword LFs are answered from the word index (app/text-index.ts) once it is built; a phrase is scanned.',
      'Page JS heap: CDP Performance.getMetrics JSHeapUsedSize of the page (main thread; workers not included), every 250 ms; "held after GC" is read after the step\'s timing, once HeapProfiler.collectGarbage has run (peak and end include garbage not yet collected). Tab RSS: /proc, every 250 ms; the largest renderer process is the page with its dedicated workers (import, LF, train, export workers); "all renderers" adds the isolated LF workers\' frames (own processes) and any other renderer. RSS counts shared pages in each process.',
      `Page errors during the run: ${pageErrors.length ? pageErrors.slice(0, 3).join(' | ') : 'none'}.`,
    ],
    steps,
  };
}
