/**
 * The LF worker pool in the browser: one module worker per core (see `defaultPoolSize`), each
 * wrapped with Comlink. A worker that throws an uncaught error or fails to load counts as dead;
 * the pool replaces it (see `pool.ts` for the recovery rules).
 */
import * as Comlink from 'comlink';
import type { LfWorkerApi } from './lf-worker-api.ts';
import { createLfPool, defaultPoolSize, type LfPool, type WorkerHandle } from './pool.ts';

function spawnBrowserWorker(): WorkerHandle {
  const worker = new Worker(new URL('./lf.worker.ts', import.meta.url), { type: 'module', name: 'shoal-lf' });
  const died = new Promise<string>((resolve) => {
    worker.addEventListener('error', (ev) => {
      ev.preventDefault();
      resolve(ev.message || 'the worker failed');
    });
    worker.addEventListener('messageerror', () => resolve('a message could not be decoded'));
  });
  const api = Comlink.wrap<LfWorkerApi>(worker) as unknown as LfWorkerApi;
  return { api, died, killable: true, terminate: () => worker.terminate() };
}

/** A pool of LF workers for this page; `size` defaults to one per core (capped). */
export function createBrowserLfPool(size = defaultPoolSize(navigator.hardwareConcurrency)): LfPool {
  return createLfPool({ size, spawn: spawnBrowserWorker });
}
