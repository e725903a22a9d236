/**
 * The LF worker pool: applies an LF set to a chunked dataset on N workers and returns one
 * Int8Array of votes per LF, with progress, cancel and per-LF fault isolation.
 *
 * Host-agnostic: workers come from a `spawn` function (browser module workers in
 * `pool-browser.ts`, Node worker threads in `src/cli/apply-pool.ts`, or the same thread in
 * `createInlineLfPool` for unit tests), so the scheduling and recovery below is tested once.
 *
 * Faults, and what the pool does:
 * - an LF throws or returns junk → the runtime records it per LF; nothing else happens;
 * - an LF runs longer than its budget on a chunk (an endless loop, a catastrophic regex) →
 *   the worker is terminated (the only way to stop synchronous JS) and replaced, the LF is
 *   marked failed and all-abstain, the chunk is re-run without it, the others complete;
 * - a worker dies (out of memory, `process.exit` in LF code) → same, blaming the LF that was
 *   running; when that cannot be known (no SharedArrayBuffer), the chunk is re-run one LF at a
 *   time to find it, and a lone LF is convicted only if it kills a worker twice (a worker may
 *   also die because another one sharing its process did);
 * - workers that cannot start or keep dying with no LF to blame → the job rejects with a
 *   ShoalError and the pool stays usable: the same job can simply be retried.
 * Which LF is running is read from a shared Int32Array the worker updates before each phase;
 * without SharedArrayBuffer (a page that is not cross-origin isolated) the pool falls back to a
 * whole-chunk deadline (budget × LFs) and the one-LF-at-a-time re-run.
 */
import { errorText } from '../core/errors.ts';
import {
  fieldsRead,
  lfHash,
  packRows,
  type ColumnChunk,
  type LfDef,
  type LfErrorInfo,
  type LfPreview,
  type PreviewOptions,
  type PreviewSample,
  type RowChunk,
} from '../core/lf/index.ts';
import { assertOverlapFits, mergeOverlapCounts, type OverlapCounts } from '../core/labelmodel/overlap.ts';
import { ShoalError } from '../core/types.ts';
import {
  STATUS_LF,
  STATUS_MANY,
  STATUS_SEQ,
  type LfSetInfo,
  type LfSetSpec,
  type LfWorkerApi,
  type RemoteChunkSource,
  type WireChunkResult,
} from './lf-worker-api.ts';

/** A dataset in chunks; chunk `i` is read on the main thread (`read`) or by the workers (`remote`). */
export interface ChunkSource {
  readonly rowCount: number;
  readonly chunkCount: number;
  read?(index: number): Promise<RowChunk> | RowChunk;
  readonly remote?: RemoteChunkSource;
}

/** One started worker. */
export interface WorkerHandle {
  readonly api: LfWorkerApi;
  /** Resolves (never rejects) with a reason when the worker dies on its own. */
  readonly died: Promise<string>;
  /** False for the inline twin: its loops cannot be stopped. */
  readonly killable: boolean;
  /**
   * Resolves once the worker can run LFs, for hosts whose start-up is slow (a new process for an
   * isolated worker): watchdog deadlines start counting only then. Absent: ready at once.
   */
  readonly ready?: Promise<void>;
  /**
   * For hosts whose death is noticed late (an isolated worker's process is declared dead after
   * its pings go unanswered): how long a deadline waits for `died` before calling it a hang, so
   * an LF that ran out of memory is reported as that, not as an endless loop.
   */
  readonly deathGraceMs?: number;
  terminate(): void;
}

export type Spawn = () => WorkerHandle;

export interface ApplyProgress {
  readonly rowsDone: number;
  readonly rowCount: number;
  readonly chunksDone: number;
  readonly chunkCount: number;
}

export interface ApplyOptions {
  readonly onProgress?: (p: ApplyProgress) => void;
  readonly signal?: AbortSignal;
  /** Longest one LF may run on one chunk before its worker is killed; default 5000 ms. */
  readonly timeBudgetMsPerLfPerChunk?: number;
  /**
   * The LFs (positions) running on some worker now, sampled by the watchdog (~every 50 ms; needs
   * SharedArrayBuffer). Chromium takes the whole tab down, workers included, when a worker runs
   * out of memory, so no error can be reported then: persist this synchronously (localStorage)
   * to name the LF after the reload.
   */
  readonly onRunning?: (lfs: readonly number[]) => void;
  /**
   * Asked before a worker (by slot, 0 … size-1) takes each chunk: false stops that worker for the
   * rest of the job, a promise holds it back until it settles. Slot 0 must always be let through.
   * For choosing the worker count by measurement (src/cli/worker-choice.ts); absent: all work.
   */
  readonly gate?: (slot: number) => boolean | Promise<boolean>;
  /**
   * Called once per chunk (by index) when all its votes are in `votes` (one array per LF, dataset
   * rows; not to be modified), so a caller can write results while later chunks still run. An LF
   * that fails later in the job has its votes discarded at the end (`failed`): what was seen of it
   * here is then stale.
   */
  readonly onChunkDone?: (chunk: number, votes: readonly Int8Array[], classes: readonly string[]) => void;
  readonly textField?: string;
  /**
   * Also return the overlap counts of the votes (`LfApplyResult.stats`), summed inside the
   * workers as they vote (pool-stats.ts), for `MetalLabelModel.fitFromStats`.
   */
  readonly stats?: boolean;
}

export interface LfApplyOutcome {
  readonly name: string;
  /** `lfHash(def, classes)` for LF definitions (the vote-cache key); absent for module LFs. */
  readonly hash?: string;
  /** One vote per dataset row (-1 = abstain); all -1 when the LF failed as a whole. */
  readonly votes: Int8Array;
  readonly error: LfErrorInfo | null;
  /** True when the LF was stopped (timeout or crash) and its votes were discarded. */
  readonly failed: boolean;
  readonly ms: number;
}

export interface LfApplyResult {
  readonly rows: number;
  readonly classes: readonly string[];
  readonly lfs: LfApplyOutcome[];
  readonly ms: number;
  /**
   * With `stats: true`: the overlap counts of exactly the returned votes. Null when a worker was
   * stopped or crashed during the job (its partial sums are lost, and an LF failed mid-run has
   * votes counted that are then discarded): compute them from the votes instead.
   */
  readonly stats?: OverlapCounts | null;
}

export interface LfPool {
  readonly size: number;
  /** Apply LF definitions (the app). Runs one job at a time; later calls wait. */
  applyLfs(defs: readonly LfDef[], classes: readonly string[], source: ChunkSource, opts?: ApplyOptions): Promise<LfApplyResult>;
  /** Apply any LF set, including a module of functions (the CLI). */
  apply(spec: LfSetSpec, source: ChunkSource, opts?: ApplyOptions): Promise<LfApplyResult>;
  /** Live preview on a sample in a killable worker: rejects with ShoalError after `timeoutMs` (default 2000). */
  previewLf(
    def: LfDef,
    classes: readonly string[],
    sample: PreviewSample,
    opts?: Omit<PreviewOptions, 'nlp'> & { timeoutMs?: number },
  ): Promise<LfPreview>;
  close(): void;
}

export interface PoolOptions {
  readonly size: number;
  readonly spawn: Spawn;
  /**
   * Share a status array with each worker (needs SharedArrayBuffer, i.e. a cross-origin isolated
   * page or Node) to pin hangs and crashes on the running LF; default: when available.
   */
  readonly sharedStatus?: boolean;
}

const DEFAULT_BUDGET_MS = 5000;
/** Unattributable worker deaths tolerated per job before giving up. */
const MAX_BLIND_CRASHES = 3;

class Failure {
  constructor(
    readonly kind: 'hang' | 'crash',
    /** LF the worker was running, when known. */
    readonly culprit: number | null,
    readonly message: string,
  ) {}
}

interface Slot {
  handle: WorkerHandle | null;
  /** The watchdog array shared with `handle` (null without SharedArrayBuffer). */
  status: Int32Array | null;
}

/**
 * Chunks kept in flight per worker: the next chunk already waits in the worker's queue when it
 * finishes one, so a busy machine's thread wake-up latency is not paid once per chunk.
 */
const PIPELINE_DEPTH = 2;

function abortError(): Error {
  const e = new ShoalError('the LF run was cancelled');
  e.name = 'AbortError';
  return e;
}

const hasSab = (): boolean =>
  typeof SharedArrayBuffer !== 'undefined' && (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated !== false;

export function createLfPool(opts: PoolOptions): LfPool {
  const size = Math.max(1, Math.floor(opts.size));
  const shared = (opts.sharedStatus ?? true) && hasSab();
  const slots: Slot[] = Array.from({ length: size }, () => ({ handle: null, status: null }));
  let previewSlot: Slot = { handle: null, status: null };
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  /** Workers that died while idle (a neighbour in the same process, say) are replaced, not used. */
  const dead = new WeakSet<WorkerHandle>();
  function ensure(slot: Slot): WorkerHandle {
    if (slot.handle && dead.has(slot.handle)) kill(slot);
    if (!slot.handle) {
      const handle = opts.spawn();
      void handle.died.then(() => dead.add(handle));
      slot.handle = handle;
      slot.status = shared ? new Int32Array(new SharedArrayBuffer(8)) : null;
    }
    return slot.handle;
  }
  /** Terminate the slot's worker — only if it is still `handle` (another task may have replaced it). */
  function kill(slot: Slot, handle: WorkerHandle | null = slot.handle): void {
    if (!handle || slot.handle !== handle) return;
    handle.terminate();
    slot.handle = null;
    slot.status = null;
  }

  /** Race a worker call against its death and (for killable workers) the watchdog. */
  function guarded<T>(
    handle: WorkerHandle,
    status: Int32Array | null,
    call: Promise<T>,
    budgetMs: number,
    chunkDeadlineMs: number,
    signal?: AbortSignal,
    onLf?: (lf: number | null) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const timers: ReturnType<typeof setTimeout>[] = [];
      const finish = (f: () => void) => {
        if (done) return;
        done = true;
        for (const t of timers) clearTimeout(t);
        clearInterval(poll);
        signal?.removeEventListener('abort', onAbort);
        f();
      };
      const current = (): number | null => {
        if (!status) return null;
        const lf = Atomics.load(status, STATUS_LF);
        return lf >= 0 ? lf : null;
      };
      // Only an answer clears the running LF: after a death the last report must stay (see onRunning).
      call.then(
        (v) => finish(() => (onLf?.(null), resolve(v))),
        (e) => finish(() => (onLf?.(null), reject(e))),
      );
      handle.died.then((reason) => finish(() => reject(new Failure('crash', current(), reason))));
      const onAbort = () => finish(() => reject(abortError()));
      signal?.addEventListener('abort', onAbort);
      let poll: ReturnType<typeof setInterval> | undefined;
      const hang = (f: Failure) => {
        if (!handle.deathGraceMs) return finish(() => reject(f));
        clearInterval(poll);
        timers.push(setTimeout(() => finish(() => reject(f)), handle.deathGraceMs));
      };
      const arm = () => {
        if (done) return;
        if (handle.killable && status) {
          // Per-LF watchdog: a phase whose sequence number does not move for `budgetMs` hung.
          let seq = Atomics.load(status, STATUS_SEQ);
          let since = Date.now();
          poll = setInterval(
            () => {
              const s = Atomics.load(status, STATUS_SEQ);
              if (s !== seq) {
                seq = s;
                since = Date.now();
                onLf?.(current());
              } else if (Date.now() - since > budgetMs) {
                const lf = Atomics.load(status, STATUS_LF);
                hang(new Failure('hang', lf >= 0 ? lf : null, lf === STATUS_MANY ? 'the template pass' : 'unknown'));
              }
            },
            Math.max(5, Math.min(50, budgetMs / 4)),
          );
        } else if (handle.killable) {
          timers.push(setTimeout(() => hang(new Failure('hang', null, 'chunk deadline')), chunkDeadlineMs));
        }
      };
      if (handle.ready) handle.ready.then(arm, arm);
      else arm();
    });
  }

  async function runJob(spec: LfSetSpec, source: ChunkSource, o: ApplyOptions): Promise<LfApplyResult> {
    if (closed) throw new ShoalError('the LF worker pool was closed');
    const t0 = performance.now();
    const signal = o.signal;
    if (signal?.aborted) throw abortError();
    const budget = o.timeBudgetMsPerLfPerChunk ?? DEFAULT_BUDGET_MS;
    const { rowCount, chunkCount } = source;
    if (!source.remote && !source.read) throw new ShoalError('the chunk source has neither read() nor a remote reader');
    if (spec.kind === 'defs' && spec.defs.length === 0) return { rows: rowCount, classes: spec.classes, lfs: [], ms: 0 };
    // Refuse here, before any worker allocates (m·k)² counts it could not hold.
    if (o.stats && spec.kind === 'defs') assertOverlapFits('worker-side overlap statistics', spec.defs.length, spec.classes.length);

    // Start (or reuse) workers and compile the LF set in each, once per job and worker.
    let info: LfSetInfo | null = null;
    const initSlot = async (slot: Slot): Promise<WorkerHandle> => {
      let lastError = '';
      for (let attempt = 0; attempt < 2; attempt++) {
        const handle = ensure(slot);
        try {
          const r = await guarded(
            handle,
            slot.status,
            handle.api.init(spec, slot.status, source.remote ?? null, o.stats ? { stats: true } : undefined),
            60_000,
            60_000,
            signal,
          );
          info ??= r;
          return handle;
        } catch (e) {
          if (e instanceof ShoalError) throw e; // cancelled
          kill(slot, handle);
          if (!(e instanceof Failure)) throw new ShoalError(`the LFs could not be loaded: ${errorText(e)}`);
          lastError = e.message;
        }
      }
      throw new ShoalError(`an LF worker could not start (${lastError}); nothing was changed, try again`);
    };
    const readyBy = new Map<Slot, Promise<WorkerHandle>>();
    const ready = (slot: Slot): Promise<WorkerHandle> => {
      let p = readyBy.get(slot);
      if (!p) {
        p = initSlot(slot);
        readyBy.set(slot, p);
        p.catch(() => readyBy.delete(slot));
      }
      return p;
    };
    const active = slots.slice(0, Math.max(1, Math.min(size, chunkCount)));
    await Promise.all(active.map(ready));
    const set = info as LfSetInfo | null;
    if (!set) throw new ShoalError('no LF worker started');
    const m = set.names.length;
    const wireFields = spec.kind === 'defs' ? fieldsRead(spec.defs, spec.textField ?? 'text') : null;

    const votes = Array.from({ length: m }, () => new Int8Array(rowCount).fill(-1));
    const errors: (LfErrorInfo | null)[] = set.compileErrors.slice();
    const failed = new Array<boolean>(m).fill(false);
    const ms = new Array<number>(m).fill(0);
    for (let j = 0; j < m; j++) if (errors[j]) failed[j] = true;

    interface Task {
      chunk: number;
      only: number[] | null;
      /** Re-run of a lone LF whose worker died: a second death convicts it. */
      confirm?: boolean;
    }
    const tasks: Task[] = Array.from({ length: chunkCount }, (_, chunk) => ({ chunk, only: null }));
    let chunksDone = 0;
    let rowsDone = 0;
    let blindCrashes = 0;
    /** A worker was killed or died: its accumulated statistics are gone. */
    let statsLost = false;
    // Which LF each worker runs, for `onRunning`.
    const runningOn = new Map<WorkerHandle, number>();
    let lastRunning = '';
    const report = o.onRunning
      ? (h: WorkerHandle, lf: number | null) => {
          if (lf === null) runningOn.delete(h);
          else runningOn.set(h, lf);
          const now = [...new Set(runningOn.values())].sort((a, b) => a - b);
          const key = now.join(',');
          if (key !== lastRunning) {
            lastRunning = key;
            o.onRunning!(now);
          }
        }
      : undefined;
    const counted = new WeakSet<WorkerHandle>(); // a death fails every task in flight on it: count it once
    const chunkRows = new Map<number, number>();
    const pendingParts = new Map<number, number>(); // chunk → outstanding split tasks
    const splits = new Map<number, { total: number; crashed: number }>(); // chunks re-run one LF at a time after a crash

    const merge = (r: WireChunkResult) => {
      for (let s = 0; s < r.lfs.length; s++) {
        const j = r.lfs[s];
        if (failed[j]) continue;
        votes[j].set(r.votes.subarray(s * r.rows, (s + 1) * r.rows), r.start);
        ms[j] += r.ms[s];
        const e = r.errors[s];
        if (e) {
          const prev = errors[j];
          errors[j] = prev
            ? { row: Math.min(prev.row, e.row), message: prev.row <= e.row ? prev.message : e.message, count: prev.count + e.count }
            : e;
        }
      }
    };
    const fail = (j: number, message: string) => {
      if (failed[j]) return;
      failed[j] = true;
      errors[j] = { row: -1, message, count: 0 };
    };
    const chunkDone = (task: Task) => {
      const left = (pendingParts.get(task.chunk) ?? 1) - 1;
      if (left > 0) {
        pendingParts.set(task.chunk, left);
        return;
      }
      pendingParts.delete(task.chunk);
      chunksDone++;
      rowsDone += chunkRows.get(task.chunk) ?? 0;
      o.onChunkDone?.(task.chunk, votes, set.classes);
      o.onProgress?.({ rowsDone, rowCount, chunksDone, chunkCount });
    };

    const worker = async (slot: Slot, index: number): Promise<void> => {
      for (;;) {
        if (signal?.aborted) throw abortError();
        if (o.gate && index > 0 && !(await o.gate(index))) return;
        const task = tasks.shift();
        if (!task) return;
        const only = (task.only ?? Array.from({ length: m }, (_, j) => j)).filter((j) => !failed[j]);
        if (only.length === 0) {
          chunkDone(task);
          continue;
        }
        let payload: RowChunk | ColumnChunk | number = source.remote ? task.chunk : await source.read!(task.chunk);
        if (typeof payload !== 'number') {
          chunkRows.set(task.chunk, payload.rows.length);
          // Column-wise, and only the fields the LFs read: far cheaper to post than row objects.
          payload = packRows(payload, wireFields) ?? payload;
        }
        const handle = await ready(slot);
        const status = slot.status;
        try {
          const call = handle.api.run(payload, task.only === null && only.length === m ? null : only);
          const r = await guarded(
            handle,
            status,
            call,
            budget,
            budget * only.length + Math.min(1000, budget),
            signal,
            report && ((lf) => report(handle, lf)),
          );
          chunkRows.set(task.chunk, r.rows);
          merge(r);
          chunkDone(task);
        } catch (e) {
          if (!(e instanceof Failure)) {
            if (e instanceof ShoalError) throw e;
            throw new ShoalError(`applying LFs to chunk ${task.chunk} failed: ${errorText(e)}`);
          }
          statsLost = true;
          if (slot.handle === handle) {
            kill(slot, handle);
            readyBy.delete(slot);
          }
          const where = rowRange(task.chunk);
          if (e.culprit !== null && !only.includes(e.culprit)) {
            // Another chunk in flight on the same worker brought it down: run this one again.
            tasks.unshift(task);
            continue;
          }
          if (e.kind === 'crash' && e.culprit === null && only.length === 1 && !task.confirm) {
            // Nobody saw this LF bring the worker down, and workers can die of a neighbour
            // (isolated workers may share a process): run it alone once more before blaming it.
            tasks.unshift({ chunk: task.chunk, only, confirm: true });
            continue;
          }
          const culprit = e.culprit ?? (only.length === 1 ? only[0] : null);
          const split = splits.get(task.chunk);
          if (split && only.length === 1 && e.kind === 'crash' && ++split.crashed === split.total) {
            // Every LF of the chunk crashed the worker on its own: blame the worker, not the LFs.
            throw new ShoalError(`LF workers kept crashing (${e.message}); nothing was saved, try again`);
          }
          if (culprit !== null) {
            fail(
              culprit,
              e.kind === 'hang'
                ? `ran longer than ${budget} ms on ${where} (an endless loop?); it was stopped and its votes discarded`
                : `crashed its worker on ${where} (${e.message}); it was stopped and its votes discarded`,
            );
            tasks.unshift({ chunk: task.chunk, only: only.filter((j) => j !== culprit) });
          } else {
            if (e.kind === 'crash' && !counted.has(handle) && (counted.add(handle), ++blindCrashes > MAX_BLIND_CRASHES)) {
              throw new ShoalError(`LF workers kept crashing (${e.message}); nothing was saved, try again`);
            }
            // Nobody to blame: re-run this chunk one LF at a time to find the culprit.
            if (e.kind === 'crash') splits.set(task.chunk, { total: only.length, crashed: 0 });
            pendingParts.set(task.chunk, (pendingParts.get(task.chunk) ?? 1) - 1 + only.length);
            tasks.unshift(...only.map((j) => ({ chunk: task.chunk, only: [j] })));
          }
        }
      }
    };
    const rowRange = (chunk: number) => {
      const n = chunkRows.get(chunk);
      return n === undefined ? `chunk ${chunk}` : `a chunk of ${n} rows`;
    };

    try {
      // Pipelining needs the shared status to tell which in-flight chunk killed a worker.
      const depth = shared ? PIPELINE_DEPTH : 1;
      await Promise.all(active.flatMap((slot, index) => Array.from({ length: depth }, () => worker(slot, index))));
    } catch (e) {
      // Stop everything in flight; workers are re-spawned lazily by the next job.
      for (const s of slots) kill(s);
      throw e;
    }
    for (let j = 0; j < m; j++) if (failed[j] && !set.compileErrors[j]) votes[j].fill(-1);
    let stats: OverlapCounts | null | undefined;
    if (o.stats) {
      stats = null;
      if (!statsLost) {
        // Every chunk was counted once, by a worker still alive: the sums are exact.
        const parts = await Promise.all(
          active.map((slot) => (slot.handle?.api.takeStats ? slot.handle.api.takeStats() : Promise.resolve(null))),
        );
        if (parts.every((p) => p !== null)) stats = (parts as OverlapCounts[]).reduce((a, b) => mergeOverlapCounts(a, b));
      }
    }
    return {
      rows: rowCount,
      classes: set.classes,
      lfs: set.names.map((name, j) => ({
        name,
        ...(spec.kind === 'defs' ? { hash: lfHash(spec.defs[j], spec.classes) } : {}),
        votes: votes[j],
        error: errors[j],
        failed: failed[j],
        ms: ms[j],
      })),
      ms: performance.now() - t0,
      ...(stats !== undefined ? { stats } : {}),
    };
  }

  function serialize<T>(job: () => Promise<T>): Promise<T> {
    const next = queue.then(job, job);
    queue = next.catch(() => undefined);
    return next;
  }

  return {
    size,
    apply: (spec, source, o = {}) => serialize(() => runJob(spec, source, o)),
    applyLfs: (defs, classes, source, o = {}) =>
      serialize(() => runJob({ kind: 'defs', defs, classes, textField: o.textField }, source, o)),
    async previewLf(def, classes, sample, o = {}) {
      if (closed) throw new ShoalError('the LF worker pool was closed');
      const { timeoutMs = 2000, ...popts } = o;
      const slot = previewSlot;
      const handle = ensure(slot);
      try {
        return await guarded(handle, slot.status, handle.api.preview(def, classes, sample, popts), timeoutMs, timeoutMs);
      } catch (e) {
        if (!(e instanceof Failure)) throw e;
        kill(slot, handle);
        previewSlot = { handle: null, status: null };
        throw new ShoalError(
          e.kind === 'hang'
            ? `LF "${def.name}" did not finish the preview within ${timeoutMs} ms (an endless loop?)`
            : `LF "${def.name}" crashed the preview worker (${e.message})`,
        );
      }
    },
    close() {
      closed = true;
      for (const s of slots) kill(s);
      kill(previewSlot);
    },
  };
}

/** A pool whose "workers" run on the caller's thread: same scheduling, no isolation from loops. */
export function createInlineLfPool(createApi: () => LfWorkerApi, size = 1): LfPool {
  return createLfPool({
    size,
    spawn: () => ({ api: createApi(), died: new Promise<string>(() => {}), killable: false, terminate() {} }),
  });
}

/** One worker per core, leaving the page's core free when there are many; capped at 8. */
export function defaultPoolSize(hardwareConcurrency: number | undefined): number {
  const n = hardwareConcurrency && hardwareConcurrency > 0 ? hardwareConcurrency : 2;
  return Math.max(1, Math.min(8, n > 4 ? n - 1 : n));
}
