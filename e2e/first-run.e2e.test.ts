/**
 * The first start of `npm run dev` on a fresh clone: `public/demo/` does not exist yet (it is
 * git-ignored and generated), the dependency cache is empty, the browser profile is new. Load
 * demo must work right away — not only after a restart of the dev server.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, Harness } from './harness.ts';

browserSuite('first run of the dev server on a fresh clone', () => {
  // A public dir as a clone has it (icons, no demo) and a dependency cache as a clone has it (none).
  const scratch = mkdtempSync(join(tmpdir(), 'shoal-first-run-'));
  const publicDir = join(scratch, 'public');
  cpSync(resolve('public/icons'), join(publicDir, 'icons'), { recursive: true });
  const h = new Harness({ dev: { publicDir, cacheDir: join(scratch, 'vite-cache') } });
  h.screenshotOnFailure();
  let demoBeforeStart = true;
  beforeAll(async () => {
    demoBeforeStart = existsSync(join(publicDir, 'demo'));
    await h.start();
  });
  afterAll(async () => {
    await h.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('loads the demo on the first start, with no JSON error', async () => {
    expect(demoBeforeStart).toBe(false);
    const page = h.page;
    await h.goto();
    await page.getByTestId('load-demo').click({ timeout: 120_000 });
    const ready = page.getByTestId('dataset-ready');
    const error = page.getByText(/is not valid JSON|Unexpected token/);
    await Promise.race([ready.waitFor({ state: 'visible', timeout: 150_000 }), error.waitFor({ state: 'visible', timeout: 150_000 })]);
    expect(await error.count()).toBe(0);
    expect(await ready.textContent()).toMatch(/5,\d{3}/);
    // The data table shows rows of the demo.
    const rows = page.locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(10);
    // The demo files came from the dev server as what they are, not as index.html.
    const meta = await page.evaluate(async () => (await fetch('/demo/spam-assassin.meta.json')).json() as Promise<{ rows: number }>);
    expect(await ready.textContent()).toContain(meta.rows.toLocaleString('en-US'));
    await h.shot('first-run-dev-demo');
  });

  it('says plainly that the dev server does not set up offline use', async () => {
    const status = h.page.getByTestId('offline-status');
    expect(await status.textContent()).toContain('Offline use is set up by the built app; the dev server does not cache');
    expect(await h.page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
    expect(h.pageErrors).toEqual([]);
    h.assertNoEgress();
  });
});
