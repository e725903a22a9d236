/**
 * The Model screen's state as the screens reach it: a thin facade over the model services
 * (model-services.ts — label model, classifier, ONNX export), built once the session has opened
 * its storage, with the page's train worker and jobs registry.
 *
 * This is the one place that builds the services' view of the open project from the session
 * (`sessionModelView`), and the one place that watches the session: a change of the enabled
 * LFs' votes (`session.votes.version`) reaches `ModelServices.onVotes`, which restores the
 * stored fit and classifier of a newly opened dataset version and refits after a short pause.
 */
import { untrack } from 'svelte';
import type { LabelModelName } from '../core/labelmodel/index.ts';
import { DexieStorage } from '../storage/dexie.ts';
import type { ShoalStorage } from '../storage/types.ts';
import type { ClassifierResult, CurvePoint } from './classifier.svelte.ts';
import { jobs } from './jobs.svelte.ts';
import type { BalanceMode, LabelModelResult } from './label-model.svelte.ts';
import { defaultClassifierSettings, type ClassifierSettings } from './model-report.ts';
import { ModelServices } from './model-services.ts';
import type { ModelProjectView, TextRange, TextScope } from './model-view.ts';
import { browserTrainWorker } from './model-worker.ts';
import type { OnnxResult } from './onnx-export.svelte.ts';
import type { Session } from './session.svelte.ts';

export type { BalanceMode, LabelModelResult } from './label-model.svelte.ts';
export type { ClassifierResult } from './classifier.svelte.ts';
export type { OnnxResult } from './onnx-export.svelte.ts';

/**
 * The open project as the model services see it, read from the session's reactive fields (so
 * what a service derives from it is reactive too). Rows are reached only through `rowCount`,
 * `textsOf` and `storedTexts`.
 */
export function sessionModelView(s: Session): ModelProjectView {
  return {
    get projectId() {
      return s.projectId;
    },
    get versionId() {
      return s.dataset?.versionId ?? null;
    },
    get rowCount() {
      return s.dataset?.rowCount ?? 0;
    },
    get classes() {
      return s.classes;
    },
    get votes() {
      return s.votes;
    },
    get gold() {
      return s.gold;
    },
    get goldVersion() {
      return s.goldVersion;
    },
    get lfsRunning() {
      return s.running.size > 0;
    },
    get splitIndex() {
      return s.splitIndex;
    },
    lfHashes: () => s.votes?.lfIds.map((id) => s.runOf(id)?.hash ?? s.runs.get(id)?.hash ?? id) ?? [],
    // Streamed from storage chunk by chunk through the rows service (dataset-rows.ts): only
    // the strings asked for are kept.
    async textsOf(scope: TextScope, range: TextRange = {}) {
      const ds = s.dataset;
      if (!ds) return [];
      const { from, to, signal } = range;
      if (scope === 'all') return ds.rows.texts(null, ds.textField, { from, to, signal });
      const idx = s.splitIndex[scope];
      return ds.rows.texts(idx.subarray(from ?? 0, to ?? idx.length), ds.textField, { signal });
    },
    // The train worker opens the same IndexedDB database by name; any other storage (the
    // in-memory one of Node tests) it cannot reach, so the texts are read here instead.
    storedTexts(split, at) {
      const ds = s.dataset;
      const storage = s.storage;
      if (!ds || !(storage instanceof DexieStorage)) return null;
      const idx = s.splitIndex[split];
      return {
        kind: 'stored-texts',
        dbName: storage.dexie.name,
        versionId: ds.versionId,
        field: ds.textField,
        rows: at ? Uint32Array.from(at, (i) => idx[i]) : idx.slice(),
      };
    },
  };
}

export class ModelState {
  #services = $state.raw<ModelServices | null>(null);

  /** `session`: the open project it follows; the train worker and jobs registry are the page's unless given. */
  constructor(
    private readonly session: Session,
    private readonly deps: { trainWorker: typeof browserTrainWorker; jobs: typeof jobs } = { trainWorker: browserTrainWorker, jobs },
  ) {}

  private watching = false;
  private lastSeen = -1;

  /** The services, once the session's storage is open (null before). */
  get services(): ModelServices | null {
    return this.#services;
  }

  private connect(storage: ShoalStorage): ModelServices {
    this.#services ??= new ModelServices({
      storage,
      project: sessionModelView(this.session),
      trainWorker: this.deps.trainWorker,
      jobs: this.deps.jobs,
    });
    return this.#services;
  }

  /** Build the services when the storage opens, and bring them in step whenever the enabled LFs' votes change. */
  watch(): void {
    if (this.watching) return;
    this.watching = true;
    $effect.root(() => {
      $effect(() => {
        const storage = this.session.storage;
        if (!storage) return;
        const s = untrack(() => this.connect(storage));
        const v = this.session.votes;
        if (!v || !this.session.dataset) return;
        if (v.version === this.lastSeen) return;
        this.lastSeen = v.version;
        untrack(() => void s.onVotes());
      });
      // Gold edits: test gold rescores, dev gold refits (label-model.svelte.ts onGold).
      $effect(() => {
        void this.session.goldVersion;
        const s = this.#services;
        if (s) untrack(() => s.labelModel.onGold());
      });
    });
  }

  // ── label model ──────────────────────────────────────────────────────────────
  get name(): LabelModelName {
    return this.#services?.labelModel.name ?? 'auto';
  }
  set name(v: LabelModelName) {
    if (this.#services) this.#services.labelModel.name = v;
  }
  get balanceMode(): BalanceMode {
    return this.#services?.labelModel.balanceMode ?? 'dev';
  }
  set balanceMode(v: BalanceMode) {
    if (this.#services) this.#services.labelModel.balanceMode = v;
  }
  get customBalance(): string {
    return this.#services?.labelModel.customBalance ?? '';
  }
  set customBalance(v: string) {
    if (this.#services) this.#services.labelModel.customBalance = v;
  }
  get seed(): number {
    return this.#services?.labelModel.seed ?? 0;
  }
  set seed(v: number) {
    if (this.#services) this.#services.labelModel.seed = v;
  }
  get autoRefit(): boolean {
    return this.#services?.labelModel.autoRefit ?? true;
  }
  set autoRefit(v: boolean) {
    if (this.#services) this.#services.labelModel.autoRefit = v;
  }
  get lm(): LabelModelResult | null {
    return this.#services?.labelModel.result ?? null;
  }
  get lmBusy(): boolean {
    return this.#services?.labelModel.busy ?? false;
  }
  get lmProgress(): string {
    return this.#services?.labelModel.progress ?? '';
  }
  get lmError(): string | null {
    return this.#services?.labelModel.error ?? null;
  }
  get lmUnsaved(): LabelModelResult | null {
    return this.#services?.labelModel.unsaved ?? null;
  }
  fit(): Promise<void> {
    return this.#services?.labelModel.fit() ?? Promise.resolve();
  }
  saveLmAgain(): Promise<void> {
    return this.#services?.labelModel.saveAgain() ?? Promise.resolve();
  }
  cancelFit(): void {
    this.#services?.labelModel.cancel();
  }
  /** Rescore after gold labels change (no refit: the model does not use test gold). */
  rescore(): void {
    this.#services?.rescore();
  }

  // ── classifier ───────────────────────────────────────────────────────────────
  get clf(): ClassifierResult | null {
    return this.#services?.classifier.result ?? null;
  }
  get clfBusy(): boolean {
    return this.#services?.classifier.busy ?? false;
  }
  get clfError(): string | null {
    return this.#services?.classifier.error ?? null;
  }
  get clfUnsaved(): { c: ClassifierResult; versionId: string } | null {
    return this.#services?.classifier.unsaved ?? null;
  }
  get clfSettings(): ClassifierSettings {
    return this.#services?.classifier.settings ?? defaultClassifierSettings();
  }
  set clfSettings(v: ClassifierSettings) {
    if (this.#services) this.#services.classifier.settings = v;
  }
  get clfSettingsError(): string | null {
    return this.#services?.classifier.settingsError ?? null;
  }
  get curve(): CurvePoint[] {
    return this.#services?.classifier.curve ?? [];
  }
  trainClassifier(): Promise<void> {
    return this.#services?.classifier.train() ?? Promise.resolve();
  }
  saveClfAgain(): Promise<void> {
    return this.#services?.classifier.saveAgain() ?? Promise.resolve();
  }
  cancelTraining(): void {
    this.#services?.classifier.cancel();
  }
  /** Why the classifier on screen no longer matches the LFs and label model, or null. */
  clfStale(): string | null {
    return this.#services?.classifier.stale() ?? null;
  }
  saveSettings(): Promise<void> {
    return this.#services?.classifier.saveSettings() ?? Promise.resolve();
  }
  resetSettings(): void {
    this.#services?.classifier.resetSettings();
  }

  // ── ONNX export ──────────────────────────────────────────────────────────────
  get onnx(): OnnxResult | null {
    return this.#services?.onnx.result ?? null;
  }
  get onnxBusy(): boolean {
    return this.#services?.onnx.busy ?? false;
  }
  get onnxError(): string | null {
    return this.#services?.onnx.error ?? null;
  }
  exportOnnx(): Promise<void> {
    return this.#services?.onnx.export() ?? Promise.resolve();
  }
}
