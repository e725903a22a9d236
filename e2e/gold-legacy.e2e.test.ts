/**
 * A dataset imported before the gold column was kept out of the rows: its stored rows still
 * hold the gold value. Opened in the app, the gold column must stay out of everything LFs and
 * the annotator see — the LF workers' reads (code LFs run isolated, through the chunk server),
 * the preview sample, "Reads", the annotation card. Written through the storage module on the
 * dev server (it serves the sources the page imports), then used as a person would.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, Harness } from './harness.ts';
import { lfRow, writeCodeLf } from './lf-editor.ts';

browserSuite('a dataset stored with its gold in the rows (before the rule)', () => {
  const h = new Harness({ dev: {} });
  h.screenshotOnFailure();
  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it('keeps the stored gold value from LFs, the preview and the annotation card', async () => {
    const page = h.page;
    // The dev server may re-bundle dependencies it finds on the first visit and reload the
    // page then: let that settle before writing, so the write is not cut off by a reload.
    await h.goto();
    await page.getByTestId('load-demo').waitFor({ timeout: 60_000 });
    await page.waitForLoadState('networkidle');
    await page.reload();
    await page.getByTestId('load-demo').waitFor({ timeout: 60_000 });
    await page.waitForLoadState('networkidle');
    // A string, so vitest does not rewrite the page-side import() into its own loader.
    await page.evaluate(`(async () => {
      const { openDexieStorage } = await import('/src/storage/dexie.ts');
      const s = await openDexieStorage({ watchTabs: false });
      const p = await s.createProject('legacy');
      const v = await s.beginImport({ projectId: p.id, name: 'legacy', source: { fileNames: ['legacy.csv'], format: 'csv', bytes: 1 } });
      const rows = [];
      for (let i = 0; i < 200; i++) rows.push({ text: 'speech ' + i, speaker: 'sp' + (i % 9), party: i % 2 ? 'R' : 'D' });
      await s.putRowChunk(v.versionId, 0, rows);
      await s.commitImport(v.versionId, {
        rowCount: 200, chunkCount: 1, columns: [{ name: 'text', kind: 'string' }, { name: 'speaker', kind: 'string' }, { name: 'party', kind: 'string' }],
        textFields: ['text'], fields: ['text', 'speaker', 'party'], labelField: 'party', classes: ['D', 'R'],
        splitCounts: { train: 100, dev: 100, test: 0 }, skippedRows: 0, notes: [],
        gold: Int8Array.from(rows, (r, i) => (i < 100 ? -1 : r.party === 'R' ? 1 : 0)),
        split: Uint8Array.from(rows, (_, i) => (i < 100 ? 0 : 1)),
      });
      s.close();
    })()`);
    await page.reload();
    // The only project reopens by itself ("Go to data"); otherwise it is opened by hand.
    await page
      .locator('[data-project-name="legacy"]')
      .getByRole('button', { name: /^(Open|Go to data)$/ })
      .click({ timeout: 60_000 });
    await page.getByTestId('dataset-ready').waitFor({ timeout: 60_000 });
    const headers = (await page.locator('table thead th').allTextContents()).map((t) => t.trim());
    expect(headers).toContain('speaker');
    expect(headers).not.toContain('party');
    await page.getByRole('link', { name: 'LFs' }).click();
    await page.getByTestId('lf-new').click();
    const reads = (await page.getByTestId('lf-field').locator('option').allTextContents()).map((t) => t.trim());
    expect(reads).toContain('speaker');
    expect(reads).not.toContain('party');
    // The live preview runs on the page's sample of rows: no gold there either.
    await writeCodeLf(page, 'reads_party', "(x) => (x.party === 'R' ? 'R' : x.party === 'D' ? 'D' : null)");
    await page
      .getByTestId('lf-preview')
      .getByText(/Coverage \d+\.\d%/)
      .waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('lf-preview').textContent()).toMatch(/Coverage 0\.0%/);
    // The run over every row reads the stored chunks (isolated workers, through the chunk server).
    await page.getByTestId('lf-save').click();
    await lfRow(page, 'reads_party')
      .getByTestId('lf-status')
      .getByText(/% coverage/)
      .waitFor({ timeout: 120_000 });
    expect(await lfRow(page, 'reads_party').getByTestId('lf-status').textContent()).toBe('0.0% coverage');
    await h.shot('gold-legacy-lfs');
    await page.getByRole('link', { name: 'Annotate' }).click();
    await page.getByTestId('annotate-card').waitFor();
    const names = (await page.getByTestId('annotate-card').locator('.fname').allTextContents()).map((t) => t.trim());
    expect(names).toContain('speaker');
    expect(names).not.toContain('party');
    expect(h.pageErrors).toEqual([]);
  });
});
