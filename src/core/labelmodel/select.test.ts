import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../matrix.ts';
import { accuracy, predictLabels, scoreFor } from '../metrics.ts';
import { deriveSeed, mulberry32 } from '../rng.ts';
import { synthesize, synthesizeUnipolar } from '../synth.ts';
import { AutoLabelModel, explainSelection } from './auto.ts';
import { labelModelSchema } from '../formats/bundle-models.ts';
import { MIN_DEV_ROWS, selectPaired } from './select.ts';

/** Hard dev labels that are right with probability `acc` on each row (one stream per name). */
function noisy(y: Int32Array, acc: number, seed: number): Int32Array {
  const rng = mulberry32(seed);
  return y.map((v) => (rng() < acc ? v : 1 - v));
}

/** `base` with `fix` wrong rows made right and `spoil` right rows made wrong, from row `from` on (binary). */
function alter(base: Int32Array, y: Int32Array, fix: number, spoil: number, from = 0): Int32Array {
  const p = base.slice();
  for (let i = from, f = 0, s = 0; i < y.length && (f < fix || s < spoil); i++) {
    if (p[i] !== y[i] && f < fix) ((p[i] = y[i]), f++);
    else if (p[i] === y[i] && s < spoil) ((p[i] = 1 - y[i]), s++);
  }
  return p;
}

function golds(n: number, seed: number): Int32Array {
  const rng = mulberry32(seed);
  return Int32Array.from({ length: n }, () => (rng() < 0.5 ? 1 : 0));
}

/**
 * The rule's standard errors computed the plain way: each resample's labels copied out and
 * scored with scoreFor (what selectPaired's accuracy shortcut must equal exactly).
 */
function plainSes(preds: { pred: Int32Array }[], y: Int32Array, k: number, seed: number, resamples = 500): number[] {
  const rows: number[][] = Array.from({ length: k }, () => []);
  y.forEach((v, i) => rows[v].push(i));
  const order = rows.flat();
  const gold = Int32Array.from(order, (i) => y[i]);
  const cand = preds.map((p) => Int32Array.from(order, (i) => p.pred[i]));
  const full = cand.map((c) => scoreFor('acc', c, gold, k));
  const best = full.indexOf(Math.max(...full));
  const rng = mulberry32(deriveSeed(seed, 'auto-selection'));
  const sum = new Float64Array(cand.length);
  const sumSq = new Float64Array(cand.length);
  for (let b = 0; b < resamples; b++) {
    const idx: number[] = [];
    let start = 0;
    for (const r of rows) {
      for (let t = 0; t < r.length; t++) idx.push(start + Math.floor(rng() * r.length));
      start += r.length;
    }
    const g = Int32Array.from(idx, (t) => gold[t]);
    const s = cand.map((c) =>
      scoreFor(
        'acc',
        Int32Array.from(idx, (t) => c[t]),
        g,
        k,
      ),
    );
    s.forEach((v, c) => {
      sum[c] += s[best] - v;
      sumSq[c] += (s[best] - v) ** 2;
    });
  }
  return [...sum].map((x, c) => {
    const mean = x / resamples;
    return Math.sqrt(Math.max(0, sumSq[c] / resamples - mean * mean) * (resamples / (resamples - 1)));
  });
}

describe('selectPaired: the paired-bootstrap rule', () => {
  it('scores accuracy resamples exactly as copying and scoring each resample would', () => {
    for (const seed of [1, 2, 3]) {
      const y = golds(257, seed);
      const preds = [0.9, 0.8, 0.85, 0.6].map((acc, c) => ({ name: c === 1 ? 'mv' : `m${c}`, pred: noisy(y, acc, seed * 10 + c) }));
      const got = selectPaired(preds, y, 2, 'acc', seed);
      expect(got.scores.map((s) => s.se)).toEqual(plainSes(preds, y, 2, seed));
    }
  });

  it('keeps majority vote when the best is within noise of it, and takes a candidate that beats it beyond noise', () => {
    const y = golds(300, 1);
    const mv = noisy(y, 0.8, 2);
    // Right on 12 rows mv gets wrong, wrong on 9 it gets right: 1 point on 300 rows, noise.
    const close = alter(mv, y, 12, 9);
    const tied = selectPaired(
      [
        { name: 'metal', pred: close },
        { name: 'mv', pred: mv },
      ],
      y,
      2,
      'acc',
      0,
    );
    expect(tied.scores[1].tied).toBe(true);
    expect(tied.index).toBe(1);
    expect(tied.selection).toMatchObject({ rule: 'paired-bootstrap', devRows: 300, best: 'metal' });
    // Right on 30 more rows and wrong on 5: 8 points, far beyond noise.
    const far = alter(mv, y, 30, 5);
    const beaten = selectPaired(
      [
        { name: 'metal', pred: far },
        { name: 'mv', pred: mv },
      ],
      y,
      2,
      'acc',
      0,
    );
    expect(beaten.scores[1].tied).toBe(false);
    expect(beaten.index).toBe(0);
  });

  it('takes the first tied candidate in the order of preference when majority vote is beaten', () => {
    const y = golds(400, 3);
    const mv = noisy(y, 0.7, 4);
    // Both about 12 points above mv, on different rows; wmv 1 point above metal.
    const r = selectPaired(
      [
        { name: 'metal', pred: alter(mv, y, 50, 4, 0) },
        { name: 'wmv', pred: alter(mv, y, 50, 0, 200) },
        { name: 'mv', pred: mv },
      ],
      y,
      2,
      'acc',
      0,
    );
    expect(r.selection.best).toBe('wmv');
    expect(r.scores.map((s) => s.tied)).toEqual([true, true, false]);
    expect(r.index).toBe(0);
  });

  it('is deterministic per seed, and the seed moves only the standard errors', () => {
    const y = golds(200, 5);
    const preds = [
      { name: 'metal', pred: noisy(y, 0.85, 6) },
      { name: 'mv', pred: noisy(y, 0.8, 7) },
      { name: 'ds', pred: noisy(y, 0.83, 8) },
    ];
    const a = selectPaired(preds, y, 2, 'acc', 11);
    expect(selectPaired(preds, y, 2, 'acc', 11)).toEqual(a);
    const b = selectPaired(preds, y, 2, 'acc', 12);
    expect(b.scores.map((s) => s.devScore)).toEqual(a.scores.map((s) => s.devScore));
    expect(b.scores[1].se).not.toBe(a.scores[1].se);
    for (const s of a.scores) expect(s.se!).toBeGreaterThanOrEqual(0);
    expect(a.scores[a.scores.findIndex((s) => s.name === a.selection.best)].se).toBe(0);
  });

  it(`falls back to majority vote with fewer than ${MIN_DEV_ROWS} gold dev rows or gold of one class, skipping unlabelled rows`, () => {
    const y = golds(40, 9);
    const unlabelled = Int32Array.from(y, (v, i) => (i < 15 ? -1 : v)); // 25 gold rows
    const preds = [
      { name: 'metal', pred: y },
      { name: 'mv', pred: noisy(y, 0.6, 10) },
    ];
    const few = selectPaired(preds, unlabelled, 2, 'acc', 0);
    expect(few.index).toBe(1);
    expect(few.selection).toMatchObject({ rule: 'few-dev-labels', devRows: 25 });
    expect(few.scores[0].devScore).toBe(1);
    const oneClass = selectPaired(preds, new Int32Array(60).fill(1), 2, 'acc', 0);
    expect(oneClass.index).toBe(1);
    expect(oneClass.selection).toMatchObject({ rule: 'few-dev-labels', devRows: 60, missingClasses: [0] });
    expect(() =>
      selectPaired(
        preds,
        Int32Array.from(y, (v, i) => (i === 7 ? 2 : v)),
        2,
        'acc',
        0,
      ),
    ).toThrow('dev row 7: gold label 2 is outside 0..1');
    const enough = selectPaired(preds, y, 2, 'acc', 0);
    expect(enough.selection.rule).toBe('paired-bootstrap');
    expect(enough.index).toBe(0);
  });
});

describe('auto with the paired-bootstrap rule', () => {
  const shapes = [
    { m: 8, k: 2, seed: 1 },
    { m: 12, k: 3, seed: 2 },
    { m: 6, k: 2, seed: 3, classBalance: [0.8, 0.2] },
    { m: 15, k: 4, seed: 4 },
    { m: 5, k: 2, seed: 5, accuracy: { range: [0.5, 0.7] as [number, number] } },
    { m: 10, k: 2, seed: 6, classBalance: [0.3, 0.7], propensity: { range: [0.02, 0.2] as [number, number] } },
  ];

  it('property: on generated matrices its test accuracy is never below majority vote by more than noise', async () => {
    for (const shape of shapes) {
      // One parameter draw for every split: synthesize draws parameters from (seed, m, k).
      const params = synthesize({ ...shape, n: 1 });
      const spec = { ...shape, accuracy: { values: [...params.accuracies] }, propensity: { values: [...params.propensities] } };
      const train = synthesize({ ...spec, n: 4000, seed: shape.seed * 10 });
      const dev = synthesize({ ...spec, n: 200, seed: shape.seed * 10 + 1 });
      const test = synthesize({ ...spec, n: 4000, seed: shape.seed * 10 + 2 });
      const auto = new AutoLabelModel();
      await auto.fit(train.L, { devL: dev.L, devY: dev.Y, seed: 0 });
      const mv = new AutoLabelModel();
      await mv.fit(train.L); // no dev labels: majority vote
      expect(mv.summary().chosen).toBe('mv');
      const a = accuracy(predictLabels(auto.predictProba(test.L), shape.k), test.Y);
      const b = accuracy(predictLabels(mv.predictProba(test.L), shape.k), test.Y);
      // Noise: two binomial standard errors of a score on 4,000 test rows.
      expect(a, JSON.stringify(shape)).toBeGreaterThanOrEqual(b - 2 * Math.sqrt((b * (1 - b)) / 4000));
    }
  });

  it('on unipolar LFs it also holds, and does not fall far below the Bayes-optimal accuracy', async () => {
    const target = [0, 0, 0, 1, 1, 1];
    const hit = [0.5, 0.4, 0.3, 0.5, 0.35, 0.45];
    const falseFire = [0.05, 0.1, 0.08, 0.06, 0.1, 0.04];
    const mk = (n: number, seed: number) => synthesizeUnipolar({ n, k: 2, seed, target, hit, falseFire, classBalance: [0.6, 0.4] });
    const [train, dev, test] = [mk(5000, 1), mk(300, 2), mk(4000, 3)];
    const auto = new AutoLabelModel();
    await auto.fit(train.L, { devL: dev.L, devY: dev.Y, seed: 0 });
    const mv = new AutoLabelModel();
    await mv.fit(train.L);
    const a = accuracy(predictLabels(auto.predictProba(test.L), 2), test.Y);
    const b = accuracy(predictLabels(mv.predictProba(test.L), 2), test.Y);
    expect(a).toBeGreaterThanOrEqual(b - 2 * Math.sqrt((b * (1 - b)) / 4000));
    expect(a).toBeGreaterThan(test.bayes - 0.05);
    expect(a).toBeLessThanOrEqual(test.bayes + 2 * Math.sqrt((test.bayes * (1 - test.bayes)) / 4000));
  });

  it('is deterministic per seed and invariant to LF order', async () => {
    const train = synthesize({ n: 3000, m: 8, k: 3, seed: 21 });
    const dev = synthesize({ n: 250, m: 8, k: 3, seed: 22 });
    const fit = async (order: number[], seed: number) => {
      const model = new AutoLabelModel();
      await model.fit(train.L.selectColumns(order), { devL: dev.L.selectColumns(order), devY: dev.Y, seed });
      return model;
    };
    const ident = [0, 1, 2, 3, 4, 5, 6, 7];
    const perm = [5, 2, 7, 0, 3, 6, 1, 4];
    const a = await fit(ident, 3);
    const again = await fit(ident, 3);
    expect(again.summary()).toEqual(a.summary());
    expect(Array.from(again.predictProba(train.L))).toEqual(Array.from(a.predictProba(train.L)));
    const b = await fit(perm, 3);
    expect(b.summary().chosen).toBe(a.summary().chosen);
    expect(b.summary().candidates!.map((c) => [c.name, c.devScore, c.tied])).toEqual(
      a.summary().candidates!.map((c) => [c.name, c.devScore, c.tied]),
    );
    const pa = a.predictProba(train.L);
    const pb = b.predictProba(train.L.selectColumns(perm));
    let diff = 0;
    for (let i = 0; i < pa.length; i++) diff = Math.max(diff, Math.abs(pa[i] - pb[i]));
    expect(diff).toBeLessThan(1e-4);
  });

  it('gives rows where every LF abstains the class prior of the model it chose, under every rule', async () => {
    const train = synthesize({ n: 3000, m: 6, k: 3, seed: 31, classBalance: [0.5, 0.3, 0.2] });
    const dev = synthesize({ n: 300, m: 6, k: 3, seed: 32, classBalance: [0.5, 0.3, 0.2] });
    const silent = new LabelMatrix(
      4,
      3,
      Array.from({ length: 6 }, () => new Int8Array(4).fill(-1)),
    );
    const cases: [string, Parameters<AutoLabelModel['fit']>[1]][] = [
      ['paired-bootstrap', { devL: dev.L, devY: dev.Y, seed: 0 }],
      ['few-dev-labels', { devL: dev.L.selectRows([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), devY: dev.Y.slice(0, 10), seed: 0 }],
      ['no-dev-labels', { seed: 0 }],
    ];
    for (const [rule, opts] of cases) {
      const model = new AutoLabelModel();
      await model.fit(train.L, opts);
      const s = model.summary();
      expect(s.selection?.rule).toBe(rule);
      const prior = s.classBalance ?? [1 / 3, 1 / 3, 1 / 3];
      const p = model.predictProba(silent);
      for (let r = 0; r < 4; r++) for (let y = 0; y < 3; y++) expect(p[r * 3 + y], `${rule} ${s.chosen}`).toBeCloseTo(prior[y], 4);
    }
  });

  it('explains its rule in one sentence the model screen shows, and the project file keeps what it needs', async () => {
    const train = synthesize({ n: 3000, m: 6, k: 2, seed: 41 });
    const dev = synthesize({ n: 300, m: 6, k: 2, seed: 42 });
    const model = new AutoLabelModel();
    await model.fit(train.L, { devL: dev.L, devY: dev.Y, seed: 0 });
    const s = model.summary();
    const text = explainSelection(s.candidates!, 300, s.chosen!, undefined, s.selection);
    // The model screen's sentence keeps its opening (e2e/loop.e2e.test.ts reads it).
    expect(text).toMatch(
      /^auto takes the first model, in the order metal → metal_uniform → wmv → mv → ds → triplet, whose dev accuracy is within one standard error of the best, and majority vote whenever it is within it \(the error of each model's difference from the best, over 500 bootstrap resamples of the 300 dev rows; best \w+ \d+\.\d%\): /,
    );
    expect(text).toContain(`): ${s.chosen} `);
    expect(text.split('. ').length).toBe(1);
    const few = new AutoLabelModel();
    await few.fit(train.L, { devL: dev.L.selectRows([0, 1, 2, 3, 4]), devY: dev.Y.slice(0, 5) });
    const f = few.summary();
    expect(explainSelection(f.candidates!, 5, f.chosen!, undefined, f.selection)).toBe(
      'auto used majority vote: 5 labelled dev rows are fewer than 30, too few to tell the label models apart beyond noise.',
    );
    expect(f.warnings).toContain(
      'auto uses majority vote: 5 labelled dev rows are fewer than 30, too few to tell the label models apart beyond noise; label more dev rows to let it choose',
    );
    // A saved project carries the rule and each candidate's error and tie.
    const saved = labelModelSchema.shape.summary.parse(JSON.parse(JSON.stringify(s)));
    expect(saved.selection).toEqual(s.selection);
    expect(saved.candidates).toEqual(s.candidates);
  });
});
