/**
 * Import throughput in headless Chromium through the real import worker and IndexedDB: a
 * generated CSV (default 1M rows × ~500 bytes ≈ 500 MB) is written to disk, handed to the
 * page through a file input (so the page never holds it as a string), and imported with
 * `startImport`. Prints rows/s, MB/s, the longest gap between animation frames (did the page
 * freeze?) and the storage used.
 *
 *   npx tsx bench/import-browser.ts [rows] [bytesPerRow]
 */
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';
import { mulberry32 } from '../src/core/rng.ts';
import { CHROMIUM, CHROMIUM_ARGS } from '../e2e/harness.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const bytesPerRow = Number(process.argv[3] ?? 500);
const WORDS = 'free money offer click now meeting tomorrow report attached please review winner prize urgent account verify lunch project update'.split(' ');

const dir = mkdtempSync(join(tmpdir(), 'shoal-import-bench-'));
const path = join(dir, 'bench.csv');

async function writeCsv(): Promise<void> {
  const out = createWriteStream(path);
  const rng = mulberry32(1);
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  await write('id,text,label,score\n');
  let buf = '';
  for (let i = 0; i < rows; i++) {
    let t = '';
    while (t.length < bytesPerRow - 30) t += (t ? ' ' : '') + WORDS[Math.floor(rng() * WORDS.length)];
    buf += `${i},"${t}, ""quoted""",${rng() < 0.3 ? 'spam' : 'ham'},${(rng() * 100).toFixed(2)}\n`;
    if (buf.length > 1 << 20) {
      await write(buf);
      buf = '';
    }
  }
  await write(buf);
  await new Promise<void>((r) => out.end(() => r()));
}

const t0 = Date.now();
await writeCsv();
const mb = statSync(path).size / 1e6;
console.error(`wrote ${rows.toLocaleString('en')} rows, ${mb.toFixed(0)} MB in ${Date.now() - t0} ms`);

const server = await createServer({ configFile: resolve('vite.config.ts'), logLevel: 'silent', server: { host: '127.0.0.1', port: 0 } });
await server.listen();
const origin = new URL(server.resolvedUrls!.local[0]).origin;
const profile = mkdtempSync(join(tmpdir(), 'shoal-import-bench-profile-'));
const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
try {
  const page = await context.newPage();
  await page.goto(`${origin}/`, { waitUntil: 'load' });
  await page.evaluate(`(async () => {
    window.__imp = await import('/src/app/import.ts');
    window.__db = await import('/src/storage/dexie.ts');
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'bench-file';
    document.body.append(input);
  })()`);
  await page.setInputFiles('#bench-file', path);
  const r = (await page.evaluate(`(async () => {
    const s = await window.__db.openDexieStorage({ name: 'shoal-bench-import', watchTabs: false });
    const project = await s.createProject('bench');
    const file = document.getElementById('bench-file').files[0];
    let last = performance.now(), worstGap = 0, running = true;
    const tick = () => { const now = performance.now(); worstGap = Math.max(worstGap, now - last); last = now; if (running) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const t0 = performance.now();
    const out = await window.__imp.startImport(file, { projectId: project.id, classes: ['ham', 'spam'] }, { dbName: 'shoal-bench-import' }).done;
    const ms = performance.now() - t0;
    running = false;
    const t1 = performance.now();
    const v = out.ok ? await s.getVersion(out.summary.versionId) : undefined;
    const mid = v ? Math.floor(v.rowCount / 2) : 0;
    const some = v ? await s.readRows(v.id, mid, mid + 1000) : [];
    const readMs = performance.now() - t1;
    const est = await navigator.storage.estimate();
    s.close();
    return { ok: out.ok, message: out.ok ? '' : out.message, rows: out.ok ? out.summary.rows : 0, ms, worstGap, readMs, read: some.length, usage: est.usage };
  })()`)) as { ok: boolean; message: string; rows: number; ms: number; worstGap: number; readMs: number; read: number; usage: number };
  if (!r.ok) throw new Error(r.message);
  console.log(`\nImport in Chromium (worker + IndexedDB), ${rows.toLocaleString('en')} rows, ${mb.toFixed(0)} MB CSV\n`);
  console.log('| rows | MB | ms | rows/s | MB/s | longest frame gap | 1000 rows read back | IndexedDB usage |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
  console.log(`| ${r.rows} | ${mb.toFixed(0)} | ${r.ms.toFixed(0)} | ${Math.round(r.rows / (r.ms / 1000)).toLocaleString('en')} | ${(mb / (r.ms / 1000)).toFixed(1)} | ${r.worstGap.toFixed(0)} ms | ${r.readMs.toFixed(0)} ms | ${(r.usage / 1e6).toFixed(0)} MB |`);
} finally {
  await context.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
