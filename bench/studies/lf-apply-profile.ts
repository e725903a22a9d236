/**
 * Where the LF apply time goes, for profiling (`node --cpu-prof --import tsx bench/studies/lf-apply-profile.ts`):
 * the 20 spec LFs over generated rows on this thread (the runtime alone, per-LF ms as the
 * runtime reports them), then through the Node worker pool, with process CPU time for each.
 *
 *   npx tsx bench/studies/lf-apply-profile.ts [--n 300000] [--chunk 1000] [--repeat 2] [--pool 2] [--templates-only]
 *
 * `--templates-only` drops the two code LFs (the keyword/regex/length templates alone).
 */
import { loadavg } from 'node:os';
import { hardenedSandbox } from '../../src/core/lf/hardened-realm.ts';
import { LfRuntime, type Row, type RowChunk } from '../../src/core/lf/index.ts';
import { createNodeLfPool } from '../../src/cli/apply-pool.ts';
import type { ChunkSource } from '../../src/workers/pool.ts';
import { BENCH_CLASSES, BENCH_LFS } from '../lf-apply-defs.ts';
import { generateRows } from '../lf-apply-gen.ts';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const n = Number(flag('n', '300000'));
const chunk = Number(flag('chunk', '1000'));
const repeat = Number(flag('repeat', '2'));
const poolSize = Number(flag('pool', '2'));
const defs = process.argv.includes('--templates-only') ? BENCH_LFS.filter((d) => d.kind !== 'code') : BENCH_LFS;
const rows: Row[] = generateRows(n, 0);
const chunks: RowChunk[] = [];
for (let s = 0; s < n; s += chunk) chunks.push({ start: s, rows: rows.slice(s, s + chunk) });

const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

// Code LFs compile only in the LF sandbox (this study's process is locked down for it).
const rt = LfRuntime.fromDefs(defs, BENCH_CLASSES, { sandbox: hardenedSandbox() });
for (let r = 0; r < repeat; r++) {
  const ms = new Array<number>(rt.size).fill(0);
  const fires = new Array<number>(rt.size).fill(0);
  const t0 = performance.now();
  const c0 = cpu();
  for (const c of chunks) {
    const res = rt.applyChunk(c);
    for (let j = 0; j < rt.size; j++) {
      ms[j] += res.ms[j];
      const v = res.votes.subarray(j * res.rows, (j + 1) * res.rows);
      for (let i = 0; i < v.length; i++) if (v[i] >= 0) fires[j]++;
    }
  }
  const wall = performance.now() - t0;
  console.log(
    `inline run ${r + 1}: ${wall.toFixed(0)} ms wall, ${(cpu() - c0).toFixed(0)} ms CPU, ${((wall * 1000) / n).toFixed(2)} µs/row, load ${loadavg()[0].toFixed(2)}`,
  );
  if (r === repeat - 1) {
    console.log('per LF ms: ' + rt.names.map((name, j) => `${name} ${ms[j].toFixed(0)}`).join(', '));
    console.log('fires: ' + fires.join(' '));
  }
}

if (poolSize > 0) {
  const src: ChunkSource = { rowCount: n, chunkCount: chunks.length, read: (i) => chunks[i] };
  const pool = await createNodeLfPool({ size: poolSize });
  try {
    for (let r = 0; r < repeat; r++) {
      const t0 = performance.now();
      const c0 = cpu();
      await pool.applyLfs(defs, BENCH_CLASSES, src);
      const wall = performance.now() - t0;
      console.log(
        `pool(${poolSize}) run ${r + 1}: ${wall.toFixed(0)} ms wall, ${(cpu() - c0).toFixed(0)} ms CPU (process, all threads), load ${loadavg()[0].toFixed(2)}`,
      );
    }
  } finally {
    pool.close();
  }
}
