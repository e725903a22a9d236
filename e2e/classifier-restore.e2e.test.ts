/**
 * A trained classifier survives a reload, from the user's side of the screen, on the demo:
 * choose classifier settings (validated, saved with the project), train, reload the page, see
 * the same metrics and export ONNX without retraining; edit an LF and see the classifier marked
 * stale; switch the error analysis to the test split.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readBundle } from '../src/core/formats/bundle.ts';
import { readClassifierSettings } from '../src/app/model-report.ts';
import { browserSuite, Harness } from './harness.ts';
import { lfRow, openDemoLfs } from './lf-editor.ts';

browserSuite('the trained classifier is kept across reloads and marked stale when LFs change', () => {
  const h = new Harness();
  h.screenshotOnFailure();
  let before: { dev: string; test: string; settings: string } = { dev: '', test: '', settings: '' };

  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.close();
  });

  const text = async (id: string) => ((await h.page.getByTestId(id).textContent()) ?? '').trim();

  it('validates and saves the classifier settings, then trains with them', async () => {
    await openDemoLfs(h);
    const page = h.page;
    await h.goto('#/model');
    await page.getByText('Turns the 6 enabled LFs').waitFor({ timeout: 120_000 });
    await page.getByTestId('lm-fit').click();
    await page.getByTestId('lm-metrics').waitFor({ timeout: 120_000 });

    // Collapsed by default; the summary says what the next run uses.
    const settings = page.getByTestId('clf-settings');
    expect(await settings.getAttribute('open')).toBeNull();
    expect(await text('clf-settings-summary')).toMatch(/word 1–2-grams · buckets sized to the data · ≤ 60 epochs/);
    await settings.locator('summary').click();
    // A bad value is named and blocks training.
    await page.getByTestId('clf-set-lr').fill('0');
    await page.getByTestId('clf-settings-errors').waitFor();
    expect(await text('clf-settings-errors')).toMatch(/learning rate must be in \(0, 10\]/);
    expect(await page.getByTestId('clf-train').isDisabled()).toBe(true);
    await page.getByTestId('clf-set-lr').fill('0.5');
    await page.getByTestId('clf-settings-errors').waitFor({ state: 'detached' });
    // Fewer epochs keep this test quick; the char n-grams and hash size show the feature knobs.
    await page.getByTestId('clf-set-epochs').fill('12');
    await page.getByTestId('clf-set-patience').fill('4');
    await page.getByTestId('clf-set-char-min').fill('2');
    await page.getByTestId('clf-set-char-max').fill('4');
    await page.getByTestId('clf-set-buckets').selectOption(String(2 ** 16));
    await page.getByTestId('clf-set-seed').fill('7');
    await page.getByTestId('clf-set-seed').blur();
    expect(await text('clf-settings-summary')).toBe(
      'word 1–2-grams · char 2–4-grams · 2^16 buckets · ≤ 12 epochs · lr 0.5 · L2 0 · auto targets · seed 7',
    );
    await h.shot('classifier-settings');

    await page.getByTestId('clf-train').click();
    const m = page.getByTestId('clf-metrics');
    await m.waitFor({ timeout: 170_000 });
    before = { dev: await text('clf-dev-acc'), test: await text('clf-test-acc'), settings: await text('clf-trained-settings') };
    expect(Number(before.test.replace('%', ''))).toBeGreaterThan(70);
    expect(before.settings).toContain('char 2–4-grams · 2^16 buckets · ≤ 12 epochs · lr 0.5');
    expect(await page.getByTestId('clf-stale').count()).toBe(0);
    expect(await page.getByTestId('clf-restored').count()).toBe(0);
  }, 300_000);

  it('after a reload shows the same classifier, metrics and settings, and exports ONNX without retraining', async () => {
    const page = h.page;
    await page.reload({ waitUntil: 'load' });
    const m = page.getByTestId('clf-metrics');
    await m.waitFor({ timeout: 120_000 });
    await page.getByTestId('clf-restored').waitFor();
    expect(await text('clf-dev-acc')).toBe(before.dev);
    expect(await text('clf-test-acc')).toBe(before.test);
    expect(await text('clf-trained-settings')).toBe(before.settings);
    expect(await page.getByTestId('clf-stale').count()).toBe(0);
    // The loss curve came back with it.
    await page.getByTestId('loss-curve').waitFor();
    // The settings were saved with the project.
    expect(await text('clf-settings-summary')).toContain('≤ 12 epochs · lr 0.5');
    await page.getByTestId('clf-settings').locator('summary').click();
    expect(await page.getByTestId('clf-set-seed').inputValue()).toBe('7');
    expect(await page.getByTestId('clf-train').textContent()).toContain('Retrain');

    await page.getByTestId('export-onnx').click();
    const check = page.getByTestId('onnx-check');
    await check.waitFor({ timeout: 120_000 });
    const diff = Number(/= ([\d.e+-]+)/.exec((await check.textContent()) ?? '')![1]);
    expect(diff).toBeLessThanOrEqual(1e-5);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-sidecar').click()]);
    const sidecar = JSON.parse(readFileSync((await dl.path())!, 'utf8')) as {
      classes: string[];
      featurization: { buckets: number; char_ngrams: number[] };
    };
    // The restored model is the one trained with the chosen settings, not a fresh default one.
    expect(sidecar.featurization.buckets).toBe(2 ** 16);
    expect(sidecar.featurization.char_ngrams).toEqual([2, 4]);
    // Nothing retrained meanwhile: still the restored one, same numbers.
    expect(await page.getByTestId('clf-restored').count()).toBe(1);
    expect(await text('clf-test-acc')).toBe(before.test);
    await h.shot('classifier-restored');
  });

  it('switches the error analysis to the test split', async () => {
    const page = h.page;
    const ea = page.getByTestId('error-analysis');
    await ea.waitFor();
    expect(await text('ea-split-name')).toMatch(/^\(dev split/);
    expect(await ea.locator('caption').allTextContents()).toEqual(['Label model vs gold (dev)', 'Classifier vs gold (dev)']);
    await page.getByTestId('ea-split-test').click();
    await page.waitForFunction(() => /^\(test split/.test(document.querySelector('[data-testid="ea-split-name"]')?.textContent ?? ''));
    expect(await page.getByTestId('ea-split-test').getAttribute('aria-checked')).toBe('true');
    expect(await ea.locator('caption').allTextContents()).toEqual(['Label model vs gold (test)', 'Classifier vs gold (test)']);
    // The test confusion matrix counts the test gold rows.
    const testGold = Number(/, ([\d,]+) gold rows/.exec(await text('ea-split-name'))![1].replace(/,/g, ''));
    const cells = (await ea.locator('table.confusion').nth(1).locator('tbody td').allTextContents()).map(Number);
    expect(cells.reduce((a, b) => a + b, 0)).toBe(testGold);
    // Every listed row is a classifier mistake on test gold, with its LF votes beside it.
    const listed = ea.locator('table.errors tbody tr');
    expect(await listed.count()).toBeGreaterThan(0);
    const first = await listed.first().locator('td').allTextContents();
    expect(first[2]).not.toBe(first[4]); // gold ≠ classifier
    await page.getByTestId('ea-confidentMistakes').click();
    await page.getByTestId('ea-disagree').click();
    await ea.locator('table.errors').waitFor();
    await h.shot('classifier-error-analysis-test');
  });

  it('the row view predicts a train row with the classifier (only dev and test predictions are kept)', async () => {
    const page = h.page;
    // Row 0 of the train split, by its dataset row number.
    const trainRow = await page.evaluate(`(async () => {
      const req = indexedDB.open('shoal');
      const db = await new Promise((r) => (req.onsuccess = () => r(req.result)));
      const cols = await new Promise((r) => { const q = db.transaction('columns').objectStore('columns').getAll(); q.onsuccess = () => r(q.result); });
      db.close();
      const split = cols.find((c) => c.name === 'split').data;
      return split.indexOf(0);
    })()`);
    await h.goto(`#/row?i=${trainRow}`);
    await page.getByTestId('row-view').waitFor();
    expect(await page.getByTestId('row-view-split').textContent()).toMatch(/train/);
    const shown = page.getByTestId('row-view-classifier');
    await shown.waitFor({ timeout: 60_000 });
    expect(await shown.textContent()).toMatch(/Classifier: (ham|spam) \(\d+\.\d%\) — predicted now/);
    await h.shot('row-view-train-row-classifier');
  });

  it('after a reload straight onto Export, the stored label model and classifier are there', async () => {
    const page = h.page;
    await page.goto(`${h.url}#/export`, { waitUntil: 'load' });
    await page.reload({ waitUntil: 'load' });
    const labels = page.getByTestId('export-labels');
    await labels.waitFor();
    await page.waitForFunction(
      () => !(document.querySelector('[data-testid="export-labels"]') as HTMLButtonElement | null)?.disabled,
      null,
      { timeout: 60_000 },
    );
    expect(await page.getByText('Fit the label model on the Model screen first.').count()).toBe(0);
    expect(await page.locator('option[value="label_model"]').textContent()).not.toContain('not fitted');
  });

  it('carries the classifier settings in the exported project', async () => {
    const page = h.page;
    await h.goto('#/export');
    await page.getByTestId('export-include-data').uncheck();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-project').click()]);
    const b = readBundle(readFileSync((await dl.path())!, 'utf8'));
    expect(readClassifierSettings(b.model.classifier)).toMatchObject({
      wordNgrams: [1, 2],
      charNgrams: [2, 4],
      buckets: 2 ** 16,
      maxEpochs: 12,
      patience: 4,
      learningRate: 0.5,
      seed: 7,
    });
  });

  it('marks the classifier stale once an LF is edited', async () => {
    const page = h.page;
    await h.goto('#/lfs');
    const row = lfRow(page, 'money_words');
    await row.getByRole('button', { name: 'money_words', exact: true }).click();
    await page.getByTestId('lf-keywords').fill('free, money, cash, winner');
    await page.getByTestId('lf-save').click();
    await row.getByText(/% coverage/).waitFor({ timeout: 60_000 });
    await h.goto('#/model');
    const stale = page.getByTestId('clf-stale');
    await stale.waitFor({ timeout: 60_000 });
    expect(await stale.textContent()).toMatch(/Trained on an earlier label model — retrain\./);
    // Still shown (with its old numbers), not silently dropped or passed off as current.
    expect(await text('clf-test-acc')).toBe(before.test);
    await h.shot('classifier-stale');
    // It stays stale after a reload: the saved classifier knows what it was trained from.
    await page.reload({ waitUntil: 'load' });
    await page.getByTestId('clf-metrics').waitFor({ timeout: 120_000 });
    await stale.waitFor({ timeout: 60_000 });
  });

  it('made no request outside its origin and threw no page error', () => {
    h.assertNoEgress();
    expect(h.pageErrors).toEqual([]);
  });
});
