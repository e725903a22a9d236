import { appendFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, Harness } from './harness.ts';

// A new deployment must announce itself and take over only when the user says so.
browserSuite('app updates (service worker, prompt)', () => {
  const outDir = mkdtempSync(join(tmpdir(), 'shoal-update-'));
  const h = new Harness({ outDir });
  h.screenshotOnFailure();
  beforeAll(async () => {
    cpSync('dist', outDir, { recursive: true });
    await h.start();
  });
  afterAll(async () => {
    await h.close();
    rmSync(outDir, { recursive: true, force: true });
  });

  it('shows a banner for a new version and switches only after "Reload to update"', async () => {
    await h.goto();
    await h.serviceWorkerReady();
    // A first visit is not controlled yet (no clients.claim in prompt mode); the next one is.
    await h.page.reload();
    await h.page.getByTestId('load-demo').waitFor();
    expect(await h.page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);
    expect(await h.page.getByTestId('update-banner').count()).toBe(0);
    // A second tab of the app, with state that a reload would lose.
    const other = await h.context.newPage();
    await other.goto(h.url);
    await other.getByTestId('load-demo').waitFor();
    await other.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    // "Deploy" a new version: a byte-different service worker script.
    appendFileSync(join(outDir, 'sw.js'), '\n// next version\n');
    await h.page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });
    const banner = h.page.getByTestId('update-banner');
    await banner.waitFor({ state: 'visible' });
    // The new worker waits; nothing reloaded on its own.
    expect(await h.page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting !== null)).toBe(true);
    await h.shot('update-banner');

    await Promise.all([h.page.waitForEvent('framenavigated'), banner.getByRole('button', { name: 'Reload to update' }).click()]);
    await h.page.getByTestId('load-demo').waitFor();
    const state = await h.page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return { waiting: reg?.waiting ?? null, controlled: navigator.serviceWorker.controller !== null };
    });
    expect(state).toEqual({ waiting: null, controlled: true });
    expect(await h.page.getByTestId('update-banner').count()).toBe(0);

    // The other tab is now controlled by the new worker too: it says so and does not reload.
    await other.getByTestId('update-banner').filter({ hasText: 'updated in another tab' }).waitFor();
    expect(await other.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await other.close();
    h.assertNoEgress();
  });
});
