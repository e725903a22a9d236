import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LabelMatrix } from './matrix.ts';
import {
  accuracy,
  brierScore,
  confusionMatrix,
  coverage,
  decided,
  f1Binary,
  f1Macro,
  hexMod,
  logLoss,
  predictLabels,
  scoreFor,
} from './metrics.ts';
import { sha1 } from './sha1.ts';
import { ShoalError } from './types.ts';

/** n identical rows of a probability vector, row-major. */
const repeatRow = (row: number[], n: number) => Float32Array.from({ length: n * row.length }, (_, p) => row[p % row.length]);

describe('predictLabels', () => {
  it('takes the argmax when it is unique', () => {
    const proba = Float32Array.of(0.7, 0.3, 0.2, 0.8, 0.1, 0.9);
    expect(Array.from(predictLabels(proba, 2))).toEqual([0, 1, 1]);
    const p3 = Float32Array.of(0.2, 0.5, 0.3, 0.6, 0.3, 0.1, 0.1, 0.1, 0.8);
    for (const tie of ['snorkel', 'abstain', 'random'] as const) {
      expect(Array.from(predictLabels(p3, 3, tie))).toEqual([1, 0, 2]);
    }
  });

  it("breaks ties like Snorkel's probs_to_preds(tie_break_policy='random')", () => {
    // Expected values from Python: [int(hashlib.sha1(str(i).encode()).hexdigest(), 16) % t for i in range(12)]
    expect(Array.from(predictLabels(repeatRow([0.5, 0.5], 12), 2))).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1]);
    expect(Array.from(predictLabels(repeatRow([1 / 3, 1 / 3, 1 / 3], 12), 3))).toEqual([0, 0, 0, 1, 0, 0, 1, 2, 1, 1, 0, 2]);
    // rowOffset: rows 1000..1005 of a 5-way tie.
    expect(Array.from(predictLabels(repeatRow([0.2, 0.2, 0.2, 0.2, 0.2], 6), 5, 'snorkel', 0, 1000))).toEqual([0, 2, 4, 2, 4, 0]);
  });

  it('ties only the classes within 1e-5 of the max, indexing into them in ascending order', () => {
    // Row 8: hash % 2 = 1, so it takes the second tied class.
    const proba = new Float32Array(9 * 3);
    proba.set([0.2, 0.4, 0.4], 8 * 3);
    for (let i = 0; i < 8; i++) proba.set([1, 0, 0], i * 3);
    expect(predictLabels(proba, 3)[8]).toBe(2);
    proba.set([0.4, 0.2, 0.4], 8 * 3);
    expect(predictLabels(proba, 3)[8]).toBe(2);
    proba.set([0.4, 0.4, 0.2], 8 * 3);
    expect(predictLabels(proba, 3)[8]).toBe(1);
    // 8e-6 apart is a tie; 2e-5 apart is not.
    expect(Array.from(predictLabels(Float64Array.of(0.499996, 0.500004, 0.499996, 0.500004), 2, 'abstain'))).toEqual([-1, -1]);
    expect(Array.from(predictLabels(Float64Array.of(0.49999, 0.50001), 2, 'abstain'))).toEqual([1]);
  });

  it("'abstain' gives -1 on a tie", () => {
    expect(Array.from(predictLabels(Float32Array.of(0.5, 0.5, 0.9, 0.1, 0.4, 0.4), 2, 'abstain'))).toEqual([-1, 0, -1]);
  });

  it("'random' is seeded, stays among the tied classes and is roughly uniform", () => {
    const proba = repeatRow([0.4, 0.1, 0.4, 0.1], 4000);
    const a = predictLabels(proba, 4, 'random', 5);
    expect(Array.from(predictLabels(proba, 4, 'random', 5))).toEqual(Array.from(a));
    expect(Array.from(predictLabels(proba, 4, 'random', 6))).not.toEqual(Array.from(a));
    let zeros = 0;
    for (const v of a) {
      expect(v === 0 || v === 2).toBe(true);
      if (v === 0) zeros++;
    }
    expect(zeros / a.length).toBeGreaterThan(0.45);
    expect(zeros / a.length).toBeLessThan(0.55);
  });

  it('gives the same labels scored in chunks (rowOffset) as scored whole', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom([0.5, 0.5], [0.3, 0.7], [0.5000001, 0.4999999], [0.9, 0.1]), { minLength: 2, maxLength: 60 }),
        fc.nat(),
        fc.constantFrom('snorkel' as const, 'random' as const),
        fc.integer({ min: 0, max: 1000 }),
        (rows, cut, tie, seed) => {
          const proba = Float32Array.from(rows.flat());
          const n = rows.length;
          const at = cut % n;
          const whole = predictLabels(proba, 2, tie, seed);
          const head = predictLabels(proba.subarray(0, at * 2), 2, tie, seed, 0);
          const tail = predictLabels(proba.subarray(at * 2), 2, tie, seed, at);
          expect([...head, ...tail]).toEqual(Array.from(whole));
        },
      ),
      { seed: 11, numRuns: 200 },
    );
  });

  it('rejects a NaN probability and a ragged matrix with a row-naming message', () => {
    expect(() => predictLabels(Float32Array.of(0.5, 0.5, NaN, 0.5), 2)).toThrow(/row 1: probability of class 0 is NaN/);
    expect(() => predictLabels(Float32Array.of(0.5, 0.5, 0.5), 2)).toThrow(ShoalError);
  });
});

describe('hexMod', () => {
  it('equals BigInt("0x" + sha1) % t', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000 }), fc.integer({ min: 1, max: 127 }), (i, t) => {
        const hex = sha1(String(i));
        return hexMod(hex, t) === Number(BigInt('0x' + hex) % BigInt(t));
      }),
      { seed: 3, numRuns: 500 },
    );
  });
});

describe('accuracy / F1 (hand-computed)', () => {
  it('accuracy counts -1 predictions as wrong and skips unknown gold', () => {
    expect(accuracy([0, 1, 1, -1], [0, 1, 0, 1])).toBe(0.5);
    expect(accuracy([0, 1, 1], [0, -1, -1])).toBe(1);
    expect(accuracy([], [])).toBeNaN();
    expect(() => accuracy([0, 1], [0])).toThrow(/2 predictions but 1 gold/);
  });

  it('binary F1 of class 1: tp=2, fp=1, fn=2 → 4/7', () => {
    const pred = [1, 1, 0, 0, 1, -1];
    const gold = [1, 0, 1, 0, 1, 1];
    expect(f1Binary(pred, gold)).toBeCloseTo(4 / 7, 12);
    // Snorkel's Scorer drops the abstained row first: tp=2, fp=1, fn=1 → 4/6.
    const d = decided(pred, gold);
    expect(Array.from(d.pred)).toEqual([1, 1, 0, 0, 1]);
    expect(f1Binary(d.pred, d.gold)).toBeCloseTo(4 / 6, 12);
    // Positive class 0: tp=1 (row 3), fp=1 (row 2), fn=1 (row 1) → 2/4.
    expect(f1Binary(pred, gold, 0)).toBeCloseTo(0.5, 12);
    // No positive anywhere: sklearn's zero_division gives 0.
    expect(f1Binary([0, 0], [0, 0])).toBe(0);
  });

  it('macro F1 averages the classes that occur: (1/2 + 4/5 + 2/3) / 3 = 59/90', () => {
    // class 0: tp 1, |gold| 2, |pred| 2 → 2/4; class 1: tp 2, 3, 2 → 4/5; class 2: tp 1, 1, 2 → 2/3
    const pred = [0, 0, 1, 2, 2, 1];
    const gold = [0, 1, 1, 2, 0, 1];
    expect(f1Macro(pred, gold, 3)).toBeCloseTo(59 / 90, 12);
    // Class 3 never occurs: excluded, as in sklearn.
    expect(f1Macro(pred, gold, 4)).toBeCloseTo(59 / 90, 12);
    // An abstained prediction is a false negative of its gold class: class 1 becomes tp 1, 3, 1 → 2/4.
    expect(f1Macro([0, 0, -1, 2, 2, 1], gold, 3)).toBeCloseTo((1 / 2 + 1 / 2 + 2 / 3) / 3, 12);
  });

  it("scoreFor: 'f1' is binary F1 of class 1 for k = 2, macro F1 otherwise", () => {
    const pred = [1, 1, 0, 0, 1, -1];
    const gold = [1, 0, 1, 0, 1, 1];
    expect(scoreFor('f1', pred, gold, 2)).toBeCloseTo(4 / 7, 12);
    expect(scoreFor('acc', pred, gold, 2)).toBeCloseTo(3 / 6, 12);
    expect(scoreFor('f1', [0, 0, 1, 2, 2, 1], [0, 1, 1, 2, 0, 1], 3)).toBeCloseTo(59 / 90, 12);
    expect(() => scoreFor('auc' as never, pred, gold, 2)).toThrow(/unknown metric "auc"/);
  });
});

describe('confusionMatrix', () => {
  it('counts gold × pred, abstentions per gold class, and unknown gold separately', () => {
    const cm = confusionMatrix([0, 1, 1, -1, 2, 0, 2], [0, 1, 0, 2, 2, -1, 1], 3);
    expect(Array.from(cm.counts)).toEqual([
      1,
      1,
      0, // gold 0: pred 0 once, pred 1 once
      0,
      1,
      1, // gold 1
      0,
      0,
      1, // gold 2
    ]);
    expect(Array.from(cm.abstained)).toEqual([0, 0, 1]);
    expect(cm.unlabelled).toBe(1);
    expect(cm.scored).toBe(6);
  });

  it('rejects labels outside [0, k)', () => {
    expect(() => confusionMatrix([0, 3], [0, 1], 3)).toThrow(/row 1: prediction 3 is outside 0..2/);
    expect(() => confusionMatrix([0, 1], [0, 5], 3)).toThrow(/row 1: gold label 5/);
  });
});

describe('calibration', () => {
  const proba = Float64Array.of(0.8, 0.2, 0.4, 0.6, 0.5, 0.5);
  const gold = [0, 0, 1];
  it('log-loss is the mean −ln p(gold)', () => {
    expect(logLoss(proba, gold, 2)).toBeCloseTo(-(Math.log(0.8) + Math.log(0.4) + Math.log(0.5)) / 3, 12);
    expect(logLoss(Float64Array.of(1, 0), [1], 2)).toBeCloseTo(-Math.log(1e-15), 9);
    expect(logLoss(proba, [0, -1, -1], 2)).toBeCloseTo(-Math.log(0.8), 12);
  });
  it('Brier is the mean squared distance to the one-hot gold: (0.08 + 0.72 + 0.5) / 3', () => {
    expect(brierScore(proba, gold, 2)).toBeCloseTo(1.3 / 3, 12);
    expect(brierScore(Float64Array.of(0, 1), [0], 2)).toBe(2);
    expect(() => brierScore(proba, [0, 1], 2)).toThrow(/6 values, expected 2 rows × 2 classes/);
  });
});

describe('coverage', () => {
  it('is the fraction of rows with at least one vote', () => {
    const L = LabelMatrix.fromRows(
      [
        [-1, 0, 0],
        [-1, -1, -1],
        [1, 0, -1],
        [-1, 0, -1],
        [0, 0, 0],
      ],
      2,
    );
    expect(coverage(L)).toBeCloseTo(0.8, 12);
    expect(coverage(new LabelMatrix(0, 2))).toBe(0);
    expect(coverage(new LabelMatrix(3, 2))).toBe(0);
  });
});

describe('metric properties', () => {
  const labelled = (k: number) =>
    fc
      .integer({ min: 1, max: 80 })
      .chain((n) =>
        fc.tuple(
          fc.array(fc.integer({ min: -1, max: k - 1 }), { minLength: n, maxLength: n }),
          fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: n, maxLength: n }),
        ),
      );

  it('accuracy and F1 are invariant under a row permutation', () => {
    fc.assert(
      fc.property(labelled(3), fc.integer(), ([pred, gold], s) => {
        const order = pred.map((_, i) => i).sort((a, b) => ((a * 7919 + s) % 101) - ((b * 7919 + s) % 101) || a - b);
        const p2 = order.map((i) => pred[i]);
        const g2 = order.map((i) => gold[i]);
        expect(accuracy(p2, g2)).toBe(accuracy(pred, gold));
        expect(f1Macro(p2, g2, 3)).toBeCloseTo(f1Macro(pred, gold, 3), 12);
        expect(f1Binary(p2, g2)).toBeCloseTo(f1Binary(pred, gold), 12);
      }),
      { seed: 1, numRuns: 300 },
    );
  });

  it('scores lie in [0, 1] and the confusion matrix accounts for every row', () => {
    fc.assert(
      fc.property(labelled(4), ([pred, gold]) => {
        for (const v of [accuracy(pred, gold), f1Binary(pred, gold), f1Macro(pred, gold, 4)]) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        const cm = confusionMatrix(pred, gold, 4);
        const total = cm.counts.reduce((a, b) => a + b, 0) + cm.abstained.reduce((a, b) => a + b, 0) + cm.unlabelled;
        expect(total).toBe(pred.length);
        let trace = 0;
        for (let c = 0; c < 4; c++) trace += cm.counts[c * 4 + c];
        expect(accuracy(pred, gold)).toBeCloseTo(trace / cm.scored, 12);
      }),
      { seed: 2, numRuns: 300 },
    );
  });

  it('perfect predictions score 1', () => {
    fc.assert(
      fc.property(labelled(5), ([, gold]) => {
        expect(accuracy(gold, gold)).toBe(1);
        expect(f1Macro(gold, gold, 5)).toBe(1);
        if (gold.includes(1)) expect(f1Binary(gold, gold)).toBe(1);
      }),
      { seed: 4, numRuns: 200 },
    );
  });

  it('log-loss ≥ 0 and Brier in [0, 2]; a one-hot correct prediction scores 0 Brier', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
            fc.integer({ min: 0, max: 2 }),
          ),
          {
            minLength: 1,
            maxLength: 40,
          },
        ),
        (rows) => {
          const proba = Float64Array.from(
            rows.flatMap(([r]) => {
              const s = r[0] + r[1] + r[2];
              return r.map((x) => x / s);
            }),
          );
          const gold = rows.map(([, g]) => g);
          expect(logLoss(proba, gold, 3)).toBeGreaterThanOrEqual(0);
          const b = brierScore(proba, gold, 3);
          expect(b).toBeGreaterThanOrEqual(0);
          expect(b).toBeLessThanOrEqual(2);
          const oneHot = Float64Array.from(gold.flatMap((g) => [0, 1, 2].map((c) => (c === g ? 1 : 0))));
          expect(brierScore(oneHot, gold, 3)).toBe(0);
        },
      ),
      { seed: 9, numRuns: 200 },
    );
  });

  it('predictLabels always returns a class within tolerance of the row max', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.constantFrom(0, 0.1, 0.25, 0.25, 0.4), { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 50 }),
        fc.constantFrom('snorkel' as const, 'random' as const),
        (rows, tie) => {
          const pred = predictLabels(Float64Array.from(rows.flat()), 4, tie, 1);
          rows.forEach((r, i) => expect(Math.max(...r) - r[pred[i]]).toBeLessThan(1e-5));
        },
      ),
      { seed: 5, numRuns: 200 },
    );
  });
});
