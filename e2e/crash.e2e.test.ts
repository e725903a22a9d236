/**
 * An LF that takes the renderer down (an allocation bomb kills the tab with its workers in
 * Chromium, so it cannot be stopped as it happens) is blamed when the project reopens: it is
 * marked failed so it cannot crash the tab again, and the other LFs keep their votes.
 * The crash is simulated with CDP `Page.crash`, which, like an out-of-memory kill, fires no
 * pagehide.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, Harness } from './harness.ts';
import { lfRow, openDemoLfs, writeCodeLf } from './lf-editor.ts';

browserSuite('a crashed tab blames the LF that was running', () => {
  const h = new Harness();
  h.screenshotOnFailure();
  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it('marks the running LF failed after a renderer crash; the others are unaffected', async () => {
    await openDemoLfs(h);
    let page = h.page;

    // Slow enough (a few hundred microseconds a row) to be running when the tab dies. LF code has
    // no clock (the sandbox), so the work is counted, not timed.
    await writeCodeLf(page, 'heavy_lf', "(x) => { let s = 0; for (let i = 0; i < 300000; i++) s += i % 7; return s < 0 ? 'spam' : null; }");
    await page.getByTestId('lf-save').click();
    await lfRow(page, 'heavy_lf').getByText('running…').waitFor();
    await page.waitForTimeout(300);
    const cdp = await h.context.newCDPSession(page);
    const crashed = page.waitForEvent('crash', { timeout: 30_000 });
    void cdp.send('Page.crash').catch(() => undefined); // never answers: the renderer is gone
    await crashed;

    page = await h.context.newPage();
    h.page = page;
    await page.goto(`${h.url}#/lfs`, { waitUntil: 'load' });
    const error = lfRow(page, 'heavy_lf').getByTestId('lf-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.textContent()).toMatch(/crashed/);
    expect(await page.getByText(/The tab crashed while running heavy_lf/).count()).toBe(1);
    // The starter LFs kept their votes.
    await lfRow(page, 'money_words')
      .getByText(/% coverage/)
      .waitFor();
    await h.shot('crash-blamed');
  });
});
