/**
 * Page-side handle on the train worker: starts `train.worker.ts` as a module worker and wraps
 * it with Comlink. Callbacks (progress) must be passed through `Comlink.proxy`, typed arrays
 * sent in with `Comlink.transfer` when the page no longer needs them.
 */
import * as Comlink from 'comlink';
import type { TrainWorkerApi } from './train-worker-api.ts';

export interface TrainWorkerHandle {
  api: Comlink.Remote<TrainWorkerApi>;
  terminate(): void;
}

export function createTrainWorker(): TrainWorkerHandle {
  const worker = new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module', name: 'shoal-train' });
  const api = Comlink.wrap<TrainWorkerApi>(worker);
  return {
    api,
    terminate: () => {
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}

export { proxy, transfer } from 'comlink';
