/**
 * The import worker in real Chromium, below the UI: the page calls `startImport`
 * (src/app/import.ts) and reads back through the Dexie storage. Served by vite's dev server
 * so the test can import source modules by path. Checks that a 100k-row CSV imports while the
 * page stays responsive, that closing the page mid-import leaves no partial dataset (the
 * pending version is removed on reopen because its Web Lock died with the worker), that
 * cancel stores nothing, and that bad input comes back as one clear message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browserSuite, CHROMIUM, CHROMIUM_ARGS } from './harness.ts';

declare global {
  interface Window {
    __imp: typeof import('../src/app/import.ts');
    __db: typeof import('../src/storage/dexie.ts');
  }
}

const DB = 'shoal-e2e-import';

browserSuite('import worker (Chromium, IndexedDB)', () => {
  let server: ViteDevServer;
  let context: BrowserContext;
  let profile: string;
  let origin: string;
  const pageErrors: string[] = [];

  async function openPage(): Promise<Page> {
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${origin}/`, { waitUntil: 'load' });
    // A string, so vitest does not rewrite the page-side `import()` into its own loader.
    await page.evaluate(`(async () => {
      window.__imp = await import('/src/app/import.ts');
      window.__db = await import('/src/storage/dexie.ts');
    })()`);
    return page;
  }

  /** Datasets and leftover pending versions, as a freshly opened tab sees them. */
  async function stored(page: Page): Promise<{ datasets: string[]; pending: number; chunks: number }> {
    return page.evaluate(async (name) => {
      const s = await window.__db.openDexieStorage({ name, watchTabs: false });
      try {
        const projects = await s.listProjects();
        const datasets = (await Promise.all(projects.map((p) => s.listDatasets(p.id)))).flat().map((d) => d.name);
        const pending = await s.dexie.table('versions').where('status').equals('pending').count();
        return { datasets, pending, chunks: await s.dexie.table('chunks').count() };
      } finally {
        s.close();
      }
    }, DB);
  }

  beforeAll(async () => {
    server = await createServer({
      configFile: resolve('vite.config.ts'),
      logLevel: 'silent',
      server: { host: '127.0.0.1', port: 0, strictPort: false },
    });
    await server.listen();
    origin = new URL(server.resolvedUrls!.local[0]).origin;
    profile = mkdtempSync(join(tmpdir(), 'shoal-import-e2e-'));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  }, 120_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('imports a 100k-row CSV in the worker while the page keeps painting', async () => {
    const page = await openPage();
    const r = await page.evaluate(async (name) => {
      const s = await window.__db.openDexieStorage({ name, watchTabs: false });
      const project = await s.createProject('e2e');
      s.close();
      const lines = ['id,text,label'];
      for (let i = 0; i < 100_000; i++)
        lines.push(`${i},"message ${i} about ${i % 7 ? 'lunch' : 'free money'}, ok",${i % 7 ? 'ham' : 'spam'}`);
      const file = new File([lines.join('\n')], 'big.csv', { type: 'text/csv' });
      // The longest gap between animation frames tells whether the page froze.
      let last = performance.now();
      let worstGap = 0;
      let frames = 0;
      let running = true;
      const tick = (): void => {
        const now = performance.now();
        worstGap = Math.max(worstGap, now - last);
        last = now;
        frames++;
        if (running) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const t0 = performance.now();
      let progressEvents = 0;
      // The frame count at each progress event: frames between them mean the page kept painting.
      const framesAtProgress: number[] = [];
      const job = window.__imp.startImport(
        file,
        { projectId: project.id, classes: ['ham', 'spam'] },
        {
          dbName: name,
          onProgress: () => {
            progressEvents++;
            framesAtProgress.push(frames);
          },
        },
      );
      const out = await job.done;
      running = false;
      return { out, ms: performance.now() - t0, worstGap, frames, progressEvents, framesAtProgress, mb: file.size / 1e6 };
    }, DB);
    expect(r.out.ok, JSON.stringify(r.out)).toBe(true);
    if (!r.out.ok) return;
    expect(r.out.summary).toMatchObject({ rows: 100_000, labeled: 100_000, classes: ['ham', 'spam'] });
    expect(r.progressEvents).toBeGreaterThan(2);
    console.log(
      `Chromium import: 100k rows, ${r.mb.toFixed(1)} MB in ${r.ms.toFixed(0)} ms (${Math.round(100_000 / (r.ms / 1000))} rows/s); longest frame gap ${r.worstGap.toFixed(0)} ms over ${r.frames} frames`,
    );
    // The page painted while the worker parsed and stored: frames ran between the first and the
    // last progress event (parsing on the page's thread would block them until the end).
    expect(r.framesAtProgress.at(-1)! - r.framesAtProgress[0]).toBeGreaterThan(0);
    expect(await stored(page)).toEqual({ datasets: ['big'], pending: 0, chunks: 100 });
    await page.close();
  });

  it('leaves no partial dataset when the page closes mid-import', async () => {
    const page = await openPage();
    await page.evaluate(async (name) => {
      const s = await window.__db.openDexieStorage({ name, watchTabs: false });
      const [project] = await s.listProjects();
      s.close();
      const lines = ['text'];
      for (let i = 0; i < 400_000; i++) lines.push(`row number ${i} with some words in it`);
      const file = new File([lines.join('\n')], 'never.csv');
      await new Promise<void>((started) => {
        window.__imp.startImport(
          file,
          { projectId: project.id, labelField: null },
          { dbName: name, onProgress: (p) => p.rows > 20_000 && started() },
        );
      });
    }, DB);
    // Rows are being written under a pending version right now; kill the tab.
    await page.close();
    const again = await openPage();
    expect(await stored(again)).toEqual({ datasets: ['big'], pending: 0, chunks: 100 });
    await again.close();
  });

  it('cancel stores nothing; bad input is one clear message', async () => {
    const page = await openPage();
    const r = await page.evaluate(async (name) => {
      const s = await window.__db.openDexieStorage({ name, watchTabs: false });
      const [project] = await s.listProjects();
      s.close();
      const lines = ['text'];
      for (let i = 0; i < 300_000; i++) lines.push(`row ${i}`);
      const job = window.__imp.startImport(
        new File([lines.join('\n')], 'cancel.csv'),
        { projectId: project.id, labelField: null },
        {
          dbName: name,
          onProgress: (p) => p.rows > 10_000 && job.cancel(),
        },
      );
      const cancelled = await job.done;
      const latin1 = new Uint8Array([...new TextEncoder().encode('text\ncaf'), 0xe9, 10]);
      // Named as UTF-8, a Latin-1 byte is an error (without an encoding it would be detected).
      const bad = await window.__imp.startImport(
        new File([latin1], 'latin1.csv'),
        { projectId: project.id, encoding: 'utf-8' },
        { dbName: name },
      ).done;
      const empty = await window.__imp.startImport(new File([], 'empty.jsonl'), { projectId: project.id }, { dbName: name }).done;
      return { cancelled, bad, empty };
    }, DB);
    expect(!r.cancelled.ok && r.cancelled.error.code).toBe('cancelled');
    expect(!r.bad.ok && r.bad.message).toMatch(/^latin1\.csv, near row 1: is not valid UTF-8 text/);
    expect(!r.empty.ok && r.empty.message).toBe('empty.jsonl: is empty');
    expect(await stored(page)).toEqual({ datasets: ['big'], pending: 0, chunks: 100 });
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('answers malformed files, a 100 MB line and 10k columns with clear messages, storing nothing half', async () => {
    const page = await openPage();
    const r = await page.evaluate(async (name) => {
      const s = await window.__db.openDexieStorage({ name, watchTabs: false });
      const [project] = await s.listProjects();
      s.close();
      const run = async (file: File, extra = {}) => {
        const out = await window.__imp.startImport(file, { projectId: project.id, labelField: null, ...extra }, { dbName: name }).done;
        return out.ok ? `ok ${out.summary.rows} rows × ${out.summary.columns.length} columns` : out.message;
      };
      const wideHeader = Array.from({ length: 10_000 }, (_, j) => (j === 0 ? 'text' : `f${j}`)).join(',');
      const wideRow = Array.from({ length: 10_000 }, (_, j) => String(j)).join(',');
      return {
        quote: await run(new File(['text,n\n"fine",1\n"bad"x,2\n'], 'quotes.csv')),
        jsonl: await run(new File(['{"text":"a"}\n{"text": nope}\n'], 'bad.jsonl')),
        parquet: await run(new File(['PAR1 this is not parquet PAR1'], 'bad.parquet')),
        line: await run(new File(['text\n"', 'x'.repeat(100 * 1024 * 1024)], 'line.csv')),
        wide: await run(new File([`${wideHeader}\n${wideRow}\n${wideRow}\n`], 'wide.csv')),
      };
    }, DB);
    expect(r.quote).toBe(
      'quotes.csv, row 2 (line 3): has text after the closing quote of a quoted field (a quote inside a quoted field must be doubled: "")',
    );
    expect(r.jsonl).toMatch(/^bad\.jsonl, row 2: is not valid JSON/);
    expect(r.parquet).toMatch(/^bad\.parquet: is not a readable Parquet file/);
    expect(r.line).toBe(
      'line.csv, row 1 (line 2): has a quoted field opened on line 2 that is still not closed after 32 M characters (an unclosed quote, or not a CSV file?)',
    );
    expect(r.wide).toBe('ok 2 rows × 10000 columns');
    const after = await stored(page);
    expect(after.pending).toBe(0);
    expect(after.datasets).toEqual(['big', 'wide']);
    await page.close();
  });

  // A Parquet file from the seeded fuzz run (src/core/formats/fuzz.test.ts) whose corrupted
  // page makes hyparquet spin for minutes in synchronous code: only the watchdog can stop it.
  const STALLING_PARQUET =
    'UEFSMRUGFaQBFaoBXBUoFQAVKBUAFQQVAAAAKAFQ8E8AAAAAAQAAAAIAAAADAAAABAAAAAUAAAAGAAAABwAAAAgAAAAJAAAACgAAAAsAAAAMAAAADQAAAA4AAAAPAAAAEAAAABEAAAASAAAAEwAAABUGFYgCFb4BXBUoFQAVKBUAFQQVAAAAKAGCARgCAAAAdDACAQYAMQUGADIFBgAzBQYANAUGADUFBgA2BQYANwUGADgFBgQ5AwU2ADAJBwAxCQcAMgkHADMJBwA0CQcANQkHADYJBzg3AwAAAHQxOAMAAAB0MTkVBhWkARWqAVwVKBUAFSgVABUEFQAAACgBUPBPFAAAABUAAAAWAAAAFwAAABgAAAAZAAAAGgAAABsAAAAcAAAAHQAAAB4AAAAfAAAAIAAAACEAAAAiAAAAIwAAACQAAAAlAAAAJgAAACcAAAAVBhWcAhW+AVwVKBUAFSgVABUEFQAAACgBjAEYAwAAAHQyMAkHADEJBwAyCQcAMwkHADQJBwA1CQcANgkHADcJBwA4CQcYOQMAAAB0MwlGADMJRgAzCUYMMzMDAAEcCUYAMwlGADMJRgAzCUYgMzgDAAAAdDM5FQYVVBVYXBUUFSicKAAAACkAAAAqAAAAKwAAACwAAAAtAAAALgAAAC8AAAAwAAAAMQAAABUGFZABFWpcFRQVABUUFQAVBBUAAAAUAUYYAwAAAHQ0MAkHADEJBwAyCQcAMwkHADQJBwA1CQcANgkHODcDAAAAdDQ4AwAAAHQ0ORUEGTxIBHJvb3QVBAAVAiUCGAJpZAAVDCUCGAR0ZXh0JQAAFmQZPBksJggcFQIZFQAZGAJpZBUCFigW0gEW2AEmCDw2ACgEEwAAABgEAAAAAAAZHBUGFQAVAgAAACbgARwVDBkVABkYBHRleHQVAhYoFrYCFuwBJuABPDYAKAJ0ORgCdDAAGRwVBhUAFQIAAAAWiAQWKDbEAwAZLCbMAxwVAhkVABkYAmlkFQIWKBbSARbYASbMAzw2ACgEJwAAABgEFAAAAAAZHBUGFQAVAgAAACakBRwVDBkVABkYBHRleHQVAhYoFsoCFuwBJqQFPDYAKAN0MzkYA3QyMAAZHBUGFQAVAgAAABacBBYoNsQDABksJpAHHBUCGRUAGRgCaWQVAhYUFn4WggEmkAc8NgAoBDEAAAAYBCgAAAAAGRwVBhUAFQIAAAAmkggcFQwZFQAZGAR0ZXh0FQIWFBa8ARaWASaSCDw2ACgDdDQ5GAN0NDAAGRwVBhUAFQIAAAAWugIWFDaYAgAoCWh5cGFycXVldBksHAAAHAAAAJsBAABQQVIx';

  it('stops an import stuck inside a parser (watchdog) and stores nothing', async () => {
    const page = await openPage();
    const r = await page.evaluate(
      async ([name, b64]) => {
        const s = await window.__db.openDexieStorage({ name, watchTabs: false });
        const [project] = await s.listProjects();
        s.close();
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const out = await window.__imp.startImport(
          new File([bytes], 'corrupt.parquet'),
          { projectId: project.id, labelField: null },
          { dbName: name, stallMs: 2000 },
        ).done;
        return { message: out.ok ? 'imported?!' : out.message };
      },
      [DB, STALLING_PARQUET] as const,
    );
    expect(r.message).toBe('corrupt.parquet: stopped making progress for 2 s (the file may be corrupted); nothing was imported');
    // The killed worker's lock is gone, so reopening removes its pending version.
    const after = await stored(page);
    expect(after.pending).toBe(0);
    expect(after.datasets).toEqual(['big', 'wide']);
    await page.close();
  });

  it('turns a full disk (simulated) into a clear message and keeps earlier data', async () => {
    const page = await openPage();
    const r = await page.evaluate(`(async () => {
      const { importIntoStorage } = await import('/src/workers/import-run.ts');
      const s = await window.__db.openDexieStorage({ name: 'shoal-e2e-quota', watchTabs: false });
      const p = await s.createProject('q');
      const csv = (n) => 'text\\n' + Array.from({ length: n }, (_, i) => 'row ' + i).join('\\n');
      const first = await importIntoStorage({ name: 'ok.csv', blob: new Blob([csv(50)]) }, { projectId: p.id }, s);
      // Chromium's own IndexedDB, with put() failing as a full disk does after 2 chunks.
      const realPut = IDBObjectStore.prototype.put;
      let chunks = 0;
      IDBObjectStore.prototype.put = function (...args) {
        if (this.name === 'chunks' && ++chunks > 2) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return realPut.apply(this, args);
      };
      const full = await importIntoStorage({ name: 'full.csv', blob: new Blob([csv(5000)]) }, { projectId: p.id }, s);
      IDBObjectStore.prototype.put = realPut;
      const names = (await s.listDatasets(p.id)).map((d) => d.name);
      const rows = first.ok ? (await s.readRows(first.summary.versionId, 0, 100)).length : -1;
      const pending = await s.dexie.table('versions').where('status').equals('pending').count();
      s.close();
      return { message: full.ok ? 'imported?!' : full.message, names, rows, pending };
    })()`);
    expect(r).toEqual({
      message:
        'Browser storage is full, so the import (rows 2001…) was not saved (earlier data is intact); delete old projects, datasets or runs, or allow persistent storage, then try again.',
      names: ['ok'],
      rows: 50,
      pending: 0,
    });
    await page.close();
  });

  it('opens a database written by schema v1 (run probabilities inline) and tells two tabs about each other', async () => {
    const a = await openPage();
    const migrated = await a.evaluate(async () => {
      const name = 'shoal-e2e-migrate';
      const old = window.__db.declareSchema(name, 1); // v1 kept run probabilities inline
      await old.open();
      await old.table('projects').put({ id: 'p1', name: 'From v1', createdAt: 1, updatedAt: 1 });
      await old.table('runs').put({
        id: 'r1',
        projectId: 'p1',
        versionId: 'v',
        model: 'mv',
        params: {},
        lfHashes: [],
        metrics: {},
        k: 2,
        n: 1,
        createdAt: 1,
        probs: Float32Array.from([0.3, 0.7]),
      });
      old.close();
      const s = await window.__db.openDexieStorage({ name, watchTabs: false });
      const out = {
        projects: (await s.listProjects()).map((p) => p.name),
        probs: Array.from((await s.getRunProbs('r1')) ?? []),
        verno: s.dexie.verno,
      };
      s.close();
      return out;
    });
    expect(migrated.projects).toEqual(['From v1']);
    expect(migrated.probs.map((x) => Math.round(x * 10) / 10)).toEqual([0.3, 0.7]);
    const listen = (p: Page) =>
      p.evaluate(async () => {
        const s = await window.__db.openDexieStorage({ name: 'shoal-e2e-tabs' });
        (window as unknown as { __events: string[] }).__events = [];
        s.onEvent((e) => (window as unknown as { __events: string[] }).__events.push(e.type));
      });
    await listen(a);
    const b = await openPage();
    await listen(b);
    await a.waitForFunction(() => (window as unknown as { __events: string[] }).__events.includes('other-tab'));
    expect(await a.evaluate(() => (window as unknown as { __events: string[] }).__events)).toContain('other-tab');
    await a.close();
    await b.close();
  });
});
