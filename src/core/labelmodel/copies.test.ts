import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../matrix.ts';
import { mulberry32 } from '../rng.ts';
import { synthesize } from '../synth.ts';
import { AutoLabelModel } from './auto.ts';
import { beyondIndependence, COPY_AGREEMENT, lfDependence, liftCeiling, representatives } from './copies.ts';

/** Accuracy of argmax P(y | votes) with the true parameters (LFs independent given Y; copies add nothing). */
function bayesAccuracy(
  L: LabelMatrix,
  Y: ArrayLike<number>,
  acc: ArrayLike<number>,
  prior: ArrayLike<number>,
  distinct: readonly number[],
): number {
  const k = L.k;
  let right = 0;
  for (let r = 0; r < L.n; r++) {
    const logp = Array.from({ length: k }, (_, y) => Math.log(prior[y]));
    for (const j of distinct) {
      const v = L.column(j)[r];
      if (v < 0) continue; // abstaining does not depend on Y in this generator
      for (let y = 0; y < k; y++) logp[y] += Math.log(v === y ? acc[j] : (1 - acc[j]) / (k - 1));
    }
    const best = logp.indexOf(Math.max(...logp));
    if (best === Y[r]) right++;
  }
  return right / L.n;
}

function accuracy(proba: Float32Array, Y: ArrayLike<number>, k: number): number {
  let right = 0;
  for (let r = 0; r < Y.length; r++) {
    let best = 0;
    for (let y = 1; y < k; y++) if (proba[r * k + y] > proba[r * k + best]) best = y;
    if (best === Y[r]) right++;
  }
  return right / Y.length;
}

/** 5 good LFs and one weak LF pasted `copies` times (as a user would by duplicating it). */
function withCopies(n: number, seed: number, copies: number) {
  const g = synthesize({
    n,
    m: 6,
    k: 2,
    seed,
    accuracy: { values: [0.85, 0.8, 0.82, 0.78, 0.84, 0.58] },
    propensity: { values: [0.3, 0.35, 0.25, 0.3, 0.3, 0.9] },
  });
  const cols = [...g.L.columns()];
  for (let c = 0; c < copies; c++) cols.push(cols[5].slice());
  return { L: new LabelMatrix(n, 2, cols), Y: g.Y, acc: [...g.accuracies, ...Array(copies).fill(g.accuracies[5])], prior: g.classBalance };
}

describe('LF copies', () => {
  it('groups LFs that vote the same on ≥ 95% of the rows either votes on, and nothing else', () => {
    const rng = mulberry32(3);
    const n = 2000;
    const a = Int8Array.from({ length: n }, () => (rng() < 0.4 ? (rng() < 0.5 ? 0 : 1) : -1));
    const near = a.slice();
    let changed = 0;
    for (let r = 0; r < n && changed < 20; r++) if (near[r] >= 0) ((near[r] = 1 - near[r]), changed++); // 20 of ~800 differ: 97.5%
    const far = a.slice();
    changed = 0;
    for (let r = 0; r < n && changed < 80; r++) if (far[r] >= 0) ((far[r] = 1 - far[r]), changed++); // 90%: not a copy
    const indep = Int8Array.from({ length: n }, () => (rng() < 0.4 ? (rng() < 0.5 ? 0 : 1) : -1));
    const L = new LabelMatrix(n, 2, [a, indep, near, far, a.slice()]);
    const dep = lfDependence(L);
    expect(dep.groups).toEqual([[0, 2, 4]]);
    expect(representatives(5, dep.groups)).toEqual([0, 1, 3]);
    const pair = (i: number, j: number) => dep.pairs.find((p) => p.i === i && p.j === j)!;
    expect(pair(0, 4)).toMatchObject({ copy: true, agree: pair(0, 4).union });
    expect(pair(0, 2).agree / pair(0, 2).union).toBeGreaterThanOrEqual(COPY_AGREEMENT);
    expect(pair(0, 3).copy).toBe(false);
    expect(pair(0, 1).copy).toBe(false);
    // Independent firing: lift near 1; a copy fires together far more often.
    expect(Math.abs(pair(0, 1).lift - 1)).toBeLessThan(0.15);
    expect(pair(0, 4).lift).toBeGreaterThan(2);
  });

  it('counts the same from the overlap counts and from the rows (a matrix too large for the counts)', () => {
    const rng = mulberry32(9);
    const n = 300;
    const m = 3000; // m·k past the overlap-count cap: the row pass runs
    const cols = Array.from({ length: m }, () => Int8Array.from({ length: n }, () => (rng() < 0.01 ? (rng() < 0.5 ? 0 : 1) : -1)));
    const base = Int8Array.from({ length: n }, (_, r) => (r % 3 === 0 ? r % 2 : -1));
    cols[10] = base;
    cols[2500] = base.slice();
    const big = lfDependence(new LabelMatrix(n, 2, cols));
    expect(big.groups).toEqual([[10, 2500]]);
    const small = lfDependence(new LabelMatrix(n, 2, [cols[10], cols[11], cols[2500]]));
    expect(small.groups).toEqual([[0, 2]]);
    const p = small.pairs.find((q) => q.i === 0 && q.j === 2)!;
    const q = big.pairs.find((x) => x.i === 10 && x.j === 2500)!;
    expect([p.overlap, p.agree, p.union]).toEqual([q.overlap, q.agree, q.union]);
  });

  it('auto with copies counted once, on a weak LF copied 5×, is within 1 point of the Bayes-optimal accuracy; without copies it is what it was', async () => {
    const train = withCopies(20000, 1, 5);
    const dev = withCopies(500, 2, 5);
    const auto = new AutoLabelModel({ copies: 'once' });
    await auto.fit(train.L, { devL: dev.L, devY: dev.Y, seed: 0 });
    const got = accuracy(auto.predictProba(train.L), train.Y, 2);
    const bayes = bayesAccuracy(train.L, train.Y, train.acc, train.prior, [0, 1, 2, 3, 4, 5]);
    expect(got).toBeGreaterThanOrEqual(bayes - 0.01);
    expect(auto.summary().warnings?.some((w) => w.startsWith('LFs 6, 7, 8, 9, 10, 11: each group votes the same'))).toBe(true);
    expect(auto.summary().lfAccuracy?.length ?? 11).toBe(11);

    // The same LFs without copies: the copies cost nothing, and copy-awareness changes nothing.
    const plain = withCopies(20000, 1, 0);
    const plainDev = withCopies(500, 2, 0);
    const auto0 = new AutoLabelModel({ copies: 'once' });
    await auto0.fit(plain.L, { devL: plainDev.L, devY: plainDev.Y, seed: 0 });
    expect(Array.from(auto.predictProba(train.L))).toEqual(Array.from(auto0.predictProba(plain.L)));
  });

  it('by default auto says which LFs are copies and compares the candidates on every column with the same counted once', async () => {
    const train = withCopies(5000, 1, 2);
    const dev = withCopies(300, 2, 2);
    const warned = new AutoLabelModel();
    await warned.fit(train.L, { devL: dev.L, devY: dev.Y, seed: 0 });
    const s = warned.summary();
    expect(s.warnings).toContain(
      'LFs 6, 7, 8: each group votes the same on ≥ 95% of the rows any of them votes on, which the label models count as independent evidence; delete the copies, or fit with copies counted once',
    );
    const names = ['metal', 'metal_uniform', 'wmv', 'mv', 'ds', 'triplet'];
    expect(s.candidates!.map((c) => c.name)).toEqual([...names, ...names.map((n) => `${n}_once`)]);
    // Here the copies cost the plain candidates beyond noise: a copies-once one is taken, said,
    // and predicts from the kept columns only (the same posteriors as the copies-once fit's).
    expect(s.chosen).toMatch(/_once$/);
    expect(s.warnings).toContain(
      `auto chose ${s.chosen}: counting each group of copies once beat every candidate that counts each copy, beyond noise on the dev rows`,
    );
    expect(s.lfAccuracy?.length).toBe(8);
    const once = new AutoLabelModel({ copies: 'once' });
    await once.fit(train.L, { devL: dev.L, devY: dev.Y, seed: 0 });
    expect(once.summary().chosen).toBe(s.chosen!.replace(/_once$/, ''));
    expect(Array.from(warned.predictProba(train.L))).toEqual(Array.from(once.predictProba(train.L)));
    // Without copies there are no copies-once candidates.
    const plain = new AutoLabelModel();
    await plain.fit(withCopies(5000, 1, 0).L, { devL: withCopies(300, 2, 0).L, devY: dev.Y, seed: 0 });
    expect(plain.summary().candidates!.map((c) => c.name)).toEqual(names);
  });

  it('by default too, auto on a weak LF copied 5× beside 5 good ones is within 1 point of the Bayes-optimal accuracy', async () => {
    const train = withCopies(20000, 1, 5);
    const dev = withCopies(300, 2, 5);
    const auto = new AutoLabelModel();
    await auto.fit(train.L, { devL: dev.L, devY: dev.Y, seed: 0 });
    const bayes = bayesAccuracy(train.L, train.Y, train.acc, train.prior, [0, 1, 2, 3, 4, 5]);
    expect(auto.summary().chosen).toMatch(/_once$/);
    expect(accuracy(auto.predictProba(train.L), train.Y, 2)).toBeGreaterThanOrEqual(bayes - 0.01);
  });

  it('which copy is kept does not matter: permuted columns give the same posteriors', async () => {
    const t = withCopies(5000, 4, 3);
    const d = withCopies(300, 5, 3);
    const order = [8, 3, 0, 6, 1, 7, 2, 5, 4];
    const a = new AutoLabelModel({ copies: 'once' });
    await a.fit(t.L, { devL: d.L, devY: d.Y, seed: 0 });
    const b = new AutoLabelModel({ copies: 'once' });
    await b.fit(t.L.selectColumns(order), { devL: d.L.selectColumns(order), devY: d.Y, seed: 0 });
    const pa = a.predictProba(t.L);
    const pb = b.predictProba(t.L.selectColumns(order));
    let diff = 0;
    for (let i = 0; i < pa.length; i++) diff = Math.max(diff, Math.abs(pa[i] - pb[i]));
    expect(diff).toBeLessThan(1e-4);
  });
});

describe('LFs that fire together beyond conditional independence', () => {
  it('never flags LFs generated independent given the class, however imbalanced the classes', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const balance = seed % 2 ? [0.8, 0.2] : [0.5, 0.5];
      const g = synthesize({
        n: 20_000,
        m: 8,
        k: 2,
        seed,
        classBalance: balance,
        accuracy: { range: [0.6, 0.95] },
        propensity: { range: [0.1, 0.7] },
      });
      const ceiling = liftCeiling(g.classBalance);
      const flagged = lfDependence(g.L).pairs.filter((p) => beyondIndependence(p, ceiling));
      expect(flagged).toEqual([]);
    }
  });

  it('flags two LFs that fire on the same rare trigger, and the bound is reached by LFs that fire only on the rarest class', () => {
    const rng = mulberry32(11);
    const n = 20_000;
    const Y = Int8Array.from({ length: n }, () => (rng() < 0.5 ? 1 : 0));
    // A trigger present in 2% of rows regardless of class: two LFs that both key on it are
    // dependent given Y (they share a cause beyond the class).
    const trigger = Uint8Array.from({ length: n }, () => (rng() < 0.02 ? 1 : 0));
    const a = Int8Array.from(Y, (y, r) => (trigger[r] ? y : -1));
    const b = Int8Array.from(Y, (y, r) => (trigger[r] && rng() < 0.9 ? y : -1));
    // Two LFs that fire independently on class-1 rows only: lift ≈ 1 / P(y = 1) = 2, not beyond.
    const c = Int8Array.from(Y, (y) => (y === 1 && rng() < 0.3 ? 1 : -1));
    const d = Int8Array.from(Y, (y) => (y === 1 && rng() < 0.3 ? 1 : -1));
    const dep = lfDependence(new LabelMatrix(n, 2, [a, b, c, d]));
    const ceiling = liftCeiling([0.5, 0.5]);
    expect(ceiling).toBe(2);
    const pair = (i: number, j: number) => dep.pairs.find((p) => p.i === i && p.j === j)!;
    expect(beyondIndependence(pair(0, 1), ceiling)).toBe(true);
    expect(pair(2, 3).lift).toBeGreaterThan(1.8);
    expect(pair(2, 3).lift).toBeLessThan(2.2);
    expect(beyondIndependence(pair(2, 3), ceiling)).toBe(false);
  });

  it('has no ceiling when a class has no mass (nothing is flagged rather than everything)', () => {
    expect(liftCeiling([1, 0])).toBe(Infinity);
    expect(beyondIndependence({ i: 0, j: 1, overlap: 500, agree: 500, union: 500, lift: 50, copy: true }, Infinity)).toBe(false);
  });
});
