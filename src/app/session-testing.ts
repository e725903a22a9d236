/**
 * The session's dependencies for Node (tests, scripts): the in-memory storage twin, inline LF
 * pools, rows imported on this thread, no Web Locks, a Map-backed breadcrumb store and jobs that
 * are recorded by label. The testing twin of `browserSessionDeps()` (session.svelte.ts).
 */
import { ShoalError } from '../core/types.ts';
import { createMemoryStorage, type MemoryFaults, type MemoryStorage } from '../storage/memory.ts';
import type { DatasetVersionRecord, ShoalStorage } from '../storage/types.ts';
import { createLfWorkerApi } from '../workers/lf-worker-api.ts';
import { createInlineLfPool, type ChunkSource } from '../workers/pool.ts';
import { buildTextIndex } from '../workers/text-index-build.ts';
import type { LoadedDemo } from './demo.ts';
import { storageRowImporter, type JobRunner } from './import-flow.ts';
import { LfRuns } from './lf-runs.ts';
import { RunCrumbs, type CrumbStore } from './run-crumbs.ts';
import type { SessionDeps } from './session.svelte.ts';

/** Why code LFs do not run under `memorySessionDeps` (no isolated pool in Node). */
export const NO_ISOLATION = 'code LFs do not run in this test session (no isolated pool)';

/** A committed version's rows, read on this thread from the storage. */
export function storageChunkSource(version: DatasetVersionRecord, storage: ShoalStorage): ChunkSource {
  return {
    rowCount: version.rowCount,
    chunkCount: version.chunkCount,
    read: async (index) => ({ start: index * version.rowsPerChunk, rows: (await storage.getRowChunk(version.id, index)) ?? [] }),
  };
}

/** Web Storage over a Map. */
export function mapCrumbStore(): CrumbStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

/** Jobs run at once, their labels and owners recorded. */
export function recordingJobs(): JobRunner & { labels: string[]; owners: unknown[] } {
  const labels: string[] = [];
  const owners: unknown[] = [];
  return {
    labels,
    owners,
    run: (label, work, opts) => {
      labels.push(label);
      owners.push(opts?.owner);
      return work(new AbortController().signal, () => {});
    },
  };
}

export interface MemorySession {
  deps: SessionDeps;
  storage: MemoryStorage;
  crumbStore: ReturnType<typeof mapCrumbStore>;
  jobs: ReturnType<typeof recordingJobs>;
}

/** Session dependencies over a fresh in-memory storage (`faults` make its writes fail). */
export function memorySessionDeps(opts: { faults?: MemoryFaults; demo?: LoadedDemo } = {}): MemorySession {
  const storage = createMemoryStorage(opts.faults);
  const crumbStore = mapCrumbStore();
  const jobs = recordingJobs();
  const page = createInlineLfPool(() => createLfWorkerApi());
  const deps: SessionDeps = {
    openStorage: async () => storage,
    lfRuns: new LfRuns({
      page: async () => page,
      isolated: () => Promise.reject(new ShoalError(NO_ISOLATION)),
      probe: async () => NO_ISOLATION,
    }),
    chunkSource: storageChunkSource,
    importRows: storageRowImporter(storage),
    jobs,
    environment: { requestPersistence: async () => false, refreshStorage: async () => {} },
    locks: null,
    crumbs: new RunCrumbs(crumbStore),
    fetchDemo: async () => {
      if (!opts.demo) throw new ShoalError('no demo in this test session');
      return opts.demo;
    },
    baseUrl: '/',
    // The page's builder, inline: the same reading of chunks, on this thread.
    textIndexBuild: (version, store, field, o) => buildTextIndex(store, version, field, o),
  };
  return { deps, storage, crumbStore, jobs };
}
