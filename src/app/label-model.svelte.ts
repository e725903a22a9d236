/**
 * The label model on the Model screen: fit the chosen model on the train votes in the train
 * worker, score it beside majority vote on dev/test gold, keep the probabilities as a run of the
 * dataset version, bring the stored fit back on reload, rescore when gold changes, and refit
 * (after a short pause) when the enabled LFs' votes change.
 *
 * A fit is a job owned by this service: a newer fit cancels the running one through
 * `jobs.cancelOwner(this)`, and only the newest fit writes the busy flag, the progress and the
 * error. A run is keyed by the LF source hashes it saw, so a reload shows the last fit without
 * refitting. A fit that could not be stored (a full disk) stays on screen as unsaved, and
 * `saveAgain` stores it while it still matches the votes.
 */
import { columnStats } from '../core/analysis.ts';
import { coveredRows } from '../core/classifier/index.ts';
import { countGold } from '../core/gold-labels.ts';
import { createLabelModel, type LabelModelName, type LabelModelSummary } from '../core/labelmodel/index.ts';
import { isExplainer, type Explainer } from '../core/labelmodel/attribution.ts';
import type { LabelMatrix } from '../core/matrix.ts';
import type { FitLabelModelRequest, LabelMatrixData } from '../workers/train-worker-api.ts';
import {
  balanceFromGold,
  hardLabels,
  labelDistribution,
  lfAccuracyTable,
  modelWarnings,
  parseBalance,
  scatterSplits,
  scoreSplit,
  type LfAccuracyRow,
  type SplitScores,
} from './model-report.ts';
import { errorText } from './errors.ts';
import { isAbort, laterTimer, type ModelDeps } from './model-deps.ts';
import type { ModelVotes } from './model-view.ts';
import { SPLIT_NAMES, type Split } from './project.ts';

export type BalanceMode = 'dev' | 'uniform' | 'custom';

export interface LabelModelResult {
  /** Version of the votes it was fitted on. */
  votesVersion: number;
  /** Version of the gold its dev/test scores (and auto's candidates) were computed with. */
  goldVersion: number;
  /** The dev gold it was fitted with (`devGoldKey`); absent for a fit restored from storage. */
  devGoldKey?: string;
  /** The stored run (RunRecord id) holding these probabilities. */
  runId: string;
  versionId: string;
  /** The LF content hashes of the votes it was fitted on (what its stored run is keyed by). */
  lfHashes: string[];
  name: LabelModelName;
  summary: LabelModelSummary;
  /**
   * The fitted parameters as per-LF log-odds terms (core/labelmodel/attribution.ts), or why the
   * model has none; null when the fit came without them (stored before they were kept, or from a
   * project file): the row view then asks for a refit.
   */
  explainer: Explainer | null;
  /** Per-split probabilities, split row order. */
  proba: Record<Split, Float32Array>;
  /** Majority vote on the same votes, for the side-by-side. */
  mvProba: Record<'dev' | 'test', Float32Array>;
  scores: Record<'dev' | 'test', SplitScores>;
  mvScores: Record<'dev' | 'test', SplitScores>;
  distribution: number[];
  lfTable: LfAccuracyRow[];
  warnings: string[];
  classBalance: number[] | null;
  /** How the class balance was chosen for this fit. */
  balanceMode: BalanceMode;
  backend: string;
  ms: number;
  restored: boolean;
  /** The project file this fit came in, when it was not fitted in this browser. */
  origin?: string;
}

/** What a label-model result is built from: the fit itself, and the votes and gold it is scored on. */
export interface LabelModelResultInput {
  votes: ModelVotes;
  classes: readonly string[];
  gold: Readonly<Record<Split, Int32Array>>;
  goldVersion: number;
  runId: string;
  versionId: string;
  lfHashes: string[];
  name: LabelModelName;
  summary: LabelModelSummary;
  explainer: Explainer | null;
  proba: Record<Split, Float32Array>;
  mvProba: Record<'dev' | 'test', Float32Array>;
  classBalance: number[] | null;
  balanceMode: BalanceMode;
  backend: string;
  ms: number;
  restored: boolean;
  origin?: string;
  /** The dev gold the fit used (`devGoldKey`). */
  devGoldKey?: string;
}

/** Score a fit (and majority vote beside it) on dev/test gold, with its warnings, label distribution and LF table. */
export function labelModelResult(r: LabelModelResultInput): LabelModelResult {
  const { votes: v, gold: g, classes, summary, proba, mvProba } = r;
  const k = classes.length;
  const score = (p: Float32Array, s: 'dev' | 'test') => scoreSplit(hardLabels(p, k), g[s], k, v[s]);
  // One pass over the train columns for both the warnings and the LF table (490k × 22 at 500k notes).
  const trainStats = columnStats(v.train);
  const warnings = [
    ...modelWarnings({ L: v.train, lfNames: v.lfNames, classes, balance: r.balanceMode, devGold: countGold(g.dev), stats: trainStats }),
    ...(summary.warnings ?? []),
  ];
  const trainPred = hardLabels(proba.train, k);
  const covered = coveredRows(v.train);
  const coveredPred = new Int32Array(covered.length);
  for (let t = 0; t < covered.length; t++) coveredPred[t] = trainPred[covered[t]];
  const result: LabelModelResult = {
    votesVersion: v.version,
    goldVersion: r.goldVersion,
    runId: r.runId,
    versionId: r.versionId,
    lfHashes: r.lfHashes,
    name: r.name,
    summary,
    explainer: r.explainer,
    proba,
    mvProba,
    scores: { dev: score(proba.dev, 'dev'), test: score(proba.test, 'test') },
    mvScores: { dev: score(mvProba.dev, 'dev'), test: score(mvProba.test, 'test') },
    distribution: labelDistribution(coveredPred, k),
    lfTable: lfAccuracyTable(v.lfNames, summary.lfAccuracy, v.train, v.dev, g.dev, trainStats),
    warnings,
    classBalance: r.classBalance,
    balanceMode: r.balanceMode,
    backend: [...new Set([...r.backend.split(' · '), summary.backend ?? ''].filter(Boolean))].join(' · '),
    ms: r.ms,
    restored: r.restored,
  };
  if (r.origin !== undefined) result.origin = r.origin;
  if (r.devGoldKey !== undefined) result.devGoldKey = r.devGoldKey;
  return result;
}

/** The `params` of a stored run (a type, not an interface: runs keep params as a plain record). */
type StoredRunParams = {
  summary: LabelModelSummary;
  /** Absent in runs stored before attribution existed. */
  explainer?: Explainer;
  classBalance: number[] | null;
  balanceMode: BalanceMode;
  seed: number;
  backend: string;
};

/** A fingerprint of the dev gold labels (FNV-1a over row and label): equal keys, same dev gold. */
export function devGoldKey(dev: ArrayLike<number>): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < dev.length; i++) {
    h ^= dev[i] + 2;
    h = Math.imul(h, 0x01000193);
  }
  return `${dev.length}:${(h >>> 0).toString(16)}`;
}

/**
 * A vote change that comes while LFs run or a fit is under way, and every dev gold change, waits
 * this long after the last change before refitting, so a burst costs one fit (`onVotes`, `onGold`).
 */
export const REFIT_DELAY_MS = 250;

function matrixData(L: LabelMatrix): LabelMatrixData {
  // Copies: the project keeps its columns, the worker gets its own.
  return { n: L.n, k: L.k, columns: L.columns().map((c) => c.slice()) };
}

export class LabelModelService {
  name = $state<LabelModelName>('auto');
  balanceMode = $state<BalanceMode>('dev');
  customBalance = $state('');
  seed = $state(0);
  autoRefit = $state(true);

  result = $state.raw<LabelModelResult | null>(null);
  busy = $state(false);
  progress = $state('');
  error = $state<string | null>(null);
  /** The fit on screen when storing it failed (a full disk): `saveAgain` retries it. */
  unsaved = $state.raw<LabelModelResult | null>(null);

  /** Numbers the fits: job ids for the worker, and which fit is the newest. */
  private fits = 0;
  private cancelRefit: (() => void) | null = null;
  private readonly later: NonNullable<ModelDeps['later']>;

  constructor(private readonly deps: ModelDeps) {
    this.later = deps.later ?? laterTimer;
  }

  /** The class balance the next fit uses, null for none, or why the typed one is unusable. */
  balance(k: number): number[] | null | string {
    if (this.balanceMode === 'uniform') return new Array<number>(k).fill(1 / k);
    if (this.balanceMode === 'custom') return parseBalance(this.customBalance, k);
    return balanceFromGold(this.deps.project.gold.dev, k);
  }

  /** Fit the chosen label model on train votes; score it and majority vote on dev/test gold; store it. */
  async fit(): Promise<void> {
    const { project, jobs } = this.deps;
    const v = project.votes;
    const versionId = project.versionId;
    if (!v || !versionId) return;
    const k = project.classes.length;
    if (v.lfIds.length === 0) {
      this.error = 'No enabled LF has votes yet: write or run LFs first.';
      return;
    }
    const bal = this.balance(k);
    if (typeof bal === 'string') {
      this.error = `Class balance: ${bal}.`;
      return;
    }
    // A newer request supersedes the running fit (and a refit waiting to start).
    jobs.cancelOwner(this);
    this.stopRefit();
    const fit = ++this.fits;
    const newest = () => fit === this.fits;
    this.error = null;
    // What it is fitted from, captured now: the LFs or the choices may change while it runs.
    const { name, seed, balanceMode } = this;
    const lfHashes = project.lfHashes();
    const jobId = `lm-${fit}`;
    const gold = project.gold;
    const devRows = Uint32Array.from(Array.from(gold.dev.keys()).filter((i) => gold.dev[i] >= 0));
    const wk = this.deps.trainWorker();
    this.busy = true;
    this.progress = 'starting';
    const t0 = performance.now();
    try {
      const res = await jobs.run(
        `Fitting the label model (${name})`,
        async (signal, report) => {
          signal.addEventListener('abort', () => void wk.api.cancel(jobId));
          report(null, 'Choosing the tfjs backend');
          const choice = await wk.backend();
          if (signal.aborted) throw new DOMException('cancelled', 'AbortError');
          const request: FitLabelModelRequest = {
            name,
            train: matrixData(v.train),
            dev: devRows.length
              ? { L: matrixData(v.dev.selectRows(devRows)), labels: Int32Array.from(devRows, (i) => gold.dev[i]) }
              : undefined,
            classBalance: bal ?? undefined,
            seed,
            also: [matrixData(v.dev), matrixData(v.test)],
          };
          // Every column in the request is a copy made for it: moved, not cloned a second time.
          const moved = [request.train, ...(request.dev ? [request.dev.L] : []), ...(request.also ?? [])].flatMap((m) =>
            m.columns.map((c) => c.buffer as ArrayBuffer),
          );
          const out = await wk.api.fitLabelModel(
            jobId,
            wk.transfer(request, moved),
            wk.callback((f: number, msg?: string) => {
              report(f, msg);
              if (newest()) this.progress = `${Math.round(f * 100)}%${msg ? ` ${msg}` : ''}`;
            }),
          );
          return { ...out, backend: choice.name };
        },
        { owner: this },
      );
      // Majority vote beside it: cheap, so it runs here on the same votes.
      const mv = createLabelModel('mv');
      await mv.fit(v.train, { classBalance: bal ?? undefined, seed });
      // Votes changed meanwhile, or a newer fit started: that one is what the screen waits for.
      if (project.votes?.version !== v.version || project.versionId !== versionId || !newest()) return;
      const result = labelModelResult({
        votes: v,
        classes: project.classes,
        gold: project.gold,
        goldVersion: project.goldVersion,
        runId: `lm-${versionId}-${Date.now()}`,
        versionId,
        lfHashes,
        name,
        summary: res.summary,
        explainer: res.explainer,
        proba: { train: res.proba, dev: res.also[0], test: res.also[1] },
        mvProba: { dev: mv.predictProba(v.dev), test: mv.predictProba(v.test) },
        classBalance: bal,
        balanceMode,
        backend: res.backend,
        ms: performance.now() - t0,
        restored: false,
        devGoldKey: devGoldKey(gold.dev),
      });
      this.result = result;
      await this.store(result, seed);
    } catch (e) {
      if (!newest()) return;
      this.error = isAbort(e) ? 'The fit was cancelled.' : errorText(e);
    } finally {
      if (newest()) {
        this.busy = false;
        this.progress = '';
      }
    }
  }

  /** Stop the running fit, if any. */
  cancel(): void {
    this.deps.jobs.cancelOwner(this);
  }

  /** Keep the probabilities as a run of the dataset version; a failed write leaves the fit unsaved. */
  private async store(r: LabelModelResult, seed: number): Promise<void> {
    const { storage, project } = this.deps;
    const projectId = project.projectId;
    if (!projectId || project.versionId !== r.versionId) return;
    const k = project.classes.length;
    const n = project.rowCount;
    const idx = project.splitIndex;
    this.unsaved = null;
    const full = scatterSplits(
      n,
      k,
      SPLIT_NAMES.map((s) => ({ rows: idx[s], proba: r.proba[s] })),
    );
    try {
      const params: StoredRunParams = {
        summary: r.summary,
        ...(r.explainer ? { explainer: r.explainer } : {}),
        classBalance: r.classBalance,
        balanceMode: r.balanceMode,
        seed,
        backend: r.backend,
      };
      await storage.putRun(
        {
          id: r.runId,
          projectId,
          versionId: r.versionId,
          model: r.name,
          params,
          lfHashes: r.lfHashes,
          metrics: {
            devAccuracy: r.scores.dev.accuracy,
            devF1: r.scores.dev.f1,
            testAccuracy: r.scores.test.accuracy,
            testF1: r.scores.test.f1,
          },
          k,
          n,
          createdAt: Date.now(),
        },
        full,
      );
      // Older runs of this version with the same LFs are superseded.
      const hashes = r.lfHashes.join('|');
      const old = (await storage.listRuns(projectId))
        .filter((x) => x.versionId === r.versionId && x.lfHashes.join('|') === hashes)
        .sort((a, b) => b.createdAt - a.createdAt);
      for (const x of old.slice(1)) await storage.deleteRun(x.id);
    } catch (e) {
      this.error = `The fit worked but could not be saved: ${errorText(e)}`;
      this.unsaved = r;
    }
  }

  /** Store the fit on screen again after a failed save, if it still matches the LFs' votes. */
  async saveAgain(): Promise<void> {
    const r = this.unsaved;
    if (!r || r !== this.result || r.votesVersion !== this.deps.project.votes?.version) {
      this.unsaved = null;
      return;
    }
    this.error = null;
    await this.store(r, this.seed);
  }

  /** Load the stored fit for the current votes, if there is one; true when it is on screen. */
  async restore(): Promise<boolean> {
    const { storage, project } = this.deps;
    const projectId = project.projectId;
    const versionId = project.versionId;
    const v = project.votes;
    if (!projectId || !versionId || !v || v.lfIds.length === 0) return false;
    const lfHashes = project.lfHashes();
    const hashes = lfHashes.join('|');
    const run = (await storage.listRuns(projectId))
      .filter((x) => x.versionId === versionId && x.lfHashes.join('|') === hashes && x.n === project.rowCount)
      .sort((a, b) => b.createdAt - a.createdAt)[0];
    if (!run) return false;
    const full = await storage.getRunProbs(run.id);
    if (!full || project.votes?.version !== v.version) return false;
    const k = run.k;
    const idx = project.splitIndex;
    const pick = (rows: Uint32Array) => {
      const out = new Float32Array(rows.length * k);
      for (let t = 0; t < rows.length; t++) out.set(full.subarray(rows[t] * k, rows[t] * k + k), t * k);
      return out;
    };
    const params = run.params as StoredRunParams;
    const mv = createLabelModel('mv');
    await mv.fit(v.train, { classBalance: params.classBalance ?? undefined });
    if (project.votes?.version !== v.version || project.versionId !== versionId) return false;
    // A fit finished meanwhile for these votes: it is newer than anything stored.
    const current = this.result;
    if (current && current.versionId === versionId && current.votesVersion === v.version) return true;
    this.name = run.model as LabelModelName;
    this.balanceMode = params.balanceMode;
    this.result = labelModelResult({
      votes: v,
      classes: project.classes,
      gold: project.gold,
      goldVersion: project.goldVersion,
      runId: run.id,
      versionId,
      lfHashes,
      name: run.model as LabelModelName,
      summary: params.summary,
      explainer: isExplainer(params.explainer) ? params.explainer : null,
      proba: { train: pick(idx.train), dev: pick(idx.dev), test: pick(idx.test) },
      mvProba: { dev: mv.predictProba(v.dev), test: mv.predictProba(v.test) },
      classBalance: params.classBalance,
      balanceMode: params.balanceMode,
      backend: params.backend,
      ms: 0,
      restored: true,
      origin: run.origin?.file,
    });
    return true;
  }

  /** Rescore after gold labels change (no refit: the model does not use test gold). */
  rescore(): void {
    const r = this.result;
    const { project } = this.deps;
    const v = project.votes;
    if (!r || !v || v.version !== r.votesVersion) return;
    this.result = labelModelResult({ ...r, votes: v, classes: project.classes, gold: project.gold, goldVersion: project.goldVersion });
  }

  /**
   * The votes changed: forget a fit of another dataset version, bring back the stored fit for
   * these votes if there is one, else refit (only once a fit exists, and only while auto-refit
   * is on). A change that comes alone — no LF running, no fit under way — refits at once; one
   * that comes while LFs still run or a fit is under way waits for a short pause, so a burst of
   * changes costs one more fit, for its last votes.
   */
  async onVotes(): Promise<void> {
    const { project } = this.deps;
    const v = project.votes;
    const versionId = project.versionId;
    if (!v || !versionId) return;
    const r = this.result;
    if (r && r.versionId === versionId && r.votesVersion === v.version) return;
    if (!r || r.versionId !== versionId) {
      if (r) this.forget();
      if (await this.restore()) return;
    }
    if (!this.autoRefit || !this.result) return;
    this.stopRefit();
    if (!project.lfsRunning && !this.busy) {
      void this.fit();
      return;
    }
    const version = v.version;
    this.cancelRefit = this.later(() => {
      this.cancelRefit = null;
      if (project.votes?.version === version) void this.fit();
    }, REFIT_DELAY_MS);
  }

  /**
   * Gold labels changed. Test gold only rescores. Dev gold is part of the fit — auto chooses among
   * its candidates on it and the class balance comes from it — so when it differs from the dev
   * gold the fit on screen used, the model refits after the same pause as for votes (only once a
   * fit exists, and only while auto-refit is on): candidates and scores never stay stale.
   */
  onGold(): void {
    this.rescore();
    const r = this.result;
    const { project } = this.deps;
    if (!r || !this.autoRefit || r.versionId !== project.versionId) return;
    const key = devGoldKey(project.gold.dev);
    if (key === r.devGoldKey) return;
    this.stopRefit();
    this.cancelRefit = this.later(() => {
      this.cancelRefit = null;
      if (devGoldKey(project.gold.dev) === key) void this.fit();
    }, REFIT_DELAY_MS);
  }

  /** Drop what is on screen (another project or dataset version opened); a running fit is cancelled. */
  forget(): void {
    this.cancel();
    this.stopRefit();
    // The cancelled fit is no longer the newest: it ends without a word on this screen.
    this.fits++;
    this.busy = false;
    this.progress = '';
    this.result = null;
    this.unsaved = null;
    this.error = null;
  }

  private stopRefit(): void {
    this.cancelRefit?.();
    this.cancelRefit = null;
  }
}
