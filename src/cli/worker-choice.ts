/**
 * How many LF worker threads `shoal apply` uses, chosen by measuring this machine now rather than
 * by counting its cores: on a shared machine a second thread can add nothing but its start-up.
 *
 * All threads start with the job; then one worker alone applies the first chunks (after a few to
 * warm up) and its rows per second are timed, then the others join and the rows per second of all
 * of them are timed. The rest of the job runs on all of them only if that was clearly faster
 * (`MARGIN`); otherwise the others stop after the chunks they hold. No chunk is run twice: the
 * probe's chunks are part of the result. The pool asks `gate(slot)` before a worker takes a chunk
 * (workers/pool.ts `ApplyOptions.gate`) and reports progress to `progress`; time comes from an
 * injected clock, so the decision is tested with made-up timings.
 */

/** A second worker is kept only if it brings at least this much more throughput (noise and its memory). */
export const MARGIN = 1.15;

export interface ProbeSettings {
  /** Chunks finished before the lone worker's timing starts (JIT warm-up, worker start-up). */
  readonly warmChunks: number;
  /** Chunks (at least) the lone worker is timed on. */
  readonly oneChunks: number;
  /** Chunks finished after the others join before their timing starts. */
  readonly manyWarmChunks: number;
  /** Chunks (at least) all workers together are timed on. */
  readonly manyChunks: number;
  /** Each timing lasts at least this long (timer resolution, scheduler noise). */
  readonly minMs: number;
}

export const DEFAULT_PROBE: ProbeSettings = { warmChunks: 4, oneChunks: 8, manyWarmChunks: 4, manyChunks: 16, minMs: 150 };

/** The fewest chunks worth probing: the probe's own chunks, and as many again to gain on. */
export function probeMinChunks(p: ProbeSettings = DEFAULT_PROBE): number {
  return 2 * (p.warmChunks + p.oneChunks + p.manyWarmChunks + p.manyChunks);
}

export interface WorkerChoice {
  /** Workers that ran the rest of the job. */
  readonly chosen: number;
  /** One sentence: why that many. */
  readonly reason: string;
  /** Rows per second measured: one worker alone, then all of them (absent when not probed). */
  readonly oneRowsPerS?: number;
  readonly manyRowsPerS?: number;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

/** The choice from the two timings: all workers only when they beat one by `MARGIN`. */
export function chooseWorkers(
  workers: number,
  one: { rows: number; ms: number },
  many: { rows: number; ms: number },
  probedRows: number,
): WorkerChoice {
  const oneRate = one.rows / (Math.max(one.ms, 1e-3) / 1000);
  const manyRate = many.rows / (Math.max(many.ms, 1e-3) / 1000);
  const ratio = manyRate / oneRate;
  const chosen = ratio >= MARGIN ? workers : 1;
  return {
    chosen,
    reason:
      `measured on the first ${fmt(probedRows)} rows: 1 worker ${fmt(oneRate)} rows/s, ${workers} workers ${fmt(manyRate)} rows/s ` +
      `(${ratio.toFixed(2)}×); ${chosen === 1 ? `kept 1, as ${workers} must be at least ${MARGIN}× faster` : `kept ${workers}`}`,
    oneRowsPerS: Math.round(oneRate),
    manyRowsPerS: Math.round(manyRate),
  };
}

/** Before any probe: the count when it is forced or not worth measuring, else null (probe `workers`). */
export function choiceWithoutProbe(opts: {
  forced?: number;
  cpus: number;
  workers: number;
  chunkCount: number;
  settings?: ProbeSettings;
}): WorkerChoice | null {
  if (opts.forced !== undefined) return { chosen: opts.forced, reason: `--workers ${opts.forced}` };
  if (opts.cpus <= 1 || opts.workers <= 1) return { chosen: 1, reason: `${opts.cpus} CPU available to Node` };
  const min = probeMinChunks(opts.settings);
  if (opts.chunkCount < min)
    return { chosen: 1, reason: `${opts.chunkCount} chunks, fewer than the ${min} worth timing a second worker on: 1 worker` };
  return null;
}

/** The probe as the job runs: answers the pool's `gate` and reads its progress. */
export class WorkerProbe {
  private phase: 'one' | 'many' | 'done' = 'one';
  private choice: WorkerChoice | null = null;
  private open!: (go: boolean) => void;
  private readonly opened = new Promise<boolean>((resolve) => (this.open = resolve));
  private mark = { chunks: 0, rows: 0, ms: 0 };
  private timingStarted = false;
  private one: { rows: number; ms: number } | null = null;
  private joinedAt = 0;

  constructor(
    readonly workers: number,
    private readonly chunkCount: number,
    private readonly now: () => number,
    private readonly settings: ProbeSettings = DEFAULT_PROBE,
  ) {}

  /** The pool's gate: slot 0 always works; the others wait for the lone worker's timing, then follow the choice. */
  gate = (slot: number): boolean | Promise<boolean> => {
    if (slot === 0) return true;
    if (this.phase === 'one') return this.opened;
    if (this.phase === 'many') return true;
    return slot < (this.choice?.chosen ?? 1);
  };

  /** The pool's progress report (chunks and rows done so far). */
  progress = (p: { chunksDone: number; rowsDone: number }): void => {
    const s = this.settings;
    const t = this.now();
    if (this.phase === 'one') {
      if (!this.timingStarted && p.chunksDone >= s.warmChunks) this.start(p, t);
      else if (this.timingStarted && p.chunksDone - this.mark.chunks >= s.oneChunks && t - this.mark.ms >= s.minMs) {
        this.one = { rows: p.rowsDone - this.mark.rows, ms: t - this.mark.ms };
        this.phase = 'many';
        this.timingStarted = false;
        this.joinedAt = p.chunksDone;
        this.open(true);
      }
    } else if (this.phase === 'many') {
      if (!this.timingStarted && p.chunksDone - this.joinedAt >= s.manyWarmChunks) this.start(p, t);
      else if (this.timingStarted && p.chunksDone - this.mark.chunks >= s.manyChunks && t - this.mark.ms >= s.minMs) {
        this.choice = chooseWorkers(this.workers, this.one!, { rows: p.rowsDone - this.mark.rows, ms: t - this.mark.ms }, p.rowsDone);
        this.phase = 'done';
      }
    }
    if (p.chunksDone >= this.chunkCount) this.finish();
  };

  /** What was chosen; when the rows ran out before the probe ended, says so. */
  result(): WorkerChoice {
    this.finish();
    return this.choice!;
  }

  private start(p: { chunksDone: number; rowsDone: number }, t: number): void {
    this.mark = { chunks: p.chunksDone, rows: p.rowsDone, ms: t };
    this.timingStarted = true;
  }

  private finish(): void {
    if (this.phase === 'done') return;
    // The job ended inside the probe (few chunks, or slow ones): whoever was working finished it.
    const ran = this.phase === 'one' ? 1 : this.workers;
    this.choice = { chosen: ran, reason: `the rows ran out before the probe could time ${this.workers} workers against 1; ${ran} ran` };
    this.phase = 'done';
    this.open(false);
  }
}
