import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { LabelMatrix } from '../matrix.ts';
import { synthesize } from '../synth.ts';
import { accuracy, predictLabels } from '../metrics.ts';
import { minCostAssignment } from '../hungarian.ts';
import { NumpyMT19937 } from '../mt19937.ts';
import { createLabelModel } from './index.ts';
import { MetalLabelModel } from './metal.ts';
import { buildProblem } from './metal-problem.ts';
import { DawidSkene } from './ds.ts';
import { WeightedMajorityVote } from './wmv.ts';
import { metalGradientTyped, metalLossTyped, trainMetalTyped } from './metal-typed.ts';
import { assertOverlapFits, MAX_OVERLAP_ENTRIES, overlapCounts, mergeOverlapCounts, TooLargeError } from './overlap.ts';
import { explainSelection, selectOneStandardError } from './auto.ts';
import { uniformBalance } from './balance.ts';
import type { LabelModel } from './types.ts';

const MODELS = ['mv', 'metal', 'ds', 'triplet', 'wmv'] as const;

function permuteColumns(L: LabelMatrix, order: number[]): LabelMatrix {
  return L.selectColumns(order);
}

async function fitted(name: string, L: LabelMatrix, seed = 0): Promise<LabelModel> {
  const model = createLabelModel(name);
  await model.fit(L, { seed });
  return model;
}

describe('label models recover LF accuracies on conditionally independent synthetic LFs', () => {
  // 20k rows, propensities 0.3–0.6: enough votes that the estimates' standard error is < 0.01.
  const cases = [
    { k: 2, tolerance: 0.04 },
    { k: 3, tolerance: 0.05 },
  ];
  for (const { k, tolerance } of cases) {
    for (const name of ['metal', 'ds'] as const) {
      it(`${name} recovers accuracies within ${tolerance} (k=${k})`, async () => {
        const s = synthesize({ n: 20000, m: 8, k, seed: 7, accuracy: { range: [0.6, 0.9] }, propensity: { range: [0.3, 0.6] } });
        const model = await fitted(name, s.L);
        const learned = model.summary().lfAccuracy!;
        for (let j = 0; j < s.L.m; j++) expect(Math.abs(learned[j] - s.accuracies[j])).toBeLessThan(tolerance);
      });
    }
  }
  it('triplet recovers accuracies within 0.05 (k=2)', async () => {
    const s = synthesize({ n: 20000, m: 8, k: 2, seed: 3, accuracy: { range: [0.6, 0.9] }, propensity: { range: [0.3, 0.6] } });
    const learned = (await fitted('triplet', s.L)).summary().lfAccuracy!;
    for (let j = 0; j < s.L.m; j++) expect(Math.abs(learned[j] - s.accuracies[j])).toBeLessThan(0.05);
  });
});

describe('learned models beat majority vote when LF accuracies vary', () => {
  for (const name of ['metal', 'ds', 'triplet', 'wmv'] as const) {
    it(name, async () => {
      // A few excellent LFs among many mediocre ones: MV counts them equally, a learned model must not.
      const accuracies = [0.95, 0.95, 0.6, 0.6, 0.58, 0.58, 0.56, 0.56, 0.55];
      const s = synthesize({
        n: 20000,
        m: accuracies.length,
        k: 2,
        seed: 11,
        accuracy: { values: accuracies },
        propensity: { range: [0.4, 0.6] },
      });
      const mv = await fitted('mv', s.L);
      const model = await fitted(name, s.L);
      const accMv = accuracy(predictLabels(mv.predictProba(s.L), 2, 'snorkel'), s.Y);
      const accModel = accuracy(predictLabels(model.predictProba(s.L), 2, 'snorkel'), s.Y);
      expect(accModel).toBeGreaterThan(accMv + 0.02);
    });
  }
});

describe('invariants (seeded property tests)', () => {
  const matrixArb = fc.record({
    n: fc.integer({ min: 30, max: 300 }),
    m: fc.integer({ min: 3, max: 9 }),
    k: fc.integer({ min: 2, max: 4 }),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
  });

  for (const name of [...MODELS, 'auto'] as const) {
    it(`${name}: same seed gives identical probabilities; LF column order does not matter`, async () => {
      await fc.assert(
        fc.asyncProperty(matrixArb, async ({ n, m, k, seed }) => {
          const s = synthesize({ n, m, k, seed });
          const dev = synthesize({ n: 60, m, k, seed: seed + 1 });
          const options = { seed, devL: dev.L, devY: dev.Y };
          const a = createLabelModel(name);
          await a.fit(s.L, options);
          const b = createLabelModel(name);
          await b.fit(s.L, options);
          expect(b.predictProba(s.L)).toEqual(a.predictProba(s.L));

          const order = Array.from({ length: m }, (_, j) => m - 1 - j);
          const c = createLabelModel(name);
          await c.fit(permuteColumns(s.L, order), { ...options, devL: permuteColumns(dev.L, order) });
          const pa = a.predictProba(s.L);
          const pc = c.predictProba(permuteColumns(s.L, order));
          for (let t = 0; t < pa.length; t++) expect(Math.abs(pa[t] - pc[t])).toBeLessThan(1e-4);
        }),
        { numRuns: 8, seed: 42 },
      );
    });
  }

  for (const name of MODELS) {
    it(`${name}: rows where every LF abstains get the class prior`, async () => {
      const s = synthesize({ n: 400, m: 5, k: 3, seed: 5 });
      const balance = [0.5, 0.3, 0.2];
      const model = createLabelModel(name);
      await model.fit(s.L, { classBalance: balance, seed: 1 });
      const silent = new LabelMatrix(
        3,
        3,
        Array.from({ length: 5 }, () => new Int8Array(3).fill(-1)),
      );
      const p = model.predictProba(silent);
      for (let i = 0; i < 3; i++) for (let y = 0; y < 3; y++) expect(p[i * 3 + y]).toBeCloseTo(balance[y], 4);
    });

    it(`${name}: probabilities are finite rows that sum to 1`, async () => {
      const s = synthesize({ n: 500, m: 6, k: 4, seed: 9 });
      const model = await fitted(name, s.L);
      const p = model.predictProba(s.L);
      for (let i = 0; i < s.L.n; i++) {
        let sum = 0;
        for (let y = 0; y < 4; y++) {
          expect(Number.isFinite(p[i * 4 + y])).toBe(true);
          sum += p[i * 4 + y];
        }
        expect(sum).toBeCloseTo(1, 5);
      }
    });
  }
});

describe('metal internals', () => {
  it('the hand-derived gradient matches finite differences of the loss', () => {
    const s = synthesize({ n: 2000, m: 4, k: 3, seed: 2 });
    const pr = buildProblem(overlapCounts(s.L), new Float64Array([0.5, 0.3, 0.2]), 0.7);
    expect(pr.dense).toBeDefined(); // dense S-term path; the sparse one is covered by the golden tests
    const mu = pr.muInit.map((v, t) => v * 0.8 + ((t * 37) % 11) / 200);
    const grad = new Float64Array(mu.length);
    const l2 = 0.3;
    metalGradientTyped(mu, pr, l2, grad);
    const h = 1e-6;
    for (let t = 0; t < mu.length; t++) {
      const plus = mu.slice();
      plus[t] += h;
      const minus = mu.slice();
      minus[t] -= h;
      const numeric = (metalLossTyped(plus, pr, l2) - metalLossTyped(minus, pr, l2)) / (2 * h);
      expect(Math.abs(numeric - grad[t])).toBeLessThan(1e-6 + 1e-4 * Math.abs(numeric));
    }
  });

  it('the typed loss equals the dense definition ‖(O − μPμᵀ)∘M‖² + ‖μP1 − diag O‖²', () => {
    const s = synthesize({ n: 1000, m: 3, k: 2, seed: 4 });
    const p = new Float64Array([0.6, 0.4]);
    const pr = buildProblem(overlapCounts(s.L), p, 0.7);
    const mu = pr.muInit.map((v) => v * 0.9 + 0.01);
    const { d, k } = pr;
    let dense = 0;
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        if (Math.floor(a / k) === Math.floor(b / k)) continue;
        let A = 0;
        for (let y = 0; y < k; y++) A += mu[a * k + y] * p[y] * mu[b * k + y];
        dense += (pr.O[a * d + b] - A) ** 2;
      }
      let r = -pr.O[a * d + a];
      for (let y = 0; y < k; y++) r += mu[a * k + y] * p[y];
      dense += r * r;
    }
    expect(metalLossTyped(mu, pr, 0)).toBeCloseTo(dense, 12);
  });

  it('training lowers the loss', () => {
    const s = synthesize({ n: 3000, m: 6, k: 2, seed: 8 });
    const pr = buildProblem(overlapCounts(s.L), uniformBalance(2), 0.7);
    const mu = pr.muInit.map((v) => v * 0.5);
    const before = metalLossTyped(mu, pr, 0);
    trainMetalTyped(mu, pr, { epochs: 200, lr: 0.01, momentum: 0.9, l2: 0 });
    expect(metalLossTyped(mu, pr, 0)).toBeLessThan(before * 0.5);
  });

  it('fitting from merged per-chunk overlap counts equals fitting on the whole matrix', async () => {
    const s = synthesize({ n: 3000, m: 6, k: 3, seed: 13 });
    const rows = Array.from({ length: 3000 }, (_, i) => i);
    const stats = mergeOverlapCounts(overlapCounts(s.L.selectRows(rows.slice(0, 1234))), overlapCounts(s.L.selectRows(rows.slice(1234))));
    const whole = new MetalLabelModel({ engine: 'typed-array' });
    await whole.fit(s.L, { seed: 4 });
    const chunked = new MetalLabelModel({ engine: 'typed-array' });
    await chunked.fitFromStats(stats, { seed: 4 });
    expect(chunked.predictProba(s.L)).toEqual(whole.predictProba(s.L));
  });

  it('overlap counts add across row chunks', () => {
    const s = synthesize({ n: 1000, m: 5, k: 3, seed: 6 });
    const rows = Array.from({ length: 1000 }, (_, i) => i);
    const first = overlapCounts(s.L.selectRows(rows.slice(0, 400)));
    const second = overlapCounts(s.L.selectRows(rows.slice(400)));
    const merged = mergeOverlapCounts(first, second);
    expect(merged.n).toBe(1000);
    expect(Array.from(merged.counts)).toEqual(Array.from(overlapCounts(s.L).counts));
  });

  it('the tfjs engine optimises the same objective as the typed-array engine', async () => {
    const s = synthesize({ n: 3000, m: 5, k: 3, seed: 12 });
    const typed = new MetalLabelModel({ engine: 'typed-array', epochs: 60 });
    const viaTf = new MetalLabelModel({ engine: 'tfjs', epochs: 60 });
    await typed.fit(s.L, { seed: 3 });
    await viaTf.fit(s.L, { seed: 3 });
    expect(viaTf.summary().backend).toMatch(/^tfjs-(wasm|cpu|webgl|webgpu)$/);
    const a = typed.predictProba(s.L);
    const b = viaTf.predictProba(s.L);
    let worst = 0;
    for (let t = 0; t < a.length; t++) worst = Math.max(worst, Math.abs(a[t] - b[t]));
    // float32 (tfjs) against float64 (typed) over 60 momentum steps.
    expect(worst).toBeLessThan(1e-3);
  }, 60_000);
});

describe('cancel', () => {
  for (const name of ['metal', 'ds', 'wmv'] as const) {
    it(`${name}: a fit yields to the event loop, so an abort from a timer stops it`, async () => {
      const s = synthesize({ n: 200_000, m: 30, k: 3, seed: 1 });
      const controller = new AbortController();
      const model = name === 'metal' ? new MetalLabelModel({ engine: 'typed-array', epochs: 1_000_000 }) : createLabelModel(name);
      setTimeout(() => controller.abort(new Error('user cancelled')), 100);
      // 200k × 30 takes seconds for each of these; the abort at 100 ms must cut it short.
      await expect(model.fit(s.L, { signal: controller.signal })).rejects.toThrow('user cancelled');
    }, 30_000);
  }
});

describe('helpers', () => {
  it('NumpyMT19937 reproduces numpy.random.seed(s); numpy.random.random()', () => {
    expect(new NumpyMT19937(0).random()).toBe(0.5488135039273248);
    expect(new NumpyMT19937(123).random()).toBe(0.6964691855978616);
    expect(new NumpyMT19937(42).random()).toBe(0.3745401188473625);
  });

  it('minCostAssignment finds the optimum (checked by brute force)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        let x = seed;
        const cost = Array.from({ length: n * n }, () => ((x = (x * 1103515245 + 12345) % 2147483648) % 1000) / 10);
        const assign = minCostAssignment(cost, n);
        expect(new Set(assign).size).toBe(n);
        const total = Array.from(assign).reduce((s, c, r) => s + cost[r * n + c], 0);
        let best = Infinity;
        const perm = (prefix: number[]) => {
          if (prefix.length === n)
            best = Math.min(
              best,
              prefix.reduce((s, c, r) => s + cost[r * n + c], 0),
            );
          else for (let c = 0; c < n; c++) if (!prefix.includes(c)) perm([...prefix, c]);
        };
        perm([]);
        expect(total).toBeCloseTo(best, 9);
      }),
      { numRuns: 50, seed: 1 },
    );
  });

  it('auto: one-standard-error rule prefers the earlier candidate within noise of the best', () => {
    const fitted = [
      { name: 'metal', score: 0.808 },
      { name: 'mv', score: 0.825 },
      { name: 'ds', score: 0.833 },
    ];
    expect(selectOneStandardError(fitted, 120).name).toBe('metal'); // SE ≈ 0.034
    expect(selectOneStandardError(fitted, 5000).name).toBe('ds'); // SE ≈ 0.005
    // The model screen says the rule and why it chose what it chose, in one sentence.
    const cands = fitted.map((f) => ({ name: f.name, devScore: f.score }));
    expect(explainSelection(cands, 120, 'metal')).toBe(
      'auto takes the first model, in the order metal → mv → ds, whose dev accuracy is within one standard error of the best (ds 83.3% ± 3.4% on 120 dev rows): metal (80.8%) is within it and comes before ds in that order. A difference smaller than that is noise on a dev set this size.',
    );
    expect(explainSelection(cands, 5000, 'ds')).toMatch(/\(ds 83\.3% ± 0\.5% on 5000 dev rows\): ds scored best/);
  });

  it('auto without dev labels falls back to majority vote and says why', async () => {
    const s = synthesize({ n: 200, m: 4, k: 2, seed: 1 });
    const model = createLabelModel('auto');
    await model.fit(s.L, {});
    expect(model.summary().chosen).toBe('mv');
    expect(model.summary().warnings?.join(' ')).toMatch(/no dev labels/);
  });

  it('auto with a given class balance does not fit the uniform-balance metal twice', async () => {
    const s = synthesize({ n: 1000, m: 5, k: 2, seed: 4 });
    const dev = synthesize({ n: 200, m: 5, k: 2, seed: 4 });
    const model = createLabelModel('auto');
    await model.fit(s.L, { devL: dev.L, devY: dev.Y, classBalance: [0.6, 0.4] });
    expect(model.summary().candidates!.map((c) => c.name)).toEqual(['metal', 'wmv', 'mv', 'ds', 'triplet']);
  });

  it('auto reports every candidate and its dev score', async () => {
    const s = synthesize({ n: 2000, m: 6, k: 2, seed: 2 });
    const dev = synthesize({ n: 300, m: 6, k: 2, seed: 2 });
    const model = createLabelModel('auto');
    await model.fit(s.L, { devL: dev.L, devY: dev.Y });
    const summary = model.summary();
    expect(summary.candidates!.map((c) => c.name)).toEqual(['metal', 'metal_uniform', 'wmv', 'mv', 'ds', 'triplet']);
    for (const c of summary.candidates!) expect(c.devScore).toBeGreaterThan(0.5);
    expect(summary.candidates!.map((c) => c.name)).toContain(summary.chosen);
  });
});

describe('more LFs × classes than the (m·k)² models can hold (Snorkel #1656: 1,200 LFs × 56 classes)', () => {
  // Sparse votes over many classes, as in that report; small n keeps the test fast.
  const shape = { n: 300, m: 1200, k: 56, seed: 3, propensity: { range: [0.002, 0.01] as [number, number] } };

  it('metal and triplet refuse with one clear sentence before allocating, and say what to use instead', async () => {
    const { L } = synthesize(shape);
    for (const name of ['metal', 'triplet']) {
      const err = await createLabelModel(name)
        .fit(L, { seed: 0 })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TooLargeError);
      expect((err as Error).message).toMatch(
        new RegExp(
          `^${name} needs the \\(LFs × classes\\)² overlap matrix: 1,200 LFs × 56 classes is 67,200² entries \\(36\\.1 GB per copy\\).*use mv, wmv or ds`,
        ),
      );
    }
  });

  it('auto leaves them out, says so once, and still chooses among the models that work on the votes', async () => {
    const { L, Y } = synthesize(shape);
    const dev = synthesize({ ...shape, n: 200, seed: 4 });
    const model = createLabelModel('auto');
    await model.fit(L, { seed: 0, devL: dev.L, devY: dev.Y });
    const summary = model.summary();
    expect(summary.candidates!.map((c) => c.name)).toEqual(['wmv', 'mv', 'ds']);
    expect(['wmv', 'mv', 'ds']).toContain(summary.chosen);
    expect(summary.warnings).toEqual([
      expect.stringMatching(/^metal, metal_uniform, triplet left out: each needs the \(LFs × classes\)² overlap matrix/),
      // 200 dev rows over 56 classes miss some: said once, and the comparison runs on the others.
      'no dev row is labelled with class 20, 30: auto compared the label models on the other classes only',
    ]);
    expect(model.predictProba(L).length).toBe(L.n * L.k);
    expect(Y.length).toBe(L.n);
  });

  it('the limit sits where the arrays stay allocatable: the largest square allowed passes, one more class does not', () => {
    const d = Math.floor(Math.sqrt(MAX_OVERLAP_ENTRIES));
    expect(() => assertOverlapFits('metal', d, 1)).not.toThrow();
    expect(() => assertOverlapFits('metal', d + 1, 1)).toThrow(TooLargeError);
    expect(() => assertOverlapFits('metal', 200, 6)).not.toThrow(); // bench:scale's 100k × 200, k = 6
  });
});

describe('ds and wmv: the two-class E-step', () => {
  for (const [name, make] of [
    ['ds', (dedupe: boolean, binaryLoop: boolean) => new DawidSkene({ dedupe, binaryLoop })],
    ['wmv', (dedupe: boolean, binaryLoop: boolean) => new WeightedMajorityVote({ dedupe, binaryLoop })],
  ] as const)
    it(`${name} gives the general loop’s floats exactly, on patterns and on plain rows, with and without a prior`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            n: fc.integer({ min: 30, max: 600 }),
            m: fc.integer({ min: 1, max: 9 }),
            seed: fc.integer({ min: 0, max: 1_000_000 }),
            dedupe: fc.boolean(),
            prior: fc.boolean(),
          }),
          async ({ n, m, seed, dedupe, prior }) => {
            const { L, Y } = synthesize({ n, m, k: 2, seed });
            const options = prior ? { devY: Y.slice(0, 40), classBalance: [0.3, 0.7] } : {};
            const fast = make(dedupe, true);
            const general = make(dedupe, false);
            await fast.fit(L, options);
            await general.fit(L, options);
            expect(fast.summary()).toEqual(general.summary());
            expect(Array.from(fast.predictProba(L))).toEqual(Array.from(general.predictProba(L)));
          },
        ),
        { numRuns: 40, seed: 31 },
      );
    });
});

describe('ds with many sparse LFs over many classes', () => {
  // 300 LFs × 20 classes voting on 0.5–2% of 2,000 rows: plain additive smoothing favours the
  // classes with the most rows by m·k²·s / n = 6 nats, and EM fell onto a few classes (accuracy
  // 0.224 here, where majority vote gets 0.874).
  it('does not collapse onto a few classes: past 1 nat of smoothing bias the confusion rows are factored', async () => {
    const { L, Y } = synthesize({ n: 2000, m: 300, k: 20, seed: 5, propensity: { range: [0.005, 0.02] } });
    const model = createLabelModel('ds');
    await model.fit(L, { seed: 0 });
    const pred = predictLabels(model.predictProba(L), L.k, 'snorkel', 0);
    const perClass = new Array<number>(L.k).fill(0);
    for (const c of pred) perClass[c]++;
    expect(accuracy(pred, Y)).toBeGreaterThan(0.75);
    // The generator's classes are balanced (5% each); a collapse puts a large share on one.
    expect(Math.max(...perClass) / L.n).toBeLessThan(0.12);
  });
});

// Golden numbers: Snorkel 0.10 LabelModel (500 epochs, lr 0.01, seed 123) and MajorityLabelVoter
// measured on these files, on this kind of machine. Runs only where the optional shared WRENCH
// data folder (beside the repository) exists.
const WRENCH = new URL('../../../../shared/data/wrench/', import.meta.url).pathname;
describe.skipIf(!existsSync(WRENCH))('golden: reproduces Snorkel on WRENCH (optional, needs the shared WRENCH data)', async () => {
  const { readWrenchDir } = await import('../../cli/wrench-dir.ts');
  const { scoreFor } = await import('../metrics.ts');
  // best: the best reference model on the dataset (Snorkel LM/LM_cb, FlyingSquid, WRENCH paper),
  // which auto must reach; sms: MV, which auto must never lose to.
  const golden: Record<string, { metric: 'acc' | 'f1'; mv: number; lm: number; lmCb: number; best: number }> = {
    youtube: { metric: 'acc', mv: 0.84, lm: 0.84, lmCb: 0.852, best: 0.852 },
    // auto takes MV here: on dev, Snorkel's LM beats it by 0.3 points of F1, well inside the
    // noise (select.ts); on test the LM is 0.014 F1 ahead (bench:wrench, bench/NOTES.md).
    sms: { metric: 'f1', mv: 0.24, lm: 0.254, lmCb: 0.048, best: 0.24 },
    trec: { metric: 'acc', mv: 0.608, lm: 0.47, lmCb: 0.47, best: 0.642 },
    semeval: { metric: 'acc', mv: 0.765, lm: 0.813, lmCb: 0.705, best: 0.813 },
    hausa: { metric: 'acc', mv: 0.474, lm: 0.488, lmCb: 0.491, best: 0.491 },
    yoruba: { metric: 'acc', mv: 0.522, lm: 0.501, lmCb: 0.625, best: 0.625 },
  };
  for (const [name, g] of Object.entries(golden)) {
    it(name, async () => {
      const data = await readWrenchDir(WRENCH + name);
      const score = async (model: LabelModel, opts = {}) => {
        await model.fit(data.train.L, { seed: 123, ...opts });
        return scoreFor(g.metric, predictLabels(model.predictProba(data.test!.L), data.k, 'snorkel'), data.test!.labels, data.k);
      };
      expect(await score(createLabelModel('mv'))).toBeCloseTo(g.mv, 3);
      expect(await score(new MetalLabelModel({ balance: 'uniform', engine: 'typed-array' }))).toBeCloseTo(g.lm, 3);
      expect(await score(new MetalLabelModel({ balance: 'dev', engine: 'typed-array' }), { devY: data.valid!.labels })).toBeCloseTo(
        g.lmCb,
        3,
      );
      // auto (default seed 0, selection on valid) is at least the best reference model.
      const auto = createLabelModel('auto');
      await auto.fit(data.train.L, { seed: 0, devL: data.valid!.L, devY: data.valid!.labels, metric: g.metric });
      const autoScore = scoreFor(g.metric, predictLabels(auto.predictProba(data.test!.L), data.k, 'snorkel'), data.test!.labels, data.k);
      expect(Math.round(autoScore * 1000)).toBeGreaterThanOrEqual(Math.round(g.best * 1000));
    });
  }
});
