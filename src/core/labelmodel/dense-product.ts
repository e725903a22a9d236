/**
 * The dense S-term of a MeTaL epoch, (O∘M)·μP, for problems where most off-block overlaps are
 * non-zero (many LFs voting many classes, e.g. 100k × 200 LFs, k = 6: d = 1200). It is the one
 * O(d²·k) step of the typed-array engine, so it gets a wasm SIMD kernel (f64x2; source in
 * scripts/dense-product-wat.ts), with a plain-JS loop where WebAssembly SIMD is missing.
 *
 * Why wasm and not tfjs: tfjs-wasm's matMul is float32 and would tie the label model to a
 * global tfjs backend; this kernel is float64 like the rest of the engine and has no FMA, so a
 * fit gives the same bits in Node and in every browser. Measured at d = 1200, k = 6 (per product,
 * Node): the blocked JS loop below 3.3–4.6 ms, this kernel 0.71–0.93 ms, tfjs-wasm's
 * float32 matMul 0.68 ms.
 */
import { kernelLoader } from './wasm-kernel.ts';
import { DENSE_PRODUCT_WASM_BASE64 } from './dense-product-wasm.ts';

export interface DenseProduct {
  readonly engine: 'wasm-simd' | 'js';
  /** out (d×k, row-major) = (O∘M)·V, with V given transposed (k×d, row-major: μP's columns). */
  multiply(vT: Float64Array, out: Float64Array): void;
}

/** Must match DENSE_PRODUCT_ROWS_PER_BLOCK in scripts/dense-product-wat.ts (checked by the test). */
export const KERNEL_ROWS_PER_BLOCK = 4;

const kernelModule = kernelLoader(DENSE_PRODUCT_WASM_BASE64);

/**
 * A product bound to one O∘M (d×d, row-major; copied, so the caller may drop it).
 * `engine: 'js'` forces the fallback (tests compare the two).
 */
export function createDenseProduct(offDense: Float64Array, d: number, k: number, engine: 'auto' | 'js' = 'auto'): DenseProduct {
  if (offDense.length !== d * d) throw new Error(`dense overlap matrix has ${offDense.length} entries, expected ${d}²`);
  return fromRows((a, row) => row.set(offDense.subarray(a * d, a * d + d)), d, k, engine);
}

/**
 * The product bound to O∘M for metal's mask (each LF's own k×k block zeroed), written straight
 * from O into the kernel's memory: no d×d masked copy in between (11.5 MB at d = 1,200, and
 * fresh memory is costly to touch on the machines this runs on).
 */
export function createMaskedDenseProduct(O: Float64Array, d: number, k: number, engine: 'auto' | 'js' = 'auto'): DenseProduct {
  if (O.length !== d * d) throw new Error(`overlap matrix has ${O.length} entries, expected ${d}²`);
  return fromRows(
    (a, row) => {
      row.set(O.subarray(a * d, a * d + d));
      const lo = a - (a % k);
      row.fill(0, lo, lo + k);
    },
    d,
    k,
    engine,
  );
}

/** `fill(a, row)` writes row a of the matrix into `row` (length d, zero on entry). */
function fromRows(fill: (a: number, row: Float64Array) => void, d: number, k: number, engine: 'auto' | 'js'): DenseProduct {
  const mod = engine === 'auto' ? kernelModule() : null;
  if (mod) {
    const wasm = wasmProduct(mod, fill, d, k);
    if (wasm) return wasm;
  }
  const matrix = new Float64Array(d * d);
  for (let a = 0; a < d; a++) fill(a, matrix.subarray(a * d, a * d + d));
  return jsProduct(matrix, d, k);
}

function wasmProduct(mod: WebAssembly.Module, fill: (a: number, row: Float64Array) => void, d: number, k: number): DenseProduct | null {
  const dp = d + (d & 1);
  const rows = Math.ceil(d / KERNEL_ROWS_PER_BLOCK) * KERNEL_ROWS_PER_BLOCK;
  const oAt = 0;
  const mAt = rows * dp;
  const outAt = mAt + k * dp;
  const bytes = (outAt + rows * k) * 8;
  if (bytes > 2 ** 31) return null; // past wasm32's comfortable range: the JS loop copes
  let memory: WebAssembly.Memory;
  let run: (o: number, m: number, out: number, rows: number, dp: number, k: number) => void;
  try {
    memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
    const instance = new WebAssembly.Instance(mod, { env: { memory } });
    run = instance.exports.denseProduct as typeof run;
  } catch {
    return null; // out of memory for the copy: fall back rather than fail the fit
  }
  // Fresh memory is zero, so the padding rows and columns stay zero.
  const heap = new Float64Array(memory.buffer);
  for (let a = 0; a < d; a++) fill(a, heap.subarray(oAt + a * dp, oAt + a * dp + d));
  return {
    engine: 'wasm-simd',
    multiply(vT, out) {
      for (let y = 0; y < k; y++) heap.set(vT.subarray(y * d, y * d + d), mAt + y * dp);
      run(oAt * 8, mAt * 8, outAt * 8, rows, dp, k);
      out.set(heap.subarray(outAt, outAt + d * k));
    },
  };
}

/** Two rows against three columns per pass: six independent sums (≈ 2× a one-row, one-column dot loop). */
function jsProduct(O: Float64Array, d: number, k: number): DenseProduct {
  return {
    engine: 'js',
    multiply(vT, out) {
      let a = 0;
      for (; a + 1 < d; a += 2) {
        const r0 = a * d;
        const r1 = r0 + d;
        let y = 0;
        for (; y + 2 < k; y += 3) {
          const c0 = y * d;
          const c1 = c0 + d;
          const c2 = c1 + d;
          let s0 = 0,
            s1 = 0,
            s2 = 0,
            t0 = 0,
            t1 = 0,
            t2 = 0;
          for (let b = 0; b < d; b++) {
            const o = O[r0 + b];
            const q = O[r1 + b];
            const m0 = vT[c0 + b];
            const m1 = vT[c1 + b];
            const m2 = vT[c2 + b];
            s0 += o * m0;
            s1 += o * m1;
            s2 += o * m2;
            t0 += q * m0;
            t1 += q * m1;
            t2 += q * m2;
          }
          out[a * k + y] = s0;
          out[a * k + y + 1] = s1;
          out[a * k + y + 2] = s2;
          out[a * k + k + y] = t0;
          out[a * k + k + y + 1] = t1;
          out[a * k + k + y + 2] = t2;
        }
        for (; y < k; y++) {
          const c0 = y * d;
          let s0 = 0,
            t0 = 0;
          for (let b = 0; b < d; b++) {
            const m0 = vT[c0 + b];
            s0 += O[r0 + b] * m0;
            t0 += O[r1 + b] * m0;
          }
          out[a * k + y] = s0;
          out[a * k + k + y] = t0;
        }
      }
      for (; a < d; a++) {
        for (let y = 0; y < k; y++) {
          let s0 = 0;
          for (let b = 0; b < d; b++) s0 += O[a * d + b] * vT[y * d + b];
          out[a * k + y] = s0;
        }
      }
    },
  };
}
