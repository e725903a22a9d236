/**
 * Labels export from the user's side, on the demo: the default CSV is joinable (the demo's `id`
 * and a `split` column), holds no dev/test gold rows, and neutralises formula cells (the demo
 * has subjects like "--> DIRECT MARKETING" and PGP bodies starting with "-----"); ticking
 * "include dev/test gold rows" brings them back with their split. The provenance sidecar is
 * checked on the way. A second suite exports 200,000 rows from a project file: the export runs
 * in its worker with progress on the screen, Cancel stops it without a download, and the next
 * export delivers every row.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import Papa from 'papaparse';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeBundle } from '../src/core/formats/bundle.ts';
import { FORMULA_CELL } from '../src/core/formats/export.ts';
import { browserSuite, Harness } from './harness.ts';
import { openDemoModel } from './lf-editor.ts';

type DemoRow = { id: string; split: 'train' | 'dev' | 'test'; subject: string; from: string; body: string; label: string | null };

const demo: DemoRow[] = gunzipSync(readFileSync('dist/demo/spam-assassin.jsonl.gz'))
  .toString('utf8')
  .trimEnd()
  .split('\n')
  .map((l) => JSON.parse(l) as DemoRow);
const byId = new Map(demo.map((r) => [r.id, r]));

function parseCsv(text: string): { fields: string[]; rows: Record<string, string>[] } {
  const p = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  expect(p.errors).toEqual([]);
  return { fields: p.meta.fields ?? [], rows: p.data };
}

browserSuite('labels export: joinable, split-aware, spreadsheet-safe', () => {
  const h = new Harness();
  h.screenshotOnFailure();

  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it('fits the label model on the demo', async () => {
    await openDemoModel(h);
    const page = h.page;
    await page.getByTestId('lm-fit').click();
    await page.getByTestId('lm-metrics').waitFor({ timeout: 120_000 });
  });

  it('by default the CSV has the id and split, no dev/test gold rows, and escaped formula cells', async () => {
    const page = h.page;
    await h.goto('#/export');
    await page.getByTestId('export-labels').waitFor();
    expect(await page.getByTestId('export-eval-gold-note').textContent()).toMatch(/left out of the file unless you include them/);
    expect(await page.getByTestId('export-include-eval-gold').isChecked()).toBe(false);
    await page.getByTestId('export-format').selectOption('csv');
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-labels').click()]);
    expect(dl.suggestedFilename()).toMatch(/\.labels\.csv$/);
    const { fields, rows } = parseCsv(readFileSync((await dl.path())!, 'utf8'));
    // `text` is what LFs read (the demo's body); the demo's own `id` leads.
    expect(fields).toEqual(['id', 'text', 'subject', 'from', 'body', 'label', 'label_id', 'p_ham', 'p_spam', 'label_source', 'split']);
    // The demo's dev and test rows all carry gold: the default file is the train split, every row of it.
    const train = demo.filter((r) => r.split === 'train');
    expect(rows).toHaveLength(train.length);
    expect(rows.map((r) => r.id)).toEqual(train.map((r) => r.id));
    expect(rows.every((r) => r.split === 'train' && r.label_source !== 'gold')).toBe(true);
    // Joinable: each row's id names the demo row it came from; formula-leading cells got a quote.
    let escaped = 0;
    for (const r of rows) {
      const src = byId.get(r.id)!;
      for (const f of ['subject', 'body'] as const) {
        if (FORMULA_CELL.test(src[f])) {
          expect(r[f]).toBe(`'${src[f]}`);
          escaped++;
        } else expect(r[f]).toBe(src[f]);
      }
      expect(r.text).toBe(r.body);
      for (const v of Object.values(r)) expect(FORMULA_CELL.test(v)).toBe(false);
    }
    expect(escaped).toBeGreaterThan(50);
    expect(await page.getByTestId('export-done').textContent()).toContain(
      `${train.length.toLocaleString('en-US')} rows. ${(demo.length - train.length).toLocaleString('en-US')} dev/test gold rows left out.`,
    );
    // The sidecar: what produced these labels.
    const [side] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-meta').click()]);
    expect(side.suggestedFilename()).toMatch(/\.labels\.meta\.json$/);
    const meta = JSON.parse(readFileSync((await side.path())!, 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({
      format: 'shoal-labels-meta/1',
      file_format: 'csv',
      rows: train.length,
      includes_dev_test_gold: false,
      labels_from: 'label_model',
      classifier: null,
    });
    expect(meta.lf_set_version).toMatch(/^[0-9a-f]{40}$/);
    expect((meta.label_model as { name: string }).name).toBe('auto');
    expect(Math.abs(Date.parse(meta.exported_at as string) - Date.now())).toBeLessThan(10 * 60_000);
    await h.shot('export-screen');
  });

  it('with "include dev/test gold rows" ticked, the dev and test gold come back with their split', async () => {
    const page = h.page;
    await page.getByTestId('export-include-eval-gold').check();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-labels').click()]);
    const { rows } = parseCsv(readFileSync((await dl.path())!, 'utf8'));
    expect(rows).toHaveLength(demo.length);
    for (const r of rows) {
      const src = byId.get(r.id)!;
      expect(r.split).toBe(src.split);
      if (src.split !== 'train') {
        expect(r.label_source).toBe('gold');
        expect(r.label).toBe(src.label);
      }
    }
    expect(new Set(rows.map((r) => r.split))).toEqual(new Set(['train', 'dev', 'test']));
    expect(await page.getByTestId('export-done').textContent()).not.toContain('left out');
    h.assertNoEgress();
  });
});

const BIG = 200_000;

/** A project file with BIG rows (ids "d0"…, every 10th row dev, every 10th+1 test, gold there) and two keyword LFs. */
function bigProject(): string {
  const rows: Record<string, unknown>[] = [];
  const split: ('train' | 'dev' | 'test')[] = [];
  const dev: [number, number][] = [];
  const test: [number, number][] = [];
  const at = { train: 0, dev: 0, test: 0 };
  for (let i = 0; i < BIG; i++) {
    const spam = i % 3 === 0;
    rows.push({
      id: `d${i}`,
      text: i % 17 === 0 ? `=HYPERLINK("http://x.test/${i}")` : spam ? `win free money now ${i}` : `hello, lunch at ${i % 24}?`,
    });
    const sp = i % 10 === 0 ? 'dev' : i % 10 === 1 ? 'test' : 'train';
    split.push(sp);
    if (sp === 'dev') dev.push([at.dev, spam ? 1 : 0]);
    if (sp === 'test') test.push([at.test, spam ? 1 : 0]);
    at[sp]++;
  }
  const keyword = (id: string, label: string, keywords: string[]) => ({
    id,
    name: id,
    enabled: true,
    kind: 'keyword' as const,
    label,
    field: 'text',
    keywords,
    mode: 'any' as const,
    match: 'word' as const,
    caseSensitive: false,
  });
  return writeBundle({
    exportedAt: new Date(0).toISOString(),
    project: { name: 'big export' },
    dataset: { name: 'big', fields: ['id', 'text'], textField: 'text', classes: ['ham', 'spam'], splitCounts: at },
    settings: { textFields: ['text'], fields: ['id', 'text'], idField: 'id' },
    lfs: [keyword('free_money', 'spam', ['free', 'money']), keyword('lunch', 'ham', ['lunch', 'hello'])],
    gold: { train: [], dev, test },
    model: { labelModel: 'mv', classBalance: 'dev', seed: 0 },
    data: { rows, split },
  });
}

browserSuite('labels export of 200,000 rows: in a worker, with progress and Cancel', () => {
  const h = new Harness();
  h.screenshotOnFailure();

  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it('imports the project file and fits the label model', async () => {
    await h.goto('#/export');
    const page = h.page;
    await page
      .getByTestId('import-project')
      .setInputFiles({ name: 'big.shoal.json', mimeType: 'application/json', buffer: Buffer.from(bigProject()) });
    await page.getByTestId('import-review').waitFor();
    await page.getByTestId('import-confirm').click();
    // The import opens the LFs screen and runs them; then the Model screen can fit.
    await page.getByText('2 LFs over 200,000 rows').waitFor({ timeout: 170_000 });
    await page.getByRole('link', { name: 'Model' }).click();
    await page.getByText('Turns the 2 enabled LFs').waitFor({ timeout: 170_000 });
    await page.getByTestId('lm-fit').click();
    await page.getByTestId('lm-metrics').waitFor({ timeout: 120_000 });
  }, 300_000);

  it('Cancel stops a running export: no file, a sentence saying so; the next export has every row it should', async () => {
    const page = h.page;
    await page.getByRole('link', { name: 'Export' }).click();
    await page.getByTestId('export-labels').waitFor();
    const downloads: string[] = [];
    page.on('download', (d) => downloads.push(d.suggestedFilename()));
    await page.getByTestId('export-format').selectOption('csv');
    await page.getByTestId('export-labels').click();
    await page.getByTestId('export-progress').waitFor();
    await h.shot('export-big-running');
    await page.getByTestId('export-cancel').click();
    await page.getByText('The export was cancelled; nothing was downloaded.').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('export-progress').count()).toBe(0);
    expect(await page.getByTestId('export-labels').isEnabled()).toBe(true);

    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 170_000 }), page.getByTestId('export-labels').click()]);
    // Only this export's file arrived: the cancelled one never finished.
    expect(downloads).toEqual(['big.labels.csv']);
    const text = readFileSync((await dl.path())!, 'utf8');
    const { fields, rows } = parseCsv(text);
    expect(fields).toEqual(['id', 'text', 'label', 'label_id', 'p_ham', 'p_spam', 'label_source', 'split']);
    expect(rows).toHaveLength(BIG * 0.8);
    expect(rows.every((r) => r.split === 'train')).toBe(true);
    expect(rows[0].id).toBe('d2');
    expect(rows.at(-1)?.id).toBe(`d${BIG - 1}`);
    const formula = rows.filter((r) => r.text.startsWith(`'=HYPERLINK`));
    expect(formula.length).toBe(Array.from({ length: BIG }, (_, i) => i).filter((i) => i % 17 === 0 && i % 10 > 1).length);
    await h.shot('export-big-done');
  }, 300_000);
});
