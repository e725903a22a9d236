/**
 * Guided LF writing from the user's side, on the demo: open the suggestions on the LF screen,
 * accept the top one — a new template LF is saved, run, listed with its coverage, open in the
 * editor with its preview, and in the Analysis table — then follow a "look here next" group to
 * exactly its rows in Browse, and see the queue ordered by the label model once it is fitted.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, Harness } from './harness.ts';
import { lfRow, openDemoLfs } from './lf-editor.ts';

browserSuite('LF suggestions and the look-here-next queue', () => {
  const h = new Harness({ viewport: { width: 1400, height: 1000 } });
  h.screenshotOnFailure();

  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.close();
  });

  let added = '';

  it('accepting a suggestion saves and runs a new LF, shown with its coverage and preview', async () => {
    await openDemoLfs(h);
    const page = h.page;
    const before = await page.getByTestId('lf-row').count();
    await page.getByTestId('lf-suggestions-open').click();
    const panel = page.getByTestId('lf-suggestions');
    await panel.waitFor();
    const first = page.getByTestId('lf-suggestion').first();
    await first.waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('lf-suggestions-rule').textContent()).toMatch(/^Ranked by how far the 95% lower bound of dev accuracy/);
    expect(await page.getByTestId('lf-next-group').count()).toBeGreaterThan(0);
    await h.shot('lf-suggestions');
    await page.screenshot({ path: '/tmp/guide-suggestions.png' });

    // The top suggestion: its term and figures, then one click.
    const term = (await first.getAttribute('data-term'))!;
    expect(term.length).toBeGreaterThan(0);
    expect(await first.textContent()).toMatch(/%\s*n=\d+/);
    await first.getByTestId('lf-suggestion-accept').click();
    await first.getByText(/added as/).waitFor();
    added = (await first.locator('code').textContent())!.trim();
    expect(added).toMatch(/^(kw_|\w+_is_)/);

    // Saved and run: a new row in the list with its coverage, open in the editor with its preview.
    await expect.poll(() => page.getByTestId('lf-row').count()).toBe(before + 1);
    await lfRow(page, added)
      .getByText(/% coverage/)
      .waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('lf-name').inputValue()).toBe(added);
    await page
      .getByTestId('lf-preview')
      .getByText(/Coverage/)
      .waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('lf-preview').textContent()).toMatch(/Dev accuracy/);
    // Its votes changed the LF set: the panel says its figures may be out of date.
    await page.getByTestId('lf-suggestions-stale').waitFor();
    await page.screenshot({ path: '/tmp/guide-accepted.png', fullPage: true });
  });

  it('lists the new LF in the Analysis table with its coverage', async () => {
    const page = h.page;
    await h.goto('#/analysis');
    const row = page.locator(`[data-testid="lf-table"] tr[data-lf-name="${added}"]`);
    await row.waitFor({ timeout: 60_000 });
    expect(await row.textContent()).toMatch(/\d+(\.\d+)?%/);
  });

  it('a "look here next" group opens exactly its rows in Browse', async () => {
    const page = h.page;
    await h.goto('#/lfs');
    await page.getByTestId('lf-suggestions-open').click();
    await page.getByTestId('lf-next-tab').click();
    const group = page.getByTestId('lf-next-group').first();
    await group.waitFor({ timeout: 120_000 });
    await page.screenshot({ path: '/tmp/guide-queue.png' });
    const text = (await group.textContent())!;
    const n = Number(/in (\d+) of these rows/.exec(text)![1]);
    expect(n).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('lf-next-queue').textContent()).toMatch(/train rows no enabled LF covers/);
    await group.getByTestId('lf-next-group-browse').click();
    await page.getByTestId('browse-pinned').waitFor();
    expect(await page.getByTestId('browse-count').textContent()).toBe(`${n} of 5,899 rows`);
    await page.screenshot({ path: '/tmp/guide-browse.png' });

    // "Write an LF from these words" opens the editor on a keyword LF, not saved yet.
    await h.goto('#/lfs');
    await page.getByTestId('lf-suggestions-open').click();
    await page.getByTestId('lf-next-tab').click();
    const g = page.getByTestId('lf-next-group').first();
    await g.waitFor({ timeout: 120_000 });
    const before = await page.getByTestId('lf-row').count();
    await g.getByTestId('lf-next-group-write').click();
    await page
      .getByTestId('lf-preview')
      .getByText(/Coverage/)
      .waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('lf-name').inputValue()).toMatch(/^(kw_|\w+_is_)/);
    expect(await page.getByTestId('lf-row').count()).toBe(before);
  });

  it('orders the queue by the label model once it is fitted', async () => {
    const page = h.page;
    await h.goto('#/model');
    await page.getByText(/Turns the \d+ enabled LFs/).waitFor({ timeout: 120_000 });
    await page.getByTestId('lm-fit').click();
    await page.getByTestId('lm-metrics').waitFor({ timeout: 120_000 });
    await h.goto('#/lfs');
    await page.getByTestId('lf-suggestions-open').click();
    await page.getByTestId('lf-next-tab').click();
    await page.getByTestId('lf-next-group').first().waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('lf-next-queue').textContent()).toMatch(/the label model is least sure about/);
    await page.screenshot({ path: '/tmp/guide-queue-lm.png' });
  });
});
