/**
 * Exact parsing from the user's side of the import screen: a tab-separated file full of stray
 * quotes imports every row (read as plain TSV, with a switch to quoted TSV); a CSV with an
 * unterminated quote shows the line in the preview; a Windows-1252 file is detected and reads
 * right, and the encoding picker re-reads the preview; malformed rows are listed by line before
 * the import and in its notes after; label spellings and repeated ids come with a choice.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, Harness } from './harness.ts';
import { encodeCp1252 } from '../src/core/formats/messy-corpus.ts';

browserSuite('import: exact parsing, encodings, skipped rows, label spellings, repeated ids', () => {
  const h = new Harness();
  h.screenshotOnFailure();
  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.close();
  });

  async function open(name: string, bytes: Uint8Array | string, mimeType = 'text/plain'): Promise<void> {
    await h.goto('#/import');
    await h.page.getByTestId('import-file').setInputFiles({ name, mimeType, buffer: Buffer.from(bytes) });
  }
  const text = (id: string) => h.page.getByTestId(id).textContent();

  it('imports every row of a TSV whose messages are full of quotes (plain TSV), and says how it read it', async () => {
    const page = h.page;
    const rows: string[] = [];
    for (let i = 0; i < 738; i++) {
      const msg =
        i % 50 === 7
          ? `"Hello" he said, number ${i}`
          : i % 50 === 9
            ? `6" sub for ${i}`
            : i % 50 === 11
              ? `"never closed ${i}`
              : `plain message ${i}`;
      rows.push(`${i % 4 ? 'ham' : 'spam'}\t${msg}`);
    }
    await open('sms.tsv', `label\ttext\n${rows.join('\n')}\n`);
    await page.getByTestId('import-check-summary').waitFor();
    expect(await text('import-check-summary')).toContain('738 rows in the file, all readable.');
    expect(await text('import-read-as')).toContain('Plain TSV: a quote is an ordinary character.');
    expect(await page.getByTestId('import-quoting-text').isChecked()).toBe(true);
    await h.shot('import-tsv-plain');
    // Read as quoted TSV, the stray quotes break rows; the preview lists them by line.
    await page.getByTestId('import-quoting-quoted').check();
    await page.getByTestId('import-refusal').waitFor();
    const skipped = await page.getByTestId('import-skipped').locator('li').allTextContents();
    expect(skipped[0]).toBe(
      'sms.tsv, row 8 (line 9): has text after the closing quote of a quoted field (this file is read as quoted TSV; read it without quoting to keep quotes as text)',
    );
    expect(await text('import-refusal')).toMatch(
      /^sms\.tsv, row 8 \(line 9\): \d+ of \d+ rows \([\d.]+%\) could not be read, more than the 1% that skipping allows/,
    );
    expect(await page.getByTestId('import-confirm').isDisabled()).toBe(true);
    await h.shot('import-tsv-quoted-refused');
    // Back to plain TSV, and import: every row arrives.
    await page.getByTestId('import-quoting-text').check();
    await page.getByText('738 rows in the file, all readable.').waitFor();
    await page.getByTestId('import-confirm').click();
    const ready = page.getByTestId('dataset-ready');
    await ready.waitFor({ timeout: 60_000 });
    expect(await ready.textContent()).toContain('738rows');
    expect(await ready.textContent()).toContain('spam / ham');
    expect(await page.getByText('"Hello" he said, number 7', { exact: true }).count()).toBe(1);
  });

  it('shows the line of an unterminated quote in the preview and does not import', async () => {
    const page = h.page;
    await open('open.csv', 'id,text,label\n1,fine,ham\n2,"also fine",spam\n3,"not closed here,ham\n4,"next",ham\n');
    const skipped = page.getByTestId('import-skipped');
    await skipped.waitFor();
    // Reading resumes after the bad line: row 4 is still there.
    expect(await skipped.locator('li').allTextContents()).toEqual([
      'open.csv, row 3 (line 4): has text after the closing quote of a quoted field on line 5 (a quote inside a quoted field must be doubled: "")',
    ]);
    expect(await page.locator('section[aria-label="Preview"] td', { hasText: 'next' }).count()).toBe(1);
    expect(await text('import-refusal')).toContain('1 of 4 rows (25%) could not be read');
    expect(await page.getByTestId('import-confirm').isDisabled()).toBe(true);
    // A quote that no later quote closes: the preview names the line it opens on.
    await open('open2.csv', 'text,label\n"fine",ham\n"still fine",spam\n"never closed,ham\nnext,ham\n');
    await page.getByTestId('import-skipped').waitFor();
    expect(await page.getByTestId('import-skipped').locator('li').allTextContents()).toEqual([
      'open2.csv, row 3 (line 4): has a quoted field opened on line 4 that is never closed (a quote inside a quoted field must be doubled: "")',
    ]);
    await h.shot('import-unterminated-quote');
    // A file whose only data row is that one: no rows to preview, the error says where.
    await open('only.csv', 'text,label\n"never closed,ham\n');
    const err = page.getByTestId('import-error');
    await err.waitFor();
    expect(await err.textContent()).toMatch(
      /^only\.csv, row 1 \(line 2\): 1 of 1 rows \(100%\) could not be read.*line 2, which has a quoted field opened on line 2 that is never closed/,
    );
  });

  it('detects a Windows-1252 file, re-reads the preview when the encoding is changed, imports it right', async () => {
    const page = h.page;
    const rows = [
      'text,label',
      'café “free” entry now,spam',
      'naïve résumé – ok,ham',
      ...Array.from({ length: 30 }, (_, i) => `message ${i} für Grüße,${i % 2 ? 'ham' : 'spam'}`),
    ];
    await open('latin.csv', encodeCp1252(rows.join('\r\n') + '\r\n'), 'text/csv');
    await page
      .getByTestId('import-read-as')
      .getByText(/Read as Windows-1252/)
      .waitFor();
    expect(await text('import-read-as')).toContain('detected: not valid UTF-8 (byte 0xE9 at offset 15), so taken for Windows-1252');
    const cell = page.locator('section[aria-label="Preview"] td').first();
    expect(await cell.textContent()).toBe('café “free” entry now');
    // Forcing UTF-8 shows why it cannot be; picking Windows-1252 reads it again.
    await page.getByTestId('import-encoding').selectOption('utf-8');
    await page.getByTestId('import-error').waitFor();
    expect(await text('import-error')).toMatch(
      /^latin\.csv, near row 1: is not valid UTF-8 text \(first bad byte at offset 15\); pick its encoding/,
    );
    await h.shot('import-encoding-utf8-refused');
    await page.getByTestId('import-encoding').selectOption('windows-1252');
    await page.getByTestId('import-check-summary').waitFor();
    expect(await page.getByTestId('import-error').count()).toBe(0);
    expect(await page.locator('section[aria-label="Preview"] td').first().textContent()).toBe('café “free” entry now');
    await h.shot('import-encoding-1252');
    await page.getByTestId('import-confirm').click();
    await page.getByTestId('dataset-ready').waitFor({ timeout: 60_000 });
    expect(await text('dataset-ready')).toContain('32rows');
    expect(await page.getByText('naïve résumé – ok', { exact: true }).count()).toBe(1);
  });

  it('lists malformed rows by line before the import, skips exactly those when asked, and lists them in the notes', async () => {
    const page = h.page;
    const rows = Array.from({ length: 250 }, (_, i) => `${i},"message ${i}, with a comma",${i % 2 ? 'ham' : 'spam'}`);
    rows[40] = '40,"message "40" quoted wrong",ham';
    rows[120] = '120,too,many,fields';
    await open('some-bad.csv', `id,text,label\n${rows.join('\n')}\n`);
    await page.getByTestId('import-skipped').waitFor();
    const listed = await page.getByTestId('import-skipped').locator('li').allTextContents();
    expect(listed).toEqual([
      'some-bad.csv, row 41 (line 42): has text after the closing quote of a quoted field (a quote inside a quoted field must be doubled: "")',
      'some-bad.csv, row 121 (line 122): has 4 fields but the header has 3',
    ]);
    expect(await text('import-check-summary')).toContain('250 rows in the file; 2 cannot be read.');
    expect(await page.getByTestId('import-confirm').isDisabled()).toBe(true);
    await page.getByText('skip malformed rows instead of stopping').click();
    expect(await page.getByTestId('import-confirm').isEnabled()).toBe(true);
    await h.shot('import-skipped-rows');
    await page.getByTestId('import-confirm').click();
    await page.getByTestId('dataset-ready').waitFor({ timeout: 60_000 });
    expect(await text('dataset-ready')).toContain('248rows');
    await page.getByText(/notes? from the import/).click();
    const notes = await page.locator('details.notes li').allTextContents();
    expect(notes).toContain('2 rows were skipped as unreadable.');
    expect(notes).toContain(listed[0]);
    expect(notes).toContain(listed[1]);
    await h.shot('import-skipped-notes');
  });

  it('shows label spellings that differ only in case or spaces and repeated ids, each with a choice', async () => {
    const page = h.page;
    const rows = ['id,text,label'];
    for (let i = 0; i < 60; i++) rows.push(`${i},message ${i},${i % 10 === 3 ? 'SPAM' : i % 10 === 5 ? ' spam' : i % 2 ? 'ham' : 'spam'}`);
    rows.push('7,a repeat of id 7,ham', '12,a repeat of id 12,spam');
    await open('variants.csv', rows.join('\n') + '\n');
    const variants = page.getByTestId('import-label-variants');
    await variants.waitFor();
    expect(await variants.locator('li').allTextContents()).toEqual(['"spam" (31), "SPAM" (6), " spam" (6)']);
    expect(await page.getByTestId('import-labels-merge').isChecked()).toBe(true);
    const dups = page.getByTestId('import-duplicates');
    expect(await dups.locator('legend').textContent()).toBe('2 rows repeat an id');
    expect(await dups.locator('li').allTextContents()).toEqual([
      'id "7" on line 62 (first on line 9)',
      'id "12" on line 63 (first on line 14)',
    ]);
    expect(await page.getByTestId('import-duplicates-drop').isChecked()).toBe(true);
    await h.shot('import-variants-duplicates');
    await page.getByTestId('import-confirm').click();
    await page.getByTestId('dataset-ready').waitFor({ timeout: 60_000 });
    expect(await text('dataset-ready')).toContain('60rows');
    expect(await text('dataset-ready')).toContain('spam / ham');
    // The other choices: every row, every spelling its own class.
    await open('variants.csv', rows.join('\n') + '\n');
    await page.getByTestId('import-label-variants').waitFor();
    await page.getByTestId('import-labels-keep').check();
    await page.getByTestId('import-duplicates-keep').check();
    await page.getByTestId('import-confirm').click();
    await page.getByTestId('dataset-ready').waitFor({ timeout: 60_000 });
    expect(await text('dataset-ready')).toContain('62rows');
    expect(await text('dataset-ready')).toContain('spam / ham / SPAM /  spam');
  });

  it('threw no page error and made no request outside its origin', () => {
    expect(h.pageErrors).toEqual([]);
    h.assertNoEgress();
  });
});
