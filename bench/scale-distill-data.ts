/**
 * bench:scale's classifier task, shared by the Node side (scale-distill.ts) and the Chromium page
 * (scale-page.ts): generated documents whose gold is a hidden linear rule, with 15% of the
 * training and dev labels flipped, and one `distill` run as the app does it.
 */
import { distill, predictTexts } from '../src/core/classifier/index.ts';
import { accuracy, predictLabels } from '../src/core/metrics.ts';
import { generateRows } from './lf-apply-gen.ts';
import { linearRuleLabel, noisyLabels } from './scale-loop.ts';

export const NOISE = 0.15;

/**
 * The generated task: train with 15%-noisy labels, dev with noisy labels, test with the clean rule.
 * `seed` 11 is bench:scale's task; any other seed gives another corpus (its own generated word
 * list, so another hidden rule) and other flips, to check a result is not one split's luck.
 */
export function distillData(n: number, nTest = 10_000, nDev = 1000, seed = 11) {
  const all = generateRows(n + nTest + nDev, seed);
  const text = (r: { text?: unknown }) => String(r.text);
  const train = all.slice(0, n).map(text);
  const test = all.slice(n, n + nTest).map(text);
  const dev = all.slice(n + nTest).map(text);
  // Weak labels: the hidden linear rule with 15% of labels flipped.
  // Flip seeds 5 and 6 for the default task (as before), shifted with the corpus seed otherwise.
  const yTrain = noisyLabels(all.slice(0, n), NOISE, 5 + 100 * (seed - 11), linearRuleLabel);
  const devY = noisyLabels(all.slice(n + nTest), NOISE, 6 + 100 * (seed - 11), linearRuleLabel);
  const truthTest = Int32Array.from(test, linearRuleLabel);
  return { train, yTrain, dev, devY, test, truthTest };
}

export interface DistillRun {
  ms: number;
  cpuMs?: number;
  acc: number;
  epochs: number;
  bestEpoch: number;
  backend: string;
  trainMs: number;
  dim: number;
  /** Hash buckets the classifier used (sized to the corpus unless set). */
  buckets: number;
  /** The targets of each training run, and why once or twice (`distill`'s note). */
  trainedOn: string[];
  targetsNote?: string;
}

/**
 * One `distill` run as the app and `shoal distill` do it: default targets ('auto'), which train
 * once here because the labels are one-hot (soft and hard targets are the same).
 */
export async function distillRun(
  data: ReturnType<typeof distillData>,
  engine: 'auto' | 'tfjs',
  cpuNow?: () => number,
): Promise<DistillRun> {
  const n = data.train.length;
  const proba = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) proba[i * 2 + data.yTrain[i]] = 1;
  const c0 = cpuNow?.() ?? 0;
  const t0 = performance.now();
  const r = await distill({ texts: data.train, proba, k: 2, dev: { texts: data.dev, labels: data.devY } }, { seed: 0, engine });
  const ms = performance.now() - t0;
  const cpuMs = cpuNow ? cpuNow() - c0 : undefined;
  const acc = accuracy(predictLabels(predictTexts(r.classifier, data.test), 2, 'snorkel', 0), data.truthTest);
  return {
    ms,
    cpuMs,
    acc,
    epochs: r.train.history.length,
    bestEpoch: r.train.bestEpoch,
    backend: r.train.backend,
    trainMs: r.train.ms,
    dim: r.classifier.model.dim,
    buckets: r.classifier.features.buckets,
    trainedOn: r.candidates.map((c) => c.targets),
    targetsNote: r.targetsNote,
  };
}
