/**
 * The studio from the user's side: the demo becomes a stored project that survives a reload,
 * LFs are written with a live preview, saved and run in the worker pool (a looping LF is
 * stopped and reported while the others complete), the analysis table and the data browser
 * follow, a CSV imports through the import screen, and a run cut short by a closed tab leaves
 * its LF "not run" and re-runnable.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, Harness } from './harness.ts';
import { writeCodeLf } from './lf-editor.ts';

/** Enabled-LF count and coverage of one LF, read from what IndexedDB holds. */
async function stored(h: Harness): Promise<{ projects: string[]; lfs: string[]; votes: number }> {
  return h.page.evaluate(async () => {
    const open = indexedDB.open('shoal');
    const db = await new Promise<IDBDatabase>((res, rej) => {
      open.onsuccess = () => res(open.result);
      open.onerror = () => rej(open.error);
    });
    const all = <T>(table: string) =>
      new Promise<T[]>((res, rej) => {
        const r = db.transaction(table).objectStore(table).getAll();
        r.onsuccess = () => res(r.result as T[]);
        r.onerror = () => rej(r.error);
      });
    const projects = (await all<{ name: string }>('projects')).map((p) => p.name);
    const lfs = (await all<{ name: string }>('lfs')).map((l) => l.name);
    const votes = (await all<unknown>('votes')).length;
    db.close();
    return { projects, lfs, votes };
  });
}

browserSuite('studio: projects, LFs, analysis, browser, import', () => {
  const h = new Harness();
  h.screenshotOnFailure();
  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.close();
  });

  const lfRow = (name: string) => h.page.locator(`[data-testid="lf-row"][data-lf-name="${name}"]`);
  const tableRow = (name: string) => h.page.locator(`[data-testid="lf-table"] tr[data-lf-name="${name}"]`);

  it('loads the demo into a stored project that survives a reload', async () => {
    const meta = JSON.parse(readFileSync('dist/demo/spam-assassin.meta.json', 'utf8')) as { rows: number };
    await h.goto();
    await h.page.getByTestId('load-demo').click();
    const ready = h.page.getByTestId('dataset-ready');
    await ready.waitFor({ state: 'visible' });
    expect(await ready.textContent()).toContain(meta.rows.toLocaleString('en-US'));
    await h.goto('#/lfs');
    // The starter LFs run at once: every one shows a coverage.
    for (const name of ['money_words', 'click_here', 'shouting_subject']) {
      await lfRow(name)
        .getByText(/% coverage/)
        .waitFor({ timeout: 60_000 });
    }
    const s = await stored(h);
    expect(s.projects).toHaveLength(1);
    expect(s.projects[0]).toMatch(/SpamAssassin/);
    expect(s.lfs).toHaveLength(6);
    expect(s.votes).toBe(6);
    await h.page.reload({ waitUntil: 'load' });
    await lfRow('quoted_text')
      .getByText(/% coverage/)
      .waitFor();
    expect(await h.page.getByTestId('lf-row').count()).toBe(6);
    await h.shot('studio-lfs');
  });

  it('previews a keyword LF while typing, saves it, and its coverage reaches the LF table', async () => {
    const page = h.page;
    await page.getByTestId('lf-new').click();
    await page.getByTestId('lf-name').fill('says_winner');
    await page.getByTestId('lf-label').selectOption('spam');
    const t0 = Date.now();
    await page.getByTestId('lf-keywords').fill('winner, prize, lottery');
    const preview = page.getByTestId('lf-preview');
    await preview.getByText(/Coverage \d+\.\d%/).waitFor();
    const previewMs = Date.now() - t0;
    const text = (await preview.textContent()) ?? '';
    expect(text).toMatch(/Dev accuracy/);
    const cov = Number(/Coverage (\d+\.\d)%/.exec(text)![1]);
    expect(cov).toBeGreaterThan(0);
    expect(cov).toBeLessThan(50);
    // A figure to read, not to assert (speed depends on the machine's load): the preview's own
    // time in the worker, and from typing to numbers on screen (debounce + round trip).
    const computeMs = Number(/(\d+) ms/.exec(text)![1]);
    console.log(`live preview: ${computeMs} ms in the worker, ${previewMs} ms from typing to numbers on screen`);
    await h.shot('studio-lf-editor');
    await page.getByTestId('lf-save').click();
    await lfRow('says_winner')
      .getByText(/% coverage/)
      .waitFor({ timeout: 60_000 });
    await page.getByRole('link', { name: 'Analysis' }).click();
    await tableRow('says_winner').waitFor();
    const row = (await tableRow('says_winner').textContent()) ?? '';
    expect(row).toMatch(/spam/);
    expect(row).toMatch(/\d+\.\d%/);
    expect(await page.locator('[data-testid="lf-table"] tbody tr').count()).toBe(7);
    await h.shot('studio-analysis');
    expect((await stored(h)).lfs).toContain('says_winner');
  });

  it('stops a looping code LF and reports it on that LF while another completes', async () => {
    const page = h.page;
    await page.getByRole('link', { name: 'LFs' }).click();
    await writeCodeLf(page, 'loops_forever', "(x) => { if (x.text.includes('a')) { while (true) {} } return null; }");
    // The preview worker is killed after its budget: the page stays responsive.
    await page.getByTestId('lf-preview-error').waitFor({ timeout: 10_000 });
    await page.getByTestId('lf-save').click();
    await lfRow('loops_forever').getByTestId('lf-error').waitFor({ timeout: 120_000 });
    expect(await lfRow('loops_forever').getByTestId('lf-error').textContent()).toMatch(/longer than|endless loop/);
    // One that throws on some rows reports the first failing row.
    await writeCodeLf(
      page,
      'throws_sometimes',
      "(x) => { if (x.subject.startsWith('Re')) throw new Error('no replies here'); return null; }",
    );
    // The editor's own undo/redo.
    await page.waitForTimeout(600);
    await page.keyboard.type(' ');
    await page.keyboard.press('Control+Z');
    expect(await page.getByTestId('lf-code').textContent()).toMatch(/no replies here'\); return null; }$/);
    await page.keyboard.press('Control+Z');
    expect(await page.getByTestId('lf-code').textContent()).not.toContain('no replies here');
    await page.keyboard.press('Control+Shift+Z');
    expect(await page.getByTestId('lf-code').textContent()).toContain('no replies here');
    await page.keyboard.press('Control+Enter');
    const thrown = lfRow('throws_sometimes').getByTestId('lf-error');
    await thrown.waitFor({ timeout: 60_000 });
    expect(await thrown.textContent()).toMatch(/^row \d+: .*no replies here \([\d,]+ rows in all\)/);
    // One that returns something that is not a class.
    await page.getByTestId('lf-new').click();
    await page.getByTestId('lf-name').fill('returns_junk');
    await page.getByTestId('lf-kind').selectOption('code');
    await page.getByTestId('lf-code').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Delete');
    await page.getByTestId('lf-code').fill("(x) => x.subject.length > 40 ? 'maybe' : null");
    await page.getByTestId('lf-save').click();
    const junk = lfRow('returns_junk').getByTestId('lf-error');
    await junk.waitFor({ timeout: 60_000 });
    expect(await junk.textContent()).toMatch(/maybe/);
    // Another LF saved now still runs to completion.
    await page.getByTestId('lf-new').click();
    await page.getByTestId('lf-name').fill('short_body');
    await page.getByTestId('lf-kind').selectOption('length');
    await page.getByTestId('lf-save').click();
    await lfRow('short_body')
      .getByText(/% coverage/)
      .waitFor({ timeout: 60_000 });
    await lfRow('money_words')
      .getByText(/% coverage/)
      .waitFor();
    await h.shot('studio-lf-error');
  });

  it('filters the data browser', async () => {
    const page = h.page;
    await page.getByRole('link', { name: 'Browse' }).click();
    const count = page.getByTestId('browse-count');
    await count.waitFor();
    const total = Number(/of ([\d,]+) rows/.exec((await count.textContent()) ?? '')![1].replace(/,/g, ''));
    const shown = async () => Number(/^([\d,]+) of/.exec((await count.textContent()) ?? '')![1].replace(/,/g, ''));
    expect(await shown()).toBe(total);
    // Virtualized: far fewer row elements than rows.
    expect(await page.getByTestId('browse-row').count()).toBeLessThan(60);
    await page.getByTestId('browse-filter-split').selectOption('dev');
    const dev = await shown();
    expect(dev).toBeGreaterThan(0);
    expect(dev).toBeLessThan(total);
    await page.getByTestId('browse-filter-lf').selectOption({ label: 'click_here' });
    await page.getByTestId('browse-filter-lf-mode').selectOption('fires');
    const fires = await shown();
    expect(fires).toBeGreaterThan(0);
    expect(fires).toBeLessThan(dev);
    // Matches of the LF are marked in the text.
    expect(await page.getByTestId('browse-row').first().locator('mark').count()).toBeGreaterThan(0);
    await page.getByTestId('browse-row').first().click();
    const detail = page.getByTestId('browse-detail');
    await detail.waitFor();
    expect(await detail.textContent()).toMatch(/click_here\s*spam/);
    await h.shot('studio-browse');
    // Keyboard: the arrows move through the rows and the panel follows.
    const firstRow = Number(await page.getByTestId('browse-row').first().getAttribute('data-row'));
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    const third = Number(await page.getByTestId('browse-row').nth(2).getAttribute('data-row'));
    expect(third).toBeGreaterThan(firstRow);
    await detail.getByRole('heading', { name: `Row ${third + 1}` }).waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-row'))).toBe(String(third));
    await page.getByTestId('browse-filter-lf').selectOption('');
    await page.getByTestId('browse-filter-abstain').check();
    const abst = await shown();
    await page.getByTestId('browse-filter-abstain').uncheck();
    await page.getByTestId('browse-filter-conflicts').check();
    const conf = await shown();
    expect(abst + conf).toBeLessThanOrEqual(dev);
    expect(conf).toBeGreaterThan(0);
    await page.getByTestId('browse-filter-conflicts').uncheck();
    await page.getByTestId('browse-filter-search').fill('unsubscribe');
    // The search is debounced.
    await expect.poll(shown).toBeLessThan(dev);
    const hits = await shown();
    expect(hits).toBeGreaterThan(0);
    expect(hits).toBeLessThan(dev);
  });
  it('disables, duplicates, renames (unique), deletes with undo and reorders LFs; the analysis follows', async () => {
    const page = h.page;
    await page.getByRole('link', { name: 'LFs' }).click();
    const names = async () => page.getByTestId('lf-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-lf-name')));
    await page.getByLabel('Enable says_winner').uncheck();
    await page.getByRole('link', { name: 'Analysis' }).click();
    await page.getByTestId('lf-table').waitFor();
    expect(await tableRow('says_winner').count()).toBe(0);
    expect(await page.getByText('says_winner (disabled)').count()).toBe(1);
    await page.getByRole('link', { name: 'LFs' }).click();
    await page.getByLabel('Enable says_winner').check();
    // A duplicate shares the original's cached votes: its coverage shows at once.
    await page.getByLabel('Duplicate click_here').click();
    await lfRow('click_here_copy').getByText('14.7% coverage').waitFor();
    // Renaming to a taken name keeps names unique.
    await lfRow('click_here_copy').getByRole('button', { name: 'click_here_copy', exact: true }).click();
    await page.getByTestId('lf-name').fill('money_words');
    await page.getByTestId('lf-save').click();
    await lfRow('money_words_2').waitFor();
    expect((await stored(h)).lfs.filter((n) => n.startsWith('money_words'))).toHaveLength(2);
    await page.getByLabel('Delete money_words_2').click();
    await lfRow('money_words_2').waitFor({ state: 'detached' });
    await page.getByTestId('lf-undo').click();
    await lfRow('money_words_2').getByText('14.7% coverage').waitFor();
    await page.getByLabel('Delete money_words_2').click();
    await lfRow('money_words_2').waitFor({ state: 'detached' });
    expect((await stored(h)).lfs).not.toContain('money_words_2');
    await page.getByLabel('Move click_here up').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="lf-row"]')?.getAttribute('data-lf-name') === 'click_here');
    expect((await names()).slice(0, 2)).toEqual(['click_here', 'money_words']);
    // The order is stored: it survives a reload.
    await page.reload({ waitUntil: 'load' });
    await lfRow('click_here').waitFor();
    expect((await names()).slice(0, 2)).toEqual(['click_here', 'money_words']);
    await page.getByLabel('Move click_here down').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="lf-row"]')?.getAttribute('data-lf-name') === 'money_words');
  });

  it('shows LF correlations on the Analysis screen and flags a duplicated LF as a likely copy', async () => {
    const page = h.page;
    await page.getByRole('link', { name: 'LFs' }).click();
    await page.getByLabel('Duplicate click_here').click();
    await lfRow('click_here_copy').getByText('14.7% coverage').waitFor();
    await page.getByRole('link', { name: 'Analysis' }).click();
    const panel = page.getByTestId('lf-correlations');
    await panel.locator('summary').click();
    const flag = panel.getByTestId('lf-pair-flag').filter({ hasText: 'click_here and click_here_copy' });
    await flag.waitFor();
    expect(await flag.getAttribute('data-kind')).toBe('copy');
    expect(await flag.textContent()).toMatch(/cast the same vote on 100% of the [\d,]+ rows either votes on/);
    // One row and one column per enabled LF; the copy's cell against the original reads 100%.
    const matrix = panel.getByTestId('lf-correlation-matrix');
    const m = await page.locator('[data-testid="lf-table"] tbody tr').count();
    expect(await matrix.locator('tbody tr').count()).toBe(m);
    // Each LF's name in the matrix leads to its rows in Browse.
    expect(await matrix.locator('tbody th a').first().getAttribute('href')).toMatch(/^#\/browse\?lf=[^&]+&split=/);
    expect(await matrix.locator('td.flag').first().textContent()).toBe('100%');
    await page.getByTestId('lf-correlation-measure').selectOption('conflict');
    expect(await matrix.locator('td.flag').first().textContent()).toBe('0%');
    await page.getByRole('link', { name: 'LFs' }).click();
    await page.getByLabel('Delete click_here_copy').click();
    await lfRow('click_here_copy').waitFor({ state: 'detached' });
  });

  it("opens an LF's incorrect rows from the Analysis table in Browse, counted the same", async () => {
    const page = h.page;
    await page.getByRole('link', { name: 'Analysis' }).click();
    await page.getByTestId('lf-table').waitFor();
    const row = tableRow('money_words');
    const incorrect = Number(await row.getByTestId('lf-incorrect-link').textContent());
    expect(incorrect).toBeGreaterThan(0);
    await row.getByTestId('lf-incorrect-link').click();
    const status = page.getByTestId('browse-bucket');
    await status.waitFor();
    expect(await status.textContent()).toMatch(new RegExp(`money_words incorrect on gold — ${incorrect.toLocaleString('en-US')} rows`));
    // On the split the Analysis table showed: the list holds exactly those rows.
    expect(await page.getByTestId('browse-filter-split').inputValue()).toBe('dev');
    await page
      .getByTestId('browse-count')
      .filter({ hasText: `${incorrect.toLocaleString('en-US')} of` })
      .waitFor();
    // The LF's other buckets are offered beside its vote filters.
    const options = await page.getByTestId('browse-filter-lf-mode').locator('optgroup option').allTextContents();
    expect(options.some((o) => o.startsWith('correct on gold'))).toBe(true);
    expect(options.some((o) => o.startsWith('overlaps '))).toBe(true);
    await page.getByRole('link', { name: 'LFs' }).click();
  });

  it('tells a second tab that the project is open twice', async () => {
    const second = await h.context.newPage();
    try {
      await second.goto(`${h.url}#/lfs`, { waitUntil: 'load' });
      await second.getByTestId('other-tab').waitFor();
      await h.page.getByTestId('other-tab').waitFor();
      await second.locator('[data-testid="lf-row"][data-lf-name="money_words"]').waitFor();
      expect(await second.locator('[data-testid="lf-row"]').count()).toBe(await h.page.locator('[data-testid="lf-row"]').count());
    } finally {
      await second.close();
    }
  });

  it('marks an LF whose run was cut short by a closed tab as not run, and re-runs it', async () => {
    let page = h.page;
    await page.getByRole('link', { name: 'LFs' }).click();
    // A few hundred microseconds a row: the run takes seconds, each chunk stays well inside the
    // time budget. LF code has no clock (the sandbox), so the work is counted, not timed.
    await writeCodeLf(
      page,
      'slow_code',
      "(x) => { let s = 0; for (let i = 0; i < 300000; i++) s += i % 7; return s < 0 || x.text.length > 100000 ? 'spam' : null; }",
    );
    await page.getByTestId('lf-save').click();
    await lfRow('slow_code').getByText('running…').waitFor();
    await page.waitForTimeout(200);
    await page.close();
    page = h.page = await h.context.newPage();
    await h.goto('#/lfs');
    await lfRow('slow_code').getByText('not run').waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'stopped before it finished' }).count()).toBe(1);
    // Its votes were never stored; the other LFs keep theirs.
    await lfRow('money_words')
      .getByText(/% coverage/)
      .waitFor();
    await h.shot('studio-not-run');
    await page.getByTestId('lf-run-missing').click();
    await lfRow('slow_code')
      .getByText(/% coverage/)
      .waitFor({ timeout: 120_000 });
    // Cancel from the jobs tray: nothing is stored, the LF is "not run" again.
    await lfRow('slow_code').getByRole('button', { name: 'slow_code', exact: true }).click();
    await page.getByTestId('lf-code').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' // v2');
    await page.getByTestId('lf-save').click();
    await page.getByRole('button', { name: 'Cancel Running slow_code' }).click();
    await page.getByRole('status').filter({ hasText: 'was cancelled' }).waitFor();
    await lfRow('slow_code').getByText('not run').waitFor();
    // The edit is stored, its votes are not: after a reload it is still "not run".
    await page.reload({ waitUntil: 'load' });
    await lfRow('slow_code').getByText('not run').waitFor();
    await lfRow('slow_code').getByRole('button', { name: 'slow_code', exact: true }).click();
    expect(await page.getByTestId('lf-code').textContent()).toContain('// v2');
  });

  it('imports a CSV through the import screen into a new project', async () => {
    const page = h.page;
    const dir = mkdtempSync(join(tmpdir(), 'shoal-studio-'));
    const csv = join(dir, 'reviews.csv');
    const lines = ['text,label,stars'];
    for (let i = 0; i < 240; i++)
      lines.push(`"review ${i} was ${i % 2 ? 'great, loved it' : 'awful'}",${i % 2 ? 'pos' : 'neg'},${(i % 5) + 1}`);
    writeFileSync(csv, lines.join('\n'));
    const before = (await stored(h)).projects.length;
    await page.getByRole('link', { name: 'Start', exact: true }).click();
    await page.getByTestId('import-data').click();
    await page.getByTestId('import-file').setInputFiles(csv);
    await page.getByTestId('import-confirm').waitFor();
    expect(await page.getByTestId('import-label').inputValue()).toBe('label');
    await h.shot('studio-import');
    await page.getByTestId('import-confirm').click();
    const ready = page.getByTestId('dataset-ready');
    await ready.waitFor({ timeout: 60_000 });
    expect(await ready.textContent()).toContain('240');
    await h.shot('studio-data-imported');
    const s = await stored(h);
    expect(s.projects.length).toBe(before + 1);
    expect(s.projects).toContain('reviews');
    // A keyword LF on the new data runs and shows in the table.
    await page.getByRole('link', { name: 'LFs' }).click();
    await page.getByTestId('lf-new').click();
    await page.getByTestId('lf-name').fill('says_great');
    await page.getByTestId('lf-label').selectOption('pos');
    await page.getByTestId('lf-keywords').fill('great');
    await page.getByTestId('lf-preview').getByText('Coverage 50.0%').waitFor();
    await page.getByTestId('lf-save').click();
    await lfRow('says_great').getByText('50.0% coverage').waitFor({ timeout: 60_000 });
  });

  it('cancels an import from the screen, and a tab closed mid-import leaves no project behind', async () => {
    let page = h.page;
    const dir = mkdtempSync(join(tmpdir(), 'shoal-studio-'));
    const big = join(dir, 'big.csv');
    const lines = ['text,label'];
    for (let i = 0; i < 1_000_000; i++) lines.push(`row ${i} with some words to make it longer than it needs to be,${i % 2 ? 'a' : 'b'}`);
    writeFileSync(big, lines.join('\n'));
    const before = (await stored(h)).projects;
    await h.goto('#/import');
    await page.getByTestId('import-file').setInputFiles(big);
    await page.getByTestId('import-confirm').click();
    await page.getByTestId('import-cancel').click();
    const err = page.getByTestId('import-error');
    await err.waitFor({ timeout: 30_000 });
    expect(await err.textContent()).toMatch(/cancelled; nothing was stored/);
    expect((await stored(h)).projects).toEqual(before);
    // Again, and close the tab while the rows are being written.
    await page.getByTestId('import-confirm').click();
    await page
      .getByText(/[1-9][\d,]* rows/)
      .first()
      .waitFor();
    await page.close();
    page = h.page = await h.context.newPage();
    await h.goto('#/home');
    await page.getByTestId('project').first().waitFor();
    expect(await page.locator('[data-project-name="big"]').count()).toBe(0);
    await h.shot('studio-home');
    const after = await stored(h);
    expect(after.projects).toEqual(before);
  });

  it('imports a WRENCH folder: splits by file name, gold from label.json, weak labels as read-only LFs', async () => {
    const page = h.page;
    const dir = mkdtempSync(join(tmpdir(), 'shoal-wrench-'));
    const paths: string[] = [];
    for (const [split, n] of [
      ['train', 60],
      ['valid', 20],
      ['test', 20],
    ] as const) {
      const data: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const pos = i % 2 === 1;
        data[String(i)] = {
          label: pos ? 1 : 0,
          data: { text: `${split} item ${i} ${pos ? 'good' : 'bad'}` },
          weak_labels: [pos ? 1 : -1, i % 3 === 0 ? 0 : -1],
        };
      }
      const p = join(dir, `${split}.json`);
      writeFileSync(p, JSON.stringify(data));
      paths.push(p);
    }
    const labels = join(dir, 'label.json');
    writeFileSync(labels, JSON.stringify({ 0: 'negative', 1: 'positive' }));
    paths.push(labels);
    await h.goto('#/import');
    await page.getByTestId('import-file').setInputFiles(paths);
    await page.getByTestId('import-confirm').waitFor();
    expect(await page.getByTestId('import-split-files').isChecked()).toBe(true);
    await page.getByTestId('import-confirm').click();
    const ready = page.getByTestId('dataset-ready');
    await ready.waitFor({ timeout: 60_000 });
    const text = (await ready.textContent()) ?? '';
    expect(text).toMatch(/100\s*rows\s*60\s*train\s*20\s*dev\s*20\s*test\s*100\s*gold labels\s*negative \/ positive/);
    await page.getByRole('link', { name: 'LFs' }).click();
    await page.getByTestId('lf-row').first().waitFor();
    expect(await page.getByTestId('lf-row').count()).toBe(2);
    await page.getByRole('link', { name: 'Analysis' }).click();
    await page.getByTestId('lf-table').waitFor();
    const rows = await page.locator('[data-testid="lf-table"] tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    // The first weak-label column votes positive on every odd row: 50% coverage, 100% accurate on dev.
    expect(rows[0]).toMatch(/positive.*50\.0%.*100\.0%/);
  });

  it('refuses an empty file with one clear message and stores nothing', async () => {
    const page = h.page;
    const dir = mkdtempSync(join(tmpdir(), 'shoal-studio-'));
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    const before = (await stored(h)).projects.length;
    await h.goto('#/import');
    await page.getByTestId('import-file').setInputFiles(empty);
    const err = page.getByTestId('import-error');
    await err.waitFor();
    expect(await err.textContent()).toMatch(/empty\.csv/);
    expect(await page.getByTestId('import-confirm').count()).toBe(0);
    expect((await stored(h)).projects.length).toBe(before);
  });
});
