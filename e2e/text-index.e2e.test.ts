/**
 * The word index from the user's side: a dataset large enough to get one (60,000 rows) is
 * indexed in the background after the import; a whole-word keyword LF is then answered from
 * the index — no "Running" job appears — with the coverage a scan of the text gives, and a
 * phrase LF is still scanned. What is stored: the index's meta beside the version's columns.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mulberry32 } from '../src/core/rng.ts';
import { browserSuite, Harness } from './harness.ts';
import { lfRow } from './lf-editor.ts';

const ROWS = 60_000;
// Words on the edges of whole-word, case-insensitive matching: case, accents, hyphens, and
// words that contain "free" without being it.
const WORDS = ['free', 'FREE', 'Free', 'freedom', 'carefree', 'free-range', 'café', 'CAFÉ', 'cafe', 'range', 'note', 'patient', 'stable'];

browserSuite('the word index answers whole-word keyword LFs', () => {
  const h = new Harness();
  h.screenshotOnFailure();
  const dir = mkdtempSync(join(tmpdir(), 'shoal-index-'));
  const csv = join(dir, 'notes.csv');
  const texts: string[] = [];
  beforeAll(async () => {
    const rng = mulberry32(5);
    const lines = ['text'];
    for (let i = 0; i < ROWS; i++) {
      // Mostly plain words, so each keyword covers a few percent of the rows.
      const t = Array.from({ length: 5 }, () =>
        rng() < 0.06 ? WORDS[Math.floor(rng() * WORDS.length)] : `w${Math.floor(rng() * 500)}`,
      ).join(' ');
      texts.push(t);
      lines.push(t);
    }
    writeFileSync(csv, lines.join('\n') + '\n');
    await h.start();
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The coverage a scan gives, as the LF list prints it. */
  const coverageOf = (fires: (words: string[], text: string) => boolean) => {
    const n = texts.filter((t) => fires(t.toLowerCase().split(/[^\p{L}\p{N}_]+/u), t.toLowerCase())).length;
    return `${((n / ROWS) * 100).toFixed(1)}% coverage`;
  };

  /** Progress bars (job labels) that appear in the jobs tray from now on. */
  async function watchJobs(): Promise<void> {
    await h.page.evaluate(`(() => {
      window.__jobsSeen = [];
      new MutationObserver(() => {
        for (const p of document.querySelectorAll('progress[aria-label]')) {
          const l = p.getAttribute('aria-label');
          if (!window.__jobsSeen.includes(l)) window.__jobsSeen.push(l);
        }
      }).observe(document.body, { subtree: true, childList: true });
    })()`);
  }
  const jobsSeen = () => h.page.evaluate('window.__jobsSeen') as Promise<string[]>;

  async function saveKeywordLf(name: string, keywords: string, note: RegExp): Promise<void> {
    const page = h.page;
    await page.getByTestId('lf-new').click();
    await page.getByTestId('lf-name').fill(name);
    await page.getByTestId('lf-kind').selectOption('keyword');
    await page.getByTestId('lf-keywords').fill(keywords);
    // The editor says, before saving, whether the index answers the LF or the rows are scanned.
    expect(await page.getByTestId('lf-save-note').textContent()).toMatch(
      keywords.includes(' ') && !keywords.includes(',') ? /runs the LF over all 60,000 rows/ : /from the word index/,
    );
    await page.getByTestId('lf-save').click();
  }

  it('indexes a large import in the background; a whole-word LF runs from it with the right coverage, a phrase is scanned', async () => {
    const page = h.page;
    await h.goto('#/import');
    await page.getByTestId('import-file').setInputFiles(csv);
    await page.getByTestId('import-classes').fill('routine, risk');
    await page.getByTestId('import-confirm').click();
    await page.getByTestId('dataset-ready').waitFor({ timeout: 120_000 });

    // Stored: the index's meta beside the version's columns, covering every row.
    const readMeta = () =>
      page.evaluate(`new Promise((resolve) => {
        const req = indexedDB.open('shoal');
        req.onsuccess = () => {
          const db = req.result;
          const all = db.transaction('columns').objectStore('columns').getAll();
          all.onsuccess = () => {
            const m = all.result.find((r) => r.name === 'text-index:meta');
            db.close();
            resolve(m ? m.data : null);
          };
        };
      })`) as Promise<{ rowCount: number; field: string; terms: number } | null>;
    // Built in the background after the import: poll until its meta is stored.
    await expect.poll(readMeta, { timeout: 120_000, interval: 500 }).not.toBeNull();
    const stored = (await readMeta())!;
    expect(stored).toMatchObject({ rowCount: ROWS, field: 'text' });
    expect(stored.terms).toBeGreaterThan(500);

    await h.goto('#/lfs');
    await watchJobs();
    await saveKeywordLf('free_words', 'Free, café', /answers this LF from the word index/);
    const want = coverageOf((words) => words.includes('free') || words.includes('café'));
    await lfRow(page, 'free_words').getByText(want).waitFor({ timeout: 60_000 });
    await h.shot('text-index-word-lf');
    // Answered from the index: no pass over the rows, so no "Running" job.
    expect((await jobsSeen()).filter((l) => l.startsWith('Running'))).toEqual([]);

    await saveKeywordLf('free_range', 'free range', /runs the LF over all 60,000 rows/);
    // "free range" with one space between whole words ("free-range" is not it).
    const phrase = coverageOf((_w, t) => t.split(' ').some((tok, i, all) => tok === 'free' && all[i + 1] === 'range'));
    await lfRow(page, 'free_range').getByText(phrase).waitFor({ timeout: 120_000 });
    expect(await jobsSeen()).toContain('Running free_range');
  });
});
