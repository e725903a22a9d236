/**
 * The Model screen's state and jobs: fit the label model and train the distilled classifier in
 * the train worker, score both on dev/test beside majority vote, export the classifier to ONNX
 * and check onnxruntime-web against tfjs over the whole dataset.
 *
 * Every long step is a `jobs.run` job (progress, cancel → the worker's `cancel(jobId)`). Label
 * model probabilities are stored as a run per dataset version (storage `putRun`), keyed by the
 * LF source hashes it saw, so a reload shows the last fit without refitting; a change of the
 * enabled LFs' votes (`session.votes.version`) refits after a short pause (`watch()`).
 */
import { untrack } from 'svelte';
import { coveredRows, type DistilledClassifier, type EpochReport } from '../core/classifier/index.ts';
import { createLabelModel, type LabelModelName, type LabelModelSummary } from '../core/labelmodel/index.ts';
import type { LabelMatrix } from '../core/matrix.ts';
import { ShoalError } from '../core/types.ts';
import type { LabelMatrixData } from '../workers/train-worker-api.ts';
import { jobs } from './jobs.svelte.ts';
import {
  balanceFromGold,
  goldCount,
  hardLabels,
  labelDistribution,
  lfAccuracyTable,
  maxAbsDiff,
  modelWarnings,
  parseBalance,
  scatterSplits,
  scoreSplit,
  type LfAccuracyRow,
  type SplitScores,
} from './model-report.ts';
import { Comlink, trainWorker, workerBackend } from './model-worker.ts';
import { session, type Split } from './session.svelte.ts';

export type BalanceMode = 'dev' | 'uniform' | 'custom';

export interface LabelModelResult {
  /** session.votes.version it was fitted on. */
  votesVersion: number;
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
}

export interface ClassifierResult {
  classifier: DistilledClassifier;
  /** For the label model fit of this votes version. */
  votesVersion: number;
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

  clf = $state.raw<ClassifierResult | null>(null);
  clfBusy = $state(false);
  clfError = $state<string | null>(null);
  curve = $state.raw<(EpochReport & { targets: 'soft' | 'hard' })[]>([]);

  onnx = $state.raw<OnnxResult | null>(null);
  onnxBusy = $state(false);
  onnxError = $state<string | null>(null);

  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private watching = false;
  private lastSeen = -1;

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
    if (!this.lm || this.lm.versionId !== versionId) {
      this.clf = null;
      this.onnx = null;
      this.curve = [];
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
            dev: devRows.length ? { L: matrixData(v.dev.selectRows(devRows)), labels: Int32Array.from(devRows, (i) => gold.dev[i]) } : undefined,
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
      const result = this.report(v.version, ds.versionId, name, res.summary, proba, mvProba, bal, res.backend, performance.now() - t0, false);
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
      ...modelWarnings({ L: v.train, lfNames: v.lfNames, classes: session.classes, balance: this.balanceMode, devGold: goldCount(g.dev) }),
      ...(summary.warnings ?? []),
    ];
    const trainPred = hardLabels(proba.train, k);
    const covered = coveredRows(v.train);
    const coveredPred = Int32Array.from(covered, (i) => trainPred[i]);
    return {
      votesVersion,
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
    const full = scatterSplits(ds.rows.length, k, (['train', 'dev', 'test'] as const).map((s) => ({ rows: idx[s], proba: r.proba[s] })));
    try {
      await storage.putRun(
        {
          id: `lm-${ds.versionId}-${Date.now()}`,
          projectId: session.projectId,
          versionId: ds.versionId,
          model: r.name,
          params: { summary: r.summary, classBalance: r.classBalance, balanceMode: this.balanceMode, seed: this.seed, backend: r.backend },
          lfHashes: this.lfHashes(),
          metrics: { devAccuracy: r.scores.dev.accuracy, devF1: r.scores.dev.f1, testAccuracy: r.scores.test.accuracy, testF1: r.scores.test.f1 },
          k,
          n: ds.rows.length,
          createdAt: Date.now(),
        },
        full,
      );
      // Older runs of this version with the same LFs are superseded.
      const hashes = this.lfHashes().join('|');
      const old = (await storage.listRuns(session.projectId)).filter((x) => x.versionId === ds.versionId && x.lfHashes.join('|') === hashes).sort((a, b) => b.createdAt - a.createdAt);
      for (const x of old.slice(1)) await storage.deleteRun(x.id);
    } catch (e) {
      this.lmError = `The fit worked but could not be saved: ${e instanceof Error ? e.message : String(e)}`;
    }
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
    const params = run.params as { summary: LabelModelSummary; classBalance: number[] | null; balanceMode: BalanceMode; seed: number; backend: string };
    const mv = createLabelModel('mv');
    await mv.fit(v.train, { classBalance: params.classBalance ?? undefined });
    this.name = run.model as LabelModelName;
    this.balanceMode = params.balanceMode;
    this.lm = this.report(v.version, ds.versionId, run.model as LabelModelName, params.summary, { train: pick(idx.train), dev: pick(idx.dev), test: pick(idx.test) }, { dev: mv.predictProba(v.dev), test: mv.predictProba(v.test) }, params.classBalance, params.backend, 0, true);
    return true;
  }

  /** Rescore after gold labels change (no refit: the model does not use test gold). */
  rescore(): void {
    const r = this.lm;
    if (!r || session.votes?.version !== r.votesVersion) return;
    this.lm = this.report(r.votesVersion, r.versionId, r.name, r.summary, r.proba, r.mvProba, r.classBalance, r.backend, r.ms, r.restored);
    const c = this.clf;
    if (c) {
      const k = session.classes.length;
      this.clf = { ...c, scores: { dev: scoreSplit(hardLabels(c.proba.dev, k), session.gold.dev, k), test: scoreSplit(hardLabels(c.proba.test, k), session.gold.test, k) } };
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
   * on left out), early-stopped on gold dev rows; score it on dev and test.
   */
  async trainClassifier(): Promise<void> {
    const lm = this.lm;
    const v = session.votes;
    if (!lm || !v) {
      this.clfError = 'Fit the label model first.';
      return;
    }
    const k = session.classes.length;
    const jobId = `clf-${++this.seq}`;
    const wk = trainWorker();
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
            dev: devRows.length ? { texts: devRows.map((i) => devTexts[i]), labels: Int32Array.from(devRows, (i) => gold.dev[i]) } : undefined,
            seed: this.seed,
          },
          Comlink.proxy((e: EpochReport & { targets: 'soft' | 'hard' }) => {
            this.curve = [...this.curve, e];
            report(e.epoch / e.maxEpochs, `${e.targets} targets, epoch ${e.epoch}: loss ${e.loss.toFixed(3)}${e.devScore !== undefined ? `, dev ${e.devScore.toFixed(3)}` : ''}`);
          }),
        );
      });
      const pDev = await wk.predict(res.classifier, devTexts);
      const pTest = await wk.predict(res.classifier, testTexts);
      this.clf = {
        classifier: res.classifier,
        votesVersion: lm.votesVersion,
        proba: { dev: pDev, test: pTest },
        scores: { dev: scoreSplit(hardLabels(pDev, k), gold.dev, k), test: scoreSplit(hardLabels(pTest, k), gold.test, k) },
        bestEpoch: res.bestEpoch,
        targets: res.targets,
        trainRows: rows.length,
        backend: res.backend,
        ms: res.ms,
      };
      this.onnx = null;
    } catch (e) {
      if (isAbort(e)) this.clfError = 'Training was cancelled.';
      else this.clfError = e instanceof Error ? e.message : String(e);
    } finally {
      this.clfBusy = false;
    }
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
