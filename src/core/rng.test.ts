import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Mulberry32, mulberry32 } from './rng.ts';

describe('mulberry32', () => {
  it('draws the same values as before for a given seed (every stored seed must keep its labels)', () => {
    const r = mulberry32(12345);
    expect(Array.from({ length: 5 }, () => r())).toEqual([
      0.9797282677609473, 0.3067522644996643, 0.484205421525985, 0.817934412509203, 0.5094283693470061,
    ]);
    const z = mulberry32(0);
    expect(Array.from({ length: 3 }, () => z())).toEqual([0.26642920868471265, 0.0003297457005828619, 0.2232720274478197]);
  });

  it('Mulberry32.fill continues the very stream next() and the closure give, however the draws are split', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 6 }), (seed, sizes) => {
        const closure = mulberry32(seed);
        const stream = new Mulberry32(seed);
        for (const size of sizes) {
          const out = new Float64Array(size + 2).fill(-1);
          stream.fill(out, size);
          expect(Array.from(out.subarray(0, size))).toEqual(Array.from({ length: size }, () => closure()));
          // Only `count` values are written.
          expect(Array.from(out.subarray(size))).toEqual([-1, -1]);
          expect(stream.next()).toBe(closure());
        }
      }),
      { numRuns: 100, seed: 7 },
    );
  });
});
