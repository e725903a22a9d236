/**
 * Browser-test harness: serves the built `dist/` with vite's `preview()` API on 127.0.0.1 (a
 * free port; it sends the headers vite.config.ts sets: CSP, COOP/COEP) or, with
 * `server: 'static'`, with a plain static server that sends no such header, as GitHub Pages
 * would (static-server.ts), or the sources with vite's dev server (`dev`); drives Debian's Chromium through playwright-core in a fresh persistent profile,
 * and watches what the page does:
 * - every request of the page, its workers and its service worker is recorded, and any request
 *   to an origin other than the app's own is an egress violation (`assertNoEgress`);
 * - console errors, uncaught page errors and CSP violations are recorded;
 * - a failing test leaves a screenshot in `.ci/out/screenshots/<test>.png`, and `shot()` saves
 *   named screen captures beside them as artifacts.
 *
 * Without /usr/bin/chromium the suites skip with a message, except under CI=true where they
 * fail: CI must not pass by testing nothing.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createServer, preview, type InlineConfig, type PreviewServer, type ViteDevServer } from 'vite';
import { beforeEach, describe, it, type TestContext } from 'vitest';
import { startStaticServer, type StaticServer } from './static-server.ts';

export const CHROMIUM = process.env.SHOAL_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const SCREENSHOT_DIR = resolve(process.env.SHOAL_TEST_OUT ?? '.ci/out', 'screenshots');

/** Flags for headless Chromium on these machines (no GPU): no background traffic, WebGPU on SwiftShader. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-unsafe-webgpu',
];

/**
 * `describe` for browser suites: runs when Chromium is present; otherwise skips with a reason,
 * or under CI=true reports one failing test that says what to install.
 */
export function browserSuite(name: string, body: () => void): void {
  if (HAVE_CHROMIUM) {
    describe(name, body);
    return;
  }
  const reason = `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) or set SHOAL_CHROMIUM`;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(reason);
      });
    });
  } else {
    console.warn(`skipping browser suite "${name}": ${reason}`);
    describe.skip(name, body);
  }
}

export interface HarnessOptions {
  /** Folder with the built app; default `dist`. */
  outDir?: string;
  /** The base path the app was built with (`vite build --base=/sub/`); default `/`. */
  base?: string;
  viewport?: { width: number; height: number };
  /** Extra Chromium flags for this suite. */
  args?: string[];
  /**
   * `preview` (default): vite's preview server with the headers of vite.config.ts.
   * `static`: a plain file server without any of them (no CSP header, no COOP/COEP).
   */
  server?: 'preview' | 'static';
  /**
   * Serve the sources with vite's dev server (`npm run dev`) instead of the built app; the
   * given config is laid over vite.config.ts (e.g. another `publicDir` or `cacheDir`).
   */
  dev?: InlineConfig;
}

export interface RecordedRequest {
  url: string;
  method: string;
  resourceType: string;
  fromServiceWorker: boolean;
}

export class Harness {
  readonly requests: RecordedRequest[] = [];
  readonly consoleErrors: string[] = [];
  readonly pageErrors: string[] = [];
  /** "Leave site?" prompts the app raised (accepted, so the navigation goes on), one per prompt. */
  readonly unloadPrompts: string[] = [];
  page!: Page;
  context!: BrowserContext;
  /** e.g. http://127.0.0.1:41234 */
  origin = '';
  /** origin + base, e.g. http://127.0.0.1:41234/sub/ */
  url = '';
  private server: PreviewServer | undefined;
  private staticServer: StaticServer | undefined;
  private devServer: ViteDevServer | undefined;
  private profile = '';

  constructor(private readonly opts: HarnessOptions = {}) {}

  async start(): Promise<this> {
    const base = this.opts.base ?? '/';
    if (this.opts.dev) {
      this.devServer = await createServer({
        configFile: resolve('vite.config.ts'),
        base,
        logLevel: 'silent',
        ...this.opts.dev,
        server: { host: '127.0.0.1', port: 0, strictPort: false, open: false, ...this.opts.dev.server },
      });
      await this.devServer.listen();
      const local = this.devServer.resolvedUrls?.local[0];
      if (!local) throw new Error('the vite dev server did not report a URL');
      this.origin = new URL(local).origin;
    } else {
      const outDir = resolve(this.opts.outDir ?? 'dist');
      if (!existsSync(join(outDir, 'index.html'))) {
        throw new Error(`${outDir}/index.html is missing: build the app first (npm run test:e2e builds, or run npx vite build)`);
      }
      if (this.opts.server === 'static') {
        this.staticServer = await startStaticServer(outDir, base);
        this.origin = this.staticServer.origin;
      } else {
        this.server = await preview({
          configFile: resolve('vite.config.ts'),
          base,
          logLevel: 'silent',
          build: { outDir },
          preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
        });
        const local = this.server.resolvedUrls?.local[0];
        if (!local) throw new Error('vite preview did not report a URL');
        this.origin = new URL(local).origin;
      }
    }
    this.url = `${this.origin}${base}`;

    this.profile = mkdtempSync(join(tmpdir(), 'shoal-e2e-'));
    this.context = await chromium.launchPersistentContext(this.profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(this.opts.args ?? [])],
      viewport: this.opts.viewport ?? { width: 1280, height: 860 },
    });
    this.context.on('request', (r) => {
      this.requests.push({
        url: r.url(),
        method: r.method(),
        resourceType: r.resourceType(),
        fromServiceWorker: r.serviceWorker() !== null,
      });
    });
    this.context.on('page', (p) => this.watch(p));
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    this.watch(this.page);
    return this;
  }

  private watch(page: Page): void {
    page.on('console', (m) => {
      if (m.type() === 'error') this.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => this.pageErrors.push(e.message));
    // With a listener Playwright no longer dismisses dialogs itself: dismiss the others as it did.
    page.on('dialog', (d) => {
      if (d.type() === 'beforeunload') {
        this.unloadPrompts.push(d.message());
        void d.accept();
      } else void d.dismiss();
    });
  }

  /** Requests that left the app's origin (data:, blob: and about: are local). */
  foreignRequests(): RecordedRequest[] {
    return this.requests.filter((r) => {
      const u = new URL(r.url);
      if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return false;
      return u.origin !== this.origin;
    });
  }

  assertNoEgress(): void {
    const foreign = this.foreignRequests();
    if (foreign.length > 0) {
      throw new Error(
        `the app made ${foreign.length} request(s) outside its origin ${this.origin}: ${foreign.map((r) => `${r.method} ${r.url}`).join(', ')}`,
      );
    }
  }

  /** Console errors that are CSP violations (Chromium reports them on the console). */
  cspViolations(): string[] {
    return this.consoleErrors.filter((t) => /Content Security Policy/i.test(t));
  }

  async goto(hash = ''): Promise<void> {
    await this.page.goto(`${this.url}${hash}`, { waitUntil: 'load' });
  }

  /** Save a named capture of the current screen (an artifact to look at, not an assertion). */
  async shot(name: string): Promise<string> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const path = join(SCREENSHOT_DIR, `${safeName(name)}.png`);
    await this.page.screenshot({ path, fullPage: true });
    return path;
  }

  /** Wait until a service worker controls the page's origin and has finished precaching. */
  async serviceWorkerReady(): Promise<void> {
    await this.page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      if (reg.active?.state !== 'activated') {
        await new Promise<void>((done) => reg.active?.addEventListener('statechange', () => reg.active?.state === 'activated' && done()));
      }
    });
  }

  async close(): Promise<void> {
    await this.context?.close().catch(() => undefined);
    await new Promise<void>((done) => (this.server ? this.server.httpServer.close(() => done()) : done()));
    await this.staticServer?.close();
    await this.devServer?.close();
    if (this.profile) rmSync(this.profile, { recursive: true, force: true });
  }

  /**
   * In a suite: save a screenshot of the page when a test fails, named after the test.
   * Call once, at the top of the `browserSuite` body.
   */
  screenshotOnFailure(): void {
    beforeEach((ctx: TestContext) => {
      ctx.onTestFailed(async () => {
        if (!this.page || this.page.isClosed()) return;
        mkdirSync(SCREENSHOT_DIR, { recursive: true });
        const path = join(SCREENSHOT_DIR, `${safeName(ctx.task.name)}.png`);
        await this.page.screenshot({ path, fullPage: true }).catch(() => undefined);
        console.error(`screenshot of the failure: ${path}`);
      });
    });
  }
}

function safeName(s: string): string {
  return (
    s
      .replace(/[^a-z0-9._-]+/gi, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 120) || 'unnamed'
  );
}
