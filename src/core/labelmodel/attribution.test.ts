import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LabelMatrix } from '../matrix.ts';
import { synthesize } from '../synth.ts';
import { createLabelModel } from './index.ts';
import { attribute, isExplainer, permuteExplainer, rowVotes, type Explainer, type LogLinearExplainer } from './attribution.ts';
import type { LabelModel } from './types.ts';

/** Every LF abstains on the first rows, so each matrix has all-abstain rows to check. */
function withSilentRows(L: LabelMatrix, silent: number): LabelMatrix {
  const cols = L.columns().map((c) => {
    const out = c.slice();
    out.fill(-1, 0, silent);
    return out;
  });
  return new LabelMatrix(L.n, L.k, cols);
}

async function fit(name: string, L: LabelMatrix, devY?: Int32Array): Promise<LabelModel> {
  const model = createLabelModel(name, { metal: { engine: 'typed-array', epochs: 100 } });
  await model.fit(L, devY ? { devL: L, devY, seed: 1 } : { seed: 1 });
  return model;
}

function logLinear(ex: Explainer | undefined): LogLinearExplainer {
  if (!ex || ex.kind !== 'log-linear') throw new Error(`expected a log-linear explainer, got ${ex?.kind}`);
  return ex;
}

/** Checks the sum against the model's own predictProba on every row; returns how many rows were compared. */
function checkSums(model: LabelModel, L: LabelMatrix): number {
  const ex = logLinear(model.explainer?.());
  const P = model.predictProba(L);
  const { k } = L;
  let compared = 0;
  for (let i = 0; i < L.n; i++) {
    const a = attribute(ex, rowVotes(L, i));
    const sum = a.prior + a.terms.reduce((s, t) => s + t.push, 0);
    expect(Math.abs(sum - a.logOdds)).toBeLessThan(1e-9);
    const pTop = P[i * k + a.top];
    const pRu = P[i * k + a.runnerUp];
    // The posterior is stored as float32: compare where both probabilities are representable.
    if (pTop > 1e-30 && pRu > 1e-30) {
      expect(Math.abs(Math.log(pTop / pRu) - a.logOdds)).toBeLessThan(1e-6);
      compared++;
    }
    for (let y = 0; y < k; y++) expect(Math.abs(a.posterior[y] - P[i * k + y])).toBeLessThan(1e-6);
    if (a.allAbstain) {
      expect(a.terms.every((t) => t.push === 0)).toBe(true);
      expect(a.logOdds).toBeCloseTo(a.prior, 12);
    }
  }
  return compared;
}

describe('attribution: prior + per-LF pushes = the posterior log-odds of top vs runner-up', () => {
  const shapes = [
    { name: 'metal', k: 2 },
    { name: 'metal', k: 3 },
    { name: 'ds', k: 2 },
    { name: 'ds', k: 4 },
    { name: 'wmv', k: 2 },
    { name: 'wmv', k: 3 },
    { name: 'triplet', k: 2 },
  ];
  for (const { name, k } of shapes) {
    it(`${name}, k=${k}, on random matrices (seeded)`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 3, max: 9 }), fc.integer({ min: 0, max: 1e6 }), async (m, seed) => {
          const s = synthesize({ n: 300, m, k, seed, propensity: { range: [0.1, 0.6] } });
          const L = withSilentRows(s.L, 5);
          const model = await fit(name, L);
          expect(checkSums(model, L)).toBeGreaterThan(250);
        }),
        { seed: 20261207, numRuns: 6 },
      );
    });
  }

  it('auto explains with the candidate it chose', async () => {
    const s = synthesize({ n: 400, m: 6, k: 2, seed: 4 });
    const L = withSilentRows(s.L, 3);
    const model = await fit('auto', L, s.Y);
    const ex = model.explainer!();
    const chosen = model.summary().chosen!;
    expect(ex.model).toBe(chosen);
    if (ex.kind === 'log-linear') expect(checkSums(model, L)).toBeGreaterThan(300);
    else expect(chosen).toBe('mv');
  });

  it('auto with copies counted once reads only the kept columns, and an all-abstain row on them gets the prior', async () => {
    const s = synthesize({ n: 600, m: 4, k: 2, seed: 9, propensity: { range: [0.4, 0.6] } });
    // Column 4 copies column 0: fitted once, the copy is not among the columns the model reads.
    const L = withSilentRows(new LabelMatrix(s.L.n, 2, [...s.L.columns(), s.L.columns()[0].slice()]), 4);
    const model = createLabelModel('auto', { copies: 'once', metal: { engine: 'typed-array', epochs: 100 } });
    await model.fit(L, { devL: L, devY: s.Y, seed: 2 });
    const ex = model.explainer!();
    if (ex.kind !== 'log-linear') return expect(model.summary().chosen).toBe('mv_once');
    expect(ex.columns).not.toBeNull();
    expect(ex.columns).not.toContain(4);
    const P = model.predictProba(L);
    for (let i = 0; i < L.n; i++) {
      const a = attribute(ex, rowVotes(L, i));
      expect(a.terms.map((t) => t.column)).toEqual(ex.columns);
      if (P[i * 2 + a.top] > 1e-30 && P[i * 2 + a.runnerUp] > 1e-30)
        expect(Math.abs(Math.log(P[i * 2 + a.top] / P[i * 2 + a.runnerUp]) - a.logOdds)).toBeLessThan(1e-6);
    }
  });

  it('is not defined for majority vote, nor for triplet with more than two classes, and says why in one sentence', async () => {
    const s = synthesize({ n: 200, m: 5, k: 3, seed: 1 });
    for (const name of ['mv', 'triplet']) {
      const ex = (await fit(name, s.L)).explainer!();
      expect(ex.kind).toBe('undefined');
      if (ex.kind === 'undefined') expect(ex.reason).toMatch(/^[A-Z][^.]*\.$/);
    }
  });

  it('does not depend on the order of the LFs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1e6 }), async (seed) => {
        const s = synthesize({ n: 200, m: 6, k: 3, seed });
        const ex = logLinear((await fit('ds', s.L)).explainer!());
        const order = [5, 2, 0, 4, 1, 3];
        const permuted = permuteExplainer(ex, order);
        const P = s.L.selectColumns(order);
        for (let i = 0; i < s.L.n; i++) {
          const a = attribute(ex, rowVotes(s.L, i));
          const b = attribute(permuted, rowVotes(P, i));
          expect(b.top).toBe(a.top);
          expect(b.runnerUp).toBe(a.runnerUp);
          expect(Math.abs(b.logOdds - a.logOdds)).toBeLessThan(1e-9);
          order.forEach((j, t) => expect(b.terms[t].push).toBeCloseTo(a.terms[j].push, 12));
        }
      }),
      { seed: 7, numRuns: 5 },
    );
  });

  it('checks the shape of an explainer read back from storage', async () => {
    const s = synthesize({ n: 100, m: 3, k: 2, seed: 3 });
    const ex = (await fit('wmv', s.L)).explainer!();
    expect(isExplainer(ex)).toBe(true);
    expect(isExplainer({ ...ex, weights: new Float64Array(2) })).toBe(false);
    expect(isExplainer({ kind: 'undefined', model: 'mv', reason: 'x' })).toBe(true);
    expect(isExplainer(null)).toBe(false);
  });
});
