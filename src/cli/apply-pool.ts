/**
 * The LF worker pool on Node worker threads, for `shoal apply` and the benchmarks: the pool of
 * `src/workers/pool.ts` with workers spawned as threads. Each thread has a heap limit, so an LF
 * that allocates without bound kills its own thread (and is reported) rather than the process;
 * LF `console.log` output goes to stderr, keeping stdout for the command's JSON.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { LfWorkerApi } from '../workers/lf-worker-api.ts';
import { createLfPool, defaultPoolSize, type LfPool, type WorkerHandle } from '../workers/pool.ts';

export interface NodePoolOptions {
  /** Worker threads; default one per core (capped at 8). */
  readonly size?: number;
  /** Heap limit per worker thread in MB; default 2048. */
  readonly maxOldGenerationSizeMb?: number;
  /** See `PoolOptions.sharedStatus` (false exercises the fallback a non-isolated page uses). */
  readonly sharedStatus?: boolean;
}

export function spawnNodeLfWorker(maxOldGenerationSizeMb = 2048): WorkerHandle {
  const worker = new Worker(new URL('./apply-worker-boot.mjs', import.meta.url), {
    resourceLimits: { maxOldGenerationSizeMb },
    stdout: true,
  });
  worker.stdout.pipe(process.stderr);
  const died = new Promise<string>((resolve) => {
    worker.once('error', (e) => resolve((e as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out of memory' : e.message));
    worker.once('exit', (code) => resolve(`the worker exited with code ${code}`));
  });
  const api = Comlink.wrap<LfWorkerApi>(nodeEndpoint(worker as never)) as unknown as LfWorkerApi;
  return {
    api,
    died,
    killable: true,
    terminate: () => {
      void worker.terminate();
    },
  };
}

export function createNodeLfPool(opts: NodePoolOptions = {}): LfPool {
  const size = opts.size ?? defaultPoolSize(availableParallelism());
  return createLfPool({ size, spawn: () => spawnNodeLfWorker(opts.maxOldGenerationSizeMb), sharedStatus: opts.sharedStatus });
}
