/**
 * The browser side of bench/lf-apply.ts: a page (built by vite into a temporary folder, served
 * cross-origin isolated, driven by playwright-core in Chromium) that applies the 20 benchmark LFs
 * through the app's own worker pool (`createBrowserLfPool`, one module worker per thread) and
 * reports time, fire counts and the sha256 of L. Rows are generated or fetched before timing.
 */
import type { Row, RowChunk } from '../src/core/lf/types.ts';
import { createBrowserLfPool } from '../src/workers/pool-browser.ts';
import { createIsolatedLfPool } from '../src/workers/pool-isolated.ts';
import { BENCH_CLASSES, BENCH_LFS } from './lf-apply-defs.ts';
import { generateRows } from './lf-apply-gen.ts';

export interface PageBenchResult {
  ms: number;
  prepMs: number;
  fires: number[];
  sha256: string;
  errors: string[];
  crossOriginIsolated: boolean;
}

async function run(o: { n: number; seed: number; workers: number; dataUrl?: string }): Promise<PageBenchResult> {
  const t0 = performance.now();
  let rows: Row[];
  if (o.dataUrl) {
    const text = await (await fetch(o.dataUrl)).text();
    rows = [];
    let start = 0;
    while (rows.length < o.n && start < text.length) {
      const end = text.indexOf('\n', start);
      rows.push(JSON.parse(text.slice(start, end < 0 ? undefined : end)));
      start = end < 0 ? text.length : end + 1;
    }
  } else rows = generateRows(o.n, o.seed);
  const chunks: RowChunk[] = [];
  for (let s = 0; s < rows.length; s += 1000) chunks.push({ start: s, rows: rows.slice(s, s + 1000) });
  const prepMs = performance.now() - t0;

  const t1 = performance.now();
  // A set with code LFs runs where the app runs it: isolated workers (page workers refuse code).
  const pool = BENCH_LFS.some((d) => d.kind === 'code') ? createIsolatedLfPool(o.workers) : createBrowserLfPool(o.workers);
  const res = await pool.applyLfs(BENCH_LFS, BENCH_CLASSES, { rowCount: rows.length, chunkCount: chunks.length, read: (i) => chunks[i] });
  const ms = performance.now() - t1;
  pool.close();

  const n = rows.length;
  const m = res.lfs.length;
  const L = new Int8Array(n * m);
  res.lfs.forEach((lf, j) => {
    for (let i = 0; i < n; i++) L[i * m + j] = lf.votes[i];
  });
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', L));
  return {
    ms,
    prepMs,
    fires: res.lfs.map((lf) => lf.votes.reduce((a, v) => a + (v >= 0 ? 1 : 0), 0)),
    sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join(''),
    errors: res.lfs.filter((lf) => lf.error).map((lf) => `${lf.name}: ${lf.error!.message}`),
    crossOriginIsolated,
  };
}

(globalThis as { shoalLfBench?: typeof run }).shoalLfBench = run;
