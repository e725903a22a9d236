/**
 * Gold never leaks, from the user's side: a file whose gold column is not called "label"
 * (the user picks it), LFs that try to read it, a copy of it under another name, and the
 * explicit opt-in. And "no gold" cells are a dash, even beside a class named "none".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mulberry32 } from '../src/core/rng.ts';
import { browserSuite, Harness } from './harness.ts';
import { lfRow, writeCodeLf } from './lf-editor.ts';

browserSuite('gold never leaks into LFs; clear cells', () => {
  const h = new Harness();
  h.screenshotOnFailure();
  const dir = mkdtempSync(join(tmpdir(), 'shoal-gold-'));
  const csv = join(dir, 'topics.csv');
  beforeAll(async () => {
    // 300 rows; topic is the gold ("none" is a class), blank on every 4th row; topic_code is a
    // copy of the answer under another name, the way gold hides in real files.
    const rng = mulberry32(11);
    const words = ['match', 'goal', 'team', 'weather', 'market', 'vote', 'score', 'rain'];
    const lines = ['text,author,topic,topic_code'];
    for (let i = 0; i < 300; i++) {
      const sports = rng() < 0.5;
      const text = Array.from({ length: 6 }, () => words[Math.floor(rng() * words.length)]).join(' ');
      const topic = i % 4 === 3 ? '' : sports ? 'sports' : 'none';
      lines.push(`${text},author${i % 5},${topic},${topic === '' ? '' : sports ? 'S' : 'N'}`);
    }
    writeFileSync(csv, lines.join('\n') + '\n');
    await h.start();
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const lfStatus = (name: string) => lfRow(h.page, name).getByTestId('lf-status');

  async function importTopics(optIn: boolean): Promise<void> {
    const page = h.page;
    await h.goto('#/import');
    await page.getByTestId('import-file').setInputFiles(csv);
    await page.getByTestId('import-confirm').waitFor();
    await page.getByTestId('import-label').selectOption('topic');
    // A dev split big enough that the copied answer clears the note's 20-vote floor by far.
    await page.getByLabel('train %').fill('50');
    await page.getByLabel('dev %').fill('30');
    await page.getByLabel('test %').fill('20');
    // The gold column is not a field LFs may read: unticked, and not tickable here.
    const goldCell = page.getByTestId('import-gold-field');
    expect(await goldCell.locator('input').isChecked()).toBe(false);
    expect(await goldCell.locator('input').isDisabled()).toBe(true);
    const optInBox = page.getByTestId('import-gold-readable');
    expect(await optInBox.isChecked()).toBe(false);
    expect(await page.getByTestId('import-gold-access').textContent()).toContain('LFs do not get x.topic');
    if (optIn) {
      await optInBox.check();
      const access = page.getByTestId('import-gold-access');
      expect(await access.getByRole('alert').textContent()).toMatch(/LFs will see the answer/);
      expect(await goldCell.locator('input').isChecked()).toBe(true);
      await h.shot('gold-import-opt-in');
    } else await h.shot('gold-import-default');
    await page.getByTestId('import-confirm').click();
    await page.getByTestId('dataset-ready').waitFor({ timeout: 60_000 });
  }

  it('imports with the gold column kept from LFs, and shows no gold as "—" beside a class named "none"', async () => {
    const page = h.page;
    await importTopics(false);
    expect(await page.getByTestId('dataset-ready').textContent()).toMatch(/none \/ sports/);
    // The rows table: the gold column is shown as gold, not as a field.
    const headers = (await page.locator('table thead th').allTextContents()).map((t) => t.trim());
    expect(headers).toContain('gold');
    expect(headers).not.toContain('topic');
    const goldCells = (await page.locator('tbody tr td:last-child').allTextContents()).map((t) => t.trim());
    expect(goldCells).toContain('none'); // the class
    expect(goldCells).toContain('—'); // no gold
    expect(goldCells.every((c) => c === 'none' || c === 'sports' || c === '—')).toBe(true);
    const empties = page.getByTestId('no-gold');
    expect(await empties.count()).toBeGreaterThan(0);
    for (const t of await empties.allTextContents()) expect(t.trim()).toBe('—');
    await h.shot('gold-data-clear-cells');
  });

  it('offers no gold under "Reads", gives a code LF no gold field, and asks about an LF that copies the answer', async () => {
    const page = h.page;
    await page.getByRole('link', { name: 'LFs' }).click();
    await page.getByTestId('lf-new').click();
    const reads = (await page.getByTestId('lf-field').locator('option').allTextContents()).map((t) => t.trim());
    expect(reads).toEqual(expect.arrayContaining(['text', 'author', 'topic_code']));
    expect(reads).not.toContain('topic');
    expect(await page.getByTestId('lf-gold-note').textContent()).toMatch(/they do not get it/);
    // A code LF that reads the gold field directly, and one that looks for it among the keys.
    await writeCodeLf(page, 'reads_topic', "(x) => (x.topic === 'sports' || x.topic === 'none' ? x.topic : null)");
    await page.getByTestId('lf-save').click();
    await lfStatus('reads_topic')
      .getByText(/% coverage/)
      .waitFor({ timeout: 60_000 });
    expect(await lfStatus('reads_topic').textContent()).toBe('0.0% coverage');
    await writeCodeLf(page, 'has_topic_key', "(x) => ('topic' in x ? 'sports' : null)");
    await page.getByTestId('lf-save').click();
    await lfStatus('has_topic_key')
      .getByText(/% coverage/)
      .waitFor({ timeout: 60_000 });
    expect(await lfStatus('has_topic_key').textContent()).toBe('0.0% coverage');
    // A copy of the answer under another name cannot be hidden, but it is questioned.
    await writeCodeLf(page, 'copy_of_answer', "(x) => (x.topic_code === 'S' ? 'sports' : x.topic_code === 'N' ? 'none' : null)");
    await page.getByTestId('lf-save').click();
    await lfStatus('copy_of_answer')
      .getByText(/% coverage/)
      .waitFor({ timeout: 60_000 });
    await lfRow(page, 'copy_of_answer').getByTestId('lf-reads-answer').waitFor();
    expect(await lfRow(page, 'copy_of_answer').getByTestId('lf-reads-answer').textContent()).toBe('does this LF read the answer?');
    expect(await lfRow(page, 'reads_topic').getByTestId('lf-reads-answer').count()).toBe(0);
    await h.shot('gold-lf-list');
    await page.getByRole('link', { name: 'Analysis' }).click();
    const tableRow = (name: string) => page.locator(`[data-testid="lf-table"] tbody tr[data-lf-name="${name}"]`);
    await tableRow('copy_of_answer').waitFor();
    expect(await tableRow('copy_of_answer').getByTestId('lf-reads-answer').count()).toBe(1);
    expect(await tableRow('reads_topic').getByTestId('lf-reads-answer').count()).toBe(0);
    await h.shot('gold-analysis');
  });

  it('does not show the gold column on the annotation card', async () => {
    const page = h.page;
    await page.getByRole('link', { name: 'Annotate' }).click();
    const card = page.getByTestId('annotate-card');
    await card.waitFor();
    const names = (await card.locator('.fname').allTextContents()).map((t) => t.trim());
    expect(names).toContain('author');
    expect(names).not.toContain('topic');
    await h.shot('gold-annotate');
  });

  it('lets LFs read gold only after the explicit opt-in, and then questions the LF that does', async () => {
    const page = h.page;
    await importTopics(true);
    await page.getByRole('link', { name: 'LFs' }).click();
    await page.getByTestId('lf-new').click();
    const reads = (await page.getByTestId('lf-field').locator('option').allTextContents()).map((t) => t.trim());
    expect(reads).toContain('topic');
    expect(await page.getByTestId('lf-gold-note').textContent()).toMatch(/LFs may read the gold column x\.topic/);
    await writeCodeLf(page, 'reads_topic', "(x) => (x.topic === 'sports' || x.topic === 'none' ? x.topic : null)");
    await page.getByTestId('lf-save').click();
    await lfStatus('reads_topic')
      .getByText(/% coverage/)
      .waitFor({ timeout: 60_000 });
    expect(await lfStatus('reads_topic').textContent()).toBe('75.0% coverage');
    await lfRow(page, 'reads_topic').getByTestId('lf-reads-answer').waitFor();
    // Even then the annotator does not see it.
    await page.getByRole('link', { name: 'Annotate' }).click();
    await page.getByTestId('annotate-card').waitFor();
    expect((await page.getByTestId('annotate-card').locator('.fname').allTextContents()).map((t) => t.trim())).not.toContain('topic');
    expect(h.pageErrors).toEqual([]);
  });
});
