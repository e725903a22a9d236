/**
 * LF workers in processes of their own, for LF code: each worker runs inside a sandboxed
 * `srcdoc` iframe (lf-isolated-frame.ts), which Chromium puts in a separate renderer process.
 * An LF that allocates without bound then kills that process only; the page sees its pings go
 * unanswered (host-liveness.ts), the pool blames the LF (after a second death: the frames of one
 * page share a process, so a worker can die of its neighbour) and carries on with new frames.
 *
 * The frame has an opaque origin: no IndexedDB, no cookies, no service worker, and (it inherits
 * the page's CSP) no network. Rows come from a chunk server worker on the app's origin
 * (chunk-relay.ts) over a MessagePort per LF worker. Without SharedArrayBuffer across processes,
 * the pool falls back to per-chunk deadlines and the one-LF-at-a-time re-run to find a culprit.
 *
 * The session runs a set with any code LF here, whole; template-only sets (our own code, bounded
 * memory) keep the page's workers, which read IndexedDB themselves. Code LFs run nowhere else:
 * if isolated workers cannot start in this browser (`probeIsolation`), they do not run at all.
 */
import { errorText } from '../core/errors.ts';
import * as Comlink from 'comlink';
import workerSource from 'virtual:shoal-lf-isolated-worker';
import { relayedSource, type ChunkServerHost } from './chunk-relay.ts';
import { watchHost } from './host-liveness.ts';
import { clipText } from '../core/lf/sandbox.ts';
import { frameSrcdoc } from './lf-isolated-frame.ts';
import type { LfWorkerApi } from './lf-worker-api.ts';
import { createLfPool, defaultPoolSize, type ChunkSource, type LfPool, type WorkerHandle } from './pool.ts';

let chunkServer: { host: Comlink.Remote<ChunkServerHost>; worker: Worker } | null = null;

function getChunkServer(): Comlink.Remote<ChunkServerHost> {
  if (!chunkServer) {
    const worker = new Worker(new URL('./chunk-server.worker.ts', import.meta.url), { type: 'module', name: 'shoal-chunk-server' });
    chunkServer = { worker, host: Comlink.wrap<ChunkServerHost>(worker) };
  }
  return chunkServer.host;
}

const LIVENESS = { silenceMs: 1500, intervalMs: 250 } as const;

/** How long a worker that was sent nothing may take to start before isolation counts as unavailable. */
const PROBE_START_MS = 20_000;

/**
 * Whether isolated LF workers start in this browser: null when they do, else one sentence for
 * the user. Decided by a worker that is sent no LF code, so nothing an LF does (crash its
 * process, forge an error message) can change the answer; the page alone observes whether the
 * frame's worker reported `connected`.
 */
export async function probeIsolation(): Promise<string | null> {
  let handle: WorkerHandle;
  try {
    handle = spawnIsolatedWorker(PROBE_START_MS);
  } catch (e) {
    return unavailable(errorText(e));
  }
  const outcome = await Promise.race([handle.ready!.then(() => null), handle.died.then((reason) => unavailable(reason))]);
  handle.terminate();
  return outcome;
}

function unavailable(reason: string): string {
  return `Code LFs cannot run here: their isolated sandbox did not start (${clipText(reason, 120)}), so they run nowhere; template LFs still run. Open Shoal's own build in a current Chrome, Edge or Firefox (a browser without isolated frames, or a host that alters Shoal's security policy, stops it).`;
}

function spawnIsolatedWorker(startMs?: number): WorkerHandle {
  const control = new MessageChannel();
  const api = new MessageChannel();
  const relay = new MessageChannel();
  void getChunkServer().connect(Comlink.transfer(relay.port1, [relay.port1]));

  const frame = document.createElement('iframe');
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.setAttribute('aria-hidden', 'true');
  frame.tabIndex = -1;
  frame.dataset.shoalLfHost = '';
  frame.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden';
  frame.srcdoc = frameSrcdoc();
  frame.addEventListener(
    'load',
    () => frame.contentWindow?.postMessage({ type: 'shoal-lf-host', source: workerSource }, '*', [control.port2, api.port2, relay.port2]),
    { once: true },
  );
  document.body.append(frame);

  const live = watchHost(control.port1, { ...LIVENESS, startMs });
  // Where the browser fires `close` on ports (not Chromium 156 for a crashed frame, measured),
  // the API port's other end, in the worker, tells of a worker that died alone.
  api.port1.addEventListener('close', () => live.lost());
  const handle: WorkerHandle = {
    api: Comlink.wrap<LfWorkerApi>(api.port1) as unknown as LfWorkerApi,
    died: live.died,
    ready: live.ready,
    deathGraceMs: LIVENESS.silenceMs + 2 * LIVENESS.intervalMs,
    killable: true,
    terminate() {
      live.stop();
      control.port1.close();
      api.port1.close();
      // Removing the frame ends its worker even mid-loop, and lets its process go.
      frame.remove();
    },
  };
  void live.died.then(() => handle.terminate());
  return handle;
}

function relayed(source: ChunkSource): ChunkSource {
  return source.remote ? { ...source, remote: relayedSource(source.remote) } : source;
}

/** A pool of process-isolated LF workers; `size` defaults to one per core (capped). */
export function createIsolatedLfPool(size = defaultPoolSize(navigator.hardwareConcurrency)): LfPool {
  // The status array cannot be shared with another process: per-chunk deadlines instead.
  const pool = createLfPool({ size, spawn: () => spawnIsolatedWorker(), sharedStatus: false });
  return {
    size: pool.size,
    apply: (spec, source, o) => pool.apply(spec, relayed(source), o),
    applyLfs: (defs, classes, source, o) => pool.applyLfs(defs, classes, relayed(source), o),
    previewLf: (def, classes, sample, o) => pool.previewLf(def, classes, sample, o),
    close: () => pool.close(),
  };
}
