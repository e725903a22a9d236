/**
 * An LF that allocates without bound is isolated: code LFs run in LF workers inside sandboxed
 * frames that Chromium puts in processes of their own (src/workers/pool-isolated.ts). The bomb
 * kills only its process; the page lives on, the LF is marked failed and stored so, the other
 * LFs keep their votes, and code LFs run again afterwards in fresh processes.
 *
 * Playwright reports the page as crashed when any of its out-of-process frames crashes and
 * then refuses to talk to it, so everything after the bomb goes through a raw CDP session.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { CDPSession } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, Harness, SCREENSHOT_DIR } from './harness.ts';
import { lfRow, openDemoLfs, writeCodeLf } from './lf-editor.ts';

/** Allocates ~80 MB per step until V8's heap limit is hit, which Chromium answers by killing the process. */
const BOMB = '(x) => { const hoard = []; for (;;) hoard.push(new Array(1e7).fill(x.text.length)); }';

async function evaluate<T>(cdp: CDPSession, expression: string): Promise<T> {
  const r = (await cdp.send('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true })) as {
    result: { value: T };
    exceptionDetails?: { text: string };
  };
  if (r.exceptionDetails) throw new Error(`${expression}: ${r.exceptionDetails.text}`);
  return r.result.value;
}

async function waitFor<T>(cdp: CDPSession, expression: string, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await evaluate<T>(cdp, expression).catch(() => null);
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for: ${expression}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const rowText = (name: string, testid: string) =>
  `document.querySelector('[data-testid="lf-row"][data-lf-name="${name}"] [data-testid="${testid}"]')?.textContent ?? null`;
const rowContent = (name: string) => `document.querySelector('[data-testid="lf-row"][data-lf-name="${name}"]')?.textContent ?? null`;

async function rawShot(cdp: CDPSession, name: string): Promise<void> {
  const shot = (await cdp.send('Page.captureScreenshot', { format: 'png' })) as { data: string };
  // This may be the run's first screenshot: on a clean checkout the folder does not exist yet.
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  writeFileSync(join(SCREENSHOT_DIR, `${name}.png`), Buffer.from(shot.data, 'base64'));
}

browserSuite('an LF that allocates without bound is isolated', () => {
  // A 256 MB V8 heap (a device with little memory) makes the bomb die within a second, well
  // inside the LF time budget, so this exercises the out-of-memory path and not the watchdog's.
  const h = new Harness({ args: ['--js-flags=--max-old-space-size=256'] });
  h.screenshotOnFailure();
  beforeAll(async () => {
    await h.start();
  });
  afterAll(async () => {
    await h.close();
  });

  it('kills only its own process: marked failed, stored, the rest of the loop unaffected', async () => {
    await openDemoLfs(h);
    const page = h.page;

    // A well-behaved code LF runs in the isolated workers, reading its rows through the relay.
    await writeCodeLf(page, 'says_free', "(x) => /\\bfree\\b/i.test(x.text) ? 'spam' : null");
    await page.getByTestId('lf-save').click();
    await lfRow(page, 'says_free')
      .getByText(/% coverage/)
      .waitFor({ timeout: 60_000 });
    const freeCoverage = await lfRow(page, 'says_free')
      .getByText(/% coverage/)
      .textContent();
    expect(await page.locator('iframe[data-shoal-lf-host]').count()).toBeGreaterThan(0);

    const cdp = await h.context.newCDPSession(page);
    await writeCodeLf(page, 'memory_bomb', BOMB);
    // From here the page may be flagged as crashed by Playwright (the preview's frame may die).
    await evaluate(cdp, `document.querySelector('[data-testid="lf-save"]').click()`);

    const error = await waitFor<string>(cdp, rowText('memory_bomb', 'lf-error'), 120_000);
    await rawShot(cdp, 'isolation-bomb-failed');
    expect(error).toMatch(/crashed its worker .*ran out of memory/);

    // The page survived: its state is intact and it still answers.
    expect(await evaluate<string>(cdp, rowContent('money_words'))).toMatch(/% coverage/);
    expect(await evaluate<string>(cdp, rowContent('says_free'))).toContain(freeCoverage!.trim());
    // Dead frames were removed; at most one per pool slot plus the preview remain.
    expect(await evaluate<number>(cdp, `document.querySelectorAll('iframe[data-shoal-lf-host]').length`)).toBeLessThanOrEqual(3);

    // Stored: after a reload the bomb is still marked failed (it is not re-run), the others kept their votes.
    await cdp.send('Page.reload');
    const stored = await waitFor<string>(cdp, rowText('memory_bomb', 'lf-error'), 60_000);
    expect(stored).toMatch(/crashed its worker .*ran out of memory/);
    await waitFor(cdp, `(${rowContent('says_free')} ?? '').includes('% coverage')`, 60_000);
    expect(await evaluate<string>(cdp, rowContent('money_words'))).toMatch(/% coverage/);
    await rawShot(cdp, 'isolation-after-reload');
  });
});

browserSuite('where isolated LF workers cannot start, code LFs run nowhere, templates run, and the app says so', () => {
  const h = new Harness();
  h.screenshotOnFailure();
  beforeAll(async () => {
    await h.start();
    // A host that rewrites the CSP without the frame script's hash: the isolated host cannot run.
    const strip = (csp: string) => csp.replace(/ 'sha256-[^']+'/g, '');
    await h.context.route(
      (url) => url.origin === h.origin && (url.pathname.endsWith('/') || url.pathname.endsWith('.html')),
      async (route) => {
        const response = await route.fetch();
        const headers = { ...response.headers() };
        if (headers['content-security-policy']) headers['content-security-policy'] = strip(headers['content-security-policy']);
        await route.fulfill({ response, headers, body: strip(await response.text()) });
      },
    );
  });
  afterAll(async () => {
    await h.close();
  });

  it('refuses the code LF with one sentence, runs no LF code on the page, and keeps the templates', async () => {
    await openDemoLfs(h);
    const page = h.page;
    // Would vote on every row if it ran anywhere.
    await writeCodeLf(page, 'says_free', "(x) => 'spam'");
    await page.getByTestId('isolation-status').waitFor({ timeout: 60_000 });
    await page
      .getByTestId('lf-preview')
      .getByText(/Code LFs cannot run here/)
      .waitFor({ timeout: 30_000 });
    await page.getByTestId('lf-save').click();
    const error = lfRow(page, 'says_free').getByTestId('lf-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.textContent()).toMatch(
      /Code LFs cannot run here: their isolated sandbox did not start .*, so they run nowhere; template LFs still run/,
    );
    expect(
      await lfRow(page, 'says_free')
        .getByText(/% coverage/)
        .count(),
    ).toBe(0);
    expect(await page.getByTestId('isolation-status').textContent()).toMatch(/Code LFs cannot run here/);
    // The demo's template LFs ran in the page's workers as before.
    expect(
      await lfRow(page, 'money_words')
        .getByText(/% coverage/)
        .count(),
    ).toBe(1);
    // The probe's frame is gone: nothing isolated is left running.
    expect(await page.locator('iframe[data-shoal-lf-host]').count()).toBe(0);
    await h.shot('isolation-unavailable');
  });
});

browserSuite('on a host that sends no CSP header, an isolated LF cannot import remote code', () => {
  const h = new Harness();
  h.screenshotOnFailure();
  let server: Server;
  let hits = 0;
  let remote = '';
  beforeAll(async () => {
    // Another origin that would happily serve a module (CORS open), counting every request.
    server = createServer((_req, res) => {
      hits++;
      res.writeHead(200, {
        'Content-Type': 'text/javascript',
        'Access-Control-Allow-Origin': '*',
        'Cross-Origin-Resource-Policy': 'cross-origin',
      });
      res.end('export default (x) => null;');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    remote = `http://127.0.0.1:${(server.address() as AddressInfo).port}/lf.js`;
    await h.start();
    // Only the meta-tag CSP remains, as on a static host that cannot send headers.
    await h.context.route(
      (url) => url.origin === h.origin,
      async (route) => {
        const response = await route.fetch();
        const headers = { ...response.headers() };
        delete headers['content-security-policy'];
        await route.fulfill({ response, headers });
      },
    );
  });
  afterAll(async () => {
    await h.close();
    server.close();
  });

  it('the frame inherits the page CSP: the import fails on that LF and no request is made', async () => {
    await openDemoLfs(h);
    const page = h.page;
    await writeCodeLf(page, 'imports_code', `(x) => { import('${remote}'); throw new Error('import attempted'); }`);
    await page.getByTestId('lf-save').click();
    const error = lfRow(page, 'imports_code').getByTestId('lf-error');
    await error.waitFor({ timeout: 60_000 });
    // Give a request that slipped through time to arrive.
    await page.waitForTimeout(1500);
    expect(hits).toBe(0);
    expect(await page.getByTestId('isolation-status').count()).toBe(0);
  });
});
