/**
 * Label-model fit/predict times on two 100k × 20 (k = 2) matrices, and how far each collapses
 * into unique vote patterns (src/core/labelmodel/patterns.ts):
 * - `edit`: bench:scale's edit-loop matrix (generated rows, the 20 spec LFs; sparse keyword LFs);
 * - `synth`: synthesize() with its default propensities (~30%: rows hardly repeat).
 * Each fit gets a fresh LabelMatrix (as the edit loop does), so the sparse index and the pattern
 * pass are paid inside the timed fit. Median of 3 after one warm-up.
 *
 *   npx tsx bench/studies/lm-patterns.ts
 */
import { createNodeLfPool } from '../../src/cli/apply-pool.ts';
import { createLabelModel } from '../../src/core/labelmodel/index.ts';
import { votePatterns } from '../../src/core/labelmodel/patterns.ts';
import { LabelMatrix } from '../../src/core/matrix.ts';
import { synthesize } from '../../src/core/synth.ts';
import { BENCH_CLASSES, BENCH_LFS } from '../lf-apply-defs.ts';
import { generateRows } from '../lf-apply-gen.ts';
import { noisyLabels, rowSource, toMatrix } from '../scale-loop.ts';

const n = 100_000;
const MODELS = ['metal', 'wmv', 'mv', 'ds', 'triplet', 'auto'] as const;

async function editMatrices() {
  const rows = generateRows(n + 500, 3);
  const pool = await createNodeLfPool({ size: 2 });
  const classes = [...BENCH_CLASSES];
  const L = toMatrix(await pool.applyLfs(BENCH_LFS, classes, rowSource(rows.slice(0, n))), classes.length);
  const devL = toMatrix(await pool.applyLfs(BENCH_LFS, classes, rowSource(rows.slice(n))), classes.length);
  pool.close();
  return { L, devL, devY: noisyLabels(rows.slice(n), 0.1, 7) };
}

function synthMatrices() {
  const { L, Y } = synthesize({ n: n + 500, m: 20, k: 2, seed: 3 });
  const train = L.selectRows(Uint32Array.from({ length: n }, (_, i) => i));
  const devIdx = Uint32Array.from({ length: 500 }, (_, i) => n + i);
  return { L: train, devL: L.selectRows(devIdx), devY: Int32Array.from(devIdx, (i) => Y[i]) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const [name, data] of [
  ['edit', await editMatrices()],
  ['synth', synthMatrices()],
] as const) {
  const { L, devL, devY } = data;
  const probe = new LabelMatrix(n, L.k, L.columns().slice());
  probe.rows();
  const t0 = performance.now();
  const p = votePatterns(probe, 1);
  const dedupMs = performance.now() - t0;
  console.log(
    `\n${name}: n ${n} m ${L.m} nnz ${probe.rows().lf.length} unique patterns ${p?.count} (pattern pass ${dedupMs.toFixed(1)} ms, cold)`,
  );
  console.log('| model | fit ms | predict ms |\n|---|---|---|');
  for (const model of MODELS) {
    const fit: number[] = [];
    const predict: number[] = [];
    for (let rep = 0; rep < 4; rep++) {
      const fresh = new LabelMatrix(n, L.k, L.columns().slice());
      const m = createLabelModel(model);
      const a = performance.now();
      await m.fit(fresh, { devL, devY, seed: 0 });
      const b = performance.now();
      m.predictProba(fresh);
      const c = performance.now();
      if (rep > 0) {
        fit.push(b - a);
        predict.push(c - b);
      }
    }
    console.log(`| ${model} | ${median(fit).toFixed(0)} | ${median(predict).toFixed(0)} |`);
  }
}
process.exit(0);
