/**
 * bench:scale's classifier task on other generated corpora (not part of bench:scale): `distill`
 * exactly as bench:scale runs it (default engine) and, with --sklearn, the scikit-learn reference
 * on the very same split, one corpus seed after another. Seed 11 is bench:scale's own task; the
 * others check that a result is not one split's luck.
 *
 *   tsx bench/studies/scale-distill-seeds.ts [--n 100000] [--seeds 11,12,13] [--sklearn]
 */
import { selectBackend } from '../../src/core/backend.ts';
import { distillData, distillRun } from '../scale-distill-data.ts';
import { runSklearn } from '../scale-distill.ts';

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const n = Number(arg('n', '100000'));
const seeds = arg('seeds', '11').split(',').map(Number);
const withSklearn = process.argv.includes('--sklearn');

await selectBackend();
console.log(
  '| corpus seed | docs | Shoal s | Shoal test acc | epochs run / kept | hash buckets → features | scikit-learn s (vec + fit) | scikit-learn test acc | time ratio |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const seed of seeds) {
  const data = distillData(n, 10_000, 1000, seed);
  const r = await distillRun(data, 'auto');
  const sk = withSklearn ? runSklearn(data, 1) : undefined;
  const skS = sk?.ok ? sk.value.vec_s + sk.value.fit_s : undefined;
  console.log(
    `| ${seed} | ${n} | ${(r.ms / 1000).toFixed(2)} | ${r.acc.toFixed(4)} | ${r.epochs} / ${r.bestEpoch} | 2^${Math.log2(r.buckets)} → ${r.dim - 1} | ` +
      (sk === undefined
        ? '— | — | —'
        : sk.ok
          ? `${skS!.toFixed(2)} | ${sk.value.test_acc.toFixed(4)} | ${(r.ms / 1000 / skS!).toFixed(2)}×`
          : `not measured: ${sk.why} | — | —`) +
      ' |',
  );
}
