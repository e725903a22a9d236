/**
 * What the model services (label-model.svelte.ts, classifier.svelte.ts, onnx-export.svelte.ts)
 * receive in their constructors: the storage, a read-only view of the open project, the train
 * worker (asked for on first use, so constructing a service starts no worker), the jobs registry
 * and a timer. Node tests hand them the in-memory storage, a plain view, the train worker's API
 * called inline and a registry of their own.
 */
import type { ShoalStorage } from '../storage/types.ts';
import type { TrainWorkerPort } from '../workers/train-worker-api.ts';
import type { Jobs } from './jobs.svelte.ts';
import type { ModelProjectView } from './model-view.ts';

export interface ModelDeps {
  readonly storage: ShoalStorage;
  readonly project: ModelProjectView;
  /** The train worker; called when work starts, so a browser worker starts on first use. */
  readonly trainWorker: () => TrainWorkerPort;
  readonly jobs: Jobs;
  /** Run `fn` after `ms` milliseconds; returns what cancels it (default: setTimeout). */
  readonly later?: (fn: () => void, ms: number) => () => void;
}

export function laterTimer(fn: () => void, ms: number): () => void {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
}

/** Whether `e` is a cancellation (an AbortError from a job's signal or the worker). */
export function isAbort(e: unknown): boolean {
  return (e instanceof Error || (typeof e === 'object' && e !== null)) && /abort/i.test(`${(e as Error).name} ${(e as Error).message}`);
}
