/**
 * The LF worker pool on Node worker threads, for `shoal apply` and the benchmarks: the pool of
 * `src/workers/pool.ts` with workers spawned as threads. Each thread has a heap limit, so an LF
 * that allocates without bound kills its own thread (and is reported) rather than the process;
 * LF `console.log` output goes to stderr, keeping stdout for the command's JSON.
 *
 * Start-up: worker threads do not inherit tsx's TypeScript loader, and registering it costs
 * each thread ~0.3–0.5 s here. So the worker entry is bundled once per process to plain JS with
 * esbuild (installed with tsx and vite; ~0.15 s) and threads load that; if esbuild is missing,
 * or the LF module itself is TypeScript, threads boot through tsx instead. When the CLI itself
 * runs from the prebuilt bundle (scripts/shoal.mjs), the worker entry was bundled with it, and
 * threads that load plain JS start without the parent's tsx flags (each thread would otherwise
 * register tsx again, ~0.2 s of CPU apiece).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
  /** Workers must be able to import TypeScript (an LF module written in TS): boot them via tsx. */
  readonly typescript?: boolean;
}

/** Set by scripts/shoal.mjs when it bundles the CLI: the worker bundled beside it, and where the sources are. */
declare const __SHOAL_PREBUILT__: { worker: string; cliSrc: string } | undefined;
const PREBUILT = typeof __SHOAL_PREBUILT__ === 'undefined' ? undefined : __SHOAL_PREBUILT__;
const SRC = PREBUILT ? pathToFileURL(PREBUILT.cliSrc + '/') : new URL('./', import.meta.url);
const TSX_BOOT = new URL('apply-worker-boot.mjs', SRC);
let bundled: Promise<URL | null> | undefined;

/** The worker entry as one plain-JS file (built once per process), or null when esbuild is unavailable. */
function bundledEntry(): Promise<URL | null> {
  bundled ??= (async () => {
    if (PREBUILT) return new URL(PREBUILT.worker, import.meta.url);
    try {
      const esbuild = await import('esbuild');
      const dir = mkdtempSync(join(tmpdir(), 'shoal-lf-worker-'));
      const outfile = join(dir, 'lf-worker.mjs');
      await esbuild.build({
        entryPoints: [fileURLToPath(new URL('apply-worker.ts', SRC))],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        outfile,
        logLevel: 'silent',
      });
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
      return pathToFileURL(outfile);
    } catch {
      return null;
    }
  })();
  return bundled;
}

export function spawnNodeLfWorker(maxOldGenerationSizeMb = 2048, entry: URL = TSX_BOOT): WorkerHandle {
  const worker = new Worker(entry, {
    resourceLimits: { maxOldGenerationSizeMb },
    // A plain-JS entry needs none of the parent's flags (tsx's loader among them; V8 flags are refused here).
    ...(entry === TSX_BOOT ? {} : { execArgv: [] }),
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

export async function createNodeLfPool(opts: NodePoolOptions = {}): Promise<LfPool> {
  const size = opts.size ?? defaultPoolSize(availableParallelism());
  const entry = (opts.typescript ? null : await bundledEntry()) ?? TSX_BOOT;
  return createLfPool({ size, spawn: () => spawnNodeLfWorker(opts.maxOldGenerationSizeMb, entry), sharedStatus: opts.sharedStatus });
}
