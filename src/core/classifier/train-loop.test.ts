import { describe, expect, it } from 'vitest';
import type { Csr } from './featurize.ts';
import { AVERAGED_PATIENCE, devLogLoss, EpochKeeper, trainConfig, Yielder } from './train-loop.ts';
import type { TrainOptions } from './train.ts';

/**
 * A dev set the keeper scores: one feature (id 1) on every row, labels 1, 1, 1, 0. A model with
 * weight w on class 1 (0 on class 0, no bias) predicts p(1) = σ(w) for every row, so every such
 * model has dev accuracy 3/4 and dev log-loss −(3·ln p + ln(1 − p))/4, lowest at p = 3/4.
 */
const dev: { X: Csr; y: Int32Array } = {
  X: { n: 4, dim: 2, rowPtr: Int32Array.of(0, 1, 2, 3, 4), indices: Int32Array.of(1, 1, 1, 1), values: Float32Array.of(1, 1, 1, 1) },
  y: Int32Array.of(1, 1, 1, 0),
};
const logit = (p: number) => Math.log(p / (1 - p));
const model = (p: number) => ({ weights: Float32Array.of(0, 0, 0, logit(p)), bias: new Float32Array(2) });
const devLoss = (p: number) => -(3 * Math.log(p) + Math.log(1 - p)) / 4;

function keeper(opts: Partial<TrainOptions> = {}) {
  const o: TrainOptions = { dev, patience: 3, ...opts };
  const cfg = trainConfig(
    { n: 1, dim: 2, rowPtr: Int32Array.of(0, 0), indices: new Int32Array(0), values: new Float32Array(0) },
    [1, 0],
    2,
    o,
  );
  return new EpochKeeper(2, 2, cfg, o);
}

/** Feed epochs (p, training loss, averaged) and return the kept epoch and the stop flags. */
function run(k: EpochKeeper, epochs: [number, number, boolean][]) {
  const stops = epochs.map(([p, loss, averaged], i) => {
    const { weights, bias } = model(p);
    return k.end(i + 1, loss, weights, bias, averaged);
  });
  return { kept: k.result('test').bestEpoch, stops, history: k.history };
}

describe('devLogLoss', () => {
  it('is the mean −ln p(gold) over labelled rows, skipping −1, floored at 1e-15', () => {
    const proba = Float32Array.of(0.25, 0.75, 0.5, 0.5, 1, 0);
    expect(devLogLoss(proba, [1, -1, 0], 2)).toBeCloseTo(-(Math.log(0.75) + Math.log(1)) / 2, 7);
    expect(devLogLoss(proba, [1, 1, 1], 2)).toBeCloseTo(-(Math.log(0.75) + Math.log(0.5) + Math.log(1e-15)) / 3, 6);
    expect(devLogLoss(proba, [-1, -1, -1], 2)).toBeNaN();
  });
});

describe('EpochKeeper: which epoch is kept', () => {
  it('reports each epoch’s dev log-loss', () => {
    const { history } = run(keeper(), [
      [0.9, 0.5, false],
      [0.75, 0.4, true],
    ]);
    expect(history[0].devLogLoss).toBeCloseTo(devLoss(0.9), 5);
    expect(history[1].devLogLoss).toBeCloseTo(devLoss(0.75), 5);
    expect(history.map((h) => h.devScore)).toEqual([0.75, 0.75]);
  });

  it('last iterates: a dev-metric tie goes to the lower training loss, whatever the dev log-loss', () => {
    // Epoch 2 ties on accuracy with a worse dev log-loss but a lower training loss: kept.
    expect(
      run(keeper(), [
        [0.75, 0.5, false],
        [0.99, 0.4, false],
      ]).kept,
    ).toBe(2);
    expect(
      run(keeper(), [
        [0.75, 0.5, false],
        [0.99, 0.6, false],
      ]).kept,
    ).toBe(1);
  });

  it('averages: kept only for a lower dev log-loss, even on a dev-metric tie with lower training loss', () => {
    // The 100k failure this rule fixes: equal dev accuracy, later epochs fitted further into the
    // label noise (lower training loss, higher dev log-loss) must not displace the earlier average.
    expect(
      run(keeper(), [
        [0.6, 0.5, false],
        [0.75, 0.45, true],
        [0.9, 0.4, true],
        [0.99, 0.3, true],
      ]).kept,
    ).toBe(2);
    // A lower dev log-loss wins even with a higher training loss …
    expect(
      run(keeper(), [
        [0.95, 0.3, false],
        [0.8, 0.35, true],
      ]).kept,
    ).toBe(2);
    // … and an average must beat the kept last iterate's dev log-loss, not only tie its metric.
    expect(
      run(keeper(), [
        [0.75, 0.5, false],
        [0.8, 0.4, true],
      ]).kept,
    ).toBe(1);
  });

  it('patience counts averaged epochs without a lower dev log-loss', () => {
    const r = run(keeper({ patience: 2 }), [
      [0.6, 0.5, false],
      [0.75, 0.45, true],
      [0.8, 0.4, true],
      [0.85, 0.35, true],
    ]);
    expect(r.kept).toBe(2);
    expect(r.stops).toEqual([false, false, false, true]);
    // Steadily lower log-loss keeps it going (and keeps the latest).
    const s = run(keeper({ patience: 2 }), [
      [0.95, 0.5, false],
      [0.9, 0.45, true],
      [0.85, 0.4, true],
      [0.8, 0.35, true],
    ]);
    expect(s.kept).toBe(4);
    expect(s.stops).toEqual([false, false, false, false]);
  });

  it('among averages, patience is at most AVERAGED_PATIENCE epochs; last iterates keep the full patience', () => {
    // Patience 15: the averages stop 3 epochs after the last lower dev log-loss.
    const r = run(keeper({ patience: 15 }), [
      [0.6, 0.5, false],
      [0.75, 0.45, true],
      [0.8, 0.4, true],
      [0.85, 0.35, true],
      [0.9, 0.3, true],
    ]);
    expect(AVERAGED_PATIENCE).toBe(3);
    expect(r.kept).toBe(2);
    expect(r.stops).toEqual([false, false, false, false, true]);
    // Last iterates that do not improve run the whole patience.
    const s = run(
      keeper({ patience: 15 }),
      Array.from({ length: 6 }, (_, i): [number, number, boolean] => [0.75, 0.5 + i, false]),
    );
    expect(s.stops.every((x) => !x)).toBe(true);
  });
});

describe('Yielder', () => {
  it('gives the event loop a turn once more than 50 ms passed since the last one, and only then', async () => {
    let clock = 0;
    const y = new Yielder(undefined, () => clock);
    // A timer queued before each tick runs before the tick returns only if the tick yielded.
    const yieldedAt: number[] = [];
    for (let i = 1; i <= 12; i++) {
      clock += 20;
      let ran = false;
      setTimeout(() => (ran = true), 0);
      await y.tick();
      if (ran) yieldedAt.push(clock);
      else await new Promise<void>((r) => setTimeout(r, 0)); // drain the timer before the next tick
    }
    // 20 ms per tick: 60 > 50 yields (clock reset there), then every third tick.
    expect(yieldedAt).toEqual([60, 120, 180, 240]);
  });

  it('throws at a tick once the signal is aborted, yielding or not', async () => {
    const ac = new AbortController();
    let clock = 0;
    const y = new Yielder(ac.signal, () => clock);
    await y.tick();
    ac.abort();
    await expect(y.tick()).rejects.toThrow(/abort/i);
    clock = 1000;
    await expect(y.tick()).rejects.toThrow(/abort/i);
  });
});
