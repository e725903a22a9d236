/**
 * The open project as every screen sees it, and the contract the Model / Annotate / Export
 * screens build on:
 * - `storage` (ShoalStorage, IndexedDB) and `projectId`;
 * - `dataset` (rows in memory, fields, classes), `classes`, `splitIndex` (dataset row numbers
 *   of each split), `rowsOf(split)`;
 * - `lfs` (LfDef[] in list order) and `runs` (each LF's last run on this dataset version);
 * - `votes`: the enabled LFs' votes per split, replaced by a new object (version + 1) whenever
 *   a run completes or an LF is enabled, disabled, deleted, renamed, reordered or edited;
 * - `gold` per split (-1 = unknown) and `setGold`, which persists at once and bumps
 *   `goldVersion`.
 *
 * Everything lives in IndexedDB (src/storage); this class loads it and keeps it in step. Big
 * values are `$state.raw` and replaced, never mutated, so Svelte does not proxy thousands of
 * rows or typed arrays. LF runs go through the worker pool (workers read their row chunks
 * from IndexedDB) as jobs; votes are cached by (LF source hash, dataset version), so editing
 * one LF re-runs only that LF and a run interrupted by a closed tab leaves the LF "not run".
 */
import { DEMO_LFS, fetchDemo, type DemoMeta } from './demo.ts';
import { jobs } from './jobs.svelte.ts';
import { startImport } from './import.ts';
import { environment } from './environment.svelte.ts';
import { openDexieStorage, type DexieStorage } from '../storage/dexie.ts';
import { watchOtherTabs } from '../storage/tabs.ts';
import { isQuotaError } from '../storage/errors.ts';
import { trackUnsaved } from './unsaved.ts';
import {
  enabledColumns,
  goldBySplit,
  lfErrorText,
  lfToRecord,
  loadRunStates,
  recordToLf,
  runStateOf,
  splitIndexOf,
  splitMatrices,
  SPLIT_NAMES,
  toJsonl,
  uniqueLfName,
  unstoredVotesMessage,
  withNewId,
  type LfRunState,
  type Split,
  type SplitIndex,
} from './project.ts';
import { renameProject as storeProjectName } from './projects.ts';
import { lfHash } from '../core/lf/hash.ts';
import { countGold } from '../core/gold-labels.ts';
import { clipText } from '../core/lf/sandbox.ts';
import { browserLfPools, LfRuns } from './lf-runs.ts';
import { hiddenFields, lfReadableFields, withoutFields } from '../core/lf/gold.ts';
import type { LfDef, LfPreview } from '../core/lf/index.ts';
import type { LabelMatrix } from '../core/matrix.ts';
import { ShoalError } from '../core/types.ts';
import type { DatasetVersionRecord, LfRecord, ProjectRecord, ShoalStorage } from '../storage/types.ts';

export type { Split, SplitIndex, LfRunState };

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
  rows: readonly Record<string, unknown>[];
  /** Split code per row (index into train/dev/test). */
  split: Uint8Array;
  splitCounts: Record<Split, number>;
  /** Rows with a gold label. */
  goldCount: number;
  notes: string[];
  /** Attribution to show beside the data (licence, where it came from). */
  attribution?: { text: string; links: { label: string; href: string }[] };
}

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

interface About {
  description: string;
  source: 'demo' | 'import';
  attribution?: Dataset['attribution'];
}

const EMPTY_INDEX: SplitIndex = { train: new Uint32Array(0), dev: new Uint32Array(0), test: new Uint32Array(0) };
const EMPTY_GOLD = { train: new Int32Array(0), dev: new Int32Array(0), test: new Int32Array(0) };
const LAST_PROJECT = 'lastProject';
const DEMO_PROJECT = 'demoProject';
/** Which LFs were running (localStorage): a run cut short by a crashed or closed tab is named on reopen. */
const RUNNING_KEY = 'shoal:lf-running';
const PREVIEW_ROWS = 1500;

class Session {
  storage = $state.raw<ShoalStorage | null>(null);
  projectId = $state<string | null>(null);
  projects = $state.raw<ProjectRecord[]>([]);
  project = $state.raw<ProjectRecord | null>(null);
  dataset = $state.raw<Dataset | null>(null);
  classes = $state.raw<string[]>([]);
  lfs = $state.raw<readonly LfDef[]>([]);
  /** Read-only LFs imported with the data (WRENCH weak labels): shown, enabled or not, never edited. */
  externals = $state.raw<LfRecord[]>([]);
  /** Each LF's last run on this dataset version (by LF id; check the hash with `runOf`). */
  runs = $state.raw<ReadonlyMap<string, LfRunState>>(new Map());
  /** LF ids in the running job. */
  running = $state.raw<ReadonlySet<string>>(new Set());
  votes = $state.raw<SessionVotes | null>(null);
  splitIndex = $state.raw<SplitIndex>(EMPTY_INDEX);
  gold = $state.raw<{ dev: Int32Array; test: Int32Array; train: Int32Array }>(EMPTY_GOLD);
  goldVersion = $state(0);
  /** Whole-dataset gold (Int8Array, -1 = unknown), replaced on every change. */
  fullGold = $state.raw<Int8Array>(new Int8Array(0));
  loading = $state(false);
  ready = $state(false);
  error = $state<string | null>(null);
  /** A short message for the user (an interrupted run, a cancelled job). */
  notice = $state<string | null>(null);
  otherTab = $state(false);
  /** The last deleted LF, for undo. */
  deleted = $state.raw<{ def: LfDef; order: number } | null>(null);
  /**
   * Why the last change on the LF list (enable, rename, reorder, copy, delete, undo) or the
   * storing of LF votes failed, shown above the list; the list keeps what is stored.
   */
  lfListError = $state<string | null>(null);
  /**
   * Gold labels given but not stored (the disk was full): they stay in memory and on screen,
   * and the next successful write (another label, or `retryGold`) stores them all at once.
   */
  goldUnsaved = $state(0);
  goldUnsavedError = $state<string | null>(null);

  private version: DatasetVersionRecord | null = null;
  /** Where LFs run (lf-runs.ts): the page's workers for templates, isolated ones for code. */
  private readonly lfRuns = new LfRuns(browserLfPools());
  /** Set when isolated workers cannot start in this browser: why code LFs do not run here. */
  isolationUnavailable = $state<string | null>(null);
  private voteVersion = 0;
  private opening: Promise<void> | null = null;

  /** Open IndexedDB and reopen the last project (called once by the app shell). */
  async init(): Promise<void> {
    if (this.storage) return;
    try {
      // Our own announcement (the storage's may answer before a listener is attached).
      watchOtherTabs('shoal:studio-tabs', () => (this.otherTab = true));
      const storage = await openDexieStorage();
      storage.onEvent((e) => {
        if (e.type === 'other-tab') this.otherTab = true;
        if (e.type === 'version-change')
          this.error = 'A newer version of Shoal opened in another tab upgraded the database: reload this tab.';
      });
      this.storage = storage;
      await dropEmptyProjects(storage);
      this.projects = await storage.listProjects();
      const last = await storage.getSetting<string>(LAST_PROJECT);
      const pick = this.projects.find((p) => p.id === last) ?? this.projects[this.projects.length - 1];
      if (pick) await this.openProject(pick.id);
    } catch (e) {
      this.error = message(e);
    } finally {
      this.ready = true;
    }
  }

  private need(): ShoalStorage {
    if (!this.storage) throw new ShoalError('the project storage is not open yet; wait a moment and try again');
    return this.storage;
  }

  async refreshProjects(): Promise<void> {
    this.projects = await this.need().listProjects();
  }

  /** Open the demo project, creating it (import + starter LFs + first run) the first time. */
  async loadDemo(): Promise<void> {
    if (this.loading) return;
    this.loading = true;
    this.error = null;
    try {
      await this.init();
      const storage = this.need();
      const existing = await storage.getSetting<string>(DEMO_PROJECT);
      if (existing && (await storage.getProject(existing)) && (await storage.listDatasets(existing)).length > 0) {
        if (this.projectId !== existing) await this.openProject(existing);
        return;
      }
      const { meta, rows } = await jobs.run('Loading the demo', async (_signal, report) => {
        report(null, 'Fetching the SpamAssassin demo');
        return fetchDemo(import.meta.env.BASE_URL);
      });
      const file = new File([toJsonl(rows)], 'spam-assassin.jsonl', { type: 'application/x-ndjson' });
      await withNewProject(storage, meta.name, (project) => this.storeDemo(storage, project, file, meta));
    } catch (e) {
      this.error = message(e);
    } finally {
      this.loading = false;
    }
  }

  private async storeDemo(storage: ShoalStorage, project: ProjectRecord, file: File, meta: DemoMeta): Promise<void> {
    const outcome = await jobs.run('Storing the demo', (signal, report) => {
      const job = startImport(
        file,
        {
          projectId: project.id,
          name: meta.name,
          format: 'jsonl',
          textFields: ['body'],
          fields: ['id', 'subject', 'from', 'body'],
          idField: 'id',
          labelField: 'label',
          classes: [...meta.classes],
          split: { kind: 'column', field: 'split' },
        },
        {
          onProgress: (p) =>
            report(p.totalBytes ? p.bytesRead / p.totalBytes : null, `Storing the demo: ${p.rows.toLocaleString('en-US')} rows`),
        },
      );
      signal.addEventListener('abort', () => job.cancel());
      return job.done;
    });
    if (!outcome.ok) {
      await storage.deleteProject(project.id);
      throw new ShoalError(outcome.message);
    }
    const about: About = {
      description: meta.description,
      source: 'demo',
      attribution: {
        text: `${meta.source}. ${meta.license}`,
        links: [
          { label: 'NOTICE', href: `${import.meta.env.BASE_URL}demo/NOTICE` },
          { label: 'LICENSE', href: `${import.meta.env.BASE_URL}demo/LICENSE` },
        ],
      },
    };
    const classes = [...meta.classes];
    const lfs = DEMO_LFS.map((def, order) => lfToRecord(withNewId(def), project.id, order, classes));
    try {
      // One transaction: a full disk here leaves no demo project without its LFs behind.
      await storage.putProjectParts({
        lfs,
        settings: [
          { key: 'about', value: about, projectId: project.id },
          { key: DEMO_PROJECT, value: project.id },
        ],
      });
    } catch (e) {
      await storage.deleteProject(project.id).catch(() => undefined);
      throw e;
    }
    void environment.requestPersistence().catch(() => false);
    await this.openProject(project.id);
    // The starter LFs run at once, so the analysis is there when the user looks.
    void this.runLfs(this.lfs.filter((l) => l.enabled));
  }

  /** Called by the import screen once an import committed into a new project. */
  async importedInto(projectId: string, fileName: string): Promise<void> {
    const about: About = { description: `Imported from ${fileName}.`, source: 'import' };
    await this.need().putSetting('about', about, projectId);
    void environment.requestPersistence().catch(() => false);
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
      await rememberLastProject(storage, id);
      return;
    }
    const [gold, split, about, records] = await Promise.all([
      storage.getColumn(version.id, 'gold'),
      storage.getColumn(version.id, 'split'),
      storage.getSetting<About>('about', id),
      storage.listLfs(id),
    ]);
    // Versions imported before the gold column was kept out of the rows still store it there:
    // no page-side reader (preview, browse, annotation card) gets it either.
    const hidden = hiddenFields(version);
    const rows = await jobs.run(`Opening ${project.name}`, async (signal, report) => {
      const out: Record<string, unknown>[] = [];
      const step = version.rowsPerChunk * 20;
      for (let start = 0; start < version.rowCount; start += step) {
        if (signal.aborted) throw new ShoalError('opening the project was cancelled');
        for (const r of await storage.readRows(version.id, start, start + step)) out.push(hidden.length ? withoutFields(r, hidden) : r);
        report(
          Math.min(1, (start + step) / version.rowCount),
          `Opening ${project.name}: ${Math.min(version.rowCount, start + step).toLocaleString('en-US')} rows`,
        );
      }
      return out;
    });
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
    await rememberLastProject(storage, id);
    this.projects = await storage.listProjects();
    void environment.refreshStorage().catch(() => undefined);
    // A run cut short by a closed or crashed tab: say which LFs it was running.
    const crumb = readCrumb();
    if (crumb && crumb.projectId === id) {
      clearCrumb();
      const culprits = crumb.lfIds.map((x) => defs.find((d) => d.id === x)).filter((d): d is LfDef => d !== undefined);
      const names = culprits.map((d) => d.name).join(', ');
      if (culprits.length && crumb.clean) {
        this.notice = `The last LF run stopped before it finished (the tab was closed) while running ${names}. Those LFs are marked "not run"; run them again when ready.`;
      } else if (culprits.length) {
        await this.blameCrash(culprits, version.id, version.rowCount, storage);
        this.notice = `The tab crashed while running ${names} — most likely an LF ran out of memory. ${culprits.length === 1 ? 'It is' : 'They are'} marked failed and will not run again until edited; the other LFs are unaffected (run any marked "not run" again).`;
      }
    }
  }

  /** Rename a project (projects.ts cleans the name); the list and the open project follow. */
  async renameProject(id: string, typed: string): Promise<void> {
    const storage = this.need();
    const name = await storeProjectName(storage, id, typed);
    this.projects = await storage.listProjects();
    if (this.project?.id === id) this.project = { ...this.project, name };
  }

  async deleteProject(id: string): Promise<void> {
    const storage = this.need();
    await storage.deleteProject(id);
    if ((await storage.getSetting<string>(DEMO_PROJECT)) === id) await storage.putSetting(DEMO_PROJECT, null);
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
    this.projects = await storage.listProjects();
  }

  // ── the contract for the model / annotate / export screens ─────────────────────────
  /** Row objects of a split, in split order (row i is dataset row splitIndex[split][i]). */
  async rowsOf(split: Split): Promise<Record<string, unknown>[]> {
    const ds = this.dataset;
    if (!ds) return [];
    const idx = this.splitIndex[split];
    const out = new Array<Record<string, unknown>>(idx.length);
    for (let t = 0; t < idx.length; t++) out[t] = ds.rows[idx[t]];
    return out;
  }

  /**
   * Set (or clear with -1) one gold label and persist it at once. The screens see the change
   * synchronously; writes are queued so rapid labeling never loses a label to a race, and a
   * failed write (disk full) puts the label back and rejects with the reason.
   */
  async setGold(split: Split, rowInSplit: number, label: number): Promise<void> {
    const storage = this.need();
    const version = this.version;
    if (!version) throw new ShoalError('no dataset is open');
    const idx = this.splitIndex[split];
    if (rowInSplit < 0 || rowInSplit >= idx.length)
      throw new ShoalError(`row ${rowInSplit} is outside the ${split} split (${idx.length} rows)`);
    if (!Number.isInteger(label) || label < -1 || label >= this.classes.length)
      throw new ShoalError(`label ${label} is not a class index or -1`);
    const row = idx[rowInSplit];
    const before = this.fullGold[row];
    this.applyGold(split, rowInSplit, row, label);
    try {
      await this.writeGold(version, true);
    } catch (e) {
      // A full disk keeps the label in memory, counted as unsaved (writeGold); anything else
      // puts it back, as nothing would ever store it.
      if (!isQuotaError(e) && this.version?.id === version.id && this.fullGold[row] === label)
        this.applyGold(split, rowInSplit, row, before);
      throw e;
    }
  }

  /** Store the gold labels kept in memory after a full disk; rejects (and keeps them) if it is still full. */
  async retryGold(): Promise<void> {
    const version = this.version;
    if (!version || this.goldUnsaved === 0) return;
    await this.writeGold(version, false);
  }

  /**
   * Queue a write of the whole gold column (writes are queued so rapid labeling never loses a
   * label to a race). The column in memory is what gets stored, so one success stores every
   * label kept unsaved before it.
   */
  private async writeGold(version: DatasetVersionRecord, newLabel: boolean): Promise<void> {
    const storage = this.need();
    const write = this.goldWrites.then(() => storage.putGold(version.id, this.fullGold));
    this.goldWrites = write.catch(() => undefined);
    try {
      await write;
      if (this.version?.id === version.id) {
        this.goldUnsaved = 0;
        this.goldUnsavedError = null;
      }
    } catch (e) {
      if (isQuotaError(e) && this.version?.id === version.id) {
        // Count label changes, not attempts: a failed retry adds no unsaved label.
        if (newLabel) this.goldUnsaved++;
        this.goldUnsavedError = message(e);
      }
      throw e;
    }
  }

  private goldWrites: Promise<void> = Promise.resolve();

  private applyGold(split: Split, rowInSplit: number, row: number, label: number): void {
    const next = this.fullGold.slice();
    next[row] = label;
    this.fullGold = next;
    const g = { ...this.gold };
    const col = g[split].slice();
    col[rowInSplit] = label;
    g[split] = col;
    this.gold = g;
    this.goldVersion++;
    if (this.dataset) this.dataset = { ...this.dataset, goldCount: countGold(next) };
  }

  /** The state of LF `id` on this dataset version. */
  runOf(id: string): LfRunState | undefined {
    const def = this.lfs.find((l) => l.id === id);
    const s = this.runs.get(id);
    if (!s) return undefined;
    // A state computed for another definition of this LF (an edit since) does not count.
    if (def && s.hash !== lfHash(def, this.classes)) return runStateOf(undefined, lfHash(def, this.classes));
    return s;
  }

  private rebuildVotes(): void {
    const ds = this.dataset;
    if (!ds) {
      this.votes = null;
      return;
    }
    const states = new Map<string, LfRunState>();
    for (const lf of this.lfs) {
      const s = this.runOf(lf.id);
      if (s) states.set(lf.id, s);
    }
    for (const r of this.externals) {
      const s = this.runs.get(r.id);
      if (s) states.set(r.id, s);
    }
    const list = [
      ...this.lfs.map((l) => ({ id: l.id, name: l.name, enabled: l.enabled })),
      ...this.externals.map((r) => ({ id: r.id, name: r.name, enabled: r.enabled })),
    ];
    const cols = enabledColumns(list, states);
    const m = splitMatrices(cols.columns, ds.rows.length, Math.max(2, this.classes.length), this.splitIndex);
    this.votes = { version: ++this.voteVersion, lfIds: cols.lfIds, lfNames: cols.lfNames, ...m, full: cols.columns };
  }

  // ── LF editing ───────────────────────────────────────────────────────────────────────
  /** Records that put the stored LFs in the order of `list` (only those whose order changes). */
  private async reordered(list: readonly LfDef[]): Promise<LfRecord[]> {
    const existing = new Map((await this.need().listLfs(this.projectId!)).map((r) => [r.id, r]));
    const out: LfRecord[] = [];
    for (let i = 0; i < list.length; i++) {
      const rec = existing.get(list[i].id);
      if (rec && rec.order !== i) out.push({ ...rec, order: i, updatedAt: Date.now() });
    }
    return out;
  }

  /**
   * Run a change of the LF list; a failure (a full disk) becomes `lfListError` instead of an
   * unhandled rejection, and the list keeps showing what is stored.
   */
  private async listChange<T>(fn: () => Promise<T>): Promise<T | undefined> {
    this.lfListError = null;
    try {
      return await fn();
    } catch (e) {
      this.lfListError = message(e);
      return undefined;
    }
  }

  takenNames(exceptId?: string): string[] {
    return [...this.lfs.filter((l) => l.id !== exceptId).map((l) => l.name), ...this.externals.map((r) => r.name)];
  }

  /**
   * Save a new or edited LF, then run it unless its votes for this definition are cached.
   * Returns the saved definition (its name made unique).
   */
  async saveLf(def: LfDef): Promise<LfDef> {
    const storage = this.need();
    const pid = this.projectId;
    if (!pid || !this.version) throw new ShoalError('open a project with data before adding LFs');
    const name = uniqueLfName(def.name, this.takenNames(def.id));
    const saved = { ...def, name } as LfDef;
    const at = this.lfs.findIndex((l) => l.id === def.id);
    const prev = at >= 0 ? await storage.getLf(def.id) : undefined;
    const rec = lfToRecord(saved, pid, at >= 0 ? (prev?.order ?? at) : this.lfs.length, this.classes, prev?.createdAt);
    await storage.putLf(rec);
    this.lfs = at >= 0 ? this.lfs.map((l) => (l.id === def.id ? saved : l)) : [...this.lfs, saved];
    // Votes cached for this exact definition (an undo, a revert) are reused.
    const cached = runStateOf(await storage.getVotes(rec.sourceHash, this.version.id), rec.sourceHash);
    this.setRun(saved.id, cached);
    this.rebuildVotes();
    if (cached.status === 'not-run') void this.runLfs([saved]);
    return saved;
  }

  /**
   * After a crash (no pagehide before the page died) the LFs that were executing are the likely
   * cause — an allocation bomb takes the whole renderer down with its workers, so it cannot be
   * reported as it happens. Store a failed, all-abstain run for their current definitions so a
   * "run not-run LFs" or a project import does not start them, and crash the tab, again.
   */
  private async blameCrash(culprits: readonly LfDef[], versionId: string, rowCount: number, storage: ShoalStorage): Promise<void> {
    const error = 'the tab crashed while this LF was running (most likely it ran out of memory); edit it before running it again';
    for (const def of culprits) {
      const hash = lfHash(def, this.classes);
      const votes = new Int8Array(rowCount).fill(-1);
      try {
        await storage.putVotes({ sourceHash: hash, versionId, votes, error, computedAt: Date.now(), ms: 0 });
      } catch (e) {
        // A full disk must not keep the project from opening: the mark then holds in this tab only.
        if (!isQuotaError(e)) throw e;
      }
      this.setRun(def.id, { status: 'error', votes, error, ms: 0, hash });
    }
    this.rebuildVotes();
  }

  private setRun(id: string, s: LfRunState): void {
    const m = new Map(this.runs);
    m.set(id, s);
    this.runs = m;
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    await this.listChange(() => this.storeEnabled(id, enabled));
  }

  private async storeEnabled(id: string, enabled: boolean): Promise<void> {
    const def = this.lfs.find((l) => l.id === id);
    if (def) {
      await this.saveMeta({ ...def, enabled } as LfDef);
      return;
    }
    const ext = this.externals.find((r) => r.id === id);
    if (!ext) return;
    const rec = { ...ext, enabled, updatedAt: Date.now() };
    await this.need().putLf(rec);
    this.externals = this.externals.map((r) => (r.id === id ? rec : r));
    this.rebuildVotes();
  }

  /** Rename an LF; resolves to the stored name (the old one if the write failed: see lfListError). */
  async rename(id: string, name: string): Promise<string> {
    const def = this.lfs.find((l) => l.id === id);
    if (!def) return name;
    const unique = uniqueLfName(name, this.takenNames(id));
    const done = await this.listChange(async () => {
      await this.saveMeta({ ...def, name: unique } as LfDef);
      return true;
    });
    return done ? unique : def.name;
  }

  /** Save a change that does not affect votes (name, enabled). */
  private async saveMeta(def: LfDef): Promise<void> {
    const storage = this.need();
    const prev = await storage.getLf(def.id);
    if (!prev) return;
    await storage.putLf({ ...prev, name: def.name, enabled: def.enabled, config: def, updatedAt: Date.now() });
    this.lfs = this.lfs.map((l) => (l.id === def.id ? def : l));
    this.rebuildVotes();
  }

  async duplicate(id: string): Promise<LfDef | null> {
    return (await this.listChange(() => this.storeCopy(id))) ?? null;
  }

  private async storeCopy(id: string): Promise<LfDef | null> {
    const def = this.lfs.find((l) => l.id === id);
    if (!def) return null;
    const copy = withNewId(def, uniqueLfName(`${def.name}_copy`, this.takenNames()));
    const pid = this.projectId!;
    await this.need().putLf(lfToRecord(copy, pid, this.lfs.length, this.classes));
    this.lfs = [...this.lfs, copy];
    // Same semantics, same hash: the copy shares the original's cached votes.
    const s = this.runs.get(id);
    if (s) this.setRun(copy.id, s);
    this.rebuildVotes();
    return copy;
  }

  async deleteLf(id: string): Promise<void> {
    const order = this.lfs.findIndex((l) => l.id === id);
    if (order < 0) return;
    const def = this.lfs[order];
    await this.listChange(async () => {
      await this.need().deleteLf(id);
      this.lfs = this.lfs.filter((l) => l.id !== id);
      this.deleted = { def, order };
      this.rebuildVotes();
    });
  }

  /** Bring back the last deleted LF at its place (its cached votes come back with it). */
  async undoDelete(): Promise<void> {
    const d = this.deleted;
    const pid = this.projectId;
    if (!d || !pid) return;
    await this.listChange(async () => {
      const def = { ...d.def, name: uniqueLfName(d.def.name, this.takenNames()) } as LfDef;
      const list = this.lfs.slice();
      const at = Math.min(d.order, list.length);
      list.splice(at, 0, def);
      // The restored LF and the new order of the rest in one transaction.
      const rest = (await this.reordered(list)).filter((r) => r.id !== def.id);
      await this.need().putLfs([lfToRecord(def, pid, at, this.classes), ...rest]);
      this.lfs = list;
      this.deleted = null;
      this.rebuildVotes();
    });
  }

  async move(id: string, delta: number): Promise<void> {
    const i = this.lfs.findIndex((l) => l.id === id);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= this.lfs.length) return;
    const list = this.lfs.slice();
    [list[i], list[j]] = [list[j], list[i]];
    await this.listChange(async () => {
      // Stored first and in one transaction, so what the list shows is what a reload brings back.
      await this.need().putLfs(await this.reordered(list));
      this.lfs = list;
      this.rebuildVotes();
    });
  }

  // ── running LFs ──────────────────────────────────────────────────────────────────────
  /** Run LFs over every row in the worker pool; their votes are stored as they finish. */
  async runLfs(defs: readonly LfDef[]): Promise<void> {
    const version = this.version;
    const storage = this.storage;
    if (!version || !storage || defs.length === 0) return;
    const classes = this.classes.slice();
    const projectId = this.projectId!;
    const ids = defs.map((d) => d.id);
    this.running = new Set([...this.running, ...ids]);
    writeCrumb(projectId, ids);
    const label = defs.length === 1 ? `Running ${defs[0].name}` : `Running ${defs.length} LFs`;
    try {
      const { storedChunkSource } = await import('../workers/lf-chunk-reader.ts');
      // Where each LF runs, and which code LFs have nowhere safe to run here: lf-runs.ts.
      const outcome = await jobs.run(label, (signal, report) =>
        this.lfRuns.run(defs, classes, storedChunkSource(version), {
          signal,
          textField: 'text',
          onProgress: (p) =>
            report(
              p.rowCount ? p.rowsDone / p.rowCount : 1,
              `${label}: ${p.rowsDone.toLocaleString('en-US')} of ${p.rowCount.toLocaleString('en-US')} rows`,
            ),
          onRunning: (lfs) => writeCrumb(projectId, lfs.length ? lfs.map((j) => defs[j].id) : ids),
        }),
      );
      this.isolationUnavailable = this.lfRuns.unavailable;
      const ran = outcome.ran;
      // Refused code LFs say why, in this tab only (another browser may run them).
      for (const def of defs) {
        const why = outcome.refused.get(def.id);
        if (why && this.version?.id === version.id)
          this.setRun(def.id, { status: 'error', votes: null, error: why, ms: null, hash: lfHash(def, classes) });
      }
      if (outcome.refused.size > 0 && this.version?.id === version.id) this.rebuildVotes();
      const result = outcome.result;
      if (!result) return;
      const unstored: string[] = [];
      let storeError: unknown = null;
      for (let j = 0; j < result.lfs.length; j++) {
        const o = result.lfs[j];
        const hash = o.hash ?? lfHash(ran[j], classes);
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
          unstored.push(ran[j].name);
        }
        if (this.version?.id === version.id)
          this.setRun(ran[j].id, { status: error ? 'error' : 'ok', votes: o.votes, error: error ?? null, ms: o.ms, hash });
      }
      if (this.version?.id === version.id) this.rebuildVotes();
      if (storeError && this.version?.id === version.id) this.lfListError = unstoredVotesMessage(unstored, message(storeError));
    } catch (e) {
      if (e instanceof Error && e.name === 'AbortError') this.notice = `${label} was cancelled; those LFs are marked "not run".`;
      else this.error = message(e);
    } finally {
      clearCrumb();
      void environment.refreshStorage().catch(() => undefined);
      const r = new Set(this.running);
      for (const id of ids) r.delete(id);
      this.running = r;
    }
  }

  /** LFs whose votes for their current definition are missing. */
  notRun(): LfDef[] {
    return this.lfs.filter((l) => this.runOf(l.id)?.status === 'not-run' && !this.running.has(l.id));
  }

  // ── live preview ─────────────────────────────────────────────────────────────────────
  private sample: { rows: Record<string, unknown>[]; gold: Int32Array; rowIds: Uint32Array; versionId: string } | null = null;

  /** A fixed sample: gold-labelled dev rows first (accuracy), then train rows (coverage), evenly spaced. */
  private previewSample(): NonNullable<Session['sample']> {
    const ds = this.dataset!;
    if (this.sample?.versionId === ds.versionId) return this.sample;
    const pick: number[] = [];
    const spaced = (idx: Uint32Array, n: number) => {
      if (idx.length <= n) idx.forEach((i) => pick.push(i));
      else for (let t = 0; t < n; t++) pick.push(idx[Math.floor((t * idx.length) / n)]);
    };
    spaced(this.splitIndex.dev, Math.floor(PREVIEW_ROWS / 2));
    spaced(this.splitIndex.train, PREVIEW_ROWS - pick.length);
    if (pick.length < PREVIEW_ROWS) spaced(this.splitIndex.test, PREVIEW_ROWS - pick.length);
    const rowIds = Uint32Array.from(pick);
    this.sample = {
      rows: pick.map((i) => ds.rows[i]),
      gold: Int32Array.from(pick, (i) => (this.splitIndex.dev.length && ds.split[i] === 1 ? this.fullGold[i] : -1)),
      rowIds,
      versionId: ds.versionId,
    };
    return this.sample;
  }

  /** Preview `def` on the sample in a killable worker (a looping LF times out, the page stays responsive). */
  async preview(def: LfDef): Promise<LfPreview> {
    if (!this.dataset) throw new ShoalError('no dataset is open');
    const s = this.previewSample();
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

/**
 * Which project to reopen next time: a convenience, so a full disk must not stop a project
 * from opening (it then reopens the newest one instead).
 */
async function rememberLastProject(storage: ShoalStorage, id: string): Promise<void> {
  try {
    await storage.putSetting(LAST_PROJECT, id);
  } catch (e) {
    if (!isQuotaError(e)) throw e;
  }
}

/**
 * Projects are created just before their import; one left without any dataset version (not
 * even a pending one: dead imports were removed when the storage opened) is what a tab closed
 * mid-import leaves behind. Remove it so no half project is listed.
 */
async function dropEmptyProjects(storage: DexieStorage): Promise<void> {
  const held = await heldLocks();
  for (const p of await storage.listProjects()) {
    if (held === null ? Date.now() - p.createdAt < 120_000 : held.has(NEW_PROJECT_LOCK + p.id)) continue;
    const versions = await storage.dexie.table('versions').where('projectId').equals(p.id).count();
    if (versions === 0) await storage.deleteProject(p.id);
  }
}

/** Held Web Lock names, or null where the API is missing (then young projects are spared instead). */
async function heldLocks(): Promise<Set<string> | null> {
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  if (!locks) return null;
  const q = await locks.query();
  return new Set((q.held ?? []).map((l) => l.name ?? ''));
}

/**
 * Create a project and fill it (import) while holding a Web Lock named after it, so another
 * tab's cleanup never takes a project that is being filled for an empty leftover; the browser
 * releases the lock when this tab dies, and the empty project is removed on the next open.
 */
export async function withNewProject<T>(storage: ShoalStorage, name: string, fill: (p: ProjectRecord) => Promise<T>): Promise<T> {
  const project = await storage.createProject(name);
  const locks = (globalThis.navigator as Navigator | undefined)?.locks;
  return locks ? locks.request(NEW_PROJECT_LOCK + project.id, () => fill(project)) : fill(project);
}
const NEW_PROJECT_LOCK = 'shoal-new-project:';

/** An error's text for the screen, bounded: it may carry text that came out of LF code. */
function message(e: unknown): string {
  return clipText(e instanceof Error ? e.message : String(e));
}

interface Crumb {
  projectId: string;
  lfIds: string[];
  /** Set on pagehide: the tab was closed or reloaded, not crashed. */
  clean?: boolean;
}
function writeCrumb(projectId: string, lfIds: string[]): void {
  try {
    localStorage.setItem(RUNNING_KEY, JSON.stringify({ projectId, lfIds } satisfies Crumb));
  } catch {
    // Storage full or unavailable: the breadcrumb is a courtesy.
  }
}
function readCrumb(): Crumb | null {
  try {
    const s = localStorage.getItem(RUNNING_KEY);
    return s ? (JSON.parse(s) as Crumb) : null;
  } catch {
    return null;
  }
}
/** A crashed renderer fires no pagehide; a closed or reloaded tab does. */
function markCrumbClean(): void {
  const crumb = readCrumb();
  if (!crumb) return;
  try {
    localStorage.setItem(RUNNING_KEY, JSON.stringify({ ...crumb, clean: true } satisfies Crumb));
  } catch {
    // see writeCrumb
  }
}
if (typeof addEventListener === 'function' && typeof localStorage !== 'undefined') addEventListener('pagehide', markCrumbClean);
function clearCrumb(): void {
  try {
    localStorage.removeItem(RUNNING_KEY);
  } catch {
    // see writeCrumb
  }
}

export const SPLITS = SPLIT_NAMES;
export const session = new Session();
// Gold labels a full disk kept in memory are the user's work: ask before the page goes.
trackUnsaved(() => session.goldUnsaved > 0);
