/**
 * Where the classifier's time and memory go on the hospital corpus's long notes, in Node (cheaper
 * than the browser bench): the same seeded rows as bench/hospital-corpus.ts, the train split's
 * texts, stage by stage — hashing at 2^18, the hash size `corpusBuckets` picks, the vocabulary,
 * the transform, the training rows' copy, training — with wall and CPU time, the CSR's nonzeros
 * and the process's memory after each stage. Targets are a noisy copy of the hidden outcome
 * (15% flipped, probabilities 0.8/0.2), standing in for the label model's.
 *
 *   node --expose-gc --import tsx bench/studies/hospital-classifier-profile.ts [--n 20000] [--epochs 20] [--budget N]
 *
 * `--budget N` also runs the streamed path (core/classifier/stream.ts) with an N-nonzero budget.
 */
import {
  corpusBuckets,
  DEFAULT_FEATURES,
  fitVocabulary,
  hashTexts,
  occupiedBuckets,
  selectRows,
  transform,
} from '../../src/core/classifier/featurize.ts';
import { trainLinear } from '../../src/core/classifier/train.ts';
import { mulberry32 } from '../../src/core/rng.ts';
import { hospitalRow } from '../hospital-corpus.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const n = Number(arg('n', '20000'));
const maxEpochs = Number(arg('epochs', '20'));

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
function mem(): string {
  gc?.();
  const m = process.memoryUsage();
  return `rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}, array buffers ${mb(m.arrayBuffers)}`;
}
async function stage<T>(name: string, f: () => T | Promise<T>): Promise<T> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const out = await f();
  const c = process.cpuUsage(c0);
  console.log(`| ${name} | ${((performance.now() - t0) / 1000).toFixed(2)} s | ${((c.user + c.system) / 1e6).toFixed(2)} s | ${mem()} |`);
  return out;
}

const rng = mulberry32(7);
const texts: string[] = [];
const proba: number[] = [];
const devTexts: string[] = [];
const devY: number[] = [];
let textBytes = 0;
for (let i = 0; i < n; i++) {
  const r = hospitalRow(1, i);
  if (r.split === 'train') {
    texts.push(r.text);
    textBytes += r.text.length;
    const y = rng() < 0.15 ? 1 - r.y : r.y;
    proba.push(y ? 0.2 : 0.8, y ? 0.8 : 0.2);
  } else if (r.split === 'dev') {
    devTexts.push(r.text);
    devY.push(r.y);
  }
}
console.log(
  `${texts.length} train texts (${mb(textBytes)} of characters), ${devTexts.length} dev; 1-min load ${(await import('node:os')).loadavg()[0].toFixed(1)}`,
);
console.log('| stage | wall | CPU | memory after (GC first) |\n|---|---|---|---|');
console.log(`| texts generated | | | ${mem()} |`);
const raw18 = await stage('hash at 2^18', () => hashTexts(texts, DEFAULT_FEATURES));
const buckets = corpusBuckets(occupiedBuckets(raw18));
console.log(
  `nnz ${raw18.indices.length} (${(raw18.indices.length / texts.length).toFixed(0)} a text), corpusBuckets → 2^${Math.log2(buckets)}`,
);
const features = { ...DEFAULT_FEATURES, buckets };
const raw = buckets === DEFAULT_FEATURES.buckets ? raw18 : await stage(`hash at 2^${Math.log2(buckets)}`, () => hashTexts(texts, features));
const vocab = await stage('vocabulary', () => fitVocabulary(raw));
const X = await stage('transform', () => transform(raw, vocab));
const rows = Uint32Array.from({ length: texts.length }, (_, i) => i);
const Xtr = await stage('select rows', () => selectRows(X, rows));
const dev = { X: transform(hashTexts(devTexts, features), vocab), y: Int32Array.from(devY) };
const res = await stage(`train (max ${maxEpochs} epochs)`, () => trainLinear(Xtr, Float32Array.from(proba), 2, { dev, maxEpochs }));
console.log(
  `best epoch ${res.bestEpoch} of ${res.history.length}, dev ${res.bestDevScore?.toFixed(4)}, ${(res.ms / res.history.length / 1000).toFixed(2)} s an epoch`,
);
