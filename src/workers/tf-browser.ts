/**
 * Browser-only wiring for tfjs-wasm and onnxruntime-web: where vite put their .wasm files
 * (imported with `?url` below and handed to each loader explicitly). Import this module for its
 * side effect before `selectBackend` or the first ONNX session; core stays free of
 * bundler-specific `?url` imports.
 */
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import tfWasm from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import tfWasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import tfWasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import * as ort from 'onnxruntime-web/wasm';
import ortWasm from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import ortMjs from 'onnxruntime-web/ort-wasm-simd-threaded.mjs?url';
import { getTf } from '../core/backend.ts';

// getTf() also turns off threaded tfjs-wasm, which hangs in minified COOP/COEP builds.
getTf();
setWasmPaths({
  'tfjs-backend-wasm.wasm': tfWasm,
  'tfjs-backend-wasm-simd.wasm': tfWasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': tfWasmThreaded,
});
// Explicit paths, one thread: with numThreads > 1 and no explicit paths the built page crashed.
ort.env.wasm.wasmPaths = { wasm: ortWasm, mjs: ortMjs };
ort.env.wasm.numThreads = 1;

export { ort };
