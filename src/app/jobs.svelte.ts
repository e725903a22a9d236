/**
 * The registry of long-running jobs (imports, LF runs, fits, training). Screens show their
 * progress; the app uses `jobs.busy` to never reload mid-job (e.g. for a new app version).
 *
 * A job is started with a label and an AbortController; whoever owns the work reports progress
 * and calls `finish()` exactly once (in a `finally`). A job may name its owner (a service
 * instance, or a constant for work without one): `cancelOwner` stops that owner's jobs, so a
 * service cancels its own work without guessing from the label text shown to the user.
 */

export interface Job {
  readonly id: number;
  readonly label: string;
  /** 0..1, or null while the amount of work is unknown. */
  progress: number | null;
  message: string;
  readonly controller: AbortController;
}

/** Who a job belongs to: compared by identity (an object, a symbol) or by value (a string). */
export type JobOwner = object | symbol | string;

export interface JobOptions {
  owner?: JobOwner;
}

export interface JobHandle {
  job: Job;
  signal: AbortSignal;
  report: (progress: number | null, message?: string) => void;
  finish: () => void;
}

export class Jobs {
  list = $state<Job[]>([]);
  private next = 1;
  /**
   * Owners by job id, outside the reactive list: a plain object stored in `list` would come back
   * as its reactive proxy and no longer compare equal to the owner the caller holds.
   */
  private readonly owners = new Map<number, JobOwner>();

  get busy(): boolean {
    return this.list.length > 0;
  }

  start(label: string, owner?: JobOwner): JobHandle {
    const job: Job = { id: this.next++, label, progress: null, message: '', controller: new AbortController() };
    this.list.push(job);
    if (owner !== undefined) this.owners.set(job.id, owner);
    // Mutate through the proxied element so progress updates are reactive.
    const live = () => this.list.find((j) => j.id === job.id);
    return {
      job,
      signal: job.controller.signal,
      report: (progress, message) => {
        const j = live();
        if (!j) return;
        j.progress = progress;
        if (message !== undefined) j.message = message;
      },
      finish: () => {
        this.owners.delete(job.id);
        this.list = this.list.filter((j) => j.id !== job.id);
      },
    };
  }

  cancel(id: number): void {
    this.list.find((j) => j.id === id)?.controller.abort();
  }

  /** Cancel every running job of `owner`; returns how many were cancelled. */
  cancelOwner(owner: JobOwner): number {
    let n = 0;
    for (const [id, o] of this.owners) {
      if (o !== owner) continue;
      this.cancel(id);
      n++;
    }
    return n;
  }

  /** Whether `owner` has a job running. */
  running(owner: JobOwner): boolean {
    for (const o of this.owners.values()) if (o === owner) return true;
    return false;
  }

  /** Run `work` as a job; the job ends however `work` ends. */
  async run<T>(
    label: string,
    work: (signal: AbortSignal, report: (progress: number | null, message?: string) => void) => Promise<T>,
    opts: JobOptions = {},
  ): Promise<T> {
    const { signal, report, finish } = this.start(label, opts.owner);
    try {
      return await work(signal, report);
    } finally {
      finish();
    }
  }
}

export const jobs = new Jobs();
