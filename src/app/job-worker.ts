/**
 * One worker for one job (a word-index build, a Browse search): started for the call, terminated
 * when it ends, fails, or its signal aborts — termination is how such a job is cancelled, mid-I/O
 * included. An abort rejects with an AbortError; a worker that dies rejects with `stopped`.
 */
import type * as ComlinkNs from 'comlink';
import { ShoalError } from '../core/types.ts';

export async function inJobWorker<Api, T>(
  start: () => Worker,
  signal: AbortSignal | undefined,
  messages: { aborted: string; stopped: string },
  call: (remote: ComlinkNs.Remote<Api>, comlink: typeof ComlinkNs) => Promise<T>,
): Promise<T> {
  const Comlink = await import('comlink');
  const worker = start();
  const remote = Comlink.wrap<Api>(worker);
  try {
    return await new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(new DOMException(messages.aborted, 'AbortError'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.addEventListener('error', (e) => reject(new ShoalError(`${messages.stopped} (${e.message || 'unknown error'})`)));
      call(remote, Comlink).then(resolve, (e: unknown) =>
        reject(e instanceof Error ? new ShoalError(e.message) : new ShoalError(String(e))),
      );
    });
  } finally {
    remote[Comlink.releaseProxy]();
    worker.terminate();
  }
}
