/**
 * A full disk on every write path of the studio, from the user's side of the screen, on the
 * demo: saving an edited LF, reordering and toggling LFs, storing LF votes, annotating a gold
 * row, storing the label-model fit and the trained classifier. Each time the user sees one
 * clear sentence where they acted, what they typed or computed stays on screen, and IndexedDB
 * (read back here) holds the previous version whole; once the disk is free again, saving
 * again works and survives a reload.
 *
 * The full disk is simulated as in import-worker.e2e.test.ts: in the page, Chromium's own
 * IDBObjectStore.prototype.put throws QuotaExceededError for the chosen stores.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, Harness } from './harness.ts';
import { lfRow, openDemoLfs, writeCodeLf } from './lf-editor.ts';

const FULL = /^Browser storage is full, so /;

/**
 * In every page before its scripts: put() throws QuotaExceededError for the object stores
 * listed in sessionStorage `e2e-full-stores`, so a full disk outlasts a reload of the tab.
 */
function installFullDisk(): void {
  const realPut = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<typeof realPut>) {
    const full = JSON.parse(sessionStorage.getItem('e2e-full-stores') ?? '[]') as string[];
    if (full.includes(this.name)) {
      // Counted, so a test can wait until a save attempt has really been refused.
      sessionStorage.setItem('e2e-refused', String(Number(sessionStorage.getItem('e2e-refused') ?? 0) + 1));
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    }
    return realPut.apply(this, args);
  };
}

/** Make put() fail as a full disk does for these object stores (until `freeDisk`). */
async function fillDisk(page: Page, stores: string[]): Promise<void> {
  await page.evaluate((names) => sessionStorage.setItem('e2e-full-stores', JSON.stringify(names)), stores);
}

async function freeDisk(page: Page): Promise<void> {
  await page.evaluate(() => sessionStorage.removeItem('e2e-full-stores'));
}

/** Every record of an object store of the app's database, read with plain IndexedDB. */
async function readStore<T>(page: Page, store: string): Promise<T[]> {
  return page.evaluate(
    (name) =>
      new Promise<T[]>((done, fail) => {
        const open = indexedDB.open('shoal');
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const req = db.transaction(name, 'readonly').objectStore(name).getAll();
          req.onsuccess = () => {
            // Typed arrays do not survive the trip to Node: send plain arrays.
            const out = (req.result as Record<string, unknown>[]).map((r) =>
              Object.fromEntries(Object.entries(r).map(([k, v]) => [k, ArrayBuffer.isView(v) ? Array.from(v as Int8Array) : v])),
            );
            db.close();
            done(out as T[]);
          };
          req.onerror = () => fail(req.error);
        };
      }),
    store,
  );
}

interface StoredLf {
  name: string;
  order: number;
  enabled: boolean;
  config: { source?: string };
}

const storedLf = async (page: Page, name: string) => (await readStore<StoredLf>(page, 'lfs')).find((l) => l.name === name);
const storedOrder = async (page: Page) => (await readStore<StoredLf>(page, 'lfs')).sort((a, b) => a.order - b.order).map((l) => l.name);
const shownOrder = (page: Page) =>
  page.locator('[data-testid="lf-row"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-lf-name')));

browserSuite('a full disk loses nothing: LFs, votes, gold labels, label model, classifier', () => {
  const h = new Harness();
  h.screenshotOnFailure();

  beforeAll(async () => {
    await h.start();
    await h.context.addInitScript(installFullDisk);
    await openDemoLfs(h);
  });
  afterAll(async () => {
    await h.close();
  });

  it('keeps an edited LF in the editor when the disk is full, the stored version whole, and saves it once there is room', async () => {
    const page = h.page;
    const v1 = "(x) => x.subject.includes('!!') ? 'spam' : null // v1";
    const v2 = "(x) => x.subject.includes('!!!') ? 'spam' : null // v2";
    await writeCodeLf(page, 'quota_lf', v1);
    await page.getByTestId('lf-save').click();
    await lfRow(page, 'quota_lf')
      .getByText(/% coverage/)
      .waitFor({ timeout: 60_000 });
    expect((await storedLf(page, 'quota_lf'))?.config.source).toBe(v1);

    // Edit, then save with a full disk.
    const code = page.getByTestId('lf-code');
    await code.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await code.fill(v2);
    await fillDisk(page, ['lfs']);
    await page.getByTestId('lf-save').click();
    const err = page.getByTestId('lf-save-error');
    await err.waitFor();
    expect(await err.textContent()).toBe(
      'Browser storage is full, so LF "quota_lf" was not saved (earlier data is intact); delete old projects, datasets or runs, or allow persistent storage, then try again.',
    );
    await h.shot('quota-lf-save');
    // What the user typed is still there; what is stored is the previous version, whole.
    expect(await code.textContent()).toBe(v2);
    expect((await storedLf(page, 'quota_lf'))?.config.source).toBe(v1);

    // A reload (here: a second tab, so the editor keeps its text) shows the previous version.
    const other = await h.context.newPage();
    await other.goto(`${h.url}#/lfs`, { waitUntil: 'load' });
    await lfRow(other, 'quota_lf').getByRole('button', { name: 'quota_lf', exact: true }).click();
    await other.getByTestId('lf-code').waitFor();
    expect(await other.getByTestId('lf-code').textContent()).toBe(v1);
    await other.close();

    // Room again: the same click saves, runs, and survives a reload.
    await freeDisk(page);
    await page.getByTestId('lf-save').click();
    await err.waitFor({ state: 'detached' });
    // The row shows the new definition and, once its run finished, its coverage.
    await lfRow(page, 'quota_lf')
      .filter({ hasText: '// v2' })
      .getByText(/% coverage/)
      .waitFor({ timeout: 60_000 });
    expect((await storedLf(page, 'quota_lf'))?.config.source).toBe(v2);
    // Saved: nothing is left to lose, so the reload does not ask.
    const prompts = h.unloadPrompts.length;
    await page.reload({ waitUntil: 'load' });
    expect(h.unloadPrompts.length).toBe(prompts);
    await lfRow(page, 'quota_lf').getByRole('button', { name: 'quota_lf', exact: true }).click();
    await page.getByTestId('lf-code').waitFor();
    expect(await page.getByTestId('lf-code').textContent()).toBe(v2);
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('asks before a reload drops an LF draft that differs from what is saved', async () => {
    const page = h.page;
    const open = async () => {
      await lfRow(page, 'quota_lf').getByRole('button', { name: 'quota_lf', exact: true }).click();
      await page.getByTestId('lf-code').waitFor();
    };
    // Opened and left as it is: no question.
    await open();
    await page.getByTestId('lf-code').click();
    let prompts = h.unloadPrompts.length;
    await page.reload({ waitUntil: 'load' });
    expect(h.unloadPrompts.length).toBe(prompts);
    // Changed and not saved: the browser's "Leave site?" comes first (accepted here), and what
    // is stored stays the saved version.
    await open();
    await page.getByTestId('lf-code').click();
    await page.keyboard.press('End');
    await page.keyboard.type(' // draft');
    prompts = h.unloadPrompts.length;
    await page.reload({ waitUntil: 'load' });
    expect(h.unloadPrompts.length).toBe(prompts + 1);
    expect((await storedLf(page, 'quota_lf'))?.config.source).not.toContain('// draft');
    await lfRow(page, 'quota_lf').waitFor({ timeout: 60_000 });
  });

  it('reorders and toggles LFs all or nothing, and says so above the list', async () => {
    const page = h.page;
    await lfRow(page, 'money_words')
      .getByText(/% coverage/)
      .waitFor({ timeout: 60_000 });
    const before = await storedOrder(page);
    expect(await shownOrder(page)).toEqual(before);
    await fillDisk(page, ['lfs']);
    await page.getByRole('button', { name: `Move ${before[0]} down` }).click();
    const err = page.getByTestId('lf-list-error');
    await err.waitFor();
    expect(await err.textContent()).toMatch(/^Browser storage is full, so the changes to 2 LFs were not saved \(earlier data is intact\);/);
    expect(await shownOrder(page)).toEqual(before);
    expect(await storedOrder(page)).toEqual(before);
    // A toggle that cannot be stored leaves the box as it is stored.
    const box = page.getByLabel(`Enable ${before[1]}`);
    expect(await box.isChecked()).toBe(true);
    await box.click();
    await page.waitForFunction(
      (want) => (document.querySelector('[data-testid="lf-list-error"]')?.textContent ?? '').includes(want),
      `so LF "${before[1]}" was not saved`,
    );
    expect(await box.isChecked()).toBe(true);
    expect((await storedLf(page, before[1]))?.enabled).toBe(true);
    await h.shot('quota-lf-list');
    await freeDisk(page);
    await page.getByRole('button', { name: `Move ${before[0]} down` }).click();
    await err.waitFor({ state: 'detached' });
    const moved = [before[1], before[0], ...before.slice(2)];
    await page.waitForFunction(
      (want) =>
        JSON.stringify([...document.querySelectorAll('[data-testid="lf-row"]')].map((e) => e.getAttribute('data-lf-name'))) === want,
      JSON.stringify(moved),
    );
    expect(await storedOrder(page)).toEqual(moved);
  });

  it('keeps the votes of an LF that ran while the disk was full, and says they are not stored', async () => {
    const page = h.page;
    await fillDisk(page, ['votes']);
    await writeCodeLf(page, 'votes_full', "(x) => x.text.length > 2000 ? 'ham' : null");
    await page.getByTestId('lf-save').click();
    const err = page.getByTestId('lf-list-error');
    await err.waitFor({ timeout: 60_000 });
    expect(await err.textContent()).toMatch(
      /^votes_full ran, but its votes are only in this tab \(a reload will show "not run"\): Browser storage is full, so the LF votes were not saved/,
    );
    // The LF itself was stored; its votes count in this tab.
    expect(await storedLf(page, 'votes_full')).toBeDefined();
    await lfRow(page, 'votes_full')
      .getByText(/% coverage/)
      .waitFor();
    await freeDisk(page);
    await page.getByRole('button', { name: 'Close' }).click();
  });

  it('keeps a gold label given on a full disk, marked unsaved, and stores it with Save again', async () => {
    const page = h.page;
    await h.goto('#/annotate');
    const card = page.getByTestId('annotate-card');
    await card.waitFor({ timeout: 60_000 });
    const row = Number(await card.getAttribute('data-row'));
    const was = (await page.getByTestId('annotate-current').textContent())!.trim();
    const want = was === 'spam' ? 'ham' : 'spam';
    const stored = async () => {
      const cols = await readStore<{ name: string; data: number[] }>(page, 'columns');
      const split = cols.find((c) => c.name === 'split')!.data;
      const gold = cols.find((c) => c.name === 'gold')!.data;
      // Dev row `row` is the (row+1)-th dataset row whose split code is 1 (dev).
      let seen = -1;
      for (let i = 0; i < split.length; i++) if (split[i] === 1 && ++seen === row) return gold[i];
      throw new Error(`dev row ${row} not found`);
    };
    const storedBefore = await stored();
    await fillDisk(page, ['columns']);
    await card.locator('.meta').click();
    await page.keyboard.press(want === 'ham' ? '1' : '2');
    const banner = page.getByTestId('gold-unsaved');
    await banner.waitFor();
    expect((await banner.textContent())!.replace(/\s+/g, ' ').trim()).toBe(
      'Browser storage is full, so the gold labels were not saved (earlier data is intact); delete old projects, datasets or runs, or allow persistent storage, then try again. The label stays on screen but is not stored: a reload would lose it. Save again',
    );
    // The label is on the card (not silently dropped), the card did not move on, storage is unchanged.
    expect(Number(await card.getAttribute('data-row'))).toBe(row);
    expect((await page.getByTestId('annotate-current').textContent())!.trim()).toBe(want);
    expect(await stored()).toBe(storedBefore);
    await h.shot('quota-annotate');
    // Still full: Save again keeps it unsaved, and still counts one label (not one per attempt).
    const bannerText = await banner.textContent();
    const refused = await page.evaluate(() => Number(sessionStorage.getItem('e2e-refused') ?? 0));
    await page.getByTestId('gold-retry').click();
    await page.waitForFunction((n) => Number(sessionStorage.getItem('e2e-refused') ?? 0) > n, refused);
    // Let the refusal reach the screen (two frames) before reading the banner again.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    expect(await stored()).toBe(storedBefore);
    expect(await banner.textContent()).toBe(bannerText);
    expect(bannerText).toContain('The label stays on screen');
    await freeDisk(page);
    await page.getByTestId('gold-retry').click();
    await banner.waitFor({ state: 'detached' });
    expect(await stored()).toBe(want === 'ham' ? 0 : 1);
    await page.reload({ waitUntil: 'load' });
    await card.waitFor({ timeout: 60_000 });
    expect(await stored()).toBe(want === 'ham' ? 0 : 1);
  });

  it('shows a label-model fit and a trained classifier that could not be stored, and stores nothing half', async () => {
    const page = h.page;
    await h.goto('#/model');
    await page.getByTestId('lm-fit').waitFor();
    const runsBefore = (await readStore(page, 'runs')).length;
    const probsBefore = (await readStore(page, 'runProbs')).length;
    await fillDisk(page, ['runProbs']);
    await page.getByTestId('lm-fit').click();
    await page.getByTestId('lm-metrics').waitFor({ timeout: 120_000 });
    const lmErr = page.locator('[role="alert"]', { hasText: 'The fit worked but could not be saved' });
    await lmErr.waitFor({ timeout: 60_000 });
    expect(await lmErr.textContent()).toMatch(
      /^The fit worked but could not be saved: Browser storage is full, so the label-model run was not saved \(earlier data is intact\);/,
    );
    expect(Number((await page.getByTestId('lm-dev-acc').textContent())!.replace('%', ''))).toBeGreaterThan(50);
    // The run record and its probabilities go in one transaction: neither landed.
    expect((await readStore(page, 'runs')).length).toBe(runsBefore);
    expect((await readStore(page, 'runProbs')).length).toBe(probsBefore);
    // Room again: Save again stores the fit on screen, no refit.
    await freeDisk(page);
    const t0 = await page.evaluate(() => Date.now());
    await page.getByTestId('lm-save-again').click();
    await page.getByTestId('lm-error').waitFor({ state: 'detached' });
    const runs = await readStore<{ id: string; createdAt: number }>(page, 'runs');
    const fresh = runs.filter((r) => r.createdAt >= t0);
    expect(fresh.length).toBe(1);
    expect((await readStore<{ runId: string }>(page, 'runProbs')).map((p) => p.runId)).toContain(fresh[0].id);

    // The classifier: a few epochs are enough to have one on screen.
    await freeDisk(page);
    await page.getByTestId('clf-settings').locator('summary').click();
    await page.getByTestId('clf-set-epochs').fill('3');
    await fillDisk(page, ['classifierModels']);
    await page.getByTestId('clf-train').click();
    await page.getByTestId('clf-dev-acc').waitFor({ timeout: 120_000 });
    const clfErr = page.locator('[role="alert"]', { hasText: 'The classifier trained but could not be saved' });
    await clfErr.waitFor({ timeout: 60_000 });
    expect(await clfErr.textContent()).toMatch(
      /^The classifier trained but could not be saved \(it will be gone after a reload\): Browser storage is full, so the trained classifier was not saved \(earlier data is intact\);/,
    );
    expect(Number((await page.getByTestId('clf-dev-acc').textContent())!.replace('%', ''))).toBeGreaterThan(50);
    expect(await readStore(page, 'classifiers')).toEqual([]);
    expect(await readStore(page, 'classifierModels')).toEqual([]);
    await h.shot('quota-model');
    const shown = await page.getByTestId('clf-dev-acc').textContent();
    await freeDisk(page);
    await page.getByTestId('clf-save-again').click();
    await page.getByTestId('clf-error').waitFor({ state: 'detached' });
    expect((await readStore(page, 'classifiers')).length).toBe(1);
    expect((await readStore(page, 'classifierModels')).length).toBe(1);
    // What was saved is what was shown: after a reload the same classifier comes back.
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('clf-restored').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('clf-dev-acc').textContent()).toBe(shown);
  });

  it('opens the project after a reload while the disk is full, and an import says the disk is full', async () => {
    const page = h.page;
    await fillDisk(page, ['settings', 'projects']);
    await page.reload({ waitUntil: 'load' });
    await h.goto('#/lfs');
    await lfRow(page, 'money_words')
      .getByText(/% coverage/)
      .waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('session-error').count()).toBe(0);
    // A new import cannot even create its project: one sentence, not a spinner forever.
    const projects = (await readStore(page, 'projects')).length;
    await page.getByRole('link', { name: 'Start', exact: true }).click();
    await page.getByTestId('import-data').click();
    const csv = ['text,label', ...Array.from({ length: 20 }, (_, i) => `row ${i},${i % 2 ? 'a' : 'b'}`)].join('\n');
    await page.getByTestId('import-file').setInputFiles({ name: 'full.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByTestId('import-confirm').click();
    const err = page.getByTestId('import-error');
    await err.waitFor({ timeout: 30_000 });
    expect(await err.textContent()).toBe(
      'Browser storage is full, so project "full" was not saved (earlier data is intact); delete old projects, datasets or runs, or allow persistent storage, then try again.',
    );
    expect(await page.getByTestId('import-confirm').isEnabled()).toBe(true);
    expect((await readStore(page, 'projects')).length).toBe(projects);
    await freeDisk(page);
  });
});
