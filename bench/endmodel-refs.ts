/**
 * The two classifiers a practitioner would train instead of Shoal's, run on exactly the training
 * set Shoal's classifier gets (bench/endmodel.ts): supervised fastText (Debian's `fasttext` CLI)
 * and scikit-learn's TF-IDF + LogisticRegression (bench/reference/sklearn_lr.py on Debian's
 * python3-sklearn). Either one that cannot run returns why, in one sentence; nothing is invented.
 *
 * fastText takes one label per line, so it trains on hard labels: the label model's argmax with
 * Snorkel's tie rule, the same hard targets Shoal's 'hard' run uses. Its texts are lowercased and
 * punctuation is split off (the normalisation of fastText's own text-classification tutorial),
 * since fastText splits on whitespace only. Hyper-parameters: a small grid chosen on the dev gold
 * with the set's metric (not `-autotune-validation`, whose result depends on how much time its
 * budget buys on a loaded machine). One thread and a fixed seed, so a run repeats.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { accuracy, f1Binary, f1Macro } from '../src/core/metrics.ts';
import type { Metric } from '../src/core/types.ts';

export const FASTTEXT = '/usr/bin/fasttext';
export const PYTHON = '/usr/bin/python3';
const SKLEARN_SCRIPT = resolve(import.meta.dirname, 'reference/sklearn_lr.py');

export type Outcome<T> = { ok: true; value: T } | { ok: false; why: string };

/** What every reference is handed: hard train labels (and soft ones), dev and test gold. */
export interface RefSet {
  k: number;
  metric: Metric;
  seed: number;
  train: { texts: readonly string[]; labels: ArrayLike<number>; proba?: ArrayLike<number> };
  dev: { texts: readonly string[]; labels: ArrayLike<number> };
  test: { texts: readonly string[]; labels: ArrayLike<number> };
}

export interface RefResult {
  /** Test accuracy and F1 (binary F1 of class 1 when k = 2, macro F1 otherwise). */
  accuracy: number;
  f1: number;
  devScore: number;
  /** Wall and CPU seconds of the timed training (the chosen configuration only; see `config`). */
  wallS: number;
  cpuS: number;
  config: string;
  /** The selection (every configuration's training) in wall seconds, not counted in `wallS`. */
  sweepS: number;
  /** fastText only: the chosen configuration. */
  chosen?: FasttextConfig;
}

export function testScores(pred: ArrayLike<number>, gold: ArrayLike<number>, k: number) {
  return { accuracy: accuracy(pred, gold), f1: k === 2 ? f1Binary(pred, gold, 1) : f1Macro(pred, gold, k) };
}

const metricOf = (m: { accuracy: number; f1: number }, metric: Metric) => (metric === 'f1' ? m.f1 : m.accuracy);

/** CPU seconds of this process's waited-for children (/proc/self/stat cutime + cstime). */
export function childCpuS(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of stat(5) (1-based), here after the "pid (comm) " prefix: 14th and 15th.
  return (Number(f[13]) + Number(f[14])) / 100;
}

/** fastText's tutorial normalisation: lowercase, punctuation split off, one line. */
export function fasttextText(text: string): string {
  const t = text
    .toLowerCase()
    .replace(/([.!?,'/()":;])/g, ' $1 ')
    .replace(/\s+/g, ' ')
    .trim();
  // An empty line has no words to predict from; a placeholder keeps the line count.
  return t || '_empty_';
}

export interface FasttextConfig {
  lr: number;
  epoch: number;
  dim: number;
  wordNgrams: number;
  /** Char n-gram range (0, 0 = off). */
  minn: number;
  maxn: number;
  bucket: number;
}

/**
 * The grid chosen on dev: the setting of fastText's paper for text classification (Joulin et al.,
 * "Bag of Tricks for Efficient Text Classification", 2017: 10 hidden units, word bigrams, 5
 * epochs, the learning rate picked on validation), plus 25 epochs (what fastText's tutorial uses
 * on small sets) and lr 1.0 (the tutorial's). `-bucket` 2^20 (the default is 2·10^6): as many
 * hash buckets as Shoal's classifier uses at 100k documents, and it halves fastText's time there
 * (4.5 → 2.5 s measured; the default's time goes to allocating and writing a 2·10^6-row table).
 */
export const FASTTEXT_GRID: FasttextConfig[] = [0.1, 0.25, 0.5, 1.0].flatMap((lr) =>
  [5, 25].flatMap((epoch) => [{ lr, epoch, dim: 10, wordNgrams: 2, minn: 0, maxn: 0, bucket: 1 << 20 }]),
);

const describe = (c: FasttextConfig) =>
  `lr ${c.lr}, epoch ${c.epoch}, dim ${c.dim}, wordNgrams ${c.wordNgrams}${c.maxn ? `, char ${c.minn}–${c.maxn}` : ''}`;

function probeFasttext(): string | undefined {
  if (!existsSync(FASTTEXT)) return `${FASTTEXT} not found (apt-get install fasttext)`;
  return undefined;
}

/** Train fastText on a config, timed; throws with fastText's last stderr line on failure. */
function fasttextTrain(dir: string, c: FasttextConfig, seed: number): { wallS: number; cpuS: number; model: string } {
  const model = join(dir, 'model');
  const args = ['supervised', '-input', join(dir, 'train.txt'), '-output', model, '-lr', String(c.lr), '-epoch', String(c.epoch)];
  args.push('-dim', String(c.dim), '-wordNgrams', String(c.wordNgrams), '-minn', String(c.minn), '-maxn', String(c.maxn));
  args.push('-bucket', String(c.bucket), '-minCount', '1', '-loss', 'softmax', '-thread', '1', '-seed', String(seed), '-verbose', '0');
  const c0 = childCpuS();
  const t0 = performance.now();
  const r = spawnSync(FASTTEXT, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = childCpuS() - c0;
  if (r.status !== 0)
    throw new Error(`fasttext supervised failed (exit ${r.status}): ${(r.stderr || r.error?.message || '').trim().split('\n').at(-1)}`);
  return { wallS, cpuS, model: model + '.bin' };
}

function fasttextPredict(model: string, file: string, n: number): Int32Array {
  const r = spawnSync(FASTTEXT, ['predict', model, file], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`fasttext predict failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').at(-1)}`);
  const lines = r.stdout.split('\n').filter((l, i, a) => i < a.length - 1 || l !== '');
  if (lines.length !== n) throw new Error(`fasttext predict gave ${lines.length} labels for ${n} rows`);
  return Int32Array.from(lines, (l) => Number(l.replace('__label__', '')));
}

/**
 * fastText on the set: every grid config trained once and scored on dev; the best (the first on a
 * tie) is the result, its training run the timed one (`timedRuns` > 1 re-trains it and keeps the
 * median wall and CPU time).
 */
export function runFasttext(set: RefSet, grid = FASTTEXT_GRID, timedRuns = 1): Outcome<RefResult> {
  const why = probeFasttext();
  if (why) return { ok: false, why };
  const dir = mkdtempSync(join(tmpdir(), 'shoal-fasttext-'));
  try {
    const lines = (texts: readonly string[], labels: ArrayLike<number>) =>
      texts.map((t, i) => `__label__${labels[i]} ${fasttextText(t)}`).join('\n') + '\n';
    writeFileSync(join(dir, 'train.txt'), lines(set.train.texts, set.train.labels));
    writeFileSync(join(dir, 'dev.txt'), lines(set.dev.texts, set.dev.labels));
    writeFileSync(join(dir, 'test.txt'), lines(set.test.texts, set.test.labels));
    const t0 = performance.now();
    let best: { c: FasttextConfig; dev: number; run: { wallS: number; cpuS: number }; test: Int32Array } | undefined;
    for (const c of grid) {
      const run = fasttextTrain(dir, c, set.seed);
      const dev = metricOf(
        testScores(fasttextPredict(run.model, join(dir, 'dev.txt'), set.dev.texts.length), set.dev.labels, set.k),
        set.metric,
      );
      // Test predictions of every config, kept for the best: no retraining after the grid.
      if (!best || dev > best.dev) best = { c, dev, run, test: fasttextPredict(run.model, join(dir, 'test.txt'), set.test.texts.length) };
    }
    const sweepS = (performance.now() - t0) / 1000;
    const runs = [best!.run];
    for (let r = 1; r < timedRuns; r++) runs.push(fasttextTrain(dir, best!.c, set.seed));
    const test = testScores(best!.test, set.test.labels, set.k);
    return {
      ok: true,
      value: {
        ...test,
        devScore: best!.dev,
        wallS: median(runs.map((r) => r.wallS)),
        cpuS: median(runs.map((r) => r.cpuS)),
        config: describe(best!.c),
        sweepS,
        chosen: best!.c,
      },
    };
  } catch (e) {
    return { ok: false, why: (e as Error).message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface SklearnOut {
  vec_s: number;
  fit_s: number;
  vec_cpu_s: number;
  fit_cpu_s: number;
  C: number;
  targets: 'hard' | 'soft';
  test_acc: number;
  test_pred?: number[];
  sweep_s: number;
  converged: boolean;
  n_features: number;
  versions: Record<string, string>;
}

/**
 * scikit-learn LR2 on the set: C ∈ {0.1, 1, 10, 100} and, when `soft`, hard or soft targets,
 * picked on dev with the set's metric; timed at the chosen pair (vectorize + fit, median of
 * `repeats`).
 */
export function runSklearn(
  set: RefSet,
  opts: { soft: boolean; repeats?: number; fixed?: { C: number; targets: 'hard' | 'soft' } },
): Outcome<RefResult & { raw: SklearnOut }> {
  if (!existsSync(PYTHON)) return { ok: false, why: `${PYTHON} not found` };
  const probe = spawnSync(PYTHON, ['-c', 'import sklearn, numpy, scipy'], { encoding: 'utf8' });
  if (probe.status !== 0)
    return { ok: false, why: `scikit-learn not importable by ${PYTHON} (${(probe.stderr || '').trim().split('\n').at(-1)})` };
  const dir = mkdtempSync(join(tmpdir(), 'shoal-sklearn-'));
  try {
    const file = join(dir, 'data.jsonl');
    const out: string[] = [];
    const { k } = set;
    set.train.texts.forEach((text, i) => {
      const p = set.train.proba ? Array.from({ length: k }, (_, c) => set.train.proba![i * k + c]) : undefined;
      out.push(JSON.stringify({ split: 'train', text, label: set.train.labels[i], ...(p ? { p } : {}) }));
    });
    set.dev.texts.forEach((text, i) => out.push(JSON.stringify({ split: 'dev', text, label: set.dev.labels[i] })));
    set.test.texts.forEach((text, i) => out.push(JSON.stringify({ split: 'test', text, label: set.test.labels[i] })));
    writeFileSync(file, out.join('\n') + '\n');
    const args = [SKLEARN_SCRIPT, file, '--repeats', String(opts.repeats ?? 1), '--metric', set.metric, '--predictions'];
    if (opts.soft) args.push('--soft');
    if (opts.fixed) args.push('--C', String(opts.fixed.C), '--targets', opts.fixed.targets);
    const r = spawnSync(PYTHON, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) return { ok: false, why: `sklearn_lr.py failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').at(-1)}` };
    const v = JSON.parse(r.stdout) as SklearnOut;
    const test = testScores(v.test_pred!, set.test.labels, k);
    const devScores = (v as unknown as { dev_score_by_targets_C: Record<string, number> }).dev_score_by_targets_C;
    return {
      ok: true,
      value: {
        ...test,
        devScore: devScores[`${v.targets} ${v.C}`] ?? NaN,
        wallS: v.vec_s + v.fit_s,
        cpuS: v.vec_cpu_s + v.fit_cpu_s,
        config: `${v.targets} labels, C = ${v.C}${v.converged ? '' : ' (lbfgs hit max_iter)'}`,
        sweepS: v.sweep_s,
        raw: v,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
