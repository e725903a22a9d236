/**
 * End-model benchmark: `tsx bench/endmodel.ts [--seeds 0,1,2] [--only wrench,100k] [--rounds 3] [DIR…]`.
 *
 * Shoal's distilled classifier against what a practitioner would train instead, on the very same
 * labels, rows and splits (bench/endmodel-refs.ts): supervised fastText with word bigrams (Debian's
 * CLI) and scikit-learn's TF-IDF + LogisticRegression (LR2, Debian's python3-sklearn).
 *
 * WRENCH part (default: every set of the shared data folder's `wrench` with text, and chemprot,
 * which says why it cannot run): per seed, exactly `shoal distill --data DIR --seed S` (auto label
 * model fitted on train, classifier trained on its posterior over the rows with at least one LF
 * vote, early stopping on valid gold, scored on test); `distill` hands the references that same
 * training set (`onTrainingSet`). fastText gets the posterior's argmax (Snorkel's tie rule, the
 * hard targets of Shoal's own 'hard' run); scikit-learn gets hard or soft targets (picked on dev,
 * as Shoal picks). Each is tuned on valid gold with the set's metric (F1 for sms, accuracy
 * elsewhere). Shoal, fastText and scikit-learn alternate per dataset and seed; the table gives
 * medians over seeds.
 *
 * 100k part: bench:scale's classifier task (bench/scale-distill-data.ts: 100k generated documents,
 * a hidden linear rule, 15% of training and dev labels flipped, test against the clean rule): the
 * three trained on the same noisy labels, `--rounds` alternated timed runs, medians.
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { selectBackend } from '../src/core/backend.ts';
import { predictLabels } from '../src/core/metrics.ts';
import { run, type DistillTrainingSet } from '../src/cli/distill.ts';
import { median, type Outcome, type RefResult, type RefSet, runFasttext, runSklearn } from './endmodel-refs.ts';
import { distillData, distillRun } from './scale-distill-data.ts';

const argv = process.argv.slice(2);
const take = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv.splice(i, 2)[1] : undefined;
};
const seeds = (take('seeds') ?? '0,1,2').split(',').map(Number);
const only = (take('only') ?? 'wrench,100k').split(',');
const rounds = Number(take('rounds') ?? '3');
if (seeds.some((s) => !Number.isInteger(s) || s < 0) || !(rounds >= 1)) {
  console.error('--seeds needs non-negative integers, --rounds a positive integer');
  process.exit(1);
}
const shared = resolve(import.meta.dirname, '../../shared/data');
const WRENCH_SETS = ['youtube', 'sms', 'trec', 'semeval', 'hausa', 'yoruba'];
const dirs = argv.length ? argv : [...WRENCH_SETS.map((d) => join(shared, 'wrench', d)), join(shared, 'wrench_partial', 'chemprot')];
/** The metric each set is judged on (WRENCH's: F1 for sms, accuracy elsewhere). */
const METRIC: Record<string, 'acc' | 'f1'> = { sms: 'f1' };

const f3 = (v: number) => v.toFixed(3);
const load = () => loadavg()[0].toFixed(1);
const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** The references' view of the training set `distill` used. */
function refSet(s: DistillTrainingSet): RefSet | undefined {
  if (!s.valid) return undefined;
  const { k, rows, proba } = s;
  const texts = Array.from(rows, (i) => s.trainTexts[i]);
  const labels = new Int32Array(rows.length);
  const soft = new Float32Array(rows.length * k);
  for (let t = 0; t < rows.length; t++) {
    const row = proba.subarray(rows[t] * k, rows[t] * k + k);
    soft.set(row, t * k);
    // The row's dataset position as the tie offset: the hard targets of distill's 'hard' run.
    labels[t] = predictLabels(row, k, 'snorkel', s.seed, rows[t])[0];
  }
  return { k, metric: s.metric, seed: s.seed, train: { texts, labels, proba: soft }, dev: s.valid, test: s.test };
}

interface Cell {
  score: number;
  acc: number;
  f1: number;
  wallS: number;
  cpuS: number;
  config?: string;
}

const cellOf = (r: Outcome<RefResult>, metric: 'acc' | 'f1'): Cell | string =>
  r.ok
    ? {
        score: metric === 'f1' ? r.value.f1 : r.value.accuracy,
        acc: r.value.accuracy,
        f1: r.value.f1,
        wallS: r.value.wallS,
        cpuS: r.value.cpuS,
        config: r.value.config,
      }
    : r.why;

function summary(cells: (Cell | string)[]): { med?: Cell; perSeed: string; why?: string } {
  const ok = cells.filter((c): c is Cell => typeof c !== 'string');
  if (ok.length < cells.length) return { perSeed: '', why: cells.find((c): c is string => typeof c === 'string') };
  const med: Cell = {
    score: median(ok.map((c) => c.score)),
    acc: median(ok.map((c) => c.acc)),
    f1: median(ok.map((c) => c.f1)),
    wallS: median(ok.map((c) => c.wallS)),
    cpuS: median(ok.map((c) => c.cpuS)),
  };
  return { med, perSeed: ok.map((c) => f3(c.score)).join(' / ') };
}

const out: string[] = [];

if (only.includes('wrench')) {
  await selectBackend();
  out.push(
    `WRENCH sets, seeds ${seeds.join(', ')}: medians over seeds of the set's test metric (per seed in brackets), training wall / CPU s (medians). 1-min load at start ${load()}.`,
    '',
    '| dataset (metric) | label model (seed 0) | train rows used / all | Shoal | Shoal, word n-grams only | fastText | scikit-learn LR2 | Shoal s wall / CPU | fastText s wall / CPU | sklearn s wall / CPU | configs chosen (seed 0) | Shoal ≥ both | load |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const dir of dirs) {
    const name = basename(dir);
    const metric = METRIC[name] ?? 'acc';
    if (!existsSync(join(dir, 'train.json'))) {
      out.push(
        `| ${name} (${metric}) | not measured: ${dir}/train.json does not exist (only ${['valid', 'test'].filter((s) => existsSync(join(dir, `${s}.json`))).join(' and ') || 'nothing'} here), so there are no weak labels to train on | | | | | | | | | | | |`,
      );
      continue;
    }
    const shoal: Cell[] = [];
    const word: Cell[] = [];
    const ft: (Cell | string)[] = [];
    const sk: (Cell | string)[] = [];
    let lm = '';
    let used = '';
    let configs = '';
    for (const seed of seeds) {
      let set: DistillTrainingSet | undefined;
      const r = await run(['--data', dir, '--metric', metric, '--seed', String(seed)], { onTrainingSet: (s) => (set = s) });
      const score = metric === 'f1' ? r.classifier.test.f1 : r.classifier.test.accuracy;
      shoal.push({
        score,
        acc: r.classifier.test.accuracy,
        f1: r.classifier.test.f1,
        wallS: r.classifier.train_ms / 1000,
        cpuS: r.classifier.train_cpu_ms / 1000,
        config: r.classifier.trained_on.join('+'),
      });
      // The same run with word n-grams only (what `distill` trained before it chose features on dev).
      const w = await run(['--data', dir, '--metric', metric, '--seed', String(seed), '--features', 'word']);
      word.push({
        score: metric === 'f1' ? w.classifier.test.f1 : w.classifier.test.accuracy,
        acc: w.classifier.test.accuracy,
        f1: w.classifier.test.f1,
        wallS: w.classifier.train_ms / 1000,
        cpuS: w.classifier.train_cpu_ms / 1000,
      });
      const rs = set && refSet(set);
      if (!rs) {
        ft.push('no valid.json to tune on');
        sk.push('no valid.json to tune on');
        continue;
      }
      const f = runFasttext(rs);
      ft.push(cellOf(f, metric));
      const s = runSklearn(rs, { soft: true });
      sk.push(cellOf(s, metric));
      if (seed === seeds[0]) {
        lm = `${r.label_model.chosen}: ${f3(metric === 'f1' ? r.label_model.test.f1 : r.label_model.test.accuracy)}`;
        used = `${rs.train.texts.length} / ${set!.trainTexts.length}`;
        configs = `Shoal ${r.classifier.featurization}; fastText ${f.ok ? f.value.config : '–'}; sklearn ${s.ok ? s.value.config : '–'}`;
      }
      console.error(
        `${name} seed ${seed}: shoal ${f3(score)}, fastText ${f.ok ? f3(metric === 'f1' ? f.value.f1 : f.value.accuracy) : f.why}, sklearn ${s.ok ? f3(metric === 'f1' ? s.value.f1 : s.value.accuracy) : s.why} (load ${load()})`,
      );
    }
    const sh = summary(shoal);
    const wd = summary(word);
    const fs = summary(ft);
    const ss = summary(sk);
    const cell = (s: ReturnType<typeof summary>) => (s.med ? `${f3(s.med.score)} (${s.perSeed})` : `not measured: ${s.why}`);
    const time = (s: ReturnType<typeof summary>) => (s.med ? `${s.med.wallS.toFixed(2)} / ${s.med.cpuS.toFixed(2)}` : '–');
    const wins =
      fs.med && ss.med
        ? sh.med!.score >= fs.med.score && sh.med!.score >= ss.med.score
          ? 'yes'
          : `**no** (${sh.med!.score < fs.med.score ? `fastText +${f3(fs.med.score - sh.med!.score)}` : ''}${sh.med!.score < fs.med.score && sh.med!.score < ss.med.score ? ', ' : ''}${sh.med!.score < ss.med.score ? `sklearn +${f3(ss.med.score - sh.med!.score)}` : ''})`
        : 'not checked';
    out.push(
      `| ${name} (${metric}) | ${lm} | ${used} | **${cell(sh)}** | ${cell(wd)} | ${cell(fs)} | ${cell(ss)} | ${time(sh)} | ${time(fs)} | ${time(ss)} | ${configs} | ${wins} | ${load()} |`,
    );
  }
  out.push('');
}

if (only.includes('100k')) {
  await selectBackend();
  const n = 100_000;
  const data = distillData(n);
  const set: RefSet = {
    k: 2,
    metric: 'acc',
    seed: 0,
    train: { texts: data.train, labels: data.yTrain },
    dev: { texts: data.dev, labels: data.devY },
    test: { texts: data.test, labels: data.truthTest },
  };
  const load0 = load();
  // Selection first (not timed): fastText's grid and scikit-learn's C sweep on the noisy dev labels.
  const ftSel = runFasttext(set);
  console.error(
    `100k: fastText grid ${ftSel.ok ? `${ftSel.value.config}, acc ${f3(ftSel.value.accuracy)}, grid ${ftSel.value.sweepS.toFixed(1)} s` : ftSel.why}`,
  );
  const skSel = runSklearn(set, { soft: false });
  console.error(
    `100k: sklearn sweep ${skSel.ok ? `${skSel.value.config}, acc ${f3(skSel.value.accuracy)}, sweep ${skSel.value.sweepS.toFixed(1)} s` : skSel.why}`,
  );
  const shoal: { wallS: number; cpuS: number; acc: number; note: string }[] = [];
  const ft: { wallS: number; cpuS: number; acc: number }[] = [];
  const sk: { wallS: number; cpuS: number; acc: number }[] = [];
  const loads: string[] = [load0];
  for (let r = 0; r < rounds; r++) {
    const s = await distillRun(data, 'auto', cpuNow);
    shoal.push({
      wallS: s.ms / 1000,
      cpuS: (s.cpuMs ?? NaN) / 1000,
      acc: s.acc,
      note: `${s.epochs} / ${s.bestEpoch} epochs, ${s.dim - 1} features (2^${Math.log2(s.buckets)} buckets), training alone ${(s.trainMs / 1000).toFixed(2)} s; ${s.targetsNote ?? `trained on ${s.trainedOn.join(' and ')} targets`}`,
    });
    if (ftSel.ok) {
      const f = runFasttext(set, [ftSel.value.chosen!]);
      if (f.ok) ft.push({ wallS: f.value.wallS, cpuS: f.value.cpuS, acc: f.value.accuracy });
    }
    if (skSel.ok) {
      const k = runSklearn(set, { soft: false, fixed: { C: skSel.value.raw.C, targets: 'hard' } });
      if (k.ok) sk.push({ wallS: k.value.wallS, cpuS: k.value.cpuS, acc: k.value.accuracy });
    }
    loads.push(load());
    console.error(
      `100k round ${r + 1}: shoal ${shoal.at(-1)!.wallS.toFixed(2)} s, fastText ${ft.at(-1)?.wallS.toFixed(2) ?? '–'} s, sklearn ${sk.at(-1)?.wallS.toFixed(2) ?? '–'} s (load ${load()})`,
    );
  }
  const med = (xs: { wallS: number; cpuS: number; acc: number }[]) => ({
    wallS: median(xs.map((x) => x.wallS)),
    cpuS: median(xs.map((x) => x.cpuS)),
    acc: median(xs.map((x) => x.acc)),
  });
  const S = med(shoal);
  const F = ft.length ? med(ft) : undefined;
  const K = sk.length ? med(sk) : undefined;
  out.push(
    `100k generated documents (bench:scale's classifier task: 15% of training and dev labels flipped, test on 10k against the clean rule), ${rounds} alternated rounds, medians; 1-min load ${loads.join(' → ')}.`,
    '',
    '| classifier | test acc | wall s | CPU s | wall ÷ fastText | CPU ÷ fastText | what the time covers |',
    '|---|---|---|---|---|---|---|',
    `| Shoal distill (default) | **${S.acc.toFixed(4)}** | ${S.wallS.toFixed(2)} | ${S.cpuS.toFixed(2)} | ${F ? (S.wallS / F.wallS).toFixed(2) + '×' : '–'} | ${F ? (S.cpuS / F.cpuS).toFixed(2) + '×' : '–'} | hashing, vocabulary, training with early stopping on dev (${shoal[0].note}) |`,
    F
      ? `| fastText ${ftSel.ok ? ftSel.value.config : ''}, 1 thread | **${F.acc.toFixed(4)}** | ${F.wallS.toFixed(2)} | ${F.cpuS.toFixed(2)} | 1× | 1× | the whole \`fasttext supervised\` process (read, dictionary, training, model written); the ${ftSel.ok ? ftSel.value.sweepS.toFixed(1) : '?'} s grid on dev not counted |`
      : `| fastText | not measured: ${ftSel.ok ? 'the timed runs failed' : ftSel.why} | | | | | |`,
    K
      ? `| scikit-learn LR2, ${skSel.ok ? skSel.value.config : ''} | **${K.acc.toFixed(4)}** | ${K.wallS.toFixed(2)} | ${K.cpuS.toFixed(2)} | ${F ? (K.wallS / F.wallS).toFixed(2) + '×' : '–'} | ${F ? (K.cpuS / F.cpuS).toFixed(2) + '×' : '–'} | TfidfVectorizer fit_transform + LogisticRegression fit; the ${skSel.ok ? skSel.value.sweepS.toFixed(1) : '?'} s C sweep not counted |`
      : `| scikit-learn LR2 | not measured: ${skSel.ok ? 'the timed runs failed' : skSel.why} | | | | | |`,
    '',
    `Per round: Shoal ${shoal.map((s) => `${s.wallS.toFixed(2)} s / ${s.acc.toFixed(4)}`).join(', ')}; fastText ${ft.map((s) => `${s.wallS.toFixed(2)} s / ${s.acc.toFixed(4)}`).join(', ') || '–'}; sklearn ${sk.map((s) => `${s.wallS.toFixed(2)} s / ${s.acc.toFixed(4)}`).join(', ') || '–'}.`,
  );
}

console.log(out.join('\n'));
