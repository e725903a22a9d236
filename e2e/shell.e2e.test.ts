import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, Harness } from './harness.ts';

browserSuite('app shell, demo, zero egress, offline', () => {
  const h = new Harness();
  h.screenshotOnFailure();
  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it('renders the first screen with both ways in and the core example', async () => {
    await h.goto();
    const page = h.page;
    await page.getByTestId('load-demo').waitFor({ state: 'visible' });
    expect(await page.getByTestId('load-demo').textContent()).toContain('Load demo');
    expect(await page.getByTestId('import-data').isVisible()).toBe(true);
    // The built-in example: every label model (in the model screen's order) reports a test accuracy.
    const core = page.getByTestId('core-check');
    await core.locator('table').first().waitFor();
    const table = core.locator('table').first();
    expect(await table.locator('tbody tr td:first-child code').allTextContents()).toEqual(['auto', 'mv', 'metal', 'ds', 'triplet', 'wmv']);
    const rows = await table.locator('tbody tr').allTextContents();
    for (const r of rows) expect(r).toMatch(/\d+\.\d%/);
    // COOP/COEP from the preview server isolate the page (threads for wasm).
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    await h.shot('start');
    // A project file can be opened from the first screen, before any dataset exists.
    await page.getByTestId('open-project').click();
    await page.getByTestId('import-project').waitFor({ state: 'attached' });
    await h.goto();
    await page.getByTestId('load-demo').waitFor({ state: 'visible' });
  });

  it('loads the demo and shows its row count', async () => {
    const meta = JSON.parse(readFileSync('dist/demo/spam-assassin.meta.json', 'utf8')) as { rows: number };
    await h.page.getByTestId('load-demo').click();
    const ready = h.page.getByTestId('dataset-ready');
    await ready.waitFor({ state: 'visible' });
    expect(await ready.textContent()).toContain(meta.rows.toLocaleString('en-US'));
    expect(meta.rows).toBeGreaterThan(5000);
    expect(h.page.url()).toContain('#/data');
    // Gold is shown on dev/test rows and hidden on train.
    const cells = await h.page.locator('tbody tr td:last-child').allTextContents();
    expect(cells.some((c) => /ham|spam/.test(c))).toBe(true);
    // No gold is a dash, never a word a class could be named.
    expect(cells.some((c) => c.trim() === '—')).toBe(true);
    expect(cells.some((c) => /hidden|none/.test(c))).toBe(false);
    await h.shot('data');
    await h.page.getByRole('link', { name: 'LFs' }).click();
    await h.page.locator('[data-lf-name="shouting_subject"]').waitFor();
    expect(await h.page.locator('[data-lf-name]').count()).toBe(6);
    await h.shot('lfs');
  });

  it('sends no request outside its origin and violates no CSP rule', async () => {
    expect(h.requests.length).toBeGreaterThan(5);
    h.assertNoEgress();
    expect(h.cspViolations()).toEqual([]);
    expect(h.pageErrors).toEqual([]);
    // The demo came over the network from our own origin.
    expect(h.requests.some((r) => r.url.endsWith('/demo/spam-assassin.jsonl.gz'))).toBe(true);
  });

  it('works offline after one visit, reload and demo included', async () => {
    await h.serviceWorkerReady();
    const before = h.requests.length;
    await h.context.setOffline(true);
    try {
      // The demo project persists and reopens where the user was; start from the first screen.
      await h.page.evaluate(() => (location.hash = '#/home'));
      await h.page.reload({ waitUntil: 'load' });
      await h.page.getByTestId('load-demo').waitFor({ state: 'visible' });
      expect(await h.page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
      // Cached responses keep COOP/COEP, so the offline page is still isolated.
      expect(await h.page.evaluate(() => crossOriginIsolated)).toBe(true);
      await h.page.getByTestId('load-demo').click();
      await h.page.getByTestId('dataset-ready').waitFor({ state: 'visible' });
      await h.page.getByTestId('offline-status').filter({ hasText: 'Works offline' }).waitFor();
      await h.shot('offline-data');
    } finally {
      await h.context.setOffline(false);
    }
    expect(h.requests.length).toBeGreaterThan(before);
    h.assertNoEgress();
  });
});
