import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileDenseProduct, DENSE_PRODUCT_ROWS_PER_BLOCK } from '../../../scripts/dense-product-wat.ts';
import { createDenseProduct, createMaskedDenseProduct, KERNEL_ROWS_PER_BLOCK } from './dense-product.ts';
import { DENSE_PRODUCT_WASM_BASE64 } from './dense-product-wasm.ts';
import { mulberry32 } from '../rng.ts';

function naive(O: Float64Array, vT: Float64Array, d: number, k: number): Float64Array {
  const out = new Float64Array(d * k);
  for (let a = 0; a < d; a++)
    for (let y = 0; y < k; y++) {
      let s = 0;
      for (let b = 0; b < d; b++) s += O[a * d + b] * vT[y * d + b];
      out[a * k + y] = s;
    }
  return out;
}

function randomCase(d: number, k: number, seed: number) {
  const rng = mulberry32(seed);
  // Zeros as in O∘M (masked blocks, pairs never seen together) and values of both signs.
  const O = Float64Array.from({ length: d * d }, () => (rng() < 0.3 ? 0 : rng() * 2 - 1));
  const vT = Float64Array.from({ length: k * d }, () => rng() * 2 - 1);
  return { O, vT };
}

function maxRelErr(got: Float64Array, want: Float64Array): number {
  let scale = 0;
  for (const w of want) scale = Math.max(scale, Math.abs(w));
  let err = 0;
  for (let t = 0; t < want.length; t++) err = Math.max(err, Math.abs(got[t] - want[t]));
  return scale === 0 ? err : err / scale;
}

describe('dense S-term product', () => {
  it('runs on wasm SIMD here (Node 20 and every browser Shoal supports have it)', () => {
    const { O } = randomCase(6, 3, 1);
    expect(createDenseProduct(O, 6, 3).engine).toBe('wasm-simd');
    expect(createDenseProduct(O, 6, 3, 'js').engine).toBe('js');
  });

  it('wasm and JS products equal the naive product for every shape (odd d, every column-group width)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 37 }), fc.integer({ min: 1, max: 9 }), fc.integer(), (d, k, seed) => {
        const { O, vT } = randomCase(d, k, seed);
        const want = naive(O, vT, d, k);
        for (const engine of ['auto', 'js'] as const) {
          const out = new Float64Array(d * k).fill(NaN);
          createDenseProduct(O, d, k, engine).multiply(vT, out);
          expect(maxRelErr(out, want)).toBeLessThan(1e-13);
        }
      }),
      { seed: 20261121, numRuns: 120 },
    );
  });

  it('keeps its own copy of O and can be called again with new vectors', () => {
    const d = 9;
    const k = 4;
    const { O, vT } = randomCase(d, k, 7);
    const product = createDenseProduct(O, d, k);
    const want = naive(O, vT, d, k);
    O.fill(0); // the caller may reuse or drop its matrix
    const out = new Float64Array(d * k);
    product.multiply(new Float64Array(k * d).fill(1), out);
    product.multiply(vT, out);
    expect(maxRelErr(out, want)).toBeLessThan(1e-13);
  });

  it('rejects a matrix of the wrong size', () => {
    expect(() => createDenseProduct(new Float64Array(10), 3, 2)).toThrow(/expected 3²/);
  });

  it('ships the bytes its generator makes (run `npm run build:kernels` after editing scripts/dense-product-wat.ts)', async () => {
    const bytes = await compileDenseProduct();
    expect(Buffer.from(bytes).toString('base64')).toBe(DENSE_PRODUCT_WASM_BASE64);
    expect(KERNEL_ROWS_PER_BLOCK).toBe(DENSE_PRODUCT_ROWS_PER_BLOCK);
  });
});

describe('the product bound to metal’s mask', () => {
  it('equals the product of a masked copy of O, on both engines', () => {
    const rng = mulberry32(11);
    for (const [m, k] of [
      [3, 2],
      [5, 3],
      [7, 6],
    ]) {
      const d = m * k;
      const O = Float64Array.from({ length: d * d }, () => rng());
      const masked = O.map((v, t) => (Math.floor(Math.floor(t / d) / k) === Math.floor((t % d) / k) ? 0 : v));
      const vT = Float64Array.from({ length: k * d }, () => rng() - 0.5);
      for (const engine of ['auto', 'js'] as const) {
        const want = new Float64Array(d * k);
        createDenseProduct(masked, d, k, engine).multiply(vT, want);
        const got = new Float64Array(d * k);
        createMaskedDenseProduct(O, d, k, engine).multiply(vT, got);
        expect(Array.from(got)).toEqual(Array.from(want));
      }
    }
  });
});
