/**
 * The distilled classifier's options on the WRENCH sets, side by side, on the very training set
 * `shoal distill` builds (its label model, rows and dev gold): test metric and dev score per
 * variant and seed. Behind the defaults of core/classifier (which features, which targets).
 *
 *   tsx bench/studies/distill-variants.ts [--seeds 0,1,2] [--sets youtube,sms,…]
 */
import { join, resolve } from 'node:path';
import { selectBackend } from '../../src/core/backend.ts';
import { distill, type DistillOptions, predictTexts } from '../../src/core/classifier/index.ts';
import { run, scores, type DistillTrainingSet } from '../../src/cli/distill.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const seeds = arg('seeds', '0,1,2').split(',').map(Number);
const sets = arg('sets', 'youtube,sms,trec,semeval,hausa,yoruba').split(',');
const root = resolve(import.meta.dirname, '../../../shared/data/wrench');

const VARIANTS: Record<string, DistillOptions> = {
  default: {},
  'char 1–5 ×0.3': { features: { charNgrams: [1, 5] } },
  'word 1–3': { features: { wordNgrams: [1, 3] } },
  'no weighting': { weighting: 'none' },
};

await selectBackend();
const rows: string[] = [
  '| set | seed | ' +
    Object.keys(VARIANTS)
      .map((v) => `${v} test (dev)`)
      .join(' | ') +
    ' |',
];
rows.push(
  '|---|---|' +
    Object.keys(VARIANTS)
      .map(() => '---|')
      .join(''),
);
for (const name of sets) {
  const metric = name === 'sms' ? 'f1' : 'acc';
  for (const seed of seeds) {
    let set: DistillTrainingSet | undefined;
    // Only the label model and the training set are needed; the default run's result is reported too.
    await run(['--data', join(root, name), '--metric', metric, '--seed', String(seed)], { onTrainingSet: (s) => (set = s) });
    const s = set!;
    const cells: string[] = [];
    for (const [label, opts] of Object.entries(VARIANTS)) {
      const r = await distill({ texts: s.trainTexts, proba: s.proba, k: s.k, rows: s.rows, dev: s.valid }, { seed, metric, ...opts });
      const sc = scores(predictTexts(r.classifier, s.test.texts), s.test.labels, s.k, seed);
      cells.push(`${(metric === 'f1' ? sc.f1 : sc.accuracy).toFixed(3)} (${r.train.bestDevScore?.toFixed(3)})`);
    }
    rows.push(`| ${name} | ${seed} | ${cells.join(' | ')} |`);
    console.error(rows.at(-1));
  }
}
console.log(rows.join('\n'));
