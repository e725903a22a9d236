import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../core/matrix.ts';
import { conflictQueue, randomQueue, uncertainQueue } from './annotate-queue.ts';
import {
  balanceFromGold,
  classifierBehindMessage,
  errorLists,
  labelDistribution,
  lfAccuracyTable,
  maxAbsDiff,
  modelWarnings,
  parseBalance,
  scatterSplits,
  scoreSplit,
} from './model-report.ts';

const col = (...v: number[]) => Int8Array.from(v);

describe('model report', () => {
  it('scores a split: accuracy, binary F1 and coverage', () => {
    const L = new LabelMatrix(4, 2, [col(1, -1, 0, -1)]);
    const s = scoreSplit(Int32Array.from([1, 0, 0, 1]), Int32Array.from([1, 1, 0, -1]), 2, L);
    expect(s.accuracy).toBeCloseTo(2 / 3);
    expect(s.f1).toBeCloseTo(2 / 3); // tp 1, fn 1, fp 0
    expect(s.coverage).toBe(0.5);
    expect(s.gold).toBe(3);
  });

  it('label distribution and class balance from gold', () => {
    expect(labelDistribution([0, 1, 1, -1], 2)).toEqual([1 / 3, 2 / 3]);
    expect(balanceFromGold([0, 0, 0, -1], 2)).toEqual([0.8, 0.2]);
    expect(balanceFromGold([-1], 2)).toBeNull();
    expect(parseBalance('1, 3', 2)).toEqual([0.25, 0.75]);
    expect(parseBalance('1', 2)).toMatch(/2 numbers/);
    expect(parseBalance('1 -1', 2)).toMatch(/positive/);
  });

  it('warns on few LFs, unipolar sets, a class no LF votes, and a missing balance', () => {
    const L = new LabelMatrix(3, 3, [col(1, -1, 1), col(-1, 1, 1)]);
    const w = modelWarnings({ L, lfNames: ['a', 'b'], classes: ['x', 'y', 'z'], balance: 'dev', devGold: 0 });
    expect(w.some((s) => /Only 2 LFs/.test(s))).toBe(true);
    expect(w.some((s) => /Every LF votes "y"/.test(s))).toBe(true);
    expect(w.some((s) => /needs gold dev labels/.test(s))).toBe(true);
    const L2 = new LabelMatrix(3, 3, [col(1, -1, 1), col(-1, 0, 1), col(0, 0, -1)]);
    const w2 = modelWarnings({ L: L2, lfNames: ['a', 'b', 'c'], classes: ['x', 'y', 'z'], balance: 'uniform', devGold: 0 });
    expect(w2).toEqual([expect.stringMatching(/No LF ever votes "z"/)]);
  });

  it('puts learned accuracy beside empirical dev accuracy', () => {
    const train = new LabelMatrix(2, 2, [col(1, 1), col(0, -1)]);
    const dev = new LabelMatrix(3, 2, [col(1, 1, 1), col(0, -1, -1)]);
    const t = lfAccuracyTable(['a', 'b'], [0.9, 0.6], train, dev, Int32Array.from([1, 0, -1]));
    expect(t[0]).toMatchObject({ name: 'a', learned: 0.9, empirical: 0.5, devVotes: 2, polarity: [1] });
    expect(t[1]).toMatchObject({ learned: 0.6, empirical: 0, devVotes: 1 });
  });

  it('error lists: classifier wrong, disagreements, confident mistakes', () => {
    const k = 2;
    const gold = Int32Array.from([0, 1, 1, -1]);
    const lm = Float32Array.from([0.95, 0.05, 0.4, 0.6, 0.97, 0.03, 0.5, 0.5]);
    const clf = Float32Array.from([0.8, 0.2, 0.7, 0.3, 0.1, 0.9, 0.2, 0.8]);
    const e = errorLists(k, gold, lm, clf, 0.9);
    expect(e.clfWrong.map((r) => r.row)).toEqual([1]);
    expect(e.disagree.map((r) => r.row).sort()).toEqual([1, 2]);
    expect(e.confidentMistakes).toEqual([expect.objectContaining({ row: 2, model: 'label model' })]);
    expect(errorLists(k, gold, lm, null).clfWrong).toEqual([]);
  });

  it('scatters split matrices into dataset order; max |a-b|', () => {
    const out = scatterSplits(3, 2, [
      { rows: Uint32Array.from([2, 0]), proba: Float32Array.from([0.1, 0.9, 0.2, 0.8]) },
      { rows: Uint32Array.from([1]), proba: Float32Array.from([0.3, 0.7]) },
    ]);
    expect(Array.from(out).map((x) => +x.toFixed(2))).toEqual([0.2, 0.8, 0.3, 0.7, 0.1, 0.9]);
    expect(maxAbsDiff([1, 2], [1, 2.5])).toBe(0.5);
    expect(maxAbsDiff([1], [1, 2])).toBeNaN();
  });
});

describe('annotation queues', () => {
  it('random is a seeded permutation with unlabeled rows first', () => {
    const gold = [0, -1, -1, 1, -1, -1];
    const a = randomQueue(6, 5, gold);
    expect(Array.from(a)).toEqual(Array.from(randomQueue(6, 5, gold)));
    expect([...a].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(a.slice(4)).sort()).toEqual([0, 3]);
  });

  it('conflict queue holds only conflicted rows, most conflicted first', () => {
    const L = new LabelMatrix(4, 3, [col(0, 0, 0, 1), col(1, 0, 1, -1), col(2, -1, 1, -1)]);
    expect(Array.from(conflictQueue(L, [-1, -1, -1, -1]))).toEqual([0, 2]);
    expect(Array.from(conflictQueue(L, [1, -1, -1, -1]))).toEqual([2, 0]);
  });

  it('uncertain queue orders by the top-two margin', () => {
    const p = Float32Array.from([0.9, 0.1, 0.55, 0.45, 0.7, 0.3]);
    expect(Array.from(uncertainQueue(p, 2, [-1, -1, -1]))).toEqual([1, 2, 0]);
  });
});

describe('classifier behind its label model', () => {
  it('says so, with both scores and what to try, only when it is at least a point behind on dev', () => {
    expect(classifierBehindMessage(0.558, 0.677, 1234)).toBe(
      "The classifier scores 55.8% on dev, 11.9 points below the label model (67.7%): it learns only from the label model's labels on 1,234 covered rows, so here the label model's labels are the better ones. To help it: raise LF coverage, try character n-grams or more epochs under Settings, or label more dev rows so early stopping can tell epochs apart.",
    );
    expect(classifierBehindMessage(0.67, 0.677, 10)).toBeNull();
    expect(classifierBehindMessage(0.9, 0.8, 10)).toBeNull();
    expect(classifierBehindMessage(NaN, 0.8, 10)).toBeNull();
    expect(classifierBehindMessage(null, 0.8, 10)).toBeNull();
  });
});
