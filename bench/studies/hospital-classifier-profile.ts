/**
 * Where the classifier's time and memory go on the hospital corpus's long notes, in Node (cheaper
 * than the browser bench): the same seeded rows as bench/hospital-corpus.ts, the train split.
 * Targets are a noisy copy of the hidden outcome (15% flipped, probabilities 0.8/0.2), standing
 * in for the label model's; dev is the dev split with its gold.
 *
 *   node --expose-gc --import tsx bench/studies/hospital-classifier-profile.ts [--n 20000] [--epochs 20] [--path memory|stream] [--budget N]
 *
 * `--path memory` (the featurization before stream.ts): every train text in an array, hashed at
 * once (2^18, then the size `corpusBuckets` picks), vocabulary, transform, the training rows'
 * copy, then training — stage by stage. `--path stream` (default): core/classifier/distill-stream.ts
 * over a source that generates each slice of notes when asked, as the train worker reads them
 * from storage a chunk at a time, so no text outlives its slice; `--budget` is its feature budget.
 * Each stage prints wall and CPU time, the process's peak RSS during it (sampled every 50 ms) and
 * its memory after a GC.
 */
import { loadavg } from 'node:os';
import { distillStream } from '../../src/core/classifier/distill-stream.ts';
import {
  corpusBuckets,
  DEFAULT_FEATURES,
  fitVocabulary,
  hashTexts,
  occupiedBuckets,
  selectRows,
  transform,
} from '../../src/core/classifier/featurize.ts';
import { arrayTextSource, DEFAULT_FEATURE_BUDGET, type TextSource } from '../../src/core/classifier/stream.ts';
import { trainLinear } from '../../src/core/classifier/train.ts';
import { mulberry32 } from '../../src/core/rng.ts';
import { hospitalRow } from '../hospital-corpus.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const n = Number(arg('n', '20000'));
const maxEpochs = Number(arg('epochs', '20'));
const path = arg('path', 'stream');
const budget = Number(arg('budget', String(DEFAULT_FEATURE_BUDGET)));
const SEED = 1;

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
function mem(): string {
  gc?.();
  const m = process.memoryUsage();
  return `rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}, array buffers ${mb(m.arrayBuffers)}`;
}
async function stage<T>(name: string, f: () => T | Promise<T>): Promise<T> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = await f();
  const c = process.cpuUsage(c0);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage().rss);
  console.log(
    `| ${name} | ${((performance.now() - t0) / 1000).toFixed(2)} s | ${((c.user + c.system) / 1e6).toFixed(2)} s | ${mb(peak)} | ${mem()} |`,
  );
  return out;
}

// One scan for the splits and targets; only dev texts (1%) are kept.
const rng = mulberry32(7);
const trainIds: number[] = [];
const proba: number[] = [];
const devTexts: string[] = [];
const devY: number[] = [];
let textChars = 0;
for (let i = 0; i < n; i++) {
  const r = hospitalRow(SEED, i);
  if (r.split === 'train') {
    trainIds.push(i);
    textChars += r.text.length;
    const y = rng() < 0.15 ? 1 - r.y : r.y;
    proba.push(y ? 0.2 : 0.8, y ? 0.8 : 0.2);
  } else if (r.split === 'dev') {
    devTexts.push(r.text);
    devY.push(r.y);
  }
}
console.log(
  `${trainIds.length} train notes (${mb(textChars)} of characters), ${devTexts.length} dev; path ${path}` +
    `${path === 'stream' ? `, budget ${budget.toLocaleString('en-US')} entries` : ''}; max ${maxEpochs} epochs; 1-min load ${loadavg()[0].toFixed(1)}`,
);
console.log('| stage | wall | CPU | peak RSS during | memory after (GC first) |\n|---|---|---|---|---|');
console.log(`| start | | | | ${mem()} |`);

/** The train notes, generated a slice at a time when asked (as the worker reads stored chunks). */
const generated: TextSource = {
  n: trainIds.length,
  async *slices() {
    for (let s = 0; s < trainIds.length; s += 2048) yield trainIds.slice(s, s + 2048).map((i) => hospitalRow(SEED, i).text);
  },
};

if (path === 'memory') {
  const texts = await stage('generate the texts', () => trainIds.map((i) => hospitalRow(SEED, i).text));
  const raw18 = await stage('hash at 2^18', () => hashTexts(texts, DEFAULT_FEATURES));
  const buckets = corpusBuckets(occupiedBuckets(raw18));
  console.log(
    `nnz ${raw18.indices.length} (${(raw18.indices.length / texts.length).toFixed(0)} a note), corpusBuckets → 2^${Math.log2(buckets)}`,
  );
  const features = { ...DEFAULT_FEATURES, buckets };
  const raw =
    buckets === DEFAULT_FEATURES.buckets ? raw18 : await stage(`hash at 2^${Math.log2(buckets)}`, () => hashTexts(texts, features));
  const vocab = await stage('vocabulary', () => fitVocabulary(raw));
  const X = await stage('transform', () => transform(raw, vocab));
  const rows = Uint32Array.from({ length: texts.length }, (_, i) => i);
  const Xtr = await stage('select rows', () => selectRows(X, rows));
  const dev = { X: transform(hashTexts(devTexts, features), vocab), y: Int32Array.from(devY) };
  const res = await stage(`train (max ${maxEpochs} epochs)`, () => trainLinear(Xtr, Float32Array.from(proba), 2, { dev, maxEpochs }));
  console.log(
    `best epoch ${res.bestEpoch} of ${res.history.length}, dev ${res.bestDevScore?.toFixed(4)}, ${(res.ms / res.history.length / 1000).toFixed(2)} s an epoch`,
  );
} else {
  await stage('generate the texts alone (one pass, for scale)', async () => {
    let c = 0;
    for await (const s of generated.slices()) c += s.length;
    return c;
  });
  let featurizedAt = 0;
  const t0 = performance.now();
  const res = await stage(`distillStream (featurize + train, max ${maxEpochs} epochs, soft targets)`, () =>
    distillStream(
      {
        source: generated,
        proba: Float32Array.from(proba),
        k: 2,
        dev: { source: arrayTextSource(devTexts), labels: Int32Array.from(devY) },
      },
      {
        maxEpochs,
        targets: 'soft',
        featureBudget: budget,
        onFeaturize: () => (featurizedAt = performance.now() - t0),
      },
    ),
  );
  console.log(
    `featurization ${(featurizedAt / 1000).toFixed(1)} s wall (${res.passes} passes), training ${(res.train.ms / 1000).toFixed(1)} s; ` +
      `2^${Math.log2(res.classifier.features.buckets)} buckets; ${res.trainRows} training rows; best epoch ${res.train.bestEpoch} of ${res.train.history.length}, dev ${res.train.bestDevScore?.toFixed(4)}`,
  );
  if (res.sampleNote) console.log(res.sampleNote);
}
