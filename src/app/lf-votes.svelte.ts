/**
 * LF runs and the votes they give: each LF's last run on the open dataset version (`runs`), the
 * LFs in a running job (`running`), and `votes` — the enabled LFs' votes per split, replaced by a
 * new object (version + 1) on every change — rebuilt from the runs and the LF list.
 *
 * Runs go through `LfRuns` (lf-runs.ts: which pool, which code LFs are refused) as jobs; votes
 * are stored by (LF source hash, dataset version) as they finish, and a crash breadcrumb
 * (run-crumbs.ts) names the LFs executing meanwhile, so a run cut short by a crashed tab is
 * blamed on them at the next open (`blameCrash`).
 */
import { lfHash } from '../core/lf/hash.ts';
import type { LfDef } from '../core/lf/index.ts';
import type { LabelMatrix } from '../core/matrix.ts';
import { isQuotaError } from '../storage/errors.ts';
import type { DatasetVersionRecord, LfRecord, ShoalStorage } from '../storage/types.ts';
import type { ChunkSource, LfApplyOutcome } from '../workers/pool.ts';
import type { JobRunner } from './import-flow.ts';
import type { LfRuns } from './lf-runs.ts';
import { errorMessage, type CurrentDataset } from './open-dataset.ts';
import {
  enabledColumns,
  lfErrorText,
  runStateOf,
  splitMatrices,
  unstoredVotesMessage,
  type LfRunState,
  type SplitColumnCache,
} from './project.ts';
import type { RunCrumbs } from './run-crumbs.ts';
import type { TextIndex } from './text-index.svelte.ts';

export interface SessionVotes {
  version: number;
  lfIds: string[];
  lfNames: string[];
  train: LabelMatrix;
  dev: LabelMatrix;
  test: LabelMatrix;
  /** Whole-dataset columns aligned with lfIds (dataset row order), for the browser. */
  full: Int8Array[];
}

/** Where the messages of a run go (the session's `error`, `notice` and `lfListError`). */
export interface RunMessages {
  error(message: string): void;
  notice(message: string): void;
  listError(message: string): void;
}

export interface LfVotesDeps {
  current: CurrentDataset;
  /** The LF list the votes follow (lf-list.svelte.ts). */
  list: () => { lfs: readonly LfDef[]; externals: readonly LfRecord[] };
  lfRuns: LfRuns;
  jobs: JobRunner;
  /** The rows of a version as the LF pools read them (the page: workers read IndexedDB themselves). */
  chunkSource: (version: DatasetVersionRecord, storage: ShoalStorage) => Promise<ChunkSource> | ChunkSource;
  crumbs: RunCrumbs;
  messages: RunMessages;
  /** Answers whole-word keyword LFs without a pass over the rows, once built (text-index.ts). */
  textIndex?: Pick<TextIndex, 'answer'>;
  /** After a run (stored votes use disk): the status bar's storage figures. */
  afterRun?: () => void;
}

export class LfVotes {
  /** Each LF's last run on this dataset version (by LF id; check the hash with `runOf`). */
  runs = $state.raw<ReadonlyMap<string, LfRunState>>(new Map());
  /** LF ids in the running job. */
  running = $state.raw<ReadonlySet<string>>(new Set());
  votes = $state.raw<SessionVotes | null>(null);
  /** Set when isolated workers cannot start in this browser: why code LFs do not run here. */
  isolationUnavailable = $state<string | null>(null);
  private voteVersion = 0;
  /** Each run's votes cut into splits once (project.ts `splitMatrices`). */
  private readonly splitCache: SplitColumnCache = new WeakMap();

  constructor(private readonly deps: LfVotesDeps) {}

  private get classes(): readonly string[] {
    return this.deps.current()?.classes ?? [];
  }

  /** The state of LF `id` on this dataset version. */
  runOf(id: string): LfRunState | undefined {
    const def = this.deps.list().lfs.find((l) => l.id === id);
    const s = this.runs.get(id);
    if (!s) return undefined;
    // A state computed for another definition of this LF (an edit since) does not count.
    if (def && s.hash !== lfHash(def, this.classes)) return runStateOf(undefined, lfHash(def, this.classes));
    return s;
  }

  setRun(id: string, s: LfRunState): void {
    const m = new Map(this.runs);
    m.set(id, s);
    this.runs = m;
  }

  rebuild(): void {
    const open = this.deps.current();
    if (!open) {
      this.votes = null;
      return;
    }
    const { lfs, externals } = this.deps.list();
    const states = new Map<string, LfRunState>();
    for (const lf of lfs) {
      const s = this.runOf(lf.id);
      if (s) states.set(lf.id, s);
    }
    for (const r of externals) {
      const s = this.runs.get(r.id);
      if (s) states.set(r.id, s);
    }
    const list = [
      ...lfs.map((l) => ({ id: l.id, name: l.name, enabled: l.enabled })),
      ...externals.map((r) => ({ id: r.id, name: r.name, enabled: r.enabled })),
    ];
    const cols = enabledColumns(list, states);
    const m = splitMatrices(cols.columns, open.version.rowCount, Math.max(2, open.classes.length), open.splitIndex, this.splitCache);
    this.votes = { version: ++this.voteVersion, lfIds: cols.lfIds, lfNames: cols.lfNames, ...m, full: cols.columns };
  }

  /** LFs whose votes for their current definition are missing. */
  notRun(): LfDef[] {
    return this.deps.list().lfs.filter((l) => this.runOf(l.id)?.status === 'not-run' && !this.running.has(l.id));
  }

  /** Run LFs over every row in the worker pool; their votes are stored as they finish. */
  async run(defs: readonly LfDef[]): Promise<void> {
    const open = this.deps.current();
    if (!open || defs.length === 0) return;
    const { version, storage, projectId } = open;
    const { crumbs, messages } = this.deps;
    const classes = open.classes.slice();
    const ids = defs.map((d) => d.id);
    const stillOpen = () => this.deps.current()?.version.id === version.id;
    this.running = new Set([...this.running, ...ids]);
    crumbs.write(projectId, ids);
    const label = defs.length === 1 ? `Running ${defs[0].name}` : `Running ${defs.length} LFs`;
    try {
      // LFs the word index answers (text-index.ts) need no pass over the rows; the rest run in
      // the workers. An index that cannot answer (missing, damaged) leaves every LF to the workers.
      const quick = await this.deps.textIndex?.answer(defs, classes, version, storage, 'text').catch(() => null);
      const slow = quick ? quick.rest : defs;
      const source = await this.deps.chunkSource(version, storage);
      // Where each LF runs, and which code LFs have nowhere safe to run here: lf-runs.ts.
      const outcome =
        slow.length === 0
          ? { ran: [], result: null, refused: new Map<string, string>() }
          : await this.deps.jobs.run(
              label,
              (signal, report) =>
                this.deps.lfRuns.run(slow, classes, source, {
                  signal,
                  textField: 'text',
                  onProgress: (p) =>
                    report(
                      p.rowCount ? p.rowsDone / p.rowCount : 1,
                      `${label}: ${p.rowsDone.toLocaleString('en-US')} of ${p.rowCount.toLocaleString('en-US')} rows`,
                    ),
                  onRunning: (lfs) => crumbs.write(projectId, lfs.length ? lfs.map((j) => slow[j].id) : ids),
                }),
              { owner: this },
            );
      this.isolationUnavailable = this.deps.lfRuns.unavailable;
      // Refused code LFs say why, in this tab only (another browser may run them).
      for (const def of defs) {
        const why = outcome.refused.get(def.id);
        if (why && stillOpen()) this.setRun(def.id, { status: 'error', votes: null, error: why, ms: null, hash: lfHash(def, classes) });
      }
      if (outcome.refused.size > 0 && stillOpen()) this.rebuild();
      const done: { def: LfDef; o: LfApplyOutcome }[] = defs
        .filter((d) => quick?.answered.has(d.id))
        .map((def) => ({ def, o: quick!.answered.get(def.id)! }));
      if (outcome.result) outcome.ran.forEach((def, j) => done.push({ def, o: outcome.result!.lfs[j] }));
      if (done.length === 0) return;
      const unstored: string[] = [];
      let storeError: unknown = null;
      for (const { def, o } of done) {
        const hash = o.hash ?? lfHash(def, classes);
        const error = o.error ? lfErrorText(o.error) : undefined;
        try {
          await storage.putVotes({
            sourceHash: hash,
            versionId: version.id,
            votes: o.votes,
            error,
            computedAt: Date.now(),
            ms: Math.round(o.ms),
          });
        } catch (e) {
          // Votes that cannot be stored (a full disk) are still used in this tab; the LF only
          // shows "not run" again after a reload. The other LFs' votes are still tried.
          if (!isQuotaError(e)) throw e;
          storeError = e;
          unstored.push(def.name);
        }
        if (stillOpen()) this.setRun(def.id, { status: error ? 'error' : 'ok', votes: o.votes, error: error ?? null, ms: o.ms, hash });
      }
      if (stillOpen()) this.rebuild();
      if (storeError && stillOpen()) messages.listError(unstoredVotesMessage(unstored, errorMessage(storeError)));
    } catch (e) {
      if (e instanceof Error && e.name === 'AbortError') messages.notice(`${label} was cancelled; those LFs are marked "not run".`);
      else messages.error(errorMessage(e));
    } finally {
      crumbs.clear();
      this.deps.afterRun?.();
      const r = new Set(this.running);
      for (const id of ids) r.delete(id);
      this.running = r;
    }
  }

  /**
   * After a crash (no pagehide before the page died) the LFs that were executing are the likely
   * cause — an allocation bomb takes the whole renderer down with its workers, so it cannot be
   * reported as it happens. Store a failed, all-abstain run for their current definitions so a
   * "run not-run LFs" or a project import does not start them, and crash the tab, again.
   */
  async blameCrash(culprits: readonly LfDef[]): Promise<void> {
    const open = this.deps.current();
    if (!open) return;
    const { version, storage, classes } = open;
    const error = 'the tab crashed while this LF was running (most likely it ran out of memory); edit it before running it again';
    for (const def of culprits) {
      const hash = lfHash(def, classes);
      const votes = new Int8Array(version.rowCount).fill(-1);
      try {
        await storage.putVotes({ sourceHash: hash, versionId: version.id, votes, error, computedAt: Date.now(), ms: 0 });
      } catch (e) {
        // A full disk must not keep the project from opening: the mark then holds in this tab only.
        if (!isQuotaError(e)) throw e;
      }
      this.setRun(def.id, { status: 'error', votes, error, ms: 0, hash });
    }
    this.rebuild();
  }
}
