/**
 * `shoal distill --data DIR [--label-model auto] [--metric acc|f1] [--seed N] [--feature-budget N] [--features auto|word]`
 *
 * Snorkel's loop headless: fit the label model on DIR/train.json (valid.json is its dev set),
 * train the distilled n-gram classifier on its probabilities (rows with no LF vote left out,
 * early stopping on valid gold), evaluate both on test.json, export the classifier to ONNX and
 * check onnxruntime-web reproduces the tfjs probabilities. Output contract (one JSON object):
 * {"dataset","label_model":{"chosen","test":{"accuracy","f1","coverage"}},
 *  "classifier":{"test":{"accuracy","f1"},"train_ms","backend","train_cpu_ms","trained_on","targets_note"?},"onnx_max_abs_diff"}
 * (`trained_on`: the targets of each run, soft and/or hard; `targets_note`: why once or twice;
 * `sample_note`, only when the covered rows' features exceed `--feature-budget` entries
 * (core/classifier/stream.ts): the sentence saying it trained on a seeded sample of them;
 * `train_cpu_ms`: this process's CPU time over the same span as `train_ms`, all threads;
 * `featurization`: the kept run's features; `featurization_note`: how many were tried and why).
 * `--features auto` (the default) also trains char n-grams of the words and keeps them only when
 * they lower the dev Brier score beyond one paired standard error (core/classifier/select-features.ts);
 * `word` trains word n-grams only.
 * F1 is binary F1 of class 1 when k = 2, macro F1 otherwise. Progress goes to stderr.
 */
import { selectBackend } from '../core/backend.ts';
import { distillStream } from '../core/classifier/distill-stream.ts';
import { coveredRows, exportOnnx, hashTexts, predictOnnx, predictProbaTf, transform } from '../core/classifier/index.ts';
import { CHAR_CANDIDATE, chooseFeatures } from '../core/classifier/select-features.ts';
import { arrayTextSource, DEFAULT_FEATURE_BUDGET } from '../core/classifier/stream.ts';
import { createLabelModel, LABEL_MODEL_NAMES } from '../core/labelmodel/index.ts';
import { accuracy, coverage, f1Binary, f1Macro, predictLabels } from '../core/metrics.ts';
import { type Metric, ShoalError } from '../core/types.ts';
import type { WrenchSplit } from '../core/formats/wrench.ts';
import { integer, oneOf, parseFlags, required } from './args.ts';
import { readWrenchDir } from './wrench-dir.ts';

const FLAGS = ['data', 'label-model', 'metric', 'seed', 'feature-budget', 'features'] as const;

/**
 * Known defects of public benchmark files, fixed before use: WRENCH
 * trec's test texts start with the fine-grained gold label word ("dist How far is …"), which
 * leaks the label into the input; its weak labels were computed without it.
 */
export function textsOf(split: WrenchSplit, dataset: string, which: 'train' | 'valid' | 'test'): string[] {
  const texts = split.data.map((d, i) => {
    const t = d.text;
    if (typeof t !== 'string')
      throw new ShoalError(`${dataset}/${which}.json, row "${split.ids[i]}": data.text is missing or not a string`);
    return t;
  });
  if (dataset === 'trec' && which === 'test') return texts.map(stripFirstToken);
  return texts;
}

export function stripFirstToken(text: string): string {
  return text.replace(/^\s*\S+\s*/, '');
}

export function scores(proba: ArrayLike<number>, gold: ArrayLike<number>, k: number, seed: number) {
  const pred = predictLabels(proba, k, 'snorkel', seed);
  return { accuracy: accuracy(pred, gold), f1: k === 2 ? f1Binary(pred, gold, 1) : f1Macro(pred, gold, k) };
}

function progress(line: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`.padEnd(70));
}

/**
 * The training set `distill` hands the classifier: the train rows it learns from (rows with at
 * least one LF vote; over the feature budget the classifier trains on a seeded sample of them, and
 * `sample_note` says so), the label model's posterior for every train row, the dev gold used for
 * early stopping and the test gold. For benchmarks that train other classifiers on the very same
 * labels (bench/endmodel.ts).
 */
export interface DistillTrainingSet {
  dataset: string;
  k: number;
  seed: number;
  metric: Metric;
  trainTexts: readonly string[];
  /** n × k, row-major. */
  proba: Float32Array;
  /** The covered train rows. */
  rows: Uint32Array;
  valid?: { texts: readonly string[]; labels: ArrayLike<number> };
  test: { texts: readonly string[]; labels: ArrayLike<number> };
}

export async function run(args: string[], hooks: { onTrainingSet?: (set: DistillTrainingSet) => void } = {}) {
  const flags = parseFlags(args, FLAGS);
  const dir = required(flags, 'data');
  const lmName = oneOf(flags, 'label-model', LABEL_MODEL_NAMES, 'auto');
  const metric = oneOf<Metric>(flags, 'metric', ['acc', 'f1'], 'acc');
  const seed = integer(flags, 'seed', 0);
  const featureBudget = integer(flags, 'feature-budget', DEFAULT_FEATURE_BUDGET);
  const featureMode = oneOf(flags, 'features', ['auto', 'word'] as const, 'auto');

  const data = await readWrenchDir(dir);
  if (!data.test) throw new ShoalError(`${dir}/test.json: file not found (distill evaluates on the test split)`);
  if (data.train.L.n === 0) throw new ShoalError(`${dir}/train.json: has no rows`);
  const k = data.k;
  const trainTexts = textsOf(data.train, data.name, 'train');
  const testTexts = textsOf(data.test, data.name, 'test');
  const validTexts = data.valid ? textsOf(data.valid, data.name, 'valid') : undefined;

  const backend = await selectBackend();

  const lm = createLabelModel(lmName);
  await lm.fit(data.train.L, {
    devL: data.valid?.L,
    devY: data.valid?.labels,
    seed,
    metric,
    tie: 'snorkel',
    onProgress: (f, msg) => progress(`label model ${(f * 100).toFixed(0)}% ${msg ?? ''}`),
  });
  const summary = lm.summary();
  for (const w of summary.warnings ?? []) process.stderr.write(`\nwarning: ${w}\n`);
  const lmTest = scores(lm.predictProba(data.test.L), data.test.labels, k, seed);

  const trainProba = lm.predictProba(data.train.L);
  const rows = coveredRows(data.train.L);
  const valid = validTexts && data.valid ? { texts: validTexts, labels: data.valid.labels } : undefined;
  hooks.onTrainingSet?.({
    dataset: data.name,
    k,
    seed,
    metric,
    trainTexts,
    proba: Float32Array.from(trainProba),
    rows,
    valid,
    test: { texts: testTexts, labels: data.test.labels },
  });

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // The same featurization as the app's train worker: texts a slice at a time, the covered rows'
  // features within the budget (a seeded sample over it, said in `sample_note`); once per
  // featurization tried.
  const { classifier, train, candidates, targetsNote, sampleNote, featureChoice } = await chooseFeatures(
    (features) =>
      distillStream(
        {
          source: arrayTextSource(trainTexts),
          proba: trainProba,
          k,
          rows,
          classes: data.classNames,
          dev: valid ? { source: arrayTextSource(valid.texts), labels: valid.labels } : undefined,
        },
        {
          seed,
          metric,
          featureBudget,
          features,
          onProgress: (e) =>
            progress(
              `classifier epoch ${e.epoch}/${e.maxEpochs} loss ${e.loss.toFixed(4)}${e.devScore === undefined ? '' : ` dev ${e.devScore.toFixed(3)}`}`,
            ),
        },
      ),
    { trainRows: rows.length, k, dev: valid, metric, seed },
    featureMode === 'auto' ? [CHAR_CANDIDATE] : [],
  );
  const trainMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (process.stderr.isTTY) process.stderr.write('\n');
  const runs = candidates.map((c) => `${c.targets} dev ${c.bestDevScore?.toFixed(3) ?? 'n/a'} (epoch ${c.bestEpoch})`).join(', ');
  process.stderr.write(`classifier: kept the ${train.targets}-target run; ${runs}${targetsNote ? ` (${targetsNote})` : ''}\n`);
  if (sampleNote) process.stderr.write(`classifier: ${sampleNote}\n`);
  const tried = featureChoice.candidates.map((c) => `${c.features} dev ${c.bestDevScore?.toFixed(3) ?? 'n/a'}`).join(', ');
  process.stderr.write(`classifier: kept ${featureChoice.candidates[featureChoice.chosen].features}; ${tried} (${featureChoice.note})\n`);

  const rawTest = hashTexts(testTexts, classifier.features);
  const probaTf = await predictProbaTf(classifier.model, transform(rawTest, classifier.vocab));
  const ort = await import('onnxruntime-web');
  const probaOnnx = await predictOnnx(ort, exportOnnx(classifier), rawTest, k);
  let maxDiff = 0;
  for (let i = 0; i < probaTf.length; i++) maxDiff = Math.max(maxDiff, Math.abs(probaTf[i] - probaOnnx[i]));

  return {
    dataset: data.name,
    label_model: {
      chosen: summary.chosen ?? lmName,
      test: { ...lmTest, coverage: coverage(data.test.L) },
    },
    classifier: {
      test: scores(probaTf, data.test.labels, k, seed),
      train_ms: Math.round(trainMs),
      backend: train.backend ?? backend.name,
      train_cpu_ms: Math.round((cpu.user + cpu.system) / 1000),
      trained_on: candidates.map((c) => c.targets),
      ...(targetsNote ? { targets_note: targetsNote } : {}),
      ...(sampleNote ? { sample_note: sampleNote } : {}),
      featurization: featureChoice.candidates[featureChoice.chosen].features,
      featurization_note: featureChoice.note,
    },
    onnx_max_abs_diff: maxDiff,
  };
}
