import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, Harness } from './harness.ts';

// `vite build --base=/sub/` must give an app that works under /sub/ on any static host:
// assets, workers, the demo, the manifest and the service worker scope all under the base.
browserSuite('static hosting under a base path', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'shoal-base-'));
  const h = new Harness({ outDir, base: '/sub/' });
  h.screenshotOnFailure();
  beforeAll(async () => {
    await build({ configFile: resolve('vite.config.ts'), base: '/sub/', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    await h.start();
  }, 180_000);
  afterAll(async () => {
    await h.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('builds with every URL under the base', () => {
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    for (const m of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect(m[1]).toMatch(/^\/sub\//);
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.webmanifest'), 'utf8')) as { scope: string; start_url: string };
    expect(manifest.scope).toBe('.');
    expect(readFileSync(join(outDir, 'sw.js'), 'utf8')).toContain('demo/spam-assassin.jsonl.gz');
  });

  it('runs under /sub/: first screen, demo, service worker scope, no request outside the base', async () => {
    await h.goto();
    await h.page.getByTestId('load-demo').click();
    await h.page.getByTestId('dataset-ready').waitFor({ state: 'visible' });
    const scope = await h.page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${h.origin}/sub/`);
    h.assertNoEgress();
    // blob:, data: and about: URLs are made in the page (the isolated LF workers start from blobs).
    const outside = h.requests.filter((r) => !/^(blob|data|about):/.test(r.url) && !r.url.startsWith(`${h.origin}/sub/`));
    expect(outside.map((r) => r.url)).toEqual([]);
    expect(h.pageErrors).toEqual([]);
  });
});
