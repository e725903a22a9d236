/**
 * Which engine optimises the MeTaL objective: chosen by timing, not by a fixed order. The
 * typed-array engine costs O(nnz·k + d·k²) per epoch; the tfjs engine costs O(d²·k) per epoch
 * on the fastest tfjs backend that initialises. Each is timed for a few epochs on the actual
 * problem; the choice is cached per problem size bucket for the life of the process.
 */
import type { MetalProblem } from './metal-problem.ts';
import { trainMetalTyped, trainMetalTypedAsync, type MetalTrainConfig } from './metal-typed.ts';

export type MetalEngineName = 'typed-array' | 'tfjs';

export interface MetalEngine {
  name: MetalEngineName;
  /** What ran, for reports: "typed-array" or "tfjs-<backend>". */
  label: string;
  train(mu: Float64Array, problem: MetalProblem, cfg: MetalTrainConfig): Promise<Float64Array>;
}

const typedEngine: MetalEngine = {
  name: 'typed-array',
  label: 'typed-array',
  train: trainMetalTypedAsync,
};

const cache = new Map<string, MetalEngineName>();
export const lastMeasurement: { bucket?: string; msPerEpoch?: Record<string, number> } = {};

async function loadTfjsEngine(): Promise<MetalEngine | undefined> {
  try {
    const mod = await import('./metal-tfjs.ts');
    return await mod.createTfjsEngine();
  } catch {
    return undefined;
  }
}

function bucketOf(problem: MetalProblem): string {
  const log2 = (x: number) => Math.round(Math.log2(Math.max(1, x)));
  return `d${log2(problem.d)}-k${log2(problem.k)}-nnz${log2(problem.offCount)}`;
}

function timeEpochs(run: () => unknown): number {
  const t0 = performance.now();
  run();
  return performance.now() - t0;
}

/**
 * Loading tfjs, starting its backends and probing them took ~2.7 s in Node here (semeval-sized
 * problem, tfjs-wasm); below this projected typed-array fit time the tfjs engine cannot win.
 */
const TFJS_STARTUP_MS = 2500;

/**
 * An epoch's work on the typed path, in nanoseconds: the S-term (dense d²·k, or the off-block
 * triples, each read for k classes) and the per-LF Gram and T-terms (d·k²). Measured here at
 * 100k × 200 LFs, k = 6 (dense): ≈ 2 ms an epoch with neighbours on the cores, 0.25 ns a d²·k
 * unit. It decides only whether tfjs is worth starting, and unlike a timed probe it does not
 * change with the machine's load: timed under load, the probe once took 500 epochs of 100k × 200
 * for more than TFJS_STARTUP_MS, started tfjs (≈ 3 CPU-s) and doubled the fit.
 */
export function typedEpochNs(problem: Pick<MetalProblem, 'd' | 'k' | 'offCount' | 'dense'>): number {
  const { d, k } = problem;
  return 0.25 * (problem.dense ? d * d * k : 2 * problem.offCount * k) + 2 * d * k * k;
}

export async function chooseMetalEngine(problem: MetalProblem, wanted: 'auto' | MetalEngineName, epochsHint = 500): Promise<MetalEngine> {
  if (wanted === 'typed-array') return typedEngine;
  if (wanted === 'tfjs') {
    const tfjs = await loadTfjsEngine();
    if (!tfjs) throw new Error('the tfjs engine could not start on this device');
    return tfjs;
  }
  // Far below tfjs's start-up cost: no contest, and no probe epochs spent to find out.
  if ((typedEpochNs(problem) * epochsHint) / 1e6 < TFJS_STARTUP_MS) return typedEngine;
  const bucket = bucketOf(problem);
  const known = cache.get(bucket);
  if (known === 'typed-array') return typedEngine;
  const probeEpochs = 5;
  const cfg: MetalTrainConfig = { epochs: probeEpochs, lr: 0, momentum: 0, l2: 0 };
  // Cold JIT and a shared, noisy machine inflate single timings: warm up, then keep the best
  // of three short probes.
  trainMetalTyped(problem.muInit.slice(), problem, { ...cfg, epochs: 3 });
  let typedMs = Infinity;
  for (let r = 0; r < 3; r++)
    typedMs = Math.min(typedMs, timeEpochs(() => trainMetalTyped(problem.muInit.slice(), problem, cfg)) / probeEpochs);
  // Starting tfjs alone costs more than this whole fit would on the typed path: no contest.
  if (typedMs * epochsHint < TFJS_STARTUP_MS) {
    cache.set(bucket, 'typed-array');
    lastMeasurement.bucket = bucket;
    lastMeasurement.msPerEpoch = { 'typed-array': typedMs };
    return typedEngine;
  }
  const tfjs = await loadTfjsEngine();
  if (!tfjs) return typedEngine;
  if (known === 'tfjs') return tfjs;
  // One warm-up call compiles kernels / uploads O; time the second.
  await tfjs.train(problem.muInit.slice(), problem, { ...cfg, epochs: 1 });
  let tfjsMs = Infinity;
  for (let r = 0; r < 2; r++) {
    const t0 = performance.now();
    await tfjs.train(problem.muInit.slice(), problem, cfg);
    tfjsMs = Math.min(tfjsMs, (performance.now() - t0) / probeEpochs);
  }
  // Switch only for a clear win: the probes are short and the machine may be busy.
  const choice: MetalEngineName = tfjsMs * 2 < typedMs ? 'tfjs' : 'typed-array';
  cache.set(bucket, choice);
  lastMeasurement.bucket = bucket;
  lastMeasurement.msPerEpoch = { 'typed-array': typedMs, [tfjs.label]: tfjsMs };
  return choice === 'tfjs' ? tfjs : typedEngine;
}
