/**
 * Where LFs run: the app-level service that picks a worker pool for an LF set and refuses code
 * LFs that have no safe place to run. The session holds one; tests hand it inline pools.
 *
 * Two pools, given through the constructor (browser: `browserLfPools()`; tests: inline twins):
 * - `page`: the page's own LF workers, which read IndexedDB themselves — template LFs only (they
 *   have no LF sandbox, and refuse code LFs);
 * - `isolated`: process-isolated workers with the hardened LF sandbox — any set with a code LF
 *   runs there whole (one relay of the rows and one shared text split beat a second pass).
 * Whether isolated workers can start is asked once (`probe`), of a worker that is sent no LF
 * code, so nothing an LF does or says can change the answer. When they cannot, code LFs run
 * nowhere: each gets the probe's sentence, and the templates run on. No error of a run, whatever
 * its text, moves code LFs to another pool.
 */
import type { LfDef, LfPreview, PreviewSample } from '../core/lf/index.ts';
import { ShoalError } from '../core/types.ts';
import type { ApplyOptions, ChunkSource, LfApplyResult, LfPool } from '../workers/pool.ts';

export interface LfPools {
  /** The page's LF workers (templates). */
  page(): Promise<LfPool>;
  /** Isolated, hardened LF workers (any set with a code LF). */
  isolated(): Promise<LfPool>;
  /** Null when isolated workers start in this browser, else one sentence for the user. */
  probe(): Promise<string | null>;
}

/** Code LFs are untrusted code: they run only in isolated, hardened workers (templates are our code, the user's patterns as data). */
export function needsIsolation(def: LfDef): boolean {
  return def.kind === 'code';
}

export interface LfRunOutcome {
  /** What ran, in the order of `result.lfs` (the requested LFs less the refused ones). */
  readonly ran: readonly LfDef[];
  /** Null when nothing was left to run. */
  readonly result: LfApplyResult | null;
  /** Code LFs refused because isolated workers cannot start here: id → why. */
  readonly refused: ReadonlyMap<string, string>;
}

/** After a failed probe, how long its answer stands before the next run asks again (a start slowed by a busy machine is not forever). */
export const PROBE_RETRY_MS = 5 * 60_000;

export class LfRuns {
  private check: Promise<string | null> | null = null;
  private checkedAt = 0;
  /** Why code LFs cannot run in this browser, once known; null while they can (or before asked). */
  unavailable: string | null = null;

  constructor(
    private readonly pools: LfPools,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /**
   * The probe's answer: a success holds for the session; a failure for `PROBE_RETRY_MS`, then the
   * probe is asked again. Either way no LF code is involved in asking.
   */
  async isolationProblem(): Promise<string | null> {
    if (this.check && this.unavailable && this.now() - this.checkedAt > PROBE_RETRY_MS) this.check = null;
    if (!this.check) {
      this.checkedAt = this.now();
      this.check = this.pools.probe();
    }
    this.unavailable = await this.check;
    return this.unavailable;
  }

  /**
   * Run `defs` over `source`; code LFs only where they are sandboxed, else refused with a reason.
   * `onRunning` gets positions in `defs`; the result's LFs are those of `ran`.
   */
  async run(defs: readonly LfDef[], classes: readonly string[], source: ChunkSource, opts: ApplyOptions = {}): Promise<LfRunOutcome> {
    const refused = new Map<string, string>();
    let ran = defs;
    if (defs.some(needsIsolation)) {
      const problem = await this.isolationProblem();
      if (problem) {
        for (const d of defs) if (needsIsolation(d)) refused.set(d.id, problem);
        ran = defs.filter((d) => !needsIsolation(d));
      }
    }
    if (ran.length === 0) return { ran, result: null, refused };
    const pool = ran.some(needsIsolation) ? await this.pools.isolated() : await this.pools.page();
    // The pool numbers the LFs it runs; the caller numbers the LFs it asked for.
    const position = ran.map((d) => defs.indexOf(d));
    const onRunning = opts.onRunning && ((lfs: readonly number[]) => opts.onRunning!(lfs.map((j) => position[j])));
    return { ran, result: await pool.applyLfs(ran, classes, source, { ...opts, onRunning }), refused };
  }

  /** Live preview in a killable worker of the pool the LF would run in; a refused code LF throws its reason. */
  async preview(
    def: LfDef,
    classes: readonly string[],
    sample: PreviewSample,
    opts: { timeoutMs?: number; textField?: string; maxExamples?: number } = {},
  ): Promise<LfPreview> {
    if (needsIsolation(def)) {
      const problem = await this.isolationProblem();
      if (problem) throw new ShoalError(problem);
      return (await this.pools.isolated()).previewLf(def, classes, sample, opts);
    }
    return (await this.pools.page()).previewLf(def, classes, sample, opts);
  }
}

/** The browser's pools, each started on first use (the worker modules load lazily). */
export function browserLfPools(): LfPools {
  let page: Promise<LfPool> | null = null;
  let isolated: Promise<LfPool> | null = null;
  return {
    page: () => (page ??= import('../workers/pool-browser.ts').then((m) => m.createBrowserLfPool())),
    isolated: () => (isolated ??= import('../workers/pool-isolated.ts').then((m) => m.createIsolatedLfPool())),
    probe: () => import('../workers/pool-isolated.ts').then((m) => m.probeIsolation()),
  };
}
