/**
 * The Model screen's train worker (src/workers/train-client.ts): one module worker, created
 * on first use, handed to the model services as a `TrainWorkerPort` (`browserTrainWorker`).
 * The tfjs backend it measured is remembered in localStorage (workers have none), so the short
 * measurement runs once per device.
 */
import * as Comlink from 'comlink';
import type { BackendChoice } from '../core/backend.ts';
import { createTrainWorker } from '../workers/train-client.ts';
import type { TrainWorkerApi, TrainWorkerPort } from '../workers/train-worker-api.ts';

const BACKEND_KEY = 'shoal.tfjs-backend.v1';

let worker: Comlink.Remote<TrainWorkerApi> | null = null;
let backend: Promise<BackendChoice> | null = null;

export function trainWorker(): Comlink.Remote<TrainWorkerApi> {
  if (!worker) worker = createTrainWorker().api;
  return worker;
}

/** Measure (or recall) the tfjs backend in the worker; the result says which one runs. */
export function workerBackend(): Promise<BackendChoice> {
  if (!backend) {
    backend = (async () => {
      let cached: string | null = null;
      try {
        cached = localStorage.getItem(BACKEND_KEY);
      } catch {
        // No localStorage (private mode): measure every session.
      }
      const { choice, cacheValue } = await trainWorker().selectBackend(cached);
      try {
        if (cacheValue !== null) localStorage.setItem(BACKEND_KEY, cacheValue);
      } catch {
        // see above
      }
      return choice;
    })();
    backend.catch(() => {
      backend = null;
    });
  }
  return backend;
}

/** The page's train worker as the model services take it (they call this on first use). */
export function browserTrainWorker(): TrainWorkerPort {
  return {
    api: trainWorker(),
    backend: workerBackend,
    callback: (fn) => Comlink.proxy(fn),
    transfer: (value, buffers) => Comlink.transfer(value, buffers),
  };
}
