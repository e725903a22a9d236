/**
 * The registry of long-running jobs (imports, LF runs, fits, training). Screens show their
 * progress; the app uses `jobs.busy` to never reload mid-job (e.g. for a new app version).
 *
 * A job is started with a label and an AbortController; whoever owns the work reports progress
 * and calls `finish()` exactly once (in a `finally`).
 */

export interface Job {
  readonly id: number;
  readonly label: string;
  /** 0..1, or null while the amount of work is unknown. */
  progress: number | null;
  message: string;
  readonly controller: AbortController;
}

class Jobs {
  list = $state<Job[]>([]);
  private next = 1;

  get busy(): boolean {
    return this.list.length > 0;
  }

  start(label: string): { job: Job; signal: AbortSignal; report: (progress: number | null, message?: string) => void; finish: () => void } {
    const job: Job = { id: this.next++, label, progress: null, message: '', controller: new AbortController() };
    this.list.push(job);
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
        this.list = this.list.filter((j) => j.id !== job.id);
      },
    };
  }

  cancel(id: number): void {
    this.list.find((j) => j.id === id)?.controller.abort();
  }

  /** Run `work` as a job; the job ends however `work` ends. */
  async run<T>(
    label: string,
    work: (signal: AbortSignal, report: (progress: number | null, message?: string) => void) => Promise<T>,
  ): Promise<T> {
    const { signal, report, finish } = this.start(label);
    try {
      return await work(signal, report);
    } finally {
      finish();
    }
  }
}

export const jobs = new Jobs();
