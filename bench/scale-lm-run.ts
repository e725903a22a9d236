/**
 * One metal-at-scale measurement, shared by the Node and Chromium sides of bench:scale's
 * "labelmodel" part: fit from a fresh matrix (row index + overlap counts + training), then from
 * overlap statistics accumulated the way two LF workers do (LF-major 1000-row chunks alternating
 * between two accumulators, merged; only the merge and training timed), and check that both
 * fits predict the same.
 */
import { MetalLabelModel } from '../src/core/labelmodel/metal.ts';
import { mergeOverlapCounts } from '../src/core/labelmodel/overlap.ts';
import { LabelMatrix } from '../src/core/matrix.ts';
import { accuracy, predictLabels } from '../src/core/metrics.ts';
import { OverlapAccumulator } from '../src/workers/pool-stats.ts';

export interface MetalScaleRun {
  engine: string;
  acc: number;
  fitMs: number;
  statsMs: number;
  /** CPU of the row pass that made the counts, i.e. what the LF workers add (Node only). */
  countCpuMs?: number;
  /** Largest |Δ| between the two fits' probabilities. */
  maxDiff: number;
}

export async function metalAtScale(
  columns: Int8Array[],
  n: number,
  k: number,
  Y: ArrayLike<number>,
  cpuNow?: () => number,
): Promise<MetalScaleRun> {
  const m = columns.length;
  // A fresh LabelMatrix of raw columns, so building the row index is part of the fit.
  const L = new LabelMatrix(n, k, columns);
  const a = new MetalLabelModel({ balance: 'uniform' });
  let t0 = performance.now();
  await a.fit(L, { seed: 0 });
  const fitMs = performance.now() - t0;
  const proba = a.predictProba(L);
  const acc = accuracy(predictLabels(proba, k, 'snorkel', 0), Y);

  const accs = [new OverlapAccumulator(m, k), new OverlapAccumulator(m, k)];
  const lfs = Array.from({ length: m }, (_, j) => j);
  const c0 = cpuNow?.() ?? 0;
  const chunkRows = 1000;
  const buf = new Int8Array(m * chunkRows);
  for (let s = 0, c = 0; s < n; s += chunkRows, c++) {
    const len = Math.min(chunkRows, n - s);
    for (let j = 0; j < m; j++) buf.set(columns[j].subarray(s, s + len), j * len);
    accs[c % 2].addChunk(buf.subarray(0, m * len), len, lfs);
  }
  const countCpuMs = cpuNow ? cpuNow() - c0 : undefined;
  t0 = performance.now();
  const merged = mergeOverlapCounts(accs[0].take(), accs[1].take());
  const b = new MetalLabelModel({ balance: 'uniform' });
  await b.fitFromStats(merged, { seed: 0 });
  const statsMs = performance.now() - t0;
  const pb = b.predictProba(L);
  let maxDiff = 0;
  for (let i = 0; i < proba.length; i++) maxDiff = Math.max(maxDiff, Math.abs(proba[i] - pb[i]));
  return { engine: a.summary().backend ?? 'typed-array', acc, fitMs, statsMs, countCpuMs, maxDiff };
}

/** A row-major int8 matrix (synth.py's .L.i8) as LF columns. */
export function columnsOfRowMajor(data: Int8Array, n: number, m: number, k: number): Int8Array[] {
  const L = LabelMatrix.fromRowMajor(data, n, m, k);
  return Array.from({ length: m }, (_, j) => L.column(j));
}
