/**
 * Which tfjs backend runs Shoal's training (label model 'metal', distilled classifier).
 *
 * Picked by a short measurement, not by order alone: every candidate that initialises here
 * (webgpu → webgl → wasm → cpu; in Node only wasm and cpu exist) runs the same small op set —
 * the sparse gather / segment-sum / scatter-gradient / elementwise-update steps the trainers
 * do — and the fastest wins. On SwiftShader machines "has a GPU backend" is a trap: WebGPU ran
 * ~75× and WebGL ~10× slower than wasm in headless Chromium here, so priority order alone would pick
 * the slowest. The choice is cached in a caller-supplied key-value store (localStorage per
 * device in the browser, memory in Node) so the measurement is paid once.
 *
 * Traps handled here (each one met in a built page in headless Chromium):
 * - WebGPU `dataSync()` returns zeros on SwiftShader: every read in Shoal goes through
 *   `readFloats` (`await data()`).
 * - Threaded tfjs-wasm never resolves `setBackend` in minified builds:
 *   `WASM_HAS_MULTITHREAD_SUPPORT` is forced off before any backend starts.
 * - WebGL textures max out at 8192²: the trainers keep tensors far below that (compact
 *   vocabulary × classes), and the measurement uses small shapes.
 *
 * Core stays DOM- and bundler-free: browser wasm paths are wired in src/workers/tf-browser.ts,
 * which must run before `selectBackend`.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { ShoalError } from './types.ts';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** The smallest store the cache needs; `localStorage` satisfies it as is. */
export interface KeyValueCache {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function memoryCache(): KeyValueCache {
  const m = new Map<string, string>();
  return {
    getItem: (key) => m.get(key) ?? null,
    setItem: (key, value) => void m.set(key, value),
  };
}

export interface SelectBackendOptions {
  /** Where the choice is remembered. Default: one in-memory cache per process. */
  cache?: KeyValueCache;
  /** Cache key (default `shoal.tfjs-backend.v1`). */
  cacheKey?: string;
  /** Backends to consider, in priority order (default: all four, filtered by environment). */
  candidates?: readonly BackendName[];
  /** Ignore the cache and measure again. */
  remeasure?: boolean;
  /** Skip the measurement and use this backend (errors if it does not initialise). */
  force?: BackendName;
}

export interface BackendChoice {
  /** The backend now active in tfjs. */
  name: BackendName;
  /** Milliseconds each initialised candidate took on the probe (empty when forced). */
  measuredMs: Record<string, number>;
  /** True when the choice came from the cache rather than a fresh measurement. */
  cached: boolean;
}

const DEFAULT_KEY = 'shoal.tfjs-backend.v1';
const processCache = memoryCache();
let decided: Promise<BackendChoice> | undefined;
let configured = false;

/** The tfjs namespace Shoal uses (one module instance shared by every trainer). */
export function getTf(): typeof tf {
  configure();
  return tf;
}

/** Read a tensor's values safely on every backend (never `dataSync`: zeros on WebGPU). */
export async function readFloats(t: tf.Tensor): Promise<Float32Array> {
  const d = await t.data();
  return d instanceof Float32Array ? d : Float32Array.from(d as ArrayLike<number>);
}

function configure(): void {
  if (configured) return;
  configured = true;
  // Must precede the first wasm initialisation (threaded wasm never resolves in minified
  // COOP/COEP builds). Single-threaded SIMD was the fastest measured anyway.
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
}

/** Candidates this environment can plausibly initialise (no GPU backends in Node). */
function environmentCandidates(): BackendName[] {
  const g = globalThis as { navigator?: { gpu?: unknown }; OffscreenCanvas?: unknown; document?: unknown };
  const out: BackendName[] = [];
  if (g.navigator?.gpu) out.push('webgpu');
  if (g.OffscreenCanvas !== undefined || g.document !== undefined) out.push('webgl');
  out.push('wasm', 'cpu');
  return out;
}

async function tryBackend(name: BackendName): Promise<boolean> {
  try {
    if (name === 'webgpu' && !tf.findBackendFactory('webgpu')) {
      await import('@tensorflow/tfjs-backend-webgpu');
    }
    if (!tf.findBackendFactory(name)) return false;
    const ok = await tf.setBackend(name);
    if (ok) await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

/**
 * The probe: one training step of a small sparse softmax regression — gather rows of a
 * [4096, 8] weight matrix for a 32 × 96 padded batch, weight and sum them, softmax, scatter the
 * gradient back (ScatterNd, as the trainer does) and update the weights. Ends with `await
 * data()` so asynchronous backends are timed to completion.
 */
async function probe(): Promise<void> {
  const V = 4096,
    K = 8,
    B = 32,
    L = 96;
  const idx = new Int32Array(B * L);
  const val = new Float32Array(B * L);
  for (let i = 0; i < idx.length; i++) {
    idx[i] = (Math.imul(i + 1, 2654435761) >>> 0) % V;
    val[i] = ((i % 7) + 1) / 16;
  }
  const W = tf.variable(tf.fill([V, K], 0.01));
  try {
    const out = tf.tidy(() => {
      const I = tf.tensor1d(idx, 'int32');
      const X = tf.tensor3d(val, [B, L, 1]);
      const logits = tf.gather(W, I).reshape([B, L, K]).mul(X).sum(1);
      const p = tf.softmax(logits);
      const dy = p
        .reshape([B, 1, K])
        .mul(X)
        .reshape([B * L, K]);
      const grad = tf.scatterND(I.reshape([B * L, 1]), dy, [V, K]);
      W.assign(W.sub(grad.mul(0.01)));
      return W.sum();
    });
    await out.data();
    out.dispose();
  } finally {
    W.dispose();
  }
}

async function measure(name: BackendName): Promise<number | undefined> {
  if (!(await tryBackend(name))) return undefined;
  try {
    await probe(); // warm-up: kernel compilation, wasm instantiation, shader caches
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      await probe();
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  } catch {
    return undefined; // initialised but cannot run our ops (e.g. a missing kernel): not a candidate
  }
}

async function choose(opts: SelectBackendOptions): Promise<BackendChoice> {
  configure();
  const cache = opts.cache ?? processCache;
  const key = opts.cacheKey ?? DEFAULT_KEY;
  const allowed = environmentCandidates();
  const candidates = (opts.candidates ?? BACKEND_ORDER).filter((b) => allowed.includes(b));

  if (opts.force) {
    if (!(await tryBackend(opts.force))) {
      throw new ShoalError(`the tfjs backend "${opts.force}" does not initialise here; try one of ${allowed.join(', ')}`);
    }
    return { name: opts.force, measuredMs: {}, cached: false };
  }

  if (!opts.remeasure) {
    const hit = parseCached(cache.getItem(key));
    if (hit && candidates.includes(hit.name) && (await tryBackend(hit.name))) {
      return { name: hit.name, measuredMs: hit.measuredMs, cached: true };
    }
  }

  const measuredMs: Record<string, number> = {};
  for (const name of candidates) {
    const ms = await measure(name);
    if (ms !== undefined) measuredMs[name] = Math.round(ms * 100) / 100;
  }
  let best: BackendName | undefined;
  for (const name of candidates) {
    if (measuredMs[name] === undefined) continue;
    if (best === undefined || measuredMs[name] < measuredMs[best]) best = name;
  }
  if (!best) throw new ShoalError(`no tfjs backend initialised (tried ${candidates.join(', ')})`);
  if (!(await tryBackend(best))) throw new ShoalError(`the tfjs backend "${best}" stopped initialising after measurement`);
  cache.setItem(key, JSON.stringify({ name: best, measuredMs }));
  return { name: best, measuredMs, cached: false };
}

function parseCached(raw: string | null): { name: BackendName; measuredMs: Record<string, number> } | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as { name?: unknown; measuredMs?: unknown };
    if (typeof v.name !== 'string' || !(BACKEND_ORDER as readonly string[]).includes(v.name)) return undefined;
    const ms = typeof v.measuredMs === 'object' && v.measuredMs !== null ? (v.measuredMs as Record<string, number>) : {};
    return { name: v.name as BackendName, measuredMs: ms };
  } catch {
    return undefined; // a corrupt cache entry just means "measure again"
  }
}

/**
 * Measure (or recall) the fastest backend and make it active. The first call in a process
 * decides (consulting its cache); later calls — the label model and the classifier starting
 * together — share that decision. `force` and `candidates` bypass the shared decision (tests,
 * user overrides); `remeasure` replaces it.
 */
export async function selectBackend(opts: SelectBackendOptions = {}): Promise<BackendChoice> {
  if (opts.force || opts.candidates) return choose(opts);
  if (opts.remeasure || !decided) {
    const p = choose(opts);
    decided = p;
    p.catch(() => {
      if (decided === p) decided = undefined; // a failed measurement must not stick
    });
    return p;
  }
  const choice = await decided;
  // Someone may have switched backends since (a forced run, a test): restore the choice.
  if (tf.getBackend() !== choice.name) await tryBackend(choice.name);
  const key = opts.cacheKey ?? DEFAULT_KEY;
  if (opts.cache && !opts.cache.getItem(key)) opts.cache.setItem(key, JSON.stringify({ name: choice.name, measuredMs: choice.measuredMs }));
  return { ...choice, cached: true };
}
