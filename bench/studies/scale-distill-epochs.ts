/**
 * Analysis driver for bench:scale's classifier task (not part of bench:scale): the per-epoch curve
 * of the default training schedule on the generated documents, at one or more hash sizes, with
 * every quantity an epoch-selection rule could use (dev accuracy, dev log-loss, training loss)
 * beside the test accuracy no rule may use. It runs the typed engine's own state and schedule
 * (`SparseSoftmaxMomentum`, `asgdEpoch`), so the curve is the one `distill` walks along.
 *
 *   tsx bench/studies/scale-distill-epochs.ts [--n 100000] [--seed 11] [--buckets 18,20] [--epochs 25] [--json out.json] [--jsonl data.jsonl]
 *
 * `--jsonl` also writes the task in bench/reference/sklearn_lr.py's input format, so the
 * scikit-learn reference can be run on the same split (`--buckets ''` skips the curves).
 */
import { writeFileSync } from 'node:fs';
import { fitVocabulary, hashTexts, transform, DEFAULT_FEATURES } from '../../src/core/classifier/featurize.ts';
import { predictProba } from '../../src/core/classifier/model.ts';
import { asgdEpoch, MOMENTUM, trainConfig } from '../../src/core/classifier/train-loop.ts';
import { SparseSoftmaxMomentum } from '../../src/core/classifier/train-typed.ts';
import { deriveSeed, mulberry32, permutation } from '../../src/core/rng.ts';
import { distillData } from '../scale-distill-data.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const n = Number(arg('n', '100000'));
const seed = Number(arg('seed', '11'));
const bucketPows = arg('buckets', '18').split(',').filter(Boolean).map(Number);
const maxEpochs = Number(arg('epochs', '25'));
const jsonOut = arg('json', '');
const jsonlOut = arg('jsonl', '');

function accAndLogloss(proba: Float32Array, y: ArrayLike<number>): { acc: number; logloss: number } {
  let right = 0;
  let ll = 0;
  for (let i = 0; i < y.length; i++) {
    const p1 = proba[2 * i + 1];
    const pred = p1 > proba[2 * i] ? 1 : 0;
    if (pred === y[i]) right++;
    ll -= Math.log(Math.max(1e-12, proba[2 * i + y[i]]));
  }
  return { acc: right / y.length, logloss: ll / y.length };
}

const data = distillData(n, 10_000, 1000, seed);
if (jsonlOut) {
  const lines: string[] = [];
  const add = (split: string, texts: string[], labels: ArrayLike<number>) =>
    texts.forEach((text, i) => lines.push(JSON.stringify({ split, text, label: labels[i] })));
  add('train', data.train, data.yTrain);
  add('dev', data.dev, data.devY);
  add('test', data.test, data.truthTest);
  writeFileSync(jsonlOut, lines.join('\n') + '\n');
}
const out: unknown[] = [];
for (const pow of bucketPows) {
  const spec = { ...DEFAULT_FEATURES, buckets: 2 ** pow };
  const t0 = performance.now();
  const raw = hashTexts(data.train, spec);
  const vocab = fitVocabulary(raw);
  const X = transform(raw, vocab);
  const Xdev = transform(hashTexts(data.dev, spec), vocab);
  const Xtest = transform(hashTexts(data.test, spec), vocab);
  const hashMs = performance.now() - t0;
  const targets = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) targets[2 * i + data.yTrain[i]] = 1;
  const cfg = trainConfig(X, targets, 2, { seed: 0 });
  const state = new SparseSoftmaxMomentum(X.dim, 2, { learningRate: cfg.learningRate, momentum: MOMENTUM, l2: cfg.l2 });
  const rng = mulberry32(deriveSeed(cfg.seed, 'classifier/shuffle'));
  let averaging = false;
  const rows: Record<string, number>[] = [];
  console.log(`seed ${seed} n ${n} buckets 2^${pow}: ${vocab.size - 1} features, hashing ${(hashMs / 1000).toFixed(2)} s`);
  console.log('epoch lr avg trainLoss devAcc devLL testAcc testLL');
  for (let epoch = 1; epoch <= maxEpochs; epoch++) {
    const plan = asgdEpoch(cfg, X.n, epoch);
    state.setLearningRate(plan.learningRate);
    if (plan.averaged && !averaging) state.startAverage();
    averaging = plan.averaged;
    const order = permutation(X.n, rng);
    let lossSum = 0;
    let wSum = 0;
    for (let s = 0; s < X.n; s += cfg.batchSize) {
      const r = state.update(X, targets, order.subarray(s, Math.min(X.n, s + cfg.batchSize)));
      lossSum += r.loss * r.weightTotal;
      wSum += r.weightTotal;
    }
    state.flush();
    const snap = averaging ? state.averageSnapshot() : state.snapshot();
    const model = { dim: X.dim, k: 2, weights: snap.weights, bias: snap.bias };
    const dev = accAndLogloss(predictProba(model, Xdev), data.devY);
    const test = accAndLogloss(predictProba(model, Xtest), data.truthTest);
    const row = {
      epoch,
      lr: plan.learningRate,
      averaged: averaging ? 1 : 0,
      trainLoss: lossSum / wSum,
      devAcc: dev.acc,
      devLL: dev.logloss,
      testAcc: test.acc,
      testLL: test.logloss,
    };
    rows.push(row);
    console.log(
      `${epoch} ${plan.learningRate.toFixed(3)} ${averaging ? 1 : 0} ${row.trainLoss.toFixed(4)} ${dev.acc.toFixed(3)} ${dev.logloss.toFixed(4)} ${test.acc.toFixed(4)} ${test.logloss.toFixed(4)}`,
    );
  }
  out.push({ seed, n, pow, features: vocab.size - 1, hashMs, rows });
}
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(out));
