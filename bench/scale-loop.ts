/**
 * The parts of `npm run bench:scale` that run the same code in Node and in the Chromium page
 * (bench/scale-page.ts): applying the 20 spec LFs through a pool, and the interactive loop of
 * the studio — edit one LF on 100k rows → re-run that LF alone on the pool → `analyze` → label model
 * refit + predict — timed end to end, each step separately, as the studio would do it.
 *
 * Pure TS (no DOM, no Node APIs): the pool is passed in.
 */
import { analyze } from '../src/core/analysis.ts';
import { createLabelModel } from '../src/core/labelmodel/index.ts';
import { MetalLabelModel } from '../src/core/labelmodel/metal.ts';
import type { LfDef, Row, RowChunk } from '../src/core/lf/types.ts';
import { LabelMatrix } from '../src/core/matrix.ts';
import { mulberry32 } from '../src/core/rng.ts';
import type { ChunkSource, LfApplyResult, LfPool } from '../src/workers/pool.ts';
import { BENCH_CLASSES, BENCH_LFS } from './lf-apply-defs.ts';

export const CHUNK_ROWS = 1000;

export function rowSource(rows: readonly Row[]): ChunkSource {
  const chunks: RowChunk[] = [];
  for (let s = 0; s < rows.length; s += CHUNK_ROWS) chunks.push({ start: s, rows: rows.slice(s, s + CHUNK_ROWS) });
  return { rowCount: rows.length, chunkCount: chunks.length, read: (i) => chunks[i] };
}

const SPAM_WORDS = new Set([
  'subscribe',
  'sub4sub',
  'free',
  'prize',
  'winner',
  'money',
  'cash',
  'please',
  'plz',
  'pls',
  'channel',
  'video',
  'videos',
  'check',
]);
const HAM_WORDS = new Set([
  'song',
  'music',
  'lyrics',
  'love',
  'beautiful',
  'thanks',
  'thank',
  'thx',
  'guitar',
  'dance',
  'voice',
  'hi',
  'hello',
  'hey',
]);

/**
 * The bench's hidden ground truth for generated rows (lf-apply-gen.ts): SPAM (1) when the text
 * has more spam words than ham words, else HAM (0). The LFs see only part of it (and vote on
 * things it ignores: URLs, lengths), so the label model's labels are noisy and a classifier on
 * n-grams can learn more than the LFs cover.
 */
export function hiddenLabel(text: string): number {
  let s = 0;
  for (const raw of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (SPAM_WORDS.has(raw)) s++;
    else if (HAM_WORDS.has(raw)) s--;
  }
  return s > 0 ? 1 : 0;
}

/**
 * A second hidden rule, linear in the bag of words, for the classifier bench: each distinct
 * lowercased token gets a fixed weight ±1 from a string hash; SPAM iff the sum is positive.
 * A linear model on word features can learn it exactly; the LFs know nothing about it.
 */
export function linearRuleLabel(text: string): number {
  let s = 0;
  for (const w of text.toLowerCase().split(/[^a-z0-9]+/)) {
    if (w.length < 2) continue;
    let h = 2166136261;
    for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619);
    s += (h >>> 0) % 3 === 0 ? 1 : (h >>> 0) % 3 === 1 ? -1 : 0;
  }
  return s > 0 ? 1 : 0;
}

/** Hidden labels with a fraction flipped (seeded): what a hand-labelled dev set would look like. */
export function noisyLabels(rows: readonly Row[], noise: number, seed: number, rule: (text: string) => number = hiddenLabel): Int32Array {
  const rng = mulberry32(seed);
  return Int32Array.from(rows, (r) => {
    const y = rule(String(r.text));
    return rng() < noise ? 1 - y : y;
  });
}

export function toMatrix(res: LfApplyResult, k: number): LabelMatrix {
  return new LabelMatrix(
    res.rows,
    k,
    res.lfs.map((l) => l.votes),
  );
}

export interface EditStep {
  lfMs: number;
  analyzeMs: number;
  fitMs: number;
  predictMs: number;
  totalMs: number;
  backend: string;
}

export interface EditLoopResult {
  n: number;
  firstApplyMs: number;
  /** Median over the repeats, per model. */
  steps: Record<string, EditStep>;
  all: Record<string, EditStep[]>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Apply all 20 LFs once (the state before the edit), then `reps` times: change one keyword LF's
 * keywords, re-run only that LF on the pool, replace its column, `analyze` (with dev gold), refit
 * the label model and predict every row. Models: 'metal' and the app's default 'auto' (which fits
 * every model and keeps the best on dev). A fresh LabelMatrix each time, as a new column
 * invalidates the cached row index.
 */
export async function editLoop(
  pool: LfPool,
  rows: readonly Row[],
  dev: readonly Row[],
  opts: { reps: number; models: readonly string[] },
): Promise<EditLoopResult> {
  const k = BENCH_CLASSES.length;
  const classes = [...BENCH_CLASSES];
  const src = rowSource(rows);
  const t0 = performance.now();
  const first = await pool.applyLfs(BENCH_LFS, classes, src);
  const firstApplyMs = performance.now() - t0;
  const columns = first.lfs.map((l) => l.votes);
  const devRes = await pool.applyLfs(BENCH_LFS, classes, rowSource(dev));
  const devL = toMatrix(devRes, k);
  const devY = noisyLabels(dev, 0.1, 7);
  const edited = BENCH_LFS.findIndex((d) => d.name === 'kw_free');
  const variants = [
    ['free', 'prize'],
    ['free', 'prize', 'winner', 'win'],
    ['free', 'winner'],
    ['prize', 'winner', 'gift'],
  ];
  const all: Record<string, EditStep[]> = {};
  for (const model of opts.models) {
    all[model] = [];
    for (let r = 0; r < opts.reps; r++) {
      const base = BENCH_LFS[edited] as Extract<LfDef, { kind: 'keyword' }>;
      const def: LfDef = { ...base, keywords: variants[r % variants.length] };
      const s0 = performance.now();
      const res = await pool.applyLfs([def], classes, src);
      const s1 = performance.now();
      // The dev rows are re-run too (a few hundred rows, same LF): auto scores on them.
      const devRes1 = await pool.applyLfs([def], classes, rowSource(dev));
      devL.setColumn(edited, devRes1.lfs[0].votes);
      columns[edited] = res.lfs[0].votes;
      const L = new LabelMatrix(rows.length, k, columns.slice());
      const s2 = performance.now();
      analyze(L);
      const s3 = performance.now();
      const lm = model === 'metal' ? new MetalLabelModel({ balance: 'dev' }) : createLabelModel(model);
      await lm.fit(L, { devL, devY, seed: 0 });
      const s4 = performance.now();
      lm.predictProba(L);
      const s5 = performance.now();
      all[model].push({
        lfMs: s2 - s0,
        analyzeMs: s3 - s2,
        fitMs: s4 - s3,
        predictMs: s5 - s4,
        totalMs: s5 - s0,
        backend: lm.summary().backend ?? '',
      });
      void s1;
    }
  }
  const steps: Record<string, EditStep> = {};
  for (const [model, xs] of Object.entries(all)) {
    const pick = (f: (s: EditStep) => number) => median(xs.map(f));
    steps[model] = {
      lfMs: pick((s) => s.lfMs),
      analyzeMs: pick((s) => s.analyzeMs),
      fitMs: pick((s) => s.fitMs),
      predictMs: pick((s) => s.predictMs),
      totalMs: pick((s) => s.totalMs),
      backend: xs[0].backend,
    };
  }
  return { n: rows.length, firstApplyMs, steps, all };
}

export interface ApplyRun {
  ms: number;
  /** CPU ms of the first run, when the host can measure it (Node: the whole process, all threads). */
  cpuMs: number | null;
  statsMs: number;
  /** Main-thread fit from merged worker statistics vs from the matrix (same seed, same epochs). */
  fitFromStatsMs: number;
  fitFromMatrixMs: number;
  maxProbaDiff: number;
  fires: number[];
  errors: string[];
}

/**
 * The 20 LFs on `rows` through `pool`: once plain, once with worker-side statistics, then metal
 * fitted both ways to show the statistics path gives the same model without the matrix pass.
 */
export async function applyRun(pool: LfPool, rows: readonly Row[], cpu?: () => number): Promise<ApplyRun> {
  const classes = [...BENCH_CLASSES];
  const src = rowSource(rows);
  const c0 = cpu?.();
  const t0 = performance.now();
  const res = await pool.applyLfs(BENCH_LFS, classes, src);
  const ms = performance.now() - t0;
  const cpuMs = cpu && c0 !== undefined ? cpu() - c0 : null;
  const t1 = performance.now();
  const withStats = await pool.applyLfs(BENCH_LFS, classes, src, { stats: true });
  const statsMs = performance.now() - t1;
  if (!withStats.stats) throw new Error('the pool returned no statistics');
  const L = toMatrix(res, classes.length);
  const a = new MetalLabelModel({ engine: 'typed-array' });
  const f0 = performance.now();
  await a.fitFromStats(withStats.stats, { seed: 0 });
  const fitFromStatsMs = performance.now() - f0;
  const b = new MetalLabelModel({ engine: 'typed-array' });
  const f1 = performance.now();
  await b.fit(L, { seed: 0 });
  const fitFromMatrixMs = performance.now() - f1;
  const pa = a.predictProba(L);
  const pb = b.predictProba(L);
  let maxProbaDiff = 0;
  for (let i = 0; i < pa.length; i++) maxProbaDiff = Math.max(maxProbaDiff, Math.abs(pa[i] - pb[i]));
  return {
    ms,
    cpuMs,
    statsMs,
    fitFromStatsMs,
    fitFromMatrixMs,
    maxProbaDiff,
    fires: res.lfs.map((l) => l.votes.reduce((s, v) => s + (v >= 0 ? 1 : 0), 0)),
    errors: res.lfs.filter((l) => l.error).map((l) => `${l.name}: ${l.error!.message}`),
  };
}
