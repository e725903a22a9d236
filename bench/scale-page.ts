/**
 * The Chromium side of `npm run bench:scale`: loaded by the vite dev server into a page
 * (cross-origin isolated by the app's own headers) and driven by playwright-core. Runs the shared
 * parts of bench/scale-loop.ts through the app's browser LF pool (module workers, Comlink).
 */
import { createBrowserLfPool } from '../src/workers/pool-browser.ts';
import { generateRows } from './lf-apply-gen.ts';
import { applyRun, editLoop, type ApplyRun, type EditLoopResult } from './scale-loop.ts';

async function apply(o: { n: number; seed: number; workers: number }): Promise<ApplyRun> {
  const rows = generateRows(o.n, o.seed);
  // Workers start inside the first timed run, as in bench/lf-apply.ts.
  const pool = createBrowserLfPool(o.workers);
  try {
    return await applyRun(pool, rows);
  } finally {
    pool.close();
  }
}

async function edit(o: { n: number; seed: number; workers: number; reps: number; models: string[] }): Promise<EditLoopResult> {
  const rows = generateRows(o.n + 500, o.seed);
  const pool = createBrowserLfPool(o.workers);
  try {
    return await editLoop(pool, rows.slice(0, o.n), rows.slice(o.n), { reps: o.reps, models: o.models });
  } finally {
    pool.close();
  }
}

(globalThis as { shoalScale?: unknown }).shoalScale = { apply, edit, crossOriginIsolated };
