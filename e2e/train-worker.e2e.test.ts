/**
 * The train worker in real Chromium, below the UI: tfjs backend selection by measurement
 * (webgpu/webgl/wasm/cpu as they initialise here), classifier training with progress, ONNX
 * export and onnxruntime-web predictions matching the typed-array path, and cancel. Served by
 * vite's dev server so the page can import the worker client by path; this checks the browser
 * wasm wiring (src/workers/tf-browser.ts) that Node tests cannot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, CHROMIUM, CHROMIUM_ARGS } from './harness.ts';

declare global {
  interface Window {
    __train: typeof import('../src/workers/train-client.ts');
  }
}

browserSuite('train worker (Chromium: tfjs backends, classifier, ONNX)', () => {
  let server: ViteDevServer;
  let context: BrowserContext;
  let profile: string;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    server = await createServer({
      configFile: resolve('vite.config.ts'),
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0, strictPort: false },
      // Pre-bundle what the worker imports, so vite does not discover it mid-test and reload the page.
      optimizeDeps: {
        include: ['comlink', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu', 'onnx-proto'],
      },
    });
    await server.listen();
    const origin = new URL(server.resolvedUrls!.local[0]).origin;
    profile = mkdtempSync(join(tmpdir(), 'shoal-train-e2e-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${origin}/`, { waitUntil: 'load' });
    // A string, so vitest does not rewrite the page-side `import()` into its own loader. The
    // first import makes vite discover and pre-bundle tfjs/ORT/comlink and reload the page:
    // retry once the reloaded page is up.
    for (let attempt = 0; ; attempt++) {
      try {
        await page.evaluate(`(async () => { window.__train = await import('/src/workers/train-client.ts'); })()`);
        break;
      } catch (err) {
        if (attempt >= 4 || !/context was destroyed|navigat/i.test(String(err))) throw err;
        await page.waitForLoadState('load');
        await page.waitForTimeout(500);
      }
    }
    await page.waitForTimeout(1000); // a late dependency reload would wipe window.__train
    if (!(await page.evaluate(() => Boolean(window.__train)))) {
      await page.evaluate(`(async () => { window.__train = await import('/src/workers/train-client.ts'); })()`);
    }
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('measures the backends, trains, exports ONNX and predicts with onnxruntime-web', async () => {
    const r = await page.evaluate(async () => {
      const { createTrainWorker, proxy } = window.__train;
      const w = createTrainWorker();
      try {
        const { choice, cacheValue } = await w.api.selectBackend(null);
        const again = await w.api.selectBackend(cacheValue);
        // Two topics; rows without "goal"/"vote" get no LF vote and are left out of training.
        const topics = [
          ['goal', 'match', 'team', 'score'],
          ['vote', 'party', 'minister', 'election'],
        ];
        let s = 7;
        const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
        const make = (n: number) => {
          const texts: string[] = [];
          const y = new Int32Array(n);
          for (let i = 0; i < n; i++) {
            const c = rnd() < 0.5 ? 0 : 1;
            y[i] = c;
            texts.push(Array.from({ length: 4 }, () => topics[c][Math.floor(rnd() * 4)]).join(' ') + ' today');
          }
          return { texts, y };
        };
        const tr = make(200),
          dev = make(50),
          te = make(100);
        const rows: number[] = [];
        const proba = new Float32Array(400).fill(0.5);
        tr.texts.forEach((t, i) => {
          const v = t.includes('goal') ? 0 : t.includes('vote') ? 1 : -1;
          if (v < 0) return;
          rows.push(i);
          proba[2 * i + v] = 0.9;
          proba[2 * i + 1 - v] = 0.1;
        });
        const epochs: number[] = [];
        const res = await w.api.trainClassifier(
          'clf',
          {
            texts: tr.texts,
            proba,
            k: 2,
            rows: Uint32Array.from(rows),
            classes: ['sport', 'politics'],
            dev: { texts: dev.texts, labels: dev.y },
            seed: 1,
            maxEpochs: 6,
            features: { buckets: 1 << 12 },
            training: { engine: 'tfjs' },
          },
          proxy((e: { epoch: number }) => void epochs.push(e.epoch)),
        );
        const p = await w.api.predict(res.classifier, te.texts);
        const { onnx, sidecar } = await w.api.exportOnnx(res.classifier);
        const q = await w.api.predictOnnx(onnx, res.classifier.features, 2, te.texts);
        let maxDiff = 0;
        let right = 0;
        for (let i = 0; i < te.y.length; i++) {
          maxDiff = Math.max(maxDiff, Math.abs(p[2 * i] - q[2 * i]), Math.abs(p[2 * i + 1] - q[2 * i + 1]));
          if ((q[2 * i + 1] > q[2 * i] ? 1 : 0) === te.y[i]) right++;
        }
        // Cancel: a long job aborted from its first progress report (default typed-array engine:
        // ~µs per epoch here, so only a working cancel ends a million epochs in time).
        let cancelled = '';
        await w.api
          .trainClassifier(
            'long',
            { texts: tr.texts, proba, k: 2, rows: Uint32Array.from(rows), maxEpochs: 1_000_000 },
            proxy(() => void w.api.cancel('long')),
          )
          .catch((e: Error) => (cancelled = e.message));
        return {
          choice,
          cached: again.choice.cached,
          backend: res.backend,
          epochs: epochs.length,
          accuracy: right / te.y.length,
          maxDiff,
          classes: sidecar.classes,
          onnxBytes: onnx.byteLength,
          cancelled,
          isolated: crossOriginIsolated,
        };
      } finally {
        w.terminate();
      }
    });
    expect(r.isolated).toBe(true);
    // wasm always initialises in Chromium; the chosen backend is the fastest one measured.
    expect(Object.keys(r.choice.measuredMs)).toContain('wasm');
    const fastest = Object.entries(r.choice.measuredMs).sort((a, b) => a[1] - b[1])[0][0];
    expect(r.choice.name).toBe(fastest);
    expect(r.backend).toBe(r.choice.name);
    expect(r.cached).toBe(true);
    expect(r.epochs).toBeGreaterThan(0);
    expect(r.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(r.maxDiff).toBeLessThanOrEqual(1e-5);
    expect(r.classes).toEqual(['sport', 'politics']);
    expect(r.onnxBytes).toBeGreaterThan(1000);
    expect(r.cancelled).toMatch(/abort/i);
    expect(pageErrors).toEqual([]);
    console.log(`browser backends measured (ms): ${JSON.stringify(r.choice.measuredMs)} → ${r.choice.name}`);
  }, 180_000);
});
