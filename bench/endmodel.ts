/**
 * End-model benchmark: `tsx bench/endmodel.ts [--seed N] [DIR…]` (default: the four WRENCH sets of
 * the optional shared data folder). For each dataset it runs exactly `shoal distill --data DIR` (auto label
 * model fitted on train, classifier trained on its probabilities, early stopping on valid gold,
 * scored on test; no per-dataset settings) and prints a Markdown table beside scikit-learn's
 * best logistic regression on n-gram features measured on this machine
 * (bench/NOTES.md, "What every figure shares"; LR2 = TfidfVectorizer(1,2, sublinear_tf) +
 * LogisticRegression with C picked on valid; the better of its MV- and Snorkel-LM-label runs).
 * The metric each target is judged on is F1 for sms and accuracy elsewhere, as there.
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { run } from '../src/cli/distill.ts';

/** scikit-learn LR2 reference (best of mv/lm labels) and its time: vectorize + fit at the chosen C, ms. */
const SKLEARN: Record<string, { metric: 'acc' | 'f1'; labels: string; acc: number; f1: number; vecMs: number; fitMs: number }> = {
  youtube: { metric: 'acc', labels: 'mv', acc: 0.932, f1: 0.922, vecMs: 42, fitMs: 150 },
  sms: { metric: 'f1', labels: 'mv', acc: 0.946, f1: 0.752, vecMs: 53, fitMs: 252 },
  trec: { metric: 'acc', labels: 'mv', acc: 0.618, f1: 0.515, vecMs: 102, fitMs: 3908 },
  semeval: { metric: 'acc', labels: 'lm', acc: 0.792, f1: 0.594, vecMs: 62, fitMs: 3783 },
};

const root = resolve(import.meta.dirname, '../../shared/data/wrench');
// `--seed N` (default 0) is passed to every run: the label model's and the classifier's seed.
const argv = process.argv.slice(2);
const seedAt = argv.indexOf('--seed');
const seed = seedAt >= 0 ? argv.splice(seedAt, 2)[1] : '0';
if (!/^\d+$/.test(seed ?? '')) {
  console.error(`--seed needs a non-negative integer, got ${seed}`);
  process.exit(1);
}
const dirs = argv.length ? argv : ['youtube', 'sms', 'trec', 'semeval'].map((d) => resolve(root, d));
if (dirs.some((d) => !existsSync(d))) {
  console.error(`missing dataset directory: ${dirs.filter((d) => !existsSync(d)).join(', ')}`);
  process.exit(1);
}

const f3 = (v: number) => v.toFixed(3);
const lines = [
  '| dataset | label model (test acc / F1) | classifier acc | classifier F1 | train ms | backend | ONNX max diff | sklearn LR2 acc / F1 (labels, vec+fit ms) | target met |',
  '|---|---|---|---|---|---|---|---|---|',
];
for (const dir of dirs) {
  const name = basename(dir);
  const metric = SKLEARN[name]?.metric ?? 'acc';
  const r = await run(['--data', dir, '--metric', metric, '--seed', seed]);
  const ref = SKLEARN[name];
  const ours = metric === 'f1' ? r.classifier.test.f1 : r.classifier.test.accuracy;
  const target = ref ? (metric === 'f1' ? ref.f1 : ref.acc) : undefined;
  lines.push(
    `| ${name} (${metric}) | ${r.label_model.chosen}: ${f3(r.label_model.test.accuracy)} / ${f3(r.label_model.test.f1)} | ${f3(r.classifier.test.accuracy)} | ${f3(r.classifier.test.f1)} | ${r.classifier.train_ms} | ${r.classifier.backend} | ${r.onnx_max_abs_diff.toExponential(1)} | ` +
      (ref ? `${f3(ref.acc)} / ${f3(ref.f1)} (${ref.labels}, ${ref.vecMs}+${ref.fitMs})` : '—') +
      // Four decimals: the references are rounded to three, so 475/600 = 0.7917 reads "no" against 0.792.
      ` | ${target === undefined ? '—' : `${ours >= target ? 'yes' : 'no'} (${ours.toFixed(4)} vs ${f3(target)})`} |`,
  );
  console.error(`${name}: done`);
}
console.log(`seed ${seed}\n${lines.join('\n')}`);
