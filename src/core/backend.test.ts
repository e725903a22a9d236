import { describe, expect, it } from 'vitest';
import { getTf, memoryCache, readFloats, selectBackend } from './backend.ts';
import { ShoalError } from './types.ts';

describe('selectBackend (Node: wasm and cpu)', () => {
  it('measures every candidate that initialises, activates the fastest and caches it', async () => {
    const cache = memoryCache();
    const first = await selectBackend({ cache, remeasure: true });
    expect(Object.keys(first.measuredMs).sort()).toEqual(['cpu', 'wasm']);
    const fastest = Object.entries(first.measuredMs).sort((a, b) => a[1] - b[1])[0][0];
    expect(first.name).toBe(fastest);
    expect(first.cached).toBe(false);
    expect(getTf().getBackend()).toBe(first.name);
    expect(JSON.parse(cache.getItem('shoal.tfjs-backend.v1')!).name).toBe(first.name);

    // A second call with the same cache skips the measurement.
    await selectBackend({ force: 'cpu' });
    const again = await selectBackend({ cache, candidates: ['wasm', 'cpu'] });
    expect(again).toEqual({ name: first.name, measuredMs: first.measuredMs, cached: true });
    expect(getTf().getBackend()).toBe(first.name);
  });

  it('a corrupt or foreign cache entry means "measure again"', async () => {
    const cache = memoryCache();
    cache.setItem('k', '{not json');
    const a = await selectBackend({ cache, cacheKey: 'k', candidates: ['cpu'] });
    expect(a).toMatchObject({ name: 'cpu', cached: false });
    cache.setItem('k', JSON.stringify({ name: 'webgpu', measuredMs: {} }));
    const b = await selectBackend({ cache, cacheKey: 'k', candidates: ['wasm'] });
    expect(b).toMatchObject({ name: 'wasm', cached: false });
  });

  it('forcing a backend that cannot start here is a one-sentence error', async () => {
    await expect(selectBackend({ force: 'webgl' })).rejects.toThrow(ShoalError);
    await expect(selectBackend({ force: 'webgl' })).rejects.toThrow(/does not initialise here/);
  });

  it('readFloats returns the values on the active backend', async () => {
    await selectBackend({ force: 'wasm' });
    const tf = getTf();
    const t = tf.tensor1d([1, 2, 3]).mul(2);
    expect(Array.from(await readFloats(t))).toEqual([2, 4, 6]);
    t.dispose();
  });
});
