/**
 * The core at work on a built-in example, for the start screen: a seeded synthetic label
 * matrix with known LF accuracies (core/synth: LFs conditionally independent given Y, the
 * assumption every label model here makes), analysed like Snorkel's LFAnalysis and labelled by
 * every label model, each scored against the hidden truth on a held-out test slice.
 *
 * Small on purpose (a few thousand rows, well under a second): it runs in the page. MeTaL uses
 * its typed-array engine here so the page never loads tfjs for a demo panel; real fits run in
 * the training worker.
 */
import { analyze, type LfStats, type MatrixSummary } from '../core/analysis.ts';
import { createLabelModel, LABEL_MODEL_NAMES, type LabelModelName } from '../core/labelmodel/index.ts';
import { LabelMatrix } from '../core/matrix.ts';
import { accuracy, predictLabels } from '../core/metrics.ts';
import { synthesize } from '../core/synth.ts';

export interface CoreCheckOptions {
  n?: number;
  m?: number;
  seed?: number;
  models?: readonly LabelModelName[];
}

export interface ModelResult {
  name: LabelModelName;
  /** For auto: which candidate it chose. */
  chosen?: string;
  testAccuracy: number;
  /** Mean |learned − true| LF accuracy, where the model learns one. */
  accuracyError?: number;
  fitMs: number;
  backend?: string;
}

export interface CoreCheckResult {
  n: number;
  m: number;
  k: number;
  split: { train: number; dev: number; test: number };
  trueAccuracy: number[];
  propensity: number[];
  /** Per-LF analysis on the dev slice (with its gold labels). */
  lfs: LfStats[];
  matrix: MatrixSummary;
  models: ModelResult[];
}

function slice(L: LabelMatrix, start: number, end: number): LabelMatrix {
  return new LabelMatrix(
    end - start,
    L.k,
    Array.from({ length: L.m }, (_, j) => L.column(j).slice(start, end)),
  );
}

export async function runCoreCheck(opts: CoreCheckOptions = {}): Promise<CoreCheckResult> {
  const n = opts.n ?? 4000;
  const m = opts.m ?? 8;
  const k = 2;
  const seed = opts.seed ?? 7;
  const models = opts.models ?? LABEL_MODEL_NAMES;
  // Skewed class balance and a wide spread of LF quality: where learned models beat voting.
  const { L, Y, accuracies, propensities } = synthesize({
    n,
    m,
    k,
    seed,
    classBalance: [0.7, 0.3],
    accuracy: { range: [0.55, 0.95] },
    propensity: { range: [0.15, 0.6] },
  });
  const nDev = Math.round(n * 0.1);
  const nTest = Math.round(n * 0.2);
  const nTrain = n - nDev - nTest;
  const train = slice(L, 0, nTrain);
  const dev = slice(L, nTrain, nTrain + nDev);
  const test = slice(L, nTrain + nDev, n);
  const devY = Y.slice(nTrain, nTrain + nDev);
  const testY = Y.slice(nTrain + nDev);
  const { lfs, matrix } = analyze(dev, devY);

  const results: ModelResult[] = [];
  for (const name of models) {
    const model = createLabelModel(name, { metal: { engine: 'typed-array' } });
    const t0 = performance.now();
    await model.fit(train, { devL: dev, devY, seed, metric: 'acc', tie: 'snorkel' });
    const fitMs = performance.now() - t0;
    const pred = predictLabels(model.predictProba(test), k, 'snorkel', seed, nTrain + nDev);
    const s = model.summary();
    const learned = s.lfAccuracy;
    results.push({
      name,
      chosen: s.chosen,
      testAccuracy: accuracy(pred, testY),
      accuracyError: learned && learned.length === m ? learned.reduce((a, v, j) => a + Math.abs(v - accuracies[j]), 0) / m : undefined,
      fitMs,
      backend: s.backend,
    });
  }
  return {
    n,
    m,
    k,
    split: { train: nTrain, dev: nDev, test: nTest },
    trueAccuracy: Array.from(accuracies),
    propensity: Array.from(propensities),
    lfs,
    matrix,
    models: results,
  };
}
