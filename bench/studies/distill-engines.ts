/**
 * Which classifier training engine is faster, measured: `tsx bench/studies/distill-engines.ts [--seed N]
 * [--generated N,…] [DIR…]` (default: the four WRENCH sets of the optional shared data folder and
 * 100,000 generated documents). Per dataset: the label model `shoal distill` would use (auto,
 * fitted on train), then `distill` with the same options twice, engine 'typed' and engine 'tfjs'
 * (tfjs-wasm in Node, as `selectBackend` picks here), interleaved in one process. Prints a Markdown
 * table: wall ms per engine, their ratio, epochs, dev scores and whether both kept the same run.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { selectBackend } from '../../src/core/backend.ts';
import { distill, type DistillResult } from '../../src/core/classifier/index.ts';
import { createLabelModel } from '../../src/core/labelmodel/index.ts';
import type { Metric } from '../../src/core/types.ts';
import { textsOf } from '../../src/cli/distill.ts';
import { readWrenchDir } from '../../src/cli/wrench-dir.ts';
import { distillData } from '../scale-distill.ts';

const argv = process.argv.slice(2);
const take = (name: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv.splice(i, 2)[1] : undefined;
};
const seed = Number(take('seed') ?? 0);
const generated = (take('generated') ?? '100000').split(',').filter(Boolean).map(Number);
const root = resolve(import.meta.dirname, '../../../shared/data/wrench');
const dirs = argv.length ? argv : ['youtube', 'sms', 'trec', 'semeval'].map((d) => resolve(root, d)).filter(existsSync);
const METRIC: Record<string, Metric> = { sms: 'f1' };

interface Job {
  name: string;
  rows: number;
  run: (engine: 'typed' | 'tfjs') => Promise<DistillResult>;
}

const jobs: Job[] = [];
for (const dir of dirs) {
  const data = await readWrenchDir(dir);
  const name = basename(dir);
  const metric = METRIC[name] ?? 'acc';
  const lm = createLabelModel('auto');
  await lm.fit(data.train.L, { devL: data.valid?.L, devY: data.valid?.labels, seed, metric, tie: 'snorkel' });
  const proba = lm.predictProba(data.train.L);
  const texts = textsOf(data.train, name, 'train');
  const dev = data.valid ? { texts: textsOf(data.valid, name, 'valid'), labels: data.valid.labels } : undefined;
  jobs.push({
    name,
    rows: texts.length,
    run: (engine) => distill({ texts, proba, k: data.k, L: data.train.L, dev }, { seed, metric, engine }),
  });
}
for (const n of generated) {
  const d = distillData(n);
  const proba = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) proba[i * 2 + d.yTrain[i]] = 1;
  jobs.push({
    name: `generated ${n.toLocaleString('en-US')}`,
    rows: n,
    run: (engine) => distill({ texts: d.train, proba, k: 2, dev: { texts: d.dev, labels: d.devY } }, { seed, targets: 'hard', engine }),
  });
}

await selectBackend();
const lines = [
  '| dataset (train rows) | typed ms | tfjs ms | tfjs ÷ typed | epochs typed / tfjs (all runs) | kept run, dev score typed / tfjs |',
  '|---|---|---|---|---|---|',
];
for (const job of jobs) {
  const res: Record<string, { ms: number; r: DistillResult }> = {};
  for (const engine of ['typed', 'tfjs'] as const) {
    const t0 = performance.now();
    const r = await job.run(engine);
    res[engine] = { ms: performance.now() - t0, r };
    console.error(`${job.name} ${engine}: ${res[engine].ms.toFixed(0)} ms (${r.train.backend})`);
  }
  const { typed, tfjs } = res;
  const epochs = (r: DistillResult) => r.candidates.map((c) => c.bestEpoch).join('+');
  const ran = (r: DistillResult) => r.train.history.length;
  const kept = (r: DistillResult) => `${r.train.targets} ${r.train.bestDevScore?.toFixed(4) ?? 'n/a'} @${r.train.bestEpoch}`;
  lines.push(
    `| ${job.name} (${job.rows.toLocaleString('en-US')}) | ${typed.ms.toFixed(0)} | ${tfjs.ms.toFixed(0)} | ${(tfjs.ms / typed.ms).toFixed(1)}× | best ${epochs(typed.r)} (kept run ${ran(typed.r)}) / best ${epochs(tfjs.r)} (kept run ${ran(tfjs.r)}) | ${kept(typed.r)} / ${kept(tfjs.r)} |`,
  );
}
console.log(`seed ${seed}, Node ${process.version}\n${lines.join('\n')}`);
