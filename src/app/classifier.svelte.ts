/**
 * The distilled classifier on the Model screen: train it in the train worker on the label
 * model's train probabilities (rows no LF voted on left out), early-stopped on gold dev rows;
 * score it on dev and test; store it (the newest per dataset version) with the label-model run
 * and LF hashes it was trained from, and bring it back on reload with its metrics and loss
 * curve. When the LFs or the label model changed since, `stale()` says why rather than passing
 * it for current. Its settings (n-grams, hash size, epochs, learning rate, L2, targets, seed)
 * are a per-project setting.
 *
 * Training is a job owned by this service (`cancel` stops it). A classifier that could not be
 * stored (a full disk) stays on screen as unsaved, and `saveAgain` stores it while it is still
 * the one shown.
 */
import type { DistilledClassifier, EpochReport } from '../core/classifier/index.ts';
import { coveredRows } from '../core/classifier/index.ts';
import { ShoalError } from '../core/types.ts';
import type { ClassifierRecord } from '../storage/types.ts';
import { isStoredTexts } from '../workers/stored-texts.ts';
import type { TextsInput } from '../workers/train-worker-api.ts';
import type { LabelModelResult } from './label-model.svelte.ts';
import {
  CLASSIFIER_SETTINGS,
  classifierTrainOptions,
  defaultClassifierSettings,
  hardLabels,
  readClassifierSettings,
  scoreSplit,
  validateClassifierSettings,
  type ClassifierSettings,
  type SplitScores,
} from './model-report.ts';
import { errorText } from './errors.ts';
import { isAbort, type ModelDeps } from './model-deps.ts';
import type { Split } from './project.ts';

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
  /** Set when it trained on a sample of the covered rows (the feature budget): the sentence that says so. */
  sampleNote?: string;
  backend: string;
  ms: number;
}

export type CurvePoint = EpochReport & { targets: 'soft' | 'hard' };

/** What the classifier needs of the label model: the fit it trains on. */
export interface LabelModelSource {
  readonly result: LabelModelResult | null;
}

export class ClassifierService {
  result = $state.raw<ClassifierResult | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);
  /** The classifier on screen when storing it failed: `saveAgain` retries it. */
  unsaved = $state.raw<{ c: ClassifierResult; versionId: string } | null>(null);
  /** Settings for the next training run (validated before it starts). */
  settings = $state<ClassifierSettings>(defaultClassifierSettings());
  /** A save of the settings that failed (shown beside them). */
  settingsError = $state<string | null>(null);
  curve = $state.raw<CurvePoint[]>([]);

  private runs = 0;

  constructor(
    private readonly deps: ModelDeps,
    private readonly labelModel: LabelModelSource,
    /**
     * `featureBudget`: most hashed feature entries the training rows may hold in the worker
     * (default core/classifier/stream.ts `DEFAULT_FEATURE_BUDGET`); over it the classifier trains
     * on a seeded sample and its result says so (`sampleNote`).
     */
    private readonly options: { featureBudget?: number } = {},
  ) {}

  /** Train on the label model's probabilities, score on dev and test, and store the classifier. */
  async train(): Promise<void> {
    const { project, jobs } = this.deps;
    const lm = this.labelModel.result;
    const v = project.votes;
    const versionId = project.versionId;
    if (!lm || !v || !versionId) {
      this.error = 'Fit the label model first.';
      return;
    }
    const settings = $state.snapshot(this.settings) as ClassifierSettings;
    const bad = Object.values(validateClassifierSettings(settings));
    if (bad.length) {
      this.error = `Fix the classifier settings first: ${bad.join('; ')}.`;
      return;
    }
    // A value typed and trained at once may not have fired its change event yet.
    void this.saveSettings();
    jobs.cancelOwner(this);
    const run = ++this.runs;
    const newest = () => run === this.runs;
    const k = project.classes.length;
    const classes = project.classes.slice();
    const jobId = `clf-${run}`;
    const wk = this.deps.trainWorker();
    // What it is trained from, captured now: the LFs may change while it trains.
    const lfHashes = project.lfHashes();
    const opts = classifierTrainOptions(settings);
    this.busy = true;
    this.error = null;
    this.curve = [];
    try {
      const gold = project.gold;
      const devRows = Array.from(gold.dev.keys()).filter((i) => gold.dev[i] >= 0);
      // Row numbers the worker reads itself when it can (the page then holds none of these
      // texts); the texts themselves otherwise.
      const textsFor = async (split: Split, at?: readonly number[]): Promise<TextsInput> => {
        const ref = project.storedTexts(split, at);
        if (ref) return ref;
        const all = await project.textsOf(split);
        return at ? at.map((i) => all[i]) : all;
      };
      const predict = (c: DistilledClassifier, t: TextsInput) => (isStoredTexts(t) ? wk.api.predictStored(c, t) : wk.api.predict(c, t));
      const trainTexts = await textsFor('train');
      const devTexts = devRows.length ? await textsFor('dev', devRows) : null;
      const rows = coveredRows(v.train);
      if (rows.length === 0) throw new ShoalError('no training row has an LF vote; the classifier has nothing to learn from');
      const res = await jobs.run(
        'Training the classifier',
        async (signal, report) => {
          signal.addEventListener('abort', () => void wk.api.cancel(jobId));
          report(null, 'Choosing the tfjs backend');
          await wk.backend();
          if (signal.aborted) throw new DOMException('cancelled', 'AbortError');
          return wk.api.trainClassifier(
            jobId,
            {
              texts: trainTexts,
              proba: lm.proba.train.slice(),
              k,
              rows,
              classes,
              dev: devTexts ? { texts: devTexts, labels: Int32Array.from(devRows, (i) => gold.dev[i]) } : undefined,
              ...opts,
              ...(this.options.featureBudget !== undefined ? { featureBudget: this.options.featureBudget } : {}),
            },
            wk.callback((e: CurvePoint) => {
              if (newest()) this.curve = [...this.curve, e];
              report(
                e.epoch / e.maxEpochs,
                `${e.targets} targets, epoch ${e.epoch}: loss ${e.loss.toFixed(3)}${e.devScore !== undefined ? `, dev ${e.devScore.toFixed(3)}` : ''}`,
              );
            }),
            // Reading and hashing the texts (one pass or more) before the first epoch.
            wk.callback((fraction: number, message: string) => report(fraction, message)),
          );
        },
        { owner: this },
      );
      const pDev = await predict(res.classifier, await textsFor('dev'));
      const pTest = await predict(res.classifier, await textsFor('test'));
      const result: ClassifierResult = {
        id: `clf-${versionId}-${Date.now()}`,
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
        trainRows: res.trainRows,
        ...(res.sampleNote ? { sampleNote: res.sampleNote } : {}),
        backend: res.backend,
        ms: res.ms,
      };
      // Another project opened meanwhile, or a newer run started.
      if (project.versionId !== versionId || !newest()) return;
      this.result = result;
      await this.store(result, versionId);
    } catch (e) {
      if (!newest()) return;
      this.error = isAbort(e) ? 'Training was cancelled.' : errorText(e);
    } finally {
      if (newest()) this.busy = false;
    }
  }

  /** Stop the running training, if any. */
  cancel(): void {
    this.deps.jobs.cancelOwner(this);
  }

  /** Keep the classifier (weights, dev/test probabilities, curve) for this dataset version. */
  private async store(c: ClassifierResult, versionId: string): Promise<void> {
    const { storage, project } = this.deps;
    const projectId = project.projectId;
    if (!projectId) return;
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
      ...(c.sampleNote ? { sampleNote: c.sampleNote } : {}),
      backend: c.backend,
      ms: c.ms,
      k: c.classifier.model.k,
      createdAt: c.createdAt,
    };
    this.unsaved = null;
    try {
      await storage.putClassifier(record, { classifier: c.classifier, proba: c.proba });
    } catch (e) {
      this.error = `The classifier trained but could not be saved (it will be gone after a reload): ${errorText(e)}`;
      this.unsaved = { c, versionId };
    }
  }

  /** Store the classifier on screen again after a failed save (only while it is still the one shown). */
  async saveAgain(): Promise<void> {
    const u = this.unsaved;
    if (!u || u.c !== this.result || this.deps.project.versionId !== u.versionId) {
      this.unsaved = null;
      return;
    }
    this.error = null;
    await this.store(u.c, u.versionId);
  }

  /** Load the newest stored classifier of this dataset version, if there is one. */
  async restore(versionId: string): Promise<void> {
    const { storage, project } = this.deps;
    try {
      const rec = await storage.latestClassifier(versionId);
      const stored = rec && (await storage.getClassifierModel(rec.id));
      // A training run finished meanwhile, or another version opened: leave the screen alone.
      if (!rec || !stored || this.result || project.versionId !== versionId) return;
      const k = project.classes.length;
      if (rec.k !== k) return;
      const gold = project.gold;
      const { dev, test } = stored.proba;
      this.result = {
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
        ...(rec.sampleNote ? { sampleNote: rec.sampleNote } : {}),
        backend: rec.backend,
        ms: rec.ms,
      };
      this.curve = rec.curve.map((e) => ({ ...e }));
    } catch (e) {
      this.error = `The saved classifier could not be read: ${errorText(e)}`;
    }
  }

  /** Rescore on today's gold (labels given since count), when the probabilities fit the splits. */
  rescore(): void {
    const c = this.result;
    const { gold, classes } = this.deps.project;
    const k = classes.length;
    if (!c || c.proba.dev.length !== gold.dev.length * k || c.proba.test.length !== gold.test.length * k) return;
    this.result = {
      ...c,
      scores: { dev: scoreSplit(hardLabels(c.proba.dev, k), gold.dev, k), test: scoreSplit(hardLabels(c.proba.test, k), gold.test, k) },
    };
  }

  /**
   * Why the classifier on screen no longer matches the LFs and label model, or null when it
   * does. Reactive in the page: it reads the project's LF hashes and the label model's result.
   */
  stale(): string | null {
    const c = this.result;
    if (!c) return null;
    const lm = this.labelModel.result;
    if (this.deps.project.lfHashes().join('|') !== c.lfHashes.join('|')) return 'the LFs changed since it was trained';
    if (!lm) return 'the label model it was trained on is not fitted for these LFs';
    if (lm.runId !== c.lmRunId) return 'the label model was refitted since';
    return null;
  }

  /** A dataset version opened: drop what is on screen, read the project's settings and its stored classifier. */
  async open(versionId: string): Promise<void> {
    this.cancel();
    this.runs++;
    this.busy = false;
    this.result = null;
    this.unsaved = null;
    this.error = null;
    this.curve = [];
    await this.loadSettings();
    await this.restore(versionId);
  }

  /** Read this project's classifier settings (defaults where none are stored). */
  async loadSettings(): Promise<void> {
    const { storage, project } = this.deps;
    const pid = project.projectId;
    this.settingsError = null;
    if (!pid) return;
    try {
      this.settings = readClassifierSettings(await storage.getSetting(CLASSIFIER_SETTINGS, pid));
    } catch {
      this.settings = defaultClassifierSettings();
    }
  }

  /** Persist the settings with the project, when they are valid. */
  async saveSettings(): Promise<void> {
    const { storage, project } = this.deps;
    const pid = project.projectId;
    const snap = $state.snapshot(this.settings) as ClassifierSettings;
    if (!pid || Object.keys(validateClassifierSettings(snap)).length) return;
    try {
      await storage.putSetting(CLASSIFIER_SETTINGS, snap, pid);
      this.settingsError = null;
    } catch (e) {
      this.settingsError = `The settings could not be saved: ${errorText(e)}`;
    }
  }

  resetSettings(): void {
    this.settings = defaultClassifierSettings();
    void this.saveSettings();
  }
}
