import { describe, expect, it } from 'vitest';
import { runCoreCheck } from './core-check.ts';
import { LABEL_MODEL_NAMES } from '../core/labelmodel/index.ts';

describe('core check (start-screen example)', () => {
  it('runs every label model and the learned ones beat majority vote on skewed, uneven LFs', async () => {
    const r = await runCoreCheck();
    expect(r.models.map((x) => x.name)).toEqual([...LABEL_MODEL_NAMES]);
    expect(r.split.train + r.split.dev + r.split.test).toBe(r.n);
    const acc = Object.fromEntries(r.models.map((x) => [x.name, x.testAccuracy]));
    for (const a of Object.values(acc)) expect(a).toBeGreaterThan(0.7);
    // Auto must never do worse than voting by more than noise on 800 test rows.
    expect(acc.auto).toBeGreaterThanOrEqual(acc.mv - 0.02);
    expect(Math.max(acc.metal, acc.ds, acc.triplet)).toBeGreaterThan(acc.mv);
    // MeTaL recovers the true LF accuracies it was generated with.
    const metal = r.models.find((x) => x.name === 'metal');
    expect(metal?.accuracyError).toBeLessThan(0.06);
    // The analysis sees every LF, with empirical accuracy on dev close to the truth.
    expect(r.lfs).toHaveLength(r.m);
    r.lfs.forEach((s, j) => expect(Math.abs((s.empiricalAccuracy ?? 0) - r.trueAccuracy[j])).toBeLessThan(0.15));
  });

  it('is deterministic for a seed', async () => {
    const a = await runCoreCheck({ n: 1500, models: ['mv', 'ds'] });
    const b = await runCoreCheck({ n: 1500, models: ['mv', 'ds'] });
    expect(a.models.map((x) => x.testAccuracy)).toEqual(b.models.map((x) => x.testAccuracy));
    expect(a.lfs).toEqual(b.lfs);
  });
});
