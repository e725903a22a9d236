/**
 * `shoal fit --data DIR [--model mv|metal|ds|triplet|wmv|auto] [--metric acc|f1]
 *            [--tie snorkel|abstain|random] [--seed N] [--copies keep|once]`
 * Fits a label model on DIR/train.json (valid.json is the dev set for the class balance and
 * for `auto`), evaluates on valid and test. DIR may instead hold NumPy files (npy-dir.ts):
 * train.npy, valid.npy + valid_labels.npy, test.npy + test_labels.npy. Output contract (one JSON object):
 * {"dataset","model","chosen","metric","n_train","n_lfs","k","test":{"accuracy","f1","coverage"},
 *  "valid":{"accuracy","f1","coverage"},"fit_ms","backend","copies"}; for auto also "candidates"
 *  ([{"name","valid_score","se","tied"}]) and "selection" ({"rule","valid_rows","resamples","metric",
 *  "best","missing_classes","explanation"}: how it chose, the last in one sentence).
 * LFs that copy each other are named on stderr; `--copies once` (auto) counts each group once.
 */
import type { CopiesRule } from '../core/labelmodel/copies.ts';
import { explainSelection } from '../core/labelmodel/auto.ts';
import { createLabelModel, LABEL_MODEL_NAMES } from '../core/labelmodel/index.ts';
import type { LabelModel } from '../core/labelmodel/types.ts';
import type { LabelMatrix } from '../core/matrix.ts';
import { accuracy, coverage, f1Binary, f1Macro, predictLabels } from '../core/metrics.ts';
import { ShoalError, type Metric, type TiePolicy } from '../core/types.ts';
import { integer, oneOf, parseFlags, required } from './args.ts';
import { isNpyDir, readNpyDir } from './npy-dir.ts';
import { readWrenchVotesDir } from './wrench-dir.ts';

const FLAGS = ['data', 'model', 'metric', 'tie', 'seed', 'copies'] as const;

export interface SplitScores {
  accuracy: number;
  f1: number;
  coverage: number;
}

/** F1 is binary F1 of class 1 when k = 2 (WRENCH's convention), macro F1 otherwise. */
export function scoreSplit(model: LabelModel, L: LabelMatrix, gold: ArrayLike<number>, tie: TiePolicy, seed: number): SplitScores {
  const pred = predictLabels(model.predictProba(L), L.k, tie, seed);
  return {
    accuracy: accuracy(pred, gold),
    f1: L.k === 2 ? f1Binary(pred, gold, 1) : f1Macro(pred, gold, L.k),
    coverage: coverage(L),
  };
}

export async function run(args: string[]) {
  const flags = parseFlags(args, FLAGS);
  const dir = required(flags, 'data');
  const modelName = oneOf(flags, 'model', LABEL_MODEL_NAMES, 'auto');
  const metric = oneOf<Metric>(flags, 'metric', ['acc', 'f1'], 'acc');
  const tie = oneOf<TiePolicy>(flags, 'tie', ['snorkel', 'abstain', 'random'], 'snorkel');
  const seed = integer(flags, 'seed', 0);
  const copies = oneOf<CopiesRule>(flags, 'copies', ['keep', 'once'], 'keep');
  if (copies === 'once' && modelName !== 'auto') throw new ShoalError('--copies once applies to --model auto only');

  // A NumPy label-matrix folder (train.npy …) when there is one, else WRENCH JSON.
  const npy = await isNpyDir(dir);
  const data = npy ? await readNpyDir(dir) : await readWrenchVotesDir(dir);
  if (!data.test) throw new ShoalError(`${dir}/${npy ? 'test.npy' : 'test.json'}: file not found (fit evaluates on the test split)`);
  if (data.train.L.n === 0) throw new ShoalError(`${dir}/train.json: has no rows`);
  const model = createLabelModel(modelName, { copies });
  let lastReport = 0;
  const t0 = performance.now();
  await model.fit(data.train.L, {
    devL: data.valid?.L,
    devY: data.valid?.labels,
    seed,
    metric,
    tie,
    onProgress: (f, msg) => {
      const now = performance.now();
      if (process.stderr.isTTY && now - lastReport > 250) {
        lastReport = now;
        process.stderr.write(`\r${(f * 100).toFixed(0)}% ${msg ?? ''}`.padEnd(60));
      }
    },
  });
  const fitMs = performance.now() - t0;
  if (process.stderr.isTTY && lastReport) process.stderr.write('\n');
  const summary = model.summary();
  for (const w of summary.warnings ?? []) process.stderr.write(`warning: ${w}\n`);
  const nullScores = { accuracy: null, f1: null, coverage: null };
  return {
    dataset: data.name,
    model: modelName,
    chosen: summary.chosen ?? modelName,
    metric,
    n_train: data.train.L.n,
    n_lfs: data.train.L.m,
    k: data.k,
    test: scoreSplit(model, data.test.L, data.test.labels, tie, seed),
    valid: data.valid ? scoreSplit(model, data.valid.L, data.valid.labels, tie, seed) : nullScores,
    fit_ms: Math.round(fitMs * 10) / 10,
    backend: summary.backend ?? 'typed-array',
    copies,
    ...(summary.candidates
      ? {
          candidates: summary.candidates.map((c) => ({
            name: c.name,
            valid_score: c.devScore,
            ...(c.se !== undefined ? { se: c.se, tied: c.tied } : {}),
          })),
        }
      : {}),
    ...(summary.selection
      ? {
          selection: {
            rule: summary.selection.rule,
            valid_rows: summary.selection.devRows,
            resamples: summary.selection.resamples,
            metric: summary.selection.metric,
            ...(summary.selection.best ? { best: summary.selection.best } : {}),
            ...(summary.selection.missingClasses ? { missing_classes: summary.selection.missingClasses } : {}),
            explanation: explainSelection(
              summary.candidates ?? [],
              summary.selection.devRows,
              summary.chosen ?? modelName,
              undefined,
              summary.selection,
            ),
          },
        }
      : {}),
  };
}
