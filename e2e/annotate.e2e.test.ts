/**
 * Annotation as Prodigy / Argilla users expect it, from the user's side: the pending queue
 * never shows a labelled row (after a label here, after bulk labels from Browse), relabelling
 * counts as changed, a target gives a progress bar that survives a reload, a flag keeps its
 * note across a reload, `?` lists the keys; and bulk labelling a Browse filter says exactly how
 * many rows change before it changes them, then updates the gold on screen, with an undo.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readBundle } from '../src/core/formats/bundle.ts';
import { browserSuite, Harness } from './harness.ts';

browserSuite('annotation queues, targets, flags, shortcuts and bulk labels', () => {
  const h = new Harness();
  h.screenshotOnFailure();
  const dir = mkdtempSync(join(tmpdir(), 'shoal-annotate-'));
  const csv = join(dir, 'messages.csv');
  // 180 rows: 90 train, 60 dev (20 with gold), 30 test (10 with gold); every 7th says "prize".
  const DEV = 60;
  const DEV_GOLD = 20;
  /** Dev rows the bulk label gave a first gold label. */
  let bulkAdded = 0;
  beforeAll(async () => {
    const words = ['lunch', 'meeting', 'report', 'invoice', 'garden', 'travel'];
    const lines = ['text,label,split'];
    for (let i = 0; i < 180; i++) {
      const split = i < 90 ? 'train' : i < 150 ? 'dev' : 'test';
      const label = split !== 'train' && i % 3 === 0 ? (i % 2 === 0 ? 'ham' : 'spam') : '';
      const text = `message ${i} about ${i % 7 === 0 ? 'a prize' : words[i % words.length]}`;
      lines.push(`${text},${label},${split}`);
    }
    writeFileSync(csv, lines.join('\n') + '\n');
    await h.start();
    const page = h.page;
    await h.goto('#/import');
    await page.getByTestId('import-file').setInputFiles(csv);
    await page.getByTestId('import-confirm').waitFor();
    await page.getByTestId('import-confirm').click();
    await page.getByTestId('dataset-ready').waitFor({ timeout: 60_000 });
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const card = () => h.page.getByTestId('annotate-card');
  const rowNow = async () => (await card().getAttribute('data-row'))!;
  const goldNow = async () => (await h.page.getByTestId('annotate-current').textContent())!.trim();
  const text = async (id: string) => ((await h.page.getByTestId(id).textContent()) ?? '').replace(/\s+/g, ' ').trim();
  const modeCount = async (mode: string) =>
    Number((await h.page.getByTestId(`annotate-queue-mode-${mode}`).locator('.count').textContent())!.replace(/,/g, ''));
  const waitRowNot = (row: string) =>
    h.page.waitForFunction((r) => document.querySelector('[data-testid="annotate-card"]')?.getAttribute('data-row') !== r, row);

  /** Skip through the whole pending queue: every card shown has no gold; returns the rows seen. */
  async function walkPending(): Promise<string[]> {
    const seen: string[] = [];
    const n = await modeCount('pending');
    for (let i = 0; i < n; i++) {
      const row = await rowNow();
      expect(await goldNow(), `dev row ${Number(row) + 1} in the pending queue`).toBe('—');
      seen.push(row);
      if (i < n - 1) {
        await h.page.keyboard.press('s');
        await waitRowNot(row);
      }
    }
    return seen;
  }

  it('opens on the pending queue, which never shows a labelled row, and moves on after each label', async () => {
    const page = h.page;
    await h.goto('#/annotate');
    await card().waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('annotate-queue-mode-pending').getAttribute('aria-checked')).toBe('true');
    expect(await text('annotate-progress')).toBe(`${DEV_GOLD} of ${DEV} dev rows labeled · 0 new in this session`);
    expect(await modeCount('pending')).toBe(DEV - DEV_GOLD);
    expect(await modeCount('review')).toBe(DEV_GOLD);
    await card().locator('.meta').click();
    const seen = await walkPending();
    expect(new Set(seen).size).toBe(DEV - DEV_GOLD);
    // Label three rows by keyboard: each time the next card is another pending row.
    for (let t = 0; t < 3; t++) {
      const row = await rowNow();
      await page.keyboard.press(t === 1 ? '2' : '1');
      await waitRowNot(row);
      expect(await goldNow()).toBe('—');
    }
    expect(await modeCount('pending')).toBe(DEV - DEV_GOLD - 3);
    expect(await text('annotate-counters')).toBe('This session on dev: 3 new, 0 changed');
    await h.shot('annotate-pending');
    // Review: relabel an existing gold label with the other class: counted, never silent.
    await page.getByTestId('annotate-queue-mode-review').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="annotate-card"]')?.getAttribute('data-mode') === 'review');
    const was = await goldNow();
    expect(was === 'ham' || was === 'spam').toBe(true);
    await card().locator('.meta').click();
    await page.keyboard.press(was === 'ham' ? '2' : '1');
    await page.waitForFunction(() => /1 changed/.test(document.querySelector('[data-testid="annotate-counters"]')?.textContent ?? ''));
    expect(await text('annotate-counters')).toBe('This session on dev: 3 new, 1 changed');
    await h.shot('annotate-review');
  });

  it('bulk-labels a Browse filter after a confirmation that counts the rows that change, and undoes it', async () => {
    const page = h.page;
    await page.getByRole('link', { name: 'Browse' }).click();
    await page.getByTestId('browse-filter-split').selectOption('dev');
    await page.getByTestId('browse-filter-search').fill('prize');
    // Dev rows 91…147 that are multiples of 7: nine.
    await page.waitForFunction(() => document.querySelector('[data-testid="browse-count"]')?.textContent?.startsWith('9 of'));
    const rows = page.getByTestId('browse-row');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="browse-row"]').length === 9);
    const before = await rows.evaluateAll((els) => els.map((e) => e.querySelector('.badge[title="gold"]')?.textContent?.trim() ?? ''));
    const want = { added: before.filter((g) => g === '').length, overwritten: before.filter((g) => g === 'ham').length };
    expect(want.added + want.overwritten + before.filter((g) => g === 'spam').length).toBe(9);
    expect(want.added).toBeGreaterThan(0);
    bulkAdded = want.added;
    await page.getByTestId('browse-bulk-class').selectOption({ label: 'spam' });
    await page.getByTestId('browse-bulk-label').click();
    const confirm = page.getByTestId('browse-bulk-confirm');
    await confirm.waitFor();
    expect(Number(await confirm.getAttribute('data-changes'))).toBe(want.added + want.overwritten);
    const summary = await text('browse-bulk-summary');
    expect(summary).toContain(`${want.added + want.overwritten} rows of 9 change to spam`);
    expect(summary).toContain(`${want.added} ${want.added === 1 ? 'row gets' : 'rows get'} a first gold label`);
    await h.shot('annotate-bulk-confirm');
    const noGoldBefore = await page.evaluate(() => document.querySelector('[data-testid="browse-count"]')?.textContent);
    await page.getByTestId('browse-bulk-apply').click();
    await page.getByTestId('browse-bulk-done').waitFor();
    // The gold on screen follows: every shown row is spam now.
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-testid="browse-row"]')].every(
        (e) => e.querySelector('.badge[title="gold"]')?.textContent?.trim() === 'spam',
      ),
    );
    expect(noGoldBefore).toMatch(/^9 of/);
    // Undo puts the earlier labels back.
    await page.getByTestId('browse-bulk-undo').click();
    await page.getByTestId('browse-bulk-undone').waitFor();
    const undone = await rows.evaluateAll((els) => els.map((e) => e.querySelector('.badge[title="gold"]')?.textContent?.trim() ?? ''));
    expect(undone).toEqual(before);
    // Again, for good: the annotation screen must see it.
    await page.getByTestId('browse-bulk-label').click();
    await page.getByTestId('browse-bulk-apply').click();
    await page.getByTestId('browse-bulk-done').waitFor();
    await page.getByTestId('browse-filter-gold').selectOption('none');
    await page.waitForFunction(() => document.querySelector('[data-testid="browse-count"]')?.textContent?.startsWith('0 of'));
    await h.shot('annotate-bulk-done');
  });

  it('keeps the pending queue free of rows labelled elsewhere', async () => {
    const page = h.page;
    await page.getByRole('link', { name: 'Annotate' }).click();
    await card().waitFor();
    await card().locator('.meta').click();
    const pending = await modeCount('pending');
    expect(pending).toBe(DEV - DEV_GOLD - 3 - bulkAdded);
    const seen = await walkPending();
    expect(seen).toHaveLength(pending);
    await h.shot('annotate-after-bulk');
  });

  it('shows progress toward a target, kept after a reload', async () => {
    const page = h.page;
    await page.getByTestId('annotate-target').fill('50');
    await page.getByTestId('annotate-target-set').click();
    const bar = page.getByTestId('annotate-target-bar');
    await bar.waitFor();
    const labelled = DEV - (await modeCount('pending'));
    expect(Number(await bar.getAttribute('aria-valuenow'))).toBe(Math.min(labelled, 50));
    expect(await bar.getAttribute('aria-valuemax')).toBe('50');
    expect(await text('annotate-target-text')).toBe(
      `${labelled} of 50 dev rows labelled (${Math.floor((Math.min(labelled, 50) / 50) * 100)}%) · ${labelled >= 50 ? 'target reached' : `${50 - labelled} to go`}`,
    );
    await page.reload({ waitUntil: 'load' });
    await bar.waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('annotate-target').inputValue()).toBe('50');
    expect(await bar.getAttribute('aria-valuemax')).toBe('50');
    await h.shot('annotate-target');
  });

  it('flags a row with a note that survives a reload, listed in the flagged queue', async () => {
    const page = h.page;
    await card().waitFor({ timeout: 60_000 });
    await card().locator('.meta').click();
    const row = await rowNow();
    await page.keyboard.press('f');
    await page.getByTestId('annotate-flag-note').fill('sarcasm or a real offer?');
    await page.getByTestId('annotate-flag-save').click();
    await page.getByTestId('annotate-flag-badge').waitFor();
    expect(await text('annotate-flag-badge')).toBe('⚑ unsure: sarcasm or a real offer?');
    expect(await modeCount('flagged')).toBe(1);
    await page.reload({ waitUntil: 'load' });
    await card().waitFor({ timeout: 60_000 });
    await page.getByTestId('annotate-queue-mode-flagged').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="annotate-card"]')?.getAttribute('data-mode') === 'flagged');
    expect(await rowNow()).toBe(row);
    expect(await text('annotate-flag-badge')).toBe('⚑ unsure: sarcasm or a real offer?');
    await page.getByTestId('annotate-flag').click();
    expect(await page.getByTestId('annotate-flag-note').inputValue()).toBe('sarcasm or a real offer?');
    await h.shot('annotate-flagged');
    await page.keyboard.press('Escape');
    await page.getByTestId('annotate-flag-form').waitFor({ state: 'detached' });
    // The project file carries it, at its place in the dev split.
    await h.goto('#/export');
    await page.getByTestId('export-include-data').uncheck();
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-project').click()]);
    const file = readBundle(readFileSync((await dl.path())!, 'utf8'));
    expect(file.flags?.dev).toEqual([{ row: Number(row), reason: 'unsure', note: 'sarcasm or a real offer?' }]);
    await h.goto('#/annotate');
    await card().waitFor({ timeout: 60_000 });
  });

  it('lists every shortcut on ?, and Escape closes the list', async () => {
    const page = h.page;
    await card().locator('.meta').click();
    await page.keyboard.press('?');
    const help = page.getByTestId('annotate-help');
    await help.waitFor();
    const listed = await text('annotate-help');
    for (const k of ['1', '0', 'Backspace', '→', 'S', '←', 'U', 'Ctrl+Z', 'F', '?', 'Esc']) expect(listed).toContain(k);
    expect(listed).toContain('1 ham');
    // Keys do not label rows behind the list.
    const row = await rowNow();
    const gold = await goldNow();
    await page.keyboard.press('1');
    expect(await rowNow()).toBe(row);
    expect(await goldNow()).toBe(gold);
    await h.shot('annotate-help');
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });
  });

  it('asks for an acknowledgement before bulk-labelling test rows', async () => {
    const page = h.page;
    await page.getByRole('link', { name: 'Browse' }).click();
    await page.getByTestId('browse-filter-split').selectOption('test');
    await page.getByTestId('browse-filter-search').fill('prize');
    await page.waitForFunction(() => /^[1-9]\d* of/.test(document.querySelector('[data-testid="browse-count"]')?.textContent ?? ''));
    await page.getByTestId('browse-bulk-label').click();
    await page.getByTestId('browse-bulk-confirm').waitFor();
    expect(await text('browse-bulk-test-warning')).toMatch(/^Labelling test rows chosen by a filter biases the test set/);
    const apply = page.getByTestId('browse-bulk-apply');
    const changes = Number(await page.getByTestId('browse-bulk-confirm').getAttribute('data-changes'));
    if (changes > 0) {
      expect(await apply.isDisabled()).toBe(true);
      await page.getByTestId('browse-bulk-ack').check();
      expect(await apply.isDisabled()).toBe(false);
    }
    await h.shot('annotate-bulk-test');
    await page.getByTestId('browse-bulk-cancel').click();
    expect(h.pageErrors).toEqual([]);
  });
});
