/**
 * Loads one of the small generated wasm kernels (dense-product, overlap-bits) once, or gives
 * null where it cannot run — no WebAssembly SIMD, or a CSP without 'wasm-unsafe-eval' — so each
 * caller keeps its plain-JS path.
 */
export function kernelLoader(base64: string): () => WebAssembly.Module | null {
  let compiled: WebAssembly.Module | null | undefined;
  return () => {
    if (compiled !== undefined) return compiled;
    try {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      // Synchronous compile: ~1 KB, under the size browsers allow synchronously on a main thread.
      compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      compiled = null;
    }
    return compiled;
  };
}
