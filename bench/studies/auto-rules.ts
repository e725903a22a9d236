/**
 * Compares selection rules for `auto` on the posteriors auto-dump.ts wrote (run that first):
 * `shipped` is select.ts; `old` the one-binomial-SE rule before it; the others are the
 * variants that were measured against it (tied = at least as good as the best in ≥ q of the
 * resamples; avg* average the tied candidates' posteriors). Prints test scores per dataset and
 * the mean.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { predictLabels, scoreFor } from '../../src/core/metrics.ts';
import { mulberry32 } from '../../src/core/rng.ts';
import { selectPaired } from '../../src/core/labelmodel/select.ts';
import type { Metric } from '../../src/core/types.ts';

const ORDER = ['metal', 'metal_uniform', 'wmv', 'mv', 'ds', 'triplet'];
interface D {
  name: string;
  k: number;
  devY: number[];
  testY: number[];
  post: Record<string, { dev: number[]; test: number[] }>;
}
const files = readdirSync('/tmp/lm-study').filter((f) => f.endsWith('.json'));
const B = Number(process.env.B ?? 400);
const avg = (ps: number[][]) => ps[0].map((_, i) => ps.reduce((s, p) => s + p[i], 0) / ps.length);

type Rule = (d: D, metric: Metric) => { names: string[] };
function score(metric: Metric, proba: number[], y: number[], k: number, idx?: number[]) {
  const pred = predictLabels(proba, k, 'snorkel', 0);
  if (!idx) return scoreFor(metric, pred, y, k);
  return scoreFor(
    metric,
    idx.map((i) => pred[i]),
    idx.map((i) => y[i]),
    k,
  );
}
function boot(d: D, metric: Metric, names: string[], seed = 0) {
  const rng = mulberry32(seed);
  const n = d.devY.length;
  const preds = names.map((c) => predictLabels(d.post[c].dev, d.k, 'snorkel', 0));
  const res: number[][] = names.map(() => []);
  for (let b = 0; b < B; b++) {
    const idx = Array.from({ length: n }, () => Math.floor(rng() * n));
    const y = idx.map((i) => d.devY[i]);
    names.forEach((_, c) =>
      res[c].push(
        scoreFor(
          metric,
          idx.map((i) => preds[c][i]),
          y,
          d.k,
        ),
      ),
    );
  }
  return res;
}
const devScore = (d: D, metric: Metric, c: string) => score(metric, d.post[c].dev, d.devY, d.k);

function tiedSet(d: D, metric: Metric, q: number) {
  const s = ORDER.map((c) => devScore(d, metric, c));
  const bi = s.indexOf(Math.max(...s));
  const bs = boot(d, metric, ORDER);
  return ORDER.filter((_, c) => bs[c].filter((x, b) => x >= bs[bi][b]).length / B >= q);
}
const rules: Record<string, Rule> = {
  shipped: (d, metric) => {
    const preds = ORDER.map((c) => ({ name: c, pred: predictLabels(d.post[c].dev, d.k, 'snorkel', 0) }));
    return { names: [ORDER[selectPaired(preds, d.devY, d.k, metric, 0).index]] };
  },
  mvPair25: (d, m) => {
    const t = tiedSet(d, m, 0.25);
    return { names: t.includes('mv') && t[0] !== 'mv' ? [t[0], 'mv'] : [t[0]] };
  },
  mvPair10: (d, m) => {
    const t = tiedSet(d, m, 0.1);
    return { names: t.includes('mv') && t[0] !== 'mv' ? [t[0], 'mv'] : [t[0]] };
  },
  po10: (d, m) => ({ names: [tiedSet(d, m, 0.1)[0]] }),
  po25: (d, m) => ({ names: [tiedSet(d, m, 0.25)[0]] }),
  avg25: (d, m) => ({ names: tiedSet(d, m, 0.25) }),
  avgMv10: (d, m) => ({ names: [...new Set([...tiedSet(d, m, 0.1), 'mv'])] }),
  poAvgTop2: (d, m) => ({ names: tiedSet(d, m, 0.1).slice(0, 2) }),
  mvIfTied: (d, m) => {
    const t = tiedSet(d, m, 0.1);
    return { names: t.includes('mv') ? ['mv'] : [t[0]] };
  },
  mvIfTied25: (d, m) => {
    const t = tiedSet(d, m, 0.25);
    return { names: t.includes('mv') ? ['mv'] : [t[0]] };
  },

  old: (d, metric) => {
    const s = ORDER.map((c) => devScore(d, metric, c));
    const best = Math.max(...s);
    const se = Math.sqrt((best * (1 - best)) / d.devY.length);
    return { names: [ORDER[s.findIndex((x) => x >= best - se - 1e-12)]] };
  },
  argmax: (d, metric) => {
    const s = ORDER.map((c) => devScore(d, metric, c));
    return { names: [ORDER[s.indexOf(Math.max(...s))]] };
  },
  avgAll: () => ({ names: ORDER }),
  mvUnlessSig: (d, metric) => {
    const s = ORDER.map((c) => devScore(d, metric, c));
    const bi = s.indexOf(Math.max(...s));
    const bs = boot(d, metric, ORDER);
    const mv = ORDER.indexOf('mv');
    const win = bs[bi].filter((x, b) => x > bs[mv][b]).length / B;
    return { names: [win >= 0.9 ? ORDER[bi] : 'mv'] };
  },
  tieAvg: (d, metric) => {
    const s = ORDER.map((c) => devScore(d, metric, c));
    const bi = s.indexOf(Math.max(...s));
    const bs = boot(d, metric, ORDER);
    // tied: not worse than the best in at least 10% of resamples
    const tied = ORDER.filter((_, c) => bs[c].filter((x, b) => x >= bs[bi][b]).length / B >= 0.1);
    return { names: tied };
  },
  tieAvgNoMv: (d, metric) => {
    const s = ORDER.map((c) => devScore(d, metric, c));
    const bi = s.indexOf(Math.max(...s));
    const bs = boot(d, metric, ORDER);
    const mv = ORDER.indexOf('mv');
    const beats = ORDER.filter((_, c) => bs[c].filter((x, b) => x > bs[mv][b]).length / B >= 0.9);
    if (beats.length === 0) return { names: ['mv'] };
    const tied = ORDER.filter((_, c) => bs[c].filter((x, b) => x >= bs[bi][b]).length / B >= 0.1);
    return { names: tied };
  },
};

const table: Record<string, Record<string, number>> = {};
const singles: Record<string, Record<string, number>> = {};
for (const f of files.sort()) {
  const d: D = JSON.parse(readFileSync('/tmp/lm-study/' + f, 'utf8'));
  const metric: Metric = d.name === 'sms' ? 'f1' : 'acc';
  singles[d.name] = Object.fromEntries(ORDER.map((c) => [c, score(metric, d.post[c].test, d.testY, d.k)]));
  singles[d.name].devbest = Math.max(...ORDER.map((c) => devScore(d, metric, c)));
  table[d.name] = {};
  for (const [rn, r] of Object.entries(rules)) {
    const { names } = r(d, metric);
    const p = avg(names.map((c) => d.post[c].test));
    table[d.name][rn] = score(metric, p, d.testY, d.k);
    (table[d.name] as Record<string, unknown>)[rn + '_n'] = names.join('+');
  }
  const devs = ORDER.map((c) => `${c}:${devScore(d, metric, c).toFixed(3)}`).join(' ');
  console.log(d.name, 'n_dev', d.devY.length, devs);
}
console.log('| data | ' + ORDER.join(' | ') + ' | ' + Object.keys(rules).join(' | ') + ' |');
const sums: Record<string, number> = {};
for (const [n, row] of Object.entries(table)) {
  const r = row as Record<string, unknown>;
  console.log(
    `| ${n} | ${ORDER.map((c) => singles[n][c].toFixed(3)).join(' | ')} | ${Object.keys(rules)
      .map((rn) => `${(r[rn] as number).toFixed(3)} ${r[rn + '_n']}`)
      .join(' | ')} |`,
  );
  for (const rn of [...Object.keys(rules)]) sums[rn] = (sums[rn] ?? 0) + (r[rn] as number);
  for (const c of ORDER) sums[c] = (sums[c] ?? 0) + singles[n][c];
}
const nd = Object.keys(table).length;
console.log(
  Object.entries(sums)
    .map(([k, v]) => `${k}=${(v / nd).toFixed(4)}`)
    .join(' '),
);
