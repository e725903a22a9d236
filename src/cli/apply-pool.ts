/**
 * The LF worker pool on Node worker threads, for `shoal apply` and the benchmarks: the pool of
 * `src/workers/pool.ts` with workers spawned as threads. Each thread has a heap limit, so an LF
 * that allocates without bound kills its own thread (and is reported) rather than the process;
 * LF `console.log` output goes to stderr, keeping stdout for the command's JSON.
 *
 * Start-up: worker threads do not inherit tsx's TypeScript loader, and registering it costs
 * each thread ~0.3–0.5 s here. So the worker entry is bundled once per process to plain JS with
 * esbuild (installed with tsx and vite; ~0.15 s) and threads load that; if esbuild is missing,
 * or the LF module itself is TypeScript, threads boot through tsx instead.
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

const TSX_BOOT = new URL('./apply-worker-boot.mjs', import.meta.url);
let bundled: Promise<URL | null> | undefined;

/** The worker entry as one plain-JS file (built once per process), or null when esbuild is unavailable. */
function bundledEntry(): Promise<URL | null> {
  bundled ??= (async () => {
    try {
      const esbuild = await import('esbuild');
      const dir = mkdtempSync(join(tmpdir(), 'shoal-lf-worker-'));
      const outfile = join(dir, 'lf-worker.mjs');
      await esbuild.build({
        entryPoints: [fileURLToPath(new URL('./apply-worker.ts', import.meta.url))],
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
