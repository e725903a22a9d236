/**
 * The open project as every screen sees it, and the contract the Model / Annotate / Export
 * screens build on:
 * - `storage` (ShoalStorage, IndexedDB) and `projectId`;
 * - `dataset` (row count, fields, classes, and `rows`: the rows service that reads rows by range
 *   from storage — no row is held in page memory), `classes`, `splitIndex` (dataset row
 *   numbers of each split), `rowsOf(split, at)`;
 * - `lfs` (LfDef[] in list order) and `runs` (each LF's last run on this dataset version);
 * - `votes`: the enabled LFs' votes per split, replaced by a new object (version + 1) whenever
 *   a run completes or an LF is enabled, disabled, deleted, renamed, reordered or edited;
 * - `gold` per split (-1 = unknown) and `setGold`, which persists at once and bumps
 *   `goldVersion`.
 *
 * A thin composition: the session opens the storage it is given, loads a project and keeps the
 * services in step with it — the project catalog (project-catalog.ts), the one import flow
 * (import-flow.ts), gold labels (gold-labels.svelte.ts), the LF list (lf-list.svelte.ts), LF
 * runs and votes (lf-votes.svelte.ts, with the crash breadcrumbs of run-crumbs.ts) — and
 * delegates to them under the names the screens use. Everything it needs comes through the
 * constructor (`SessionDeps`): the page builds it with `browserSessionDeps()`, Node tests with
 * the in-memory storage and inline pools. Big values are `$state.raw` and replaced, never
 * mutated, so Svelte does not proxy thousands of rows or typed arrays.
 */
import { DEMO_LFS, fetchDemo, type LoadedDemo } from './demo.ts';
import { jobs } from './jobs.svelte.ts';
import { DatasetRows } from './dataset-rows.ts';
import { previewPicks } from './preview-sample.ts';
import { environment } from './environment.svelte.ts';
import { openDexieStorage } from '../storage/dexie.ts';
import { watchOtherTabs } from '../storage/tabs.ts';
import { trackUnsaved } from './unsaved.ts';
import {
  goldBySplit,
  lfToRecord,
  loadRunStates,
  recordToLf,
  splitIndexOf,
  SPLIT_NAMES,
  toJsonl,
  withNewId,
  type LfRunState,
  type Split,
  type SplitIndex,
} from './project.ts';
import { lfHash } from '../core/lf/hash.ts';
import { browserLfPools, LfRuns } from './lf-runs.ts';
import { hiddenFields, lfReadableFields } from '../core/lf/gold.ts';
import type { LfDef, LfPreview } from '../core/lf/index.ts';
import { ShoalError, type GoldLabel, type SplitRow } from '../core/types.ts';
import type { DatasetVersionRecord, LfRecord, ProjectRecord, ShoalStorage } from '../storage/types.ts';
import type { ChunkSource } from '../workers/pool.ts';
import type { ImportRequest } from '../workers/import-run.ts';
import { ProjectCatalog, webLocks, type ProjectLocks } from './project-catalog.ts';
import {
  ImportFlow,
  workerRowImporter,
  type About,
  type JobRunner,
  type NewProjectImport,
  type NewProjectOutcome,
  type RowImporter,
} from './import-flow.ts';
import { countGold } from '../core/gold-labels.ts';
import { EMPTY_GOLD, GoldLabels, type GoldBySplit } from './gold-labels.svelte.ts';
import { LfVotes, type SessionVotes } from './lf-votes.svelte.ts';
import { LfList } from './lf-list.svelte.ts';
import { browserTextSearch, type TextSearch } from './text-search.ts';
import { browserTextIndexBuild, TEXT_INDEX_MIN_ROWS, TextIndex, type TextIndexBuild } from './text-index.svelte.ts';
import { browserCrumbStore, RunCrumbs } from './run-crumbs.ts';
import { errorMessage as message, type OpenDataset } from './open-dataset.ts';

export type { Split, SplitIndex, LfRunState, SessionVotes };

export interface Dataset {
  name: string;
  description: string;
  source: 'demo' | 'import';
  versionId: string;
  datasetId: string;
  /** Fields shown as columns, in display order; LFs may read any of them and `text`. */
  fields: string[];
  /** The field LF templates read by default (always `text`: the import builds it). */
  textField: string;
  /** The column the gold labels came from, if any. */
  labelField: string | null;
  /** The user opted in at import to let LFs read the gold column (then it is among `fields`). */
  lfsReadGold: boolean;
  classes: string[];
  /** Rows in the dataset version. */
  rowCount: number;
  /** Reads rows by range or index from storage (dataset-rows.ts); never the gold column. */
  rows: DatasetRows;
  /** Split code per row (index into train/dev/test). */
  split: Uint8Array;
  splitCounts: Record<Split, number>;
  /** Rows with a gold label. */
  goldCount: number;
  notes: string[];
  /** Attribution to show beside the data (licence, where it came from). */
  attribution?: { text: string; links: { label: string; href: string }[] };
}

/** What a session is built from; the page's are `browserSessionDeps()`. */
export interface SessionDeps {
  /** Opens the project storage (the page: IndexedDB). */
  openStorage: () => Promise<ShoalStorage>;
  /** Where LFs run (lf-runs.ts): the page's pools, or inline ones in tests. */
  lfRuns: LfRuns;
  /** The rows of a version as the LF pools read them. */
  chunkSource: (version: DatasetVersionRecord, storage: ShoalStorage) => Promise<ChunkSource> | ChunkSource;
  /** Imports rows into a new project (the page: the import worker). */
  importRows: RowImporter;
  jobs: JobRunner;
  environment: { requestPersistence(): Promise<boolean>; refreshStorage(): Promise<void> };
  /** Web Locks for projects being filled (null: none, young projects are spared instead). */
  locks: ProjectLocks | null;
  crumbs: RunCrumbs;
  /** Calls back when another tab of the app is open. */
  watchTabs?: (onOther: () => void) => void;
  /** Fetches the demo data set. */
  fetchDemo: () => Promise<LoadedDemo>;
  /** The app's base URL (links to the demo's NOTICE and LICENSE). */
  baseUrl: string;
  /** Builds a large version's word index (text-index.ts); absent: LFs are always scanned. */
  textIndexBuild?: TextIndexBuild;
  /** Rows from which a version gets a word index (default TEXT_INDEX_MIN_ROWS). */
  textIndexMinRows?: number;
  /** Runs the Browse search off the page (text-search.ts); absent: rows are scanned on the page. */
  textSearch?: TextSearch;
}

const EMPTY_INDEX: SplitIndex = { train: new Uint32Array(0), dev: new Uint32Array(0), test: new Uint32Array(0) };

export class Session {
  storage = $state.raw<ShoalStorage | null>(null);
  projectId = $state<string | null>(null);
  projects = $state.raw<ProjectRecord[]>([]);
  project = $state.raw<ProjectRecord | null>(null);
  dataset = $state.raw<Dataset | null>(null);
  classes = $state.raw<string[]>([]);
  splitIndex = $state.raw<SplitIndex>(EMPTY_INDEX);
  loading = $state(false);
  ready = $state(false);
  error = $state<string | null>(null);
  /** A short message for the user (an interrupted run, a cancelled job). */
  notice = $state<string | null>(null);
  otherTab = $state(false);

  /** Gold labels of the open version, with the full-disk mode (gold-labels.svelte.ts). */
  readonly golds: GoldLabels;
  /** LF runs and the votes they give (lf-votes.svelte.ts). */
  readonly lfVotes: LfVotes;
  /** The LF list (lf-list.svelte.ts). */
  readonly lfList: LfList;
  /** Crash breadcrumbs of LF runs (run-crumbs.ts); the page marks them clean on pagehide. */
  readonly crumbs: RunCrumbs;
  /** The word index of a large version: whole-word keyword LFs answered without a scan (text-index.ts). */
  readonly textIndex: TextIndex | null;

  private version: DatasetVersionRecord | null = null;
  /** Where LFs run (lf-runs.ts): the page's workers for templates, isolated ones for code. */
  private readonly lfRuns: LfRuns;
  private readonly jobs: JobRunner;
  private projectCatalog: ProjectCatalog | null = null;
  private flow: ImportFlow | null = null;
  private opening: Promise<void> | null = null;

  constructor(private readonly deps: SessionDeps) {
    this.lfRuns = deps.lfRuns;
    this.jobs = deps.jobs;
    this.crumbs = deps.crumbs;
    const current = (): OpenDataset | null => this.current();
    this.textIndex = deps.textIndexBuild
      ? new TextIndex({ build: deps.textIndexBuild, jobs: deps.jobs, minRows: deps.textIndexMinRows ?? TEXT_INDEX_MIN_ROWS })
      : null;
    this.golds = new GoldLabels(current, (next) => {
      if (this.dataset) this.dataset = { ...this.dataset, goldCount: countGold(next) };
    });
    this.lfVotes = new LfVotes({
      current,
      list: () => this.lfList,
      lfRuns: deps.lfRuns,
      jobs: deps.jobs,
      chunkSource: deps.chunkSource,
      textIndex: this.textIndex ?? undefined,
      crumbs: deps.crumbs,
      messages: {
        error: (m) => (this.error = m),
        notice: (m) => (this.notice = m),
        listError: (m) => (this.lfList.lfListError = m),
      },
      afterRun: () => void deps.environment.refreshStorage().catch(() => undefined),
    });
    this.lfList = new LfList(current, this.lfVotes);
  }

  /** The open dataset version as the services see it (null while no project with data is open). */
  private current(): OpenDataset | null {
    const { storage, projectId, version } = this;
    if (!storage || !projectId || !version || !this.dataset) return null;
    return { storage, projectId, version, classes: this.classes, splitIndex: this.splitIndex };
  }

  // ── delegated state (the names the screens use) ────────────────────────────────────
  get lfs(): readonly LfDef[] {
    return this.lfList.lfs;
  }
  set lfs(v: readonly LfDef[]) {
    this.lfList.lfs = v;
  }
  /** Read-only LFs imported with the data (WRENCH weak labels): shown, enabled or not, never edited. */
  get externals(): LfRecord[] {
    return this.lfList.externals;
  }
  set externals(v: LfRecord[]) {
    this.lfList.externals = v;
  }
  /** The last deleted LF, for undo. */
  get deleted(): { def: LfDef; order: number } | null {
    return this.lfList.deleted;
  }
  set deleted(v: { def: LfDef; order: number } | null) {
    this.lfList.deleted = v;
  }
  /**
   * Why the last change on the LF list (enable, rename, reorder, copy, delete, undo) or the
   * storing of LF votes failed, shown above the list; the list keeps what is stored.
   */
  get lfListError(): string | null {
    return this.lfList.lfListError;
  }
  set lfListError(v: string | null) {
    this.lfList.lfListError = v;
  }
  /** Each LF's last run on this dataset version (by LF id; check the hash with `runOf`). */
  get runs(): ReadonlyMap<string, LfRunState> {
    return this.lfVotes.runs;
  }
  set runs(v: ReadonlyMap<string, LfRunState>) {
    this.lfVotes.runs = v;
  }
  /** LF ids in the running job. */
  get running(): ReadonlySet<string> {
    return this.lfVotes.running;
  }
  get votes(): SessionVotes | null {
    return this.lfVotes.votes;
  }
  set votes(v: SessionVotes | null) {
    this.lfVotes.votes = v;
  }
  /** Set when isolated workers cannot start in this browser: why code LFs do not run here. */
  get isolationUnavailable(): string | null {
    return this.lfVotes.isolationUnavailable;
  }
  set isolationUnavailable(v: string | null) {
    this.lfVotes.isolationUnavailable = v;
  }
  get gold(): GoldBySplit {
    return this.golds.gold;
  }
  set gold(v: GoldBySplit) {
    this.golds.gold = v;
  }
  get goldVersion(): number {
    return this.golds.goldVersion;
  }
  set goldVersion(v: number) {
    this.golds.goldVersion = v;
  }
  /** Whole-dataset gold (Int8Array, -1 = unknown), replaced on every change. */
  get fullGold(): Int8Array {
    return this.golds.fullGold;
  }
  set fullGold(v: Int8Array) {
    this.golds.fullGold = v;
  }
  /**
   * Gold labels given but not stored (the disk was full): they stay in memory and on screen,
   * and the next successful write (another label, or `retryGold`) stores them all at once.
   */
  get goldUnsaved(): number {
    return this.golds.unsaved;
  }
  set goldUnsaved(v: number) {
    this.golds.unsaved = v;
  }
  get goldUnsavedError(): string | null {
    return this.golds.unsavedError;
  }
  set goldUnsavedError(v: string | null) {
    this.golds.unsavedError = v;
  }

  // ── storage and projects ────────────────────────────────────────────────────────────
  /** Open the storage and reopen the last project (called once by the app shell). */
  async init(): Promise<void> {
    if (this.storage) return;
    try {
      // Our own announcement (the storage's may answer before a listener is attached).
      this.deps.watchTabs?.(() => (this.otherTab = true));
      const storage = await this.deps.openStorage();
      storage.onEvent((e) => {
        if (e.type === 'other-tab') this.otherTab = true;
        if (e.type === 'version-change')
          this.error = 'A newer version of Shoal opened in another tab upgraded the database: reload this tab.';
      });
      const catalog = new ProjectCatalog(storage, this.deps.locks);
      this.projectCatalog = catalog;
      this.flow = new ImportFlow(catalog, this.deps.importRows, this.jobs);
      this.storage = storage;
      await catalog.dropEmpty();
      this.projects = await catalog.list();
      const pick = await catalog.toReopen();
      if (pick) await this.openProject(pick.id);
    } catch (e) {
      this.error = message(e);
    } finally {
      this.ready = true;
    }
  }

  private catalog(): ProjectCatalog {
    if (!this.projectCatalog) throw new ShoalError('the project storage is not open yet; wait a moment and try again');
    return this.projectCatalog;
  }

  private need(): ShoalStorage {
    return this.catalog().storage;
  }

  async refreshProjects(): Promise<void> {
    this.projects = await this.catalog().list();
  }

  /** Open the demo project, creating it (import + starter LFs + first run) the first time. */
  async loadDemo(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.error = null;
    try {
      await this.init();
      const existing = await this.catalog().existingDemo();
      if (existing) {
        if (this.projectId !== existing) await this.openProject(existing);
        return;
      }
      const { meta, rows } = await this.jobs.run('Loading the demo', async (_signal, report) => {
        report(null, 'Fetching the SpamAssassin demo');
        return this.deps.fetchDemo();
      });
      const file = new File([toJsonl(rows)], 'spam-assassin.jsonl', { type: 'application/x-ndjson' });
      const classes = [...meta.classes];
      const base = this.deps.baseUrl;
      const outcome = await this.importNewProject({
        name: meta.name,
        files: file,
        label: 'Storing the demo',
        request: {
          name: meta.name,
          format: 'jsonl',
          textFields: ['body'],
          fields: ['id', 'subject', 'from', 'body'],
          idField: 'id',
          labelField: 'label',
          classes,
          split: { kind: 'column', field: 'split' },
        },
        about: {
          description: meta.description,
          source: 'demo',
          attribution: {
            text: `${meta.source}. ${meta.license}`,
            links: [
              { label: 'NOTICE', href: `${base}demo/NOTICE` },
              { label: 'LICENSE', href: `${base}demo/LICENSE` },
            ],
          },
        },
        // One transaction with the about text: a full disk here leaves no demo project without its LFs behind.
        parts: (_storage, project) => ({
          lfs: DEMO_LFS.map((def, order) => lfToRecord(withNewId(def), project.id, order, classes)),
          settings: [ProjectCatalog.demoSetting(project.id)],
        }),
      });
      if (!outcome.ok) throw new ShoalError(outcome.message);
      // The starter LFs run at once, so the analysis is there when the user looks.
      void this.runLfs(this.lfs.filter((l) => l.enabled));
    } catch (e) {
      this.error = message(e);
    } finally {
      this.loading = false;
    }
  }

  /**
   * Import data into a new project through the one import flow (import-flow.ts) and open it. A
   * failed import resolves to why nothing was stored; a failure after the rows rejects (the
   * project is gone either way).
   */
  async importNewProject(plan: NewProjectImport): Promise<NewProjectOutcome> {
    await this.init();
    if (!this.flow) throw new ShoalError('the project storage is not open yet; wait a moment and try again');
    let outcome: NewProjectOutcome;
    try {
      outcome = await this.flow.intoNewProject(plan);
    } finally {
      await this.refreshProjects().catch(() => undefined);
    }
    if (outcome.ok) {
      void this.deps.environment.requestPersistence().catch(() => false);
      await this.openProject(outcome.projectId);
    }
    return outcome;
  }

  /** The import screen's import: files into a new project named `name`, which is then opened. */
  importFiles(
    files: readonly File[],
    request: Omit<ImportRequest, 'projectId'>,
    opts: Pick<NewProjectImport, 'signal' | 'onProgress'> & { name: string },
  ): Promise<NewProjectOutcome> {
    const about: About = { description: `Imported from ${files.map((f) => f.name).join(', ')}.`, source: 'import' };
    return this.importNewProject({
      name: opts.name,
      files: files.length === 1 ? files[0] : [...files],
      request,
      label: `Importing ${files[0]?.name ?? 'the file'}`,
      about,
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
  }

  /** Store the about text of a project an import committed into, and open it. */
  async importedInto(projectId: string, fileName: string): Promise<void> {
    const about: About = { description: `Imported from ${fileName}.`, source: 'import' };
    await this.need().putSetting('about', about, projectId);
    void this.deps.environment.requestPersistence().catch(() => false);
    await this.openProject(projectId);
  }

  async openProject(id: string): Promise<void> {
    while (this.opening) await this.opening.catch(() => undefined);
    const p = this.load(id);
    this.opening = p;
    try {
      await p;
    } finally {
      this.opening = null;
    }
  }

  private async load(id: string): Promise<void> {
    const storage = this.need();
    const project = await storage.getProject(id);
    if (!project) throw new ShoalError(`project ${id} no longer exists`);
    const ds = (await storage.listDatasets(id))[0];
    const version = ds ? await storage.getVersion(ds.currentVersion) : undefined;
    this.error = null;
    this.notice = null;
    this.deleted = null;
    this.lfListError = null;
    this.goldUnsaved = 0;
    this.goldUnsavedError = null;
    if (!ds || !version) {
      this.project = project;
      this.projectId = id;
      this.dataset = null;
      this.version = null;
      this.lfs = [];
      this.runs = new Map();
      this.votes = null;
      await this.catalog().rememberOpened(id);
      return;
    }
    const [gold, split, about, records] = await Promise.all([
      storage.getColumn(version.id, 'gold'),
      storage.getColumn(version.id, 'split'),
      storage.getSetting<About>('about', id),
      storage.listLfs(id),
    ]);
    // Versions imported before the gold column was kept out of the rows still store it there:
    // no page-side reader (preview, browse, annotation card) gets it either. Rows stay in
    // storage: screens read the ones they show through this service.
    const rows = new DatasetRows(storage, version, { hidden: hiddenFields(version), search: this.deps.textSearch });
    // The first chunks (all of a small dataset) are read in the background, so the first page
    // of every list is at hand; opening does not wait for them.
    void rows.warm().catch(() => undefined);
    const splitCol = split ?? new Uint8Array(version.rowCount);
    const goldCol = gold ?? new Int8Array(version.rowCount).fill(-1);
    const index = splitIndexOf(splitCol);
    const readable = lfReadableFields(version);
    const fields = version.textFields.every((f) => version.fields.includes(f))
      ? readable.filter((f) => f !== 'id' || version.idField !== 'id')
      : ['text', ...readable];
    this.version = version;
    this.project = project;
    this.projectId = id;
    this.classes = version.classes.slice();
    this.splitIndex = index;
    this.fullGold = goldCol;
    this.gold = goldBySplit(goldCol, index);
    this.goldVersion++;
    this.dataset = {
      name: ds.name,
      description: about?.description ?? '',
      source: about?.source ?? 'import',
      versionId: version.id,
      datasetId: ds.id,
      fields: fields.length ? fields : ['text'],
      textField: 'text',
      labelField: version.labelField ?? null,
      lfsReadGold: version.lfsReadGold === true,
      classes: version.classes.slice(),
      rowCount: version.rowCount,
      rows,
      split: splitCol,
      splitCounts: { ...version.splitCounts },
      goldCount: countGold(goldCol),
      notes: version.notes,
      attribution: about?.attribution,
    };
    const defs = records.map(recordToLf).filter((d): d is LfDef => d !== null);
    // External LFs (WRENCH weak labels) become read-only entries with their stored votes.
    this.lfs = defs;
    this.externals = records.filter((r) => r.kind === 'external');
    const runs = await loadRunStates(storage, version.id, [
      ...defs.map((d) => ({ id: d.id, hash: lfHash(d, this.classes) })),
      ...this.externals.map((r) => ({ id: r.id, hash: r.sourceHash })),
    ]);
    this.runs = runs;
    this.rebuildVotes();
    this.indexWords(version, storage);
    await this.catalog().rememberOpened(id);
    this.projects = await storage.listProjects();
    void this.deps.environment.refreshStorage().catch(() => undefined);
    // A run cut short by a closed or crashed tab: say which LFs it was running.
    const crumb = this.crumbs.read();
    if (crumb && crumb.projectId === id) {
      this.crumbs.clear();
      const culprits = crumb.lfIds.map((x) => defs.find((d) => d.id === x)).filter((d): d is LfDef => d !== undefined);
      const names = culprits.map((d) => d.name).join(', ');
      if (culprits.length && crumb.clean) {
        this.notice = `The last LF run stopped before it finished (the tab was closed) while running ${names}. Those LFs are marked "not run"; run them again when ready.`;
      } else if (culprits.length) {
        await this.lfVotes.blameCrash(culprits);
        this.notice = `The tab crashed while running ${names} — most likely an LF ran out of memory. ${culprits.length === 1 ? 'It is' : 'They are'} marked failed and will not run again until edited; the other LFs are unaffected (run any marked "not run" again).`;
      }
    }
  }

  /** Whether saving `def` is answered from the open version's word index, without a pass over the rows. */
  answeredByWordIndex(def: LfDef): boolean {
    return this.version !== null && this.textIndex !== null && this.textIndex.answers(def, this.version.id, 'text');
  }

  /**
   * Build the version's word index in the background when it is large and has none; until it
   * is built (or if it cannot be) keyword LFs are scanned as before, so only a failure is said.
   */
  private indexWords(version: DatasetVersionRecord, storage: ShoalStorage): void {
    void this.textIndex?.ensure(version, storage, 'text')?.catch((e: unknown) => {
      if (e instanceof Error && e.name === 'AbortError') return;
      if (this.version?.id === version.id)
        this.notice = `The word index could not be built (${message(e)}); keyword LFs are scanned instead, which is slower on this many rows.`;
    });
  }

  /** Rename a project (projects.ts cleans the name); the list and the open project follow. */
  async renameProject(id: string, typed: string): Promise<void> {
    const catalog = this.catalog();
    const name = await catalog.rename(id, typed);
    this.projects = await catalog.list();
    if (this.project?.id === id) this.project = { ...this.project, name };
  }

  async deleteProject(id: string): Promise<void> {
    const catalog = this.catalog();
    await catalog.delete(id);
    if (this.projectId === id) {
      this.projectId = null;
      this.project = null;
      this.dataset = null;
      this.version = null;
      this.lfs = [];
      this.externals = [];
      this.runs = new Map();
      this.votes = null;
      this.splitIndex = EMPTY_INDEX;
      this.gold = EMPTY_GOLD;
    }
    this.projects = await catalog.list();
  }

  // ── the contract for the model / annotate / export screens ─────────────────────────
  /**
   * Row objects of a split at positions `at` of the split, in the order asked (row t is dataset
   * row splitIndex[split][at[t]]), read from storage: ask only for the rows shown.
   */
  async rowsOf(split: Split, at: ArrayLike<number>, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
    const ds = this.dataset;
    if (!ds) return [];
    const idx = this.splitIndex[split];
    const rows = Array.from(at, (t) => {
      if (!Number.isInteger(t) || t < 0 || t >= idx.length)
        throw new ShoalError(`row ${t} is outside the ${split} split (${idx.length} rows)`);
      return idx[t];
    });
    return ds.rows.get(rows, signal);
  }

  /**
   * The text (`text` field) of every row of a split, in split order, streamed from storage chunk
   * by chunk: only the strings are kept (what classifier training and predictions need).
   */
  async textsOf(split: Split, signal?: AbortSignal): Promise<string[]> {
    const ds = this.dataset;
    if (!ds) return [];
    return ds.rows.texts(this.splitIndex[split], ds.textField, { signal });
  }

  /**
   * Set (or clear with -1) one gold label and persist it at once. The screens see the change
   * synchronously; writes are queued so rapid labeling never loses a label to a race, and a
   * failed write (disk full) puts the label back and rejects with the reason.
   */
  setGold(split: Split, rowInSplit: SplitRow, label: GoldLabel): Promise<void> {
    return this.golds.set(split, rowInSplit, label);
  }

  /** Store the gold labels kept in memory after a full disk; rejects (and keeps them) if it is still full. */
  retryGold(): Promise<void> {
    return this.golds.retry();
  }

  // ── LF runs and votes (lf-votes.svelte.ts) ─────────────────────────────────────────
  /** The state of LF `id` on this dataset version. */
  runOf(id: string): LfRunState | undefined {
    return this.lfVotes.runOf(id);
  }

  private rebuildVotes(): void {
    this.lfVotes.rebuild();
  }

  /** Run LFs over every row in the worker pool; their votes are stored as they finish. */
  runLfs(defs: readonly LfDef[]): Promise<void> {
    return this.lfVotes.run(defs);
  }

  /** LFs whose votes for their current definition are missing. */
  notRun(): LfDef[] {
    return this.lfVotes.notRun();
  }

  // ── the LF list (lf-list.svelte.ts) ─────────────────────────────────────────────────
  takenNames(exceptId?: string): string[] {
    return this.lfList.takenNames(exceptId);
  }

  /**
   * Save a new or edited LF, then run it unless its votes for this definition are cached.
   * Returns the saved definition (its name made unique).
   */
  saveLf(def: LfDef): Promise<LfDef> {
    return this.lfList.saveLf(def);
  }

  setEnabled(id: string, enabled: boolean): Promise<void> {
    return this.lfList.setEnabled(id, enabled);
  }

  /** Rename an LF; resolves to the stored name (the old one if the write failed: see lfListError). */
  rename(id: string, name: string): Promise<string> {
    return this.lfList.rename(id, name);
  }

  duplicate(id: string): Promise<LfDef | null> {
    return this.lfList.duplicate(id);
  }

  deleteLf(id: string): Promise<void> {
    return this.lfList.deleteLf(id);
  }

  /** Bring back the last deleted LF at its place (its cached votes come back with it). */
  undoDelete(): Promise<void> {
    return this.lfList.undoDelete();
  }

  move(id: string, delta: number): Promise<void> {
    return this.lfList.move(id, delta);
  }

  /** The tab is going away on its own (pagehide): a run cut short now was not a crash. */
  pageHidden(): void {
    this.crumbs.markClean();
  }

  // ── live preview ─────────────────────────────────────────────────────────────────────
  private sample: { rows: Record<string, unknown>[]; gold: Int32Array; rowIds: Uint32Array; versionId: string } | null = null;

  private sampling: { versionId: string; promise: Promise<NonNullable<Session['sample']>> } | null = null;

  /** A fixed sample (preview-sample.ts), read from storage on first use, then kept for the dataset version. */
  private async previewSample(): Promise<NonNullable<Session['sample']>> {
    const ds = this.dataset!;
    if (this.sample?.versionId === ds.versionId) return this.sample;
    if (this.sampling?.versionId !== ds.versionId) {
      const promise = this.readSample(ds);
      this.sampling = { versionId: ds.versionId, promise };
      promise.then(
        (s) => {
          if (this.dataset?.versionId === s.versionId) this.sample = s;
        },
        () => undefined,
      );
      promise
        .finally(() => {
          if (this.sampling?.promise === promise) this.sampling = null;
        })
        .catch(() => undefined);
    }
    return this.sampling!.promise;
  }

  private async readSample(ds: Dataset): Promise<NonNullable<Session['sample']>> {
    const rowIds = previewPicks(this.splitIndex, this.version?.rowsPerChunk ?? ds.rowCount, ds.rowCount);
    const gold = Int32Array.from(rowIds, (i) => (this.splitIndex.dev.length && ds.split[i] === 1 ? this.fullGold[i] : -1));
    const rows = (await ds.rows.get(rowIds)) as Record<string, unknown>[];
    return { rows, gold, rowIds, versionId: ds.versionId };
  }

  /**
   * Row `i` of the dataset if it is in the preview sample (the rows a preview's examples point
   * to), without reading storage; undefined otherwise.
   */
  previewRow(i: number): Record<string, unknown> | undefined {
    const s = this.sample;
    if (!s || s.versionId !== this.dataset?.versionId) return undefined;
    const at = s.rowIds.indexOf(i);
    return at >= 0 ? s.rows[at] : undefined;
  }

  /** Preview `def` on the sample in a killable worker (a looping LF times out, the page stays responsive). */
  async preview(def: LfDef): Promise<LfPreview> {
    if (!this.dataset) throw new ShoalError('no dataset is open');
    const s = await this.previewSample();
    const v = this.votes;
    const others: Int8Array[] = [];
    if (v) v.full.forEach((col, j) => v.lfIds[j] !== def.id && others.push(Int8Array.from(s.rowIds, (i) => col[i])));
    try {
      return await this.lfRuns.preview(
        def,
        this.classes,
        { rows: s.rows, gold: s.gold, rowIds: s.rowIds, others },
        { timeoutMs: 1500, textField: 'text', maxExamples: 5 },
      );
    } finally {
      this.isolationUnavailable = this.lfRuns.unavailable;
    }
  }
}

/** What the page builds its session from: IndexedDB, the browser's LF pools, the import worker, localStorage. */
export function browserSessionDeps(): SessionDeps {
  return {
    openStorage: () => openDexieStorage(),
    lfRuns: new LfRuns(browserLfPools()),
    chunkSource: async (version) => (await import('../workers/lf-chunk-reader.ts')).storedChunkSource(version),
    importRows: workerRowImporter(),
    jobs,
    environment,
    locks: webLocks(),
    crumbs: new RunCrumbs(browserCrumbStore()),
    watchTabs: (onOther) => void watchOtherTabs('shoal:studio-tabs', onOther),
    fetchDemo: () => fetchDemo(import.meta.env.BASE_URL),
    baseUrl: import.meta.env.BASE_URL,
    textIndexBuild: browserTextIndexBuild(),
    textSearch: browserTextSearch(),
  };
}

export const SPLITS = SPLIT_NAMES;
export const session = new Session(browserSessionDeps());
// Gold labels a full disk kept in memory are the user's work: ask before the page goes.
trackUnsaved(() => session.goldUnsaved > 0);
