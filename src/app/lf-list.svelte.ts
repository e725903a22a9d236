/**
 * The LF list of the open project, in list order: save (new or edited), enable / disable,
 * rename (names kept unique), duplicate, delete with one-step undo, move. Every change is
 * stored first — several records in one transaction where the order changes — and only then
 * shown, so what the list shows is what a reload brings back; a failed write (a full disk)
 * becomes `lfListError` and the list keeps showing what is stored. Votes follow through
 * `LfVotes` (lf-votes.svelte.ts): a copy shares its original's cached votes, an undone delete
 * gets its back, and a saved definition without cached votes is run.
 */
import type { LfDef } from '../core/lf/index.ts';
import { ShoalError } from '../core/types.ts';
import type { LfRecord } from '../storage/types.ts';
import type { LfVotes } from './lf-votes.svelte.ts';
import { errorMessage, type CurrentDataset } from './open-dataset.ts';
import { lfToRecord, runStateOf, uniqueLfName, withNewId } from './project.ts';

export class LfList {
  lfs = $state.raw<readonly LfDef[]>([]);
  /** Read-only LFs imported with the data (WRENCH weak labels): shown, enabled or not, never edited. */
  externals = $state.raw<LfRecord[]>([]);
  /** The last deleted LF, for undo. */
  deleted = $state.raw<{ def: LfDef; order: number } | null>(null);
  /**
   * Why the last change on the list (enable, rename, reorder, copy, delete, undo) or the storing
   * of LF votes failed, shown above the list; the list keeps what is stored.
   */
  lfListError = $state<string | null>(null);

  constructor(
    private readonly current: CurrentDataset,
    private readonly votes: LfVotes,
  ) {}

  private open() {
    const open = this.current();
    if (!open) throw new ShoalError('open a project with data before changing its LFs');
    return open;
  }

  /** Names an LF may not take: every other LF's, the read-only ones' included. */
  takenNames(exceptId?: string): string[] {
    return [...this.lfs.filter((l) => l.id !== exceptId).map((l) => l.name), ...this.externals.map((r) => r.name)];
  }

  /**
   * Save a new or edited LF, then run it unless its votes for this definition are cached.
   * Returns the saved definition (its name made unique).
   */
  async saveLf(def: LfDef): Promise<LfDef> {
    const open = this.current();
    if (!open) throw new ShoalError('open a project with data before adding LFs');
    const { storage, projectId: pid, version, classes } = open;
    const name = uniqueLfName(def.name, this.takenNames(def.id));
    const saved = { ...def, name } as LfDef;
    const at = this.lfs.findIndex((l) => l.id === def.id);
    const prev = at >= 0 ? await storage.getLf(def.id) : undefined;
    const rec = lfToRecord(saved, pid, at >= 0 ? (prev?.order ?? at) : this.lfs.length, classes, prev?.createdAt);
    await storage.putLf(rec);
    this.lfs = at >= 0 ? this.lfs.map((l) => (l.id === def.id ? saved : l)) : [...this.lfs, saved];
    // Votes cached for this exact definition (an undo, a revert) are reused.
    const cached = runStateOf(await storage.getVotes(rec.sourceHash, version.id), rec.sourceHash);
    this.votes.setRun(saved.id, cached);
    this.votes.rebuild();
    if (cached.status === 'not-run') void this.votes.run([saved]);
    return saved;
  }

  async setEnabled(id: string, enabled: boolean): Promise<void> {
    await this.change(() => this.storeEnabled(id, enabled));
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
    await this.open().storage.putLf(rec);
    this.externals = this.externals.map((r) => (r.id === id ? rec : r));
    this.votes.rebuild();
  }

  /** Rename an LF; resolves to the stored name (the old one if the write failed: see lfListError). */
  async rename(id: string, name: string): Promise<string> {
    const def = this.lfs.find((l) => l.id === id);
    if (!def) return name;
    const unique = uniqueLfName(name, this.takenNames(id));
    const done = await this.change(async () => {
      await this.saveMeta({ ...def, name: unique } as LfDef);
      return true;
    });
    return done ? unique : def.name;
  }

  /** Save a change that does not affect votes (name, enabled). */
  private async saveMeta(def: LfDef): Promise<void> {
    const storage = this.open().storage;
    const prev = await storage.getLf(def.id);
    if (!prev) return;
    await storage.putLf({ ...prev, name: def.name, enabled: def.enabled, config: def, updatedAt: Date.now() });
    this.lfs = this.lfs.map((l) => (l.id === def.id ? def : l));
    this.votes.rebuild();
  }

  async duplicate(id: string): Promise<LfDef | null> {
    return (await this.change(() => this.storeCopy(id))) ?? null;
  }

  private async storeCopy(id: string): Promise<LfDef | null> {
    const def = this.lfs.find((l) => l.id === id);
    if (!def) return null;
    const { storage, projectId, classes } = this.open();
    const copy = withNewId(def, uniqueLfName(`${def.name}_copy`, this.takenNames()));
    await storage.putLf(lfToRecord(copy, projectId, this.lfs.length, classes));
    this.lfs = [...this.lfs, copy];
    // Same semantics, same hash: the copy shares the original's cached votes.
    const s = this.votes.runs.get(id);
    if (s) this.votes.setRun(copy.id, s);
    this.votes.rebuild();
    return copy;
  }

  async deleteLf(id: string): Promise<void> {
    const order = this.lfs.findIndex((l) => l.id === id);
    if (order < 0) return;
    const def = this.lfs[order];
    await this.change(async () => {
      await this.open().storage.deleteLf(id);
      this.lfs = this.lfs.filter((l) => l.id !== id);
      this.deleted = { def, order };
      this.votes.rebuild();
    });
  }

  /** Bring back the last deleted LF at its place (its cached votes come back with it). */
  async undoDelete(): Promise<void> {
    const d = this.deleted;
    const open = this.current();
    if (!d || !open) return;
    await this.change(async () => {
      const def = { ...d.def, name: uniqueLfName(d.def.name, this.takenNames()) } as LfDef;
      const list = this.lfs.slice();
      const at = Math.min(d.order, list.length);
      list.splice(at, 0, def);
      // The restored LF and the new order of the rest in one transaction.
      const rest = (await this.reordered(list)).filter((r) => r.id !== def.id);
      await open.storage.putLfs([lfToRecord(def, open.projectId, at, open.classes), ...rest]);
      this.lfs = list;
      this.deleted = null;
      this.votes.rebuild();
    });
  }

  async move(id: string, delta: number): Promise<void> {
    const i = this.lfs.findIndex((l) => l.id === id);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= this.lfs.length) return;
    const list = this.lfs.slice();
    [list[i], list[j]] = [list[j], list[i]];
    await this.change(async () => {
      // Stored first and in one transaction, so what the list shows is what a reload brings back.
      await this.open().storage.putLfs(await this.reordered(list));
      this.lfs = list;
      this.votes.rebuild();
    });
  }

  /** Records that put the stored LFs in the order of `list` (only those whose order changes). */
  private async reordered(list: readonly LfDef[]): Promise<LfRecord[]> {
    const { storage, projectId } = this.open();
    const existing = new Map((await storage.listLfs(projectId)).map((r) => [r.id, r]));
    const out: LfRecord[] = [];
    for (let i = 0; i < list.length; i++) {
      const rec = existing.get(list[i].id);
      if (rec && rec.order !== i) out.push({ ...rec, order: i, updatedAt: Date.now() });
    }
    return out;
  }

  /**
   * Run a change of the list; a failure (a full disk) becomes `lfListError` instead of an
   * unhandled rejection, and the list keeps showing what is stored.
   */
  private async change<T>(fn: () => Promise<T>): Promise<T | undefined> {
    this.lfListError = null;
    try {
      return await fn();
    } catch (e) {
      this.lfListError = errorMessage(e);
      return undefined;
    }
  }
}
