/**
 * The Model screen's state and jobs: fit the label model and train the distilled classifier in
 * the train worker, score both on dev/test beside majority vote, export the classifier to ONNX
 * and check onnxruntime-web against tfjs over the whole dataset.
 *
 * Every long step is a `jobs.run` job (progress, cancel → the worker's `cancel(jobId)`). Label
 * model probabilities are stored as a run per dataset version (storage `putRun`), keyed by the
 * LF source hashes it saw, so a reload shows the last fit without refitting; a change of the
 * enabled LFs' votes (`session.votes.version`) refits after a short pause (`watch()`).
 *
 * The trained classifier is stored too (storage `putClassifier`, the newest per dataset
 * version) with the label-model run and LF hashes it was trained from, and comes back on
 * reload with its metrics, loss curve and ONNX export. When the LFs or the label model changed
 * since, it is shown as stale (`clfStale`) rather than as current. Its settings (n-grams, hash
 * size, epochs, learning rate, L2, targets, seed) are a per-project setting.
 */
import { countGold } from '../core/gold-labels.ts';
import { untrack } from 'svelte';
import { coveredRows, type DistilledClassifier, type EpochReport } from '../core/classifier/index.ts';
import { createLabelModel, type LabelModelName, type LabelModelSummary } from '../core/labelmodel/index.ts';
import type { LabelMatrix } from '../core/matrix.ts';
import { ShoalError } from '../core/types.ts';
import type { ClassifierRecord } from '../storage/types.ts';
import type { LabelMatrixData } from '../workers/train-worker-api.ts';
import { jobs } from './jobs.svelte.ts';
import {
  balanceFromGold,
  CLASSIFIER_SETTINGS,
  classifierTrainOptions,
  defaultClassifierSettings,
  hardLabels,
  labelDistribution,
  lfAccuracyTable,
  maxAbsDiff,
  modelWarnings,
  parseBalance,
  readClassifierSettings,
  scatterSplits,
  scoreSplit,
  validateClassifierSettings,
  type ClassifierSettings,
  type LfAccuracyRow,
  type SplitScores,
} from './model-report.ts';
import { Comlink, trainWorker, workerBackend } from './model-worker.ts';
import { session, type Split } from './session.svelte.ts';

export type BalanceMode = 'dev' | 'uniform' | 'custom';

export interface LabelModelResult {
  /** session.votes.version it was fitted on. */
  votesVersion: number;
  /** session.goldVersion its dev/test scores (and auto's candidates) were computed with. */
  goldVersion: number;
  /** The stored run (RunRecord id) holding these probabilities. */
  runId: string;
  versionId: string;
  name: LabelModelName;
  summary: LabelModelSummary;
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
  backend: string;
  ms: number;
  restored: boolean;
  /** The project file this fit came in, when it was not fitted in this browser. */
  origin?: string;
}

export interface ClassifierResult {
  /** Its stored record id. */
  id: string;
  classifier: DistilledClassifier;
  /** The label-model run it was trained on, and that run's LF hashes. */
  lmRunId: string;
  lfHashes: string[];
  /** The label model behind the targets (what `auto` chose, when it chose). */
  labelModel: string;
  settings: ClassifierSettings;
  /** Loaded from storage rather than trained in this page. */
  restored: boolean;
  /** The project file it came in, when it was not trained in this browser. */
  origin?: string;
  createdAt: number;
  proba: Record<'dev' | 'test', Float32Array>;
  scores: Record<'dev' | 'test', SplitScores>;
  bestEpoch: number;
  targets: 'soft' | 'hard';
  trainRows: number;
  backend: string;
  ms: number;
}

export interface OnnxResult {
  bytes: Uint8Array;
  sidecar: unknown;
  /** Whole dataset, dataset row order. */
  proba: Float32Array;
  maxAbsDiff: number;
  rows: number;
  ms: number;
}

const REFIT_DELAY_MS = 700;
export { CLASSIFIER_SETTINGS };

function matrixData(L: LabelMatrix): LabelMatrixData {
  // Copies: the session keeps its columns, the worker gets its own.
  return { n: L.n, k: L.k, columns: L.columns().map((c) => c.slice()) };
}

function isAbort(e: unknown): boolean {
  return (e instanceof Error || (typeof e === 'object' && e !== null)) && /abort/i.test(`${(e as Error).name} ${(e as Error).message}`);
}

function textOf(row: Record<string, unknown>, field: string): string {
  const v = row[field];
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

export class ModelState {
  name = $state<LabelModelName>('auto');
  balanceMode = $state<BalanceMode>('dev');
  customBalance = $state('');
  seed = $state(0);
  autoRefit = $state(true);

  lm = $state.raw<LabelModelResult | null>(null);
  lmBusy = $state(false);
  lmProgress = $state<string>('');
  lmError = $state<string | null>(null);
  /** The fit on screen when storing it failed (a full disk): "Save again" retries it. */
  lmUnsaved = $state.raw<LabelModelResult | null>(null);

  clf = $state.raw<ClassifierResult | null>(null);
  clfBusy = $state(false);
  clfError = $state<string | null>(null);
  /** The classifier on screen when storing it failed: "Save again" retries it. */
  clfUnsaved = $state.raw<{ c: ClassifierResult; versionId: string } | null>(null);
  /** Settings for the next training run (validated before it starts). */
  clfSettings = $state<ClassifierSettings>(defaultClassifierSettings());
  /** A save of the settings that failed (shown beside them). */
  clfSettingsError = $state<string | null>(null);
  curve = $state.raw<(EpochReport & { targets: 'soft' | 'hard' })[]>([]);

  onnx = $state.raw<OnnxResult | null>(null);
  onnxBusy = $state(false);
  onnxError = $state<string | null>(null);

  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private watching = false;
  private lastSeen = -1;
  /** The dataset version whose stored state (settings, classifier) is loaded. */
  private loadedFor: string | null = null;

  /** Refit (debounced) whenever the enabled LFs' votes change, once a fit exists or is stored. */
  watch(): void {
    if (this.watching) return;
    this.watching = true;
    $effect.root(() => {
      $effect(() => {
        const v = session.votes;
        const ds = session.dataset;
        if (!v || !ds) return;
        if (v.version === this.lastSeen) return;
        this.lastSeen = v.version;
        untrack(() => void this.onVotes(v.version, ds.versionId));
      });
    });
  }

  private async onVotes(version: number, versionId: string): Promise<void> {
    if (this.lm && this.lm.votesVersion === version) return;
    if (this.loadedFor !== versionId) {
      // Another project or dataset version: nothing on screen belongs to it any more.
      this.loadedFor = versionId;
      this.lm = null;
      this.clf = null;
      this.onnx = null;
      this.curve = [];
      await this.loadSettings();
      await this.restoreClassifier(versionId);
    }
    if (!this.lm || this.lm.versionId !== versionId) {
      if (await this.restore()) return;
    }
    if (!this.autoRefit || !this.lm) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (session.votes?.version === version) void this.fit();
    }, REFIT_DELAY_MS);
  }

  balance(k: number): number[] | null | string {
    if (this.balanceMode === 'uniform') return new Array<number>(k).fill(1 / k);
    if (this.balanceMode === 'custom') return parseBalance(this.customBalance, k);
    return balanceFromGold(session.gold.dev, k);
  }

  private lfHashes(): string[] {
    const v = session.votes;
    if (!v) return [];
    return v.lfIds.map((id) => session.runOf(id)?.hash ?? session.runs.get(id)?.hash ?? id);
  }

  /** Fit the chosen label model on train votes; score it and majority vote on dev/test gold. */
  async fit(): Promise<void> {
    const v = session.votes;
    const ds = session.dataset;
    if (!v || !ds) return;
    if (this.lmBusy) {
      // A newer request supersedes the running fit.
      jobs.list.filter((j) => j.label.startsWith('Fitting the label model')).forEach((j) => jobs.cancel(j.id));
    }
    const k = session.classes.length;
    this.lmError = null;
    if (v.lfIds.length === 0) {
      this.lmError = 'No enabled LF has votes yet: write or run LFs first.';
      return;
    }
    const bal = this.balance(k);
    if (typeof bal === 'string') {
      this.lmError = `Class balance: ${bal}.`;
      return;
    }
    const name = this.name;
    const jobId = `lm-${++this.seq}`;
    const gold = session.gold;
    const devRows = Uint32Array.from(Array.from(gold.dev.keys()).filter((i) => gold.dev[i] >= 0));
    const wk = trainWorker();
    this.lmBusy = true;
    this.lmProgress = 'starting';
    const t0 = performance.now();
    try {
      const res = await jobs.run(`Fitting the label model (${name})`, async (signal, report) => {
        signal.addEventListener('abort', () => void wk.cancel(jobId));
        report(null, 'Choosing the tfjs backend');
        const choice = await workerBackend();
        if (signal.aborted) throw new DOMException('cancelled', 'AbortError');
        const out = await wk.fitLabelModel(
          jobId,
          {
            name,
            train: matrixData(v.train),
            dev: devRows.length
              ? { L: matrixData(v.dev.selectRows(devRows)), labels: Int32Array.from(devRows, (i) => gold.dev[i]) }
              : undefined,
            classBalance: bal ?? undefined,
            seed: this.seed,
            also: [matrixData(v.dev), matrixData(v.test)],
          },
          Comlink.proxy((f: number, msg?: string) => {
            report(f, msg);
            this.lmProgress = `${Math.round(f * 100)}%${msg ? ` ${msg}` : ''}`;
          }),
        );
        return { ...out, backend: choice.name };
      });
      // Majority vote beside it: cheap, so it runs here on the same votes.
      const mv = createLabelModel('mv');
      await mv.fit(v.train, { classBalance: bal ?? undefined, seed: this.seed });
      const proba = { train: res.proba, dev: res.also[0], test: res.also[1] };
      const mvProba = { dev: mv.predictProba(v.dev), test: mv.predictProba(v.test) };
      const result = this.report(
        v.version,
        `lm-${ds.versionId}-${Date.now()}`,
        ds.versionId,
        name,
        res.summary,
        proba,
        mvProba,
        bal,
        res.backend,
        performance.now() - t0,
        false,
      );
      if (session.votes?.version !== v.version) return; // stale: a newer fit follows
      this.lm = result;
      await this.store(result);
    } catch (e) {
      if (isAbort(e)) this.lmError = 'The fit was cancelled.';
      else this.lmError = e instanceof Error ? e.message : String(e);
    } finally {
      this.lmBusy = false;
      this.lmProgress = '';
    }
  }

  private report(
    votesVersion: number,
    runId: string,
    versionId: string,
    name: LabelModelName,
    summary: LabelModelSummary,
    proba: Record<Split, Float32Array>,
    mvProba: Record<'dev' | 'test', Float32Array>,
    bal: number[] | null,
    backend: string,
    ms: number,
    restored: boolean,
  ): LabelModelResult {
    const v = session.votes!;
    const k = session.classes.length;
    const g = session.gold;
    const score = (p: Float32Array, s: 'dev' | 'test') => scoreSplit(hardLabels(p, k), g[s], k, v[s]);
    const warnings = [
      ...modelWarnings({ L: v.train, lfNames: v.lfNames, classes: session.classes, balance: this.balanceMode, devGold: countGold(g.dev) }),
      ...(summary.warnings ?? []),
    ];
    const trainPred = hardLabels(proba.train, k);
    const covered = coveredRows(v.train);
    const coveredPred = Int32Array.from(covered, (i) => trainPred[i]);
    return {
      votesVersion,
      goldVersion: session.goldVersion,
      runId,
      versionId,
      name,
      summary,
      proba,
      mvProba,
      scores: { dev: score(proba.dev, 'dev'), test: score(proba.test, 'test') },
      mvScores: { dev: score(mvProba.dev, 'dev'), test: score(mvProba.test, 'test') },
      distribution: labelDistribution(coveredPred, k),
      lfTable: lfAccuracyTable(v.lfNames, summary.lfAccuracy, v.train, v.dev, g.dev),
      warnings,
      classBalance: bal,
      backend: [...new Set([...backend.split(' · '), summary.backend ?? ''].filter(Boolean))].join(' · '),
      ms,
      restored,
    };
  }

  /** Keep the probabilities as a run of this dataset version. */
  private async store(r: LabelModelResult): Promise<void> {
    const storage = session.storage;
    const ds = session.dataset;
    if (!storage || !session.projectId || !ds) return;
    const k = session.classes.length;
    const idx = session.splitIndex;
    this.lmUnsaved = null;
    const full = scatterSplits(
      ds.rows.length,
      k,
      (['train', 'dev', 'test'] as const).map((s) => ({ rows: idx[s], proba: r.proba[s] })),
    );
    try {
      await storage.putRun(
        {
          id: r.runId,
          projectId: session.projectId,
          versionId: ds.versionId,
          model: r.name,
          params: { summary: r.summary, classBalance: r.classBalance, balanceMode: this.balanceMode, seed: this.seed, backend: r.backend },
          lfHashes: this.lfHashes(),
          metrics: {
            devAccuracy: r.scores.dev.accuracy,
            devF1: r.scores.dev.f1,
            testAccuracy: r.scores.test.accuracy,
            testF1: r.scores.test.f1,
          },
          k,
          n: ds.rows.length,
          createdAt: Date.now(),
        },
        full,
      );
      // Older runs of this version with the same LFs are superseded.
      const hashes = this.lfHashes().join('|');
      const old = (await storage.listRuns(session.projectId))
        .filter((x) => x.versionId === ds.versionId && x.lfHashes.join('|') === hashes)
        .sort((a, b) => b.createdAt - a.createdAt);
      for (const x of old.slice(1)) await storage.deleteRun(x.id);
    } catch (e) {
      this.lmError = `The fit worked but could not be saved: ${e instanceof Error ? e.message : String(e)}`;
      this.lmUnsaved = r;
    }
  }

  /** Store the fit on screen again after a failed save, if it still matches the LFs' votes. */
  async saveLmAgain(): Promise<void> {
    const r = this.lmUnsaved;
    if (!r || r !== this.lm || r.votesVersion !== session.votes?.version) {
      this.lmUnsaved = null;
      return;
    }
    this.lmError = null;
    await this.store(r);
  }

  /** Load the stored fit for the current votes, if there is one. */
  async restore(): Promise<boolean> {
    const storage = session.storage;
    const ds = session.dataset;
    const v = session.votes;
    if (!storage || !session.projectId || !ds || !v || v.lfIds.length === 0) return false;
    const hashes = this.lfHashes().join('|');
    const run = (await storage.listRuns(session.projectId))
      .filter((x) => x.versionId === ds.versionId && x.lfHashes.join('|') === hashes && x.n === ds.rows.length)
      .sort((a, b) => b.createdAt - a.createdAt)[0];
    if (!run) return false;
    const full = await storage.getRunProbs(run.id);
    if (!full || session.votes?.version !== v.version) return false;
    const k = run.k;
    const idx = session.splitIndex;
    const pick = (rows: Uint32Array) => {
      const out = new Float32Array(rows.length * k);
      for (let t = 0; t < rows.length; t++) out.set(full.subarray(rows[t] * k, rows[t] * k + k), t * k);
      return out;
    };
    const params = run.params as {
      summary: LabelModelSummary;
      classBalance: number[] | null;
      balanceMode: BalanceMode;
      seed: number;
      backend: string;
    };
    const mv = createLabelModel('mv');
    await mv.fit(v.train, { classBalance: params.classBalance ?? undefined });
    this.name = run.model as LabelModelName;
    this.balanceMode = params.balanceMode;
    const restored = this.report(
      v.version,
      run.id,
      ds.versionId,
      run.model as LabelModelName,
      params.summary,
      { train: pick(idx.train), dev: pick(idx.dev), test: pick(idx.test) },
      { dev: mv.predictProba(v.dev), test: mv.predictProba(v.test) },
      params.classBalance,
      params.backend,
      0,
      true,
    );
    this.lm = run.origin ? { ...restored, origin: run.origin.file } : restored;
    return true;
  }

  /** Rescore after gold labels change (no refit: the model does not use test gold). */
  rescore(): void {
    const r = this.lm;
    if (r && session.votes?.version === r.votesVersion) {
      this.lm = {
        ...this.report(
          r.votesVersion,
          r.runId,
          r.versionId,
          r.name,
          r.summary,
          r.proba,
          r.mvProba,
          r.classBalance,
          r.backend,
          r.ms,
          r.restored,
        ),
        origin: r.origin,
      };
    }
    // The classifier is rescored even without a label model (a restored, stale one).
    const c = this.clf;
    const k = session.classes.length;
    if (c && c.proba.dev.length === session.gold.dev.length * k && c.proba.test.length === session.gold.test.length * k) {
      this.clf = {
        ...c,
        scores: {
          dev: scoreSplit(hardLabels(c.proba.dev, k), session.gold.dev, k),
          test: scoreSplit(hardLabels(c.proba.test, k), session.gold.test, k),
        },
      };
    }
  }

  private texts = new Map<string, string[]>();

  async textsOf(split: Split): Promise<string[]> {
    const ds = session.dataset;
    if (!ds) return [];
    const key = `${ds.versionId}:${split}`;
    let t = this.texts.get(key);
    if (!t) {
      const rows = await session.rowsOf(split);
      t = rows.map((r) => textOf(r, ds.textField));
      this.texts.clear();
      this.texts.set(key, t);
    }
    return t;
  }

  /**
   * Train the distilled classifier on the label model's train probabilities (rows no LF voted
   * on left out), early-stopped on gold dev rows; score it on dev and test, and store it.
   */
  async trainClassifier(): Promise<void> {
    const lm = this.lm;
    const v = session.votes;
    const ds = session.dataset;
    if (!lm || !v || !ds) {
      this.clfError = 'Fit the label model first.';
      return;
    }
    const settings = $state.snapshot(this.clfSettings) as ClassifierSettings;
    const bad = Object.values(validateClassifierSettings(settings));
    if (bad.length) {
      this.clfError = `Fix the classifier settings first: ${bad.join('; ')}.`;
      return;
    }
    // A value typed and trained at once may not have fired its change event yet.
    void this.saveSettings();
    const k = session.classes.length;
    const jobId = `clf-${++this.seq}`;
    const wk = trainWorker();
    // What it is trained from, captured now: the LFs may change while it trains.
    const lfHashes = this.lfHashes();
    const opts = classifierTrainOptions(settings);
    this.clfBusy = true;
    this.clfError = null;
    this.curve = [];
    try {
      const [trainTexts, devTexts, testTexts] = [await this.textsOf('train'), await this.textsOf('dev'), await this.textsOf('test')];
      const gold = session.gold;
      const devRows = Array.from(gold.dev.keys()).filter((i) => gold.dev[i] >= 0);
      const rows = coveredRows(v.train);
      if (rows.length === 0) throw new ShoalError('no training row has an LF vote; the classifier has nothing to learn from');
      const res = await jobs.run('Training the classifier', async (signal, report) => {
        signal.addEventListener('abort', () => void wk.cancel(jobId));
        report(null, 'Choosing the tfjs backend');
        await workerBackend();
        return wk.trainClassifier(
          jobId,
          {
            texts: trainTexts,
            proba: lm.proba.train.slice(),
            k,
            rows,
            classes: session.classes.slice(),
            dev: devRows.length
              ? { texts: devRows.map((i) => devTexts[i]), labels: Int32Array.from(devRows, (i) => gold.dev[i]) }
              : undefined,
            ...opts,
          },
          Comlink.proxy((e: EpochReport & { targets: 'soft' | 'hard' }) => {
            this.curve = [...this.curve, e];
            report(
              e.epoch / e.maxEpochs,
              `${e.targets} targets, epoch ${e.epoch}: loss ${e.loss.toFixed(3)}${e.devScore !== undefined ? `, dev ${e.devScore.toFixed(3)}` : ''}`,
            );
          }),
        );
      });
      const pDev = await wk.predict(res.classifier, devTexts);
      const pTest = await wk.predict(res.classifier, testTexts);
      const result: ClassifierResult = {
        id: `clf-${ds.versionId}-${Date.now()}`,
        classifier: res.classifier,
        lmRunId: lm.runId,
        lfHashes,
        labelModel: lm.summary.chosen ?? lm.name,
        settings,
        restored: false,
        createdAt: Date.now(),
        proba: { dev: pDev, test: pTest },
        scores: { dev: scoreSplit(hardLabels(pDev, k), gold.dev, k), test: scoreSplit(hardLabels(pTest, k), gold.test, k) },
        bestEpoch: res.bestEpoch,
        targets: res.targets,
        trainRows: rows.length,
        backend: res.backend,
        ms: res.ms,
      };
      if (session.dataset?.versionId !== ds.versionId) return; // another project opened meanwhile
      this.clf = result;
      this.onnx = null;
      await this.storeClassifier(result, ds.versionId);
    } catch (e) {
      if (isAbort(e)) this.clfError = 'Training was cancelled.';
      else this.clfError = e instanceof Error ? e.message : String(e);
    } finally {
      this.clfBusy = false;
    }
  }

  /** Keep the classifier (weights, dev/test probabilities, curve) for this dataset version. */
  private async storeClassifier(c: ClassifierResult, versionId: string): Promise<void> {
    const storage = session.storage;
    const projectId = session.projectId;
    if (!storage || !projectId) return;
    const record: ClassifierRecord = {
      id: c.id,
      projectId,
      versionId,
      runId: c.lmRunId,
      lfHashes: c.lfHashes,
      labelModel: c.labelModel,
      settings: { ...c.settings },
      metrics: {
        devAccuracy: c.scores.dev.accuracy,
        devF1: c.scores.dev.f1,
        testAccuracy: c.scores.test.accuracy,
        testF1: c.scores.test.f1,
      },
      curve: this.curve.map((e) => ({ ...e })),
      bestEpoch: c.bestEpoch,
      targets: c.targets,
      trainRows: c.trainRows,
      backend: c.backend,
      ms: c.ms,
      k: c.classifier.model.k,
      createdAt: c.createdAt,
    };
    this.clfUnsaved = null;
    try {
      await storage.putClassifier(record, { classifier: c.classifier, proba: c.proba });
    } catch (e) {
      this.clfError = `The classifier trained but could not be saved (it will be gone after a reload): ${e instanceof Error ? e.message : String(e)}`;
      this.clfUnsaved = { c, versionId };
    }
  }

  /** Store the classifier on screen again after a failed save (only while it is still the one shown). */
  async saveClfAgain(): Promise<void> {
    const u = this.clfUnsaved;
    if (!u || u.c !== this.clf || session.dataset?.versionId !== u.versionId) {
      this.clfUnsaved = null;
      return;
    }
    this.clfError = null;
    await this.storeClassifier(u.c, u.versionId);
  }

  /** Load the newest stored classifier of this dataset version, if there is one. */
  private async restoreClassifier(versionId: string): Promise<void> {
    const storage = session.storage;
    if (!storage) return;
    try {
      const rec = await storage.latestClassifier(versionId);
      const stored = rec && (await storage.getClassifierModel(rec.id));
      // A training run finished meanwhile, or another version opened: leave the screen alone.
      if (!rec || !stored || this.clf || session.dataset?.versionId !== versionId) return;
      const k = session.classes.length;
      if (rec.k !== k) return;
      const gold = session.gold;
      const { dev, test } = stored.proba;
      this.clf = {
        id: rec.id,
        classifier: stored.classifier,
        lmRunId: rec.runId,
        lfHashes: rec.lfHashes,
        labelModel: rec.labelModel,
        settings: readClassifierSettings(rec.settings),
        restored: true,
        origin: rec.origin?.file,
        createdAt: rec.createdAt,
        proba: { dev, test },
        // Scored against today's gold: labels added since count, as they would after a retrain.
        scores: { dev: scoreSplit(hardLabels(dev, k), gold.dev, k), test: scoreSplit(hardLabels(test, k), gold.test, k) },
        bestEpoch: rec.bestEpoch,
        targets: rec.targets,
        trainRows: rec.trainRows,
        backend: rec.backend,
        ms: rec.ms,
      };
      this.curve = rec.curve.map((e) => ({ ...e }));
    } catch (e) {
      this.clfError = `The saved classifier could not be read: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /**
   * Why the classifier on screen no longer matches the LFs and label model, or null when it
   * does. Reactive: reads the LF votes and the label model.
   */
  clfStale(): string | null {
    const c = this.clf;
    if (!c) return null;
    const lm = this.lm;
    const lfsChanged = this.lfHashes().join('|') !== c.lfHashes.join('|');
    if (lfsChanged) return 'the LFs changed since it was trained';
    if (!lm) return 'the label model it was trained on is not fitted for these LFs';
    if (lm.runId !== c.lmRunId) return 'the label model was refitted since';
    return null;
  }

  /** Read this project's classifier settings (defaults where none are stored). */
  private async loadSettings(): Promise<void> {
    const storage = session.storage;
    const pid = session.projectId;
    this.clfSettingsError = null;
    if (!storage || !pid) return;
    try {
      this.clfSettings = readClassifierSettings(await storage.getSetting(CLASSIFIER_SETTINGS, pid));
    } catch {
      this.clfSettings = defaultClassifierSettings();
    }
  }

  /** Persist the settings with the project, when they are valid. */
  async saveSettings(): Promise<void> {
    const storage = session.storage;
    const pid = session.projectId;
    const snap = $state.snapshot(this.clfSettings) as ClassifierSettings;
    if (!storage || !pid || Object.keys(validateClassifierSettings(snap)).length) return;
    try {
      await storage.putSetting(CLASSIFIER_SETTINGS, snap, pid);
      this.clfSettingsError = null;
    } catch (e) {
      this.clfSettingsError = `The settings could not be saved: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  resetSettings(): void {
    this.clfSettings = defaultClassifierSettings();
    void this.saveSettings();
  }

  /** Export to ONNX, predict every row with onnxruntime-web and with tfjs, compare. */
  async exportOnnx(): Promise<void> {
    const c = this.clf;
    const ds = session.dataset;
    if (!c || !ds) {
      this.onnxError = 'Train the classifier first.';
      return;
    }
    const wk = trainWorker();
    this.onnxBusy = true;
    this.onnxError = null;
    try {
      this.onnx = await jobs.run('ONNX export and check', async (signal, report) => {
        // The worker calls are short and not interruptible: cancel takes effect between them.
        const stop = () => {
          if (signal.aborted) throw new DOMException('cancelled', 'AbortError');
        };
        const t0 = performance.now();
        report(0.1, 'Writing the ONNX model');
        const { onnx, sidecar } = await wk.exportOnnx(c.classifier);
        stop();
        const texts = ds.rows.map((r) => textOf(r, ds.textField));
        report(0.3, `onnxruntime-web over ${texts.length.toLocaleString('en-US')} rows`);
        const po = await wk.predictOnnx(onnx.slice(), c.classifier.features, c.classifier.model.k, texts);
        stop();
        report(0.7, 'tfjs over the same rows');
        const pt = await wk.predictTf(c.classifier, texts);
        return { bytes: onnx, sidecar, proba: po, maxAbsDiff: maxAbsDiff(po, pt), rows: texts.length, ms: performance.now() - t0 };
      });
    } catch (e) {
      this.onnxError = isAbort(e) ? 'The ONNX export was cancelled.' : e instanceof Error ? e.message : String(e);
    } finally {
      this.onnxBusy = false;
    }
  }

  cancelAll(): void {
    for (const j of jobs.list) if (/label model|classifier|ONNX/.test(j.label)) jobs.cancel(j.id);
  }
}

export const model = new ModelState();
