/**
 * From a mistake to its fix, from the user's side: fit the label model on the demo, open a row
 * from the Model screen's error list, see every LF's vote and its push on the posterior (the
 * pushes add up to the posterior's log-odds), fix the row's gold (the row view and the Model
 * screen's scores follow), open an LF from its name, and start a new LF from the row's words.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, Harness } from './harness.ts';
import { openDemoModel } from './lf-editor.ts';

browserSuite('the row view: votes, source attribution, gold fix, LFs from a row', () => {
  const h = new Harness();
  h.screenshotOnFailure();
  let rowHash = '';

  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.close();
  });

  const num = (s: string | null) => Number(s);

  /** The attribution on screen: prior + Σ pushes, the stated log-odds and the posterior's. */
  async function attribution() {
    const page = h.page;
    const box = page.getByTestId('row-view-attribution');
    const pushes = await page.getByTestId('row-view-push').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-push'))));
    const p = await page
      .locator('[data-testid="row-view-posterior"] tr')
      .evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-p'))));
    const sorted = [...p].sort((a, b) => b - a);
    return {
      pushes,
      prior: num(await box.getAttribute('data-prior')),
      logOdds: num(await box.getAttribute('data-log-odds')),
      posteriorLogOdds: Math.log(sorted[0] / sorted[1]),
    };
  }

  it('opens a confident mistake from the Model screen and shows every LF’s vote and push', async () => {
    await openDemoModel(h);
    const page = h.page;
    // Dawid–Skene: abstains carry evidence there too, so every enabled LF gets a push.
    await page.getByTestId('lm-name').selectOption('ds');
    await page.getByTestId('lm-fit').click();
    await page.getByTestId('lm-metrics').waitFor({ timeout: 120_000 });
    const lfCount = await page.locator('[data-testid="lm-lf-table"] tbody tr').count();
    expect(lfCount).toBe(6);

    await page.getByTestId('ea-confidentMistakes').click();
    const open = page.getByTestId('ea-open-row').first();
    await open.waitFor({ timeout: 60_000 });
    const row = await page.getByTestId('ea-row').first().getAttribute('data-row');
    await open.click();
    const view = page.getByTestId('row-view');
    await view.waitFor();
    rowHash = await page.evaluate(() => location.hash);
    expect(rowHash).toBe(`#/row?i=${row}`);
    expect(await view.getAttribute('data-row')).toBe(row);
    expect(await page.getByTestId('row-view-split').textContent()).toBe('dev');

    // Every field, every LF's vote, a push per enabled LF.
    await page.locator('[data-testid="row-view-field"][data-field="text"]').waitFor();
    await page.waitForFunction(() => (document.querySelector('[data-field="text"] div')?.textContent ?? '').length > 0);
    expect(await page.getByTestId('row-view-vote').count()).toBe(lfCount);
    const a = await attribution();
    expect(a.pushes).toHaveLength(lfCount);
    expect(Math.abs(a.prior + a.pushes.reduce((s, x) => s + x, 0) - a.logOdds)).toBeLessThan(1e-9);
    expect(Math.abs(a.posteriorLogOdds - a.logOdds)).toBeLessThan(1e-6);
    // Largest push first.
    const sizes = a.pushes.map(Math.abs);
    expect(sizes).toEqual([...sizes].sort((x, y) => y - x));
    expect(await page.getByTestId('row-view-meaning').textContent()).toMatch(/confusion matrix/);
    await h.shot('row-view');
  });

  it('is a deep link: a reload shows the same row and its pushes, from the stored fit', async () => {
    const page = h.page;
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('row-view').waitFor({ timeout: 60_000 });
    await page.getByTestId('row-view-push').first().waitFor({ timeout: 60_000 });
    const a = await attribution();
    expect(a.pushes).toHaveLength(6);
    expect(Math.abs(a.posteriorLogOdds - a.logOdds)).toBeLessThan(1e-6);
  });

  /** The ids of the label-model fits stored in IndexedDB (a refit stores a new one). */
  const storedRuns = () =>
    h.page.evaluate(`new Promise((resolve) => {
      const req = indexedDB.open('shoal');
      req.onsuccess = () => {
        const q = req.result.transaction('runs').objectStore('runs').getAllKeys();
        q.onsuccess = () => {
          req.result.close();
          resolve(q.result.sort().join(' '));
        };
      };
    })`) as Promise<string>;

  it('fixes the gold label: the row view and the Model screen’s scores update', async () => {
    const page = h.page;
    const gold = (await page.getByTestId('row-view-gold').textContent())!.trim();
    const lmLabel = (await page.getByTestId('row-view-lm-label').textContent())!.trim();
    // A confident mistake: the label model disagrees with the gold. Setting the gold to the model's label fixes it.
    expect(lmLabel).not.toBe(gold);
    const metrics = page.getByTestId('row-view-metrics');
    await metrics.waitFor({ timeout: 60_000 });
    const before = (await metrics.textContent())!;
    const accBefore = Number(/([\d.]+)% accuracy/.exec(before)![1]);
    await h.goto('#/model');
    const devBefore = (await page.getByTestId('lm-dev-acc').textContent())!;
    const runsBefore = await storedRuns();
    await page.goBack();
    await page.getByTestId('row-view').waitFor();

    await page.locator(`[data-testid="row-view-fix-gold"] button[data-class="${lmLabel}"]`).click();
    await page.waitForFunction((want) => document.querySelector('[data-testid="row-view-gold"]')?.textContent?.trim() === want, lmLabel);
    await page.waitForFunction((b) => document.querySelector('[data-testid="row-view-metrics"]')?.textContent !== b, before);
    const accAfter = Number(/([\d.]+)% accuracy/.exec((await metrics.textContent())!)![1]);
    expect(accAfter).toBeGreaterThan(accBefore);
    await h.goto('#/model');
    await page.waitForFunction((b) => document.querySelector('[data-testid="lm-dev-acc"]')?.textContent !== b, devBefore);
    expect(Number((await page.getByTestId('lm-dev-acc').textContent())!.replace('%', ''))).toBeGreaterThan(
      Number(devBefore.replace('%', '')),
    );
    // The fit uses dev gold (the class balance from dev, auto's choice): the label model refits
    // by itself and stores the new fit.
    await expect.poll(storedRuns, { timeout: 60_000, interval: 500 }).not.toBe(runsBefore);
    // Put the gold back, from the same view.
    await h.goto(rowHash);
    await page.getByTestId('row-view').waitFor();
    await page.locator(`[data-testid="row-view-fix-gold"] button[data-class="${gold}"]`).click();
    await page.waitForFunction((want) => document.querySelector('[data-testid="row-view-gold"]')?.textContent?.trim() === want, gold);
  });

  it('an LF name opens that LF in the editor', async () => {
    const page = h.page;
    const link = page.getByTestId('row-view-lf-link').first();
    const name = (await link.textContent())!.trim();
    await link.click();
    await page.getByTestId('lf-name').waitFor();
    expect(await page.getByTestId('lf-name').inputValue()).toBe(name);
  });

  it('starts a new keyword LF from the row’s words, voting its gold, with the preview', async () => {
    const page = h.page;
    await h.goto(rowHash);
    await page.getByTestId('row-view').waitFor();
    const gold = (await page.getByTestId('row-view-gold').textContent())!.trim();
    const button = page.getByTestId('row-view-new-lf');
    await page.waitForFunction(() =>
      /^Keywords: /.test(document.querySelector('[data-testid="row-view-new-lf"]')?.textContent?.trim() ?? ''),
    );
    const words = (await button.textContent())!.trim().replace(/^Keywords: /, '');
    expect(words.split(', ').length).toBeGreaterThan(0);
    await button.click();
    await page.getByTestId('lf-keywords').waitFor();
    expect(await page.getByTestId('lf-kind').inputValue()).toBe('keyword');
    expect(await page.getByTestId('lf-keywords').inputValue()).toBe(words);
    expect(await page.getByTestId('lf-label').inputValue()).toBe(gold);
    const name = `${gold}_${words.split(', ')[0]}`;
    expect(await page.getByTestId('lf-name').inputValue()).toBe(name);
    // The preview runs on the seeded keywords; the row itself contains them, so it fires somewhere.
    await page
      .getByTestId('lf-preview')
      .getByText(/coverage/i)
      .first()
      .waitFor({ timeout: 60_000 });
    await h.shot('row-view-new-lf');
    // The seeding link is read once: a reload after saving does not open the same new LF again.
    expect(await page.evaluate(() => location.hash)).toBe('#/lfs');
    await page.getByTestId('lf-save').click();
    await page.locator(`[data-testid="lf-row"][data-lf-name="${name}"]`).waitFor({ timeout: 60_000 });
  });

  it('Browse, the annotation card and the Model screen’s LF table lead to the row view and the LF', async () => {
    const page = h.page;
    await h.goto('#/browse');
    const first = page.getByTestId('browse-row').first();
    await first.waitFor({ timeout: 60_000 });
    const row = await first.getAttribute('data-row');
    await first.click();
    // The detail panel's vote table names each LF as a link to it in the editor.
    const voteLf = page.locator('.votes-table a').first();
    expect(await voteLf.getAttribute('href')).toMatch(/^#\/lfs\?lf=/);
    await page.getByTestId('browse-open-row').click();
    await page.getByTestId('row-view').waitFor();
    expect(await page.getByTestId('row-view').getAttribute('data-row')).toBe(row);

    await h.goto('#/annotate');
    await page.getByTestId('annotate-card').waitFor({ timeout: 60_000 });
    await page.getByTestId('annotate-open-row').click();
    await page.getByTestId('row-view').waitFor();
    expect(await page.getByTestId('row-view-vote').count()).toBeGreaterThan(0);

    await h.goto('#/model');
    const lfLink = page.locator('[data-testid="lm-lf-table"] tr[data-lf="click_here"] a');
    await lfLink.waitFor({ timeout: 60_000 });
    await lfLink.click();
    await page.getByTestId('browse-count').waitFor();
    expect(await page.getByTestId('browse-filter-lf').inputValue()).not.toBe('');
    expect(await page.getByTestId('browse-filter-split').inputValue()).toBe('dev');
  });
});
