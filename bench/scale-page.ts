/**
 * The Chromium side of `npm run bench:scale`: loaded by the vite dev server into a page
 * (cross-origin isolated by the app's own headers) and driven by playwright-core. Runs the shared
 * parts of bench/scale-loop.ts through the app's browser LF pool (module workers, Comlink).
 */
import { synthesize } from '../src/core/synth.ts';
import { createBrowserLfPool } from '../src/workers/pool-browser.ts';
import { createIsolatedLfPool } from '../src/workers/pool-isolated.ts';
import { BENCH_LFS } from './lf-apply-defs.ts';
import { generateRows } from './lf-apply-gen.ts';
import { distillData, distillRun, type DistillRun } from './scale-distill-data.ts';
import { columnsOfRowMajor, metalAtScale, type MetalScaleRun } from './scale-lm-run.ts';
import { applyRun, editLoop, type ApplyRun, type EditLoopResult } from './scale-loop.ts';

async function apply(o: { n: number; seed: number; workers: number }): Promise<ApplyRun> {
  const rows = generateRows(o.n, o.seed);
  // Workers start inside the first timed run, as in bench/lf-apply.ts. The set has code LFs, so
  // it runs where the app runs it: on isolated workers (the page's workers refuse code LFs).
  const pool = appPool(o.workers);
  try {
    return await applyRun(pool, rows);
  } finally {
    pool.close();
  }
}

async function edit(o: { n: number; seed: number; workers: number; reps: number; models: string[] }): Promise<EditLoopResult> {
  const rows = generateRows(o.n + 500, o.seed);
  const pool = appPool(o.workers);
  try {
    return await editLoop(pool, rows.slice(0, o.n), rows.slice(o.n), { reps: o.reps, models: o.models });
  } finally {
    pool.close();
  }
}

/** The pool the app runs the spec set on: isolated workers when it has a code LF. */
function appPool(workers: number) {
  return BENCH_LFS.some((d) => d.kind === 'code') ? createIsolatedLfPool(workers) : createBrowserLfPool(workers);
}

/** metal at scale on synth.py's bytes (served by the bench under `url`), else on core/synth.ts's matrix. */
async function labelModel(o: { n: number; m: number; k: number; url: string | null }): Promise<MetalScaleRun> {
  if (o.url) {
    const get = async (ext: string) => new Int8Array(await (await fetch(`${o.url}.${ext}`)).arrayBuffer());
    const columns = columnsOfRowMajor(await get('L.i8'), o.n, o.m, o.k);
    return metalAtScale(columns, o.n, o.k, await get('Y.i8'));
  }
  const g = synthesize({ n: o.n, m: o.m, k: o.k, seed: 0 });
  return metalAtScale(
    Array.from({ length: o.m }, (_, j) => g.L.column(j)),
    o.n,
    o.k,
    g.Y,
  );
}

/** The classifier task of bench:scale, generated and trained in the page (default engine). */
async function distill(o: { n: number }): Promise<DistillRun> {
  return distillRun(distillData(o.n), 'auto');
}

(globalThis as { shoalScale?: unknown }).shoalScale = { apply, edit, labelModel, distill, crossOriginIsolated };
