/**
 * The project catalog: which projects exist, their names, which one reopens next time, which one
 * is the demo, and the creation of a project that is filled right away (an import). Free of
 * Svelte and of the browser: the storage and the Web Locks are handed in, so unit tests give it
 * the in-memory storage twin and fake locks (or none).
 *
 * A project is created just before its import and filled while this tab holds a Web Lock named
 * after it, so another tab's cleanup of empty leftovers (`dropEmpty`) never takes a project that
 * is being filled; the browser releases the lock when the tab dies, and the empty project is
 * removed on the next open.
 */
import type { ProjectRecord, ShoalStorage } from '../storage/types.ts';
import { isQuotaError } from '../storage/errors.ts';
import { renameProject as storeProjectName } from './projects.ts';

/** What the catalog needs of the Web Locks API (navigator.locks). */
export interface ProjectLocks {
  request<T>(name: string, fill: () => Promise<T>): Promise<T>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

/** The browser's Web Locks, or null where the API is missing (Node, old browsers). */
export function webLocks(): ProjectLocks | null {
  return (globalThis as { navigator?: { locks?: ProjectLocks } }).navigator?.locks ?? null;
}

const LAST_PROJECT = 'lastProject';
const DEMO_PROJECT = 'demoProject';
const NEW_PROJECT_LOCK = 'shoal-new-project:';
/** Without Web Locks, a project younger than this may still be being filled by another tab. */
export const YOUNG_PROJECT_MS = 120_000;

export class ProjectCatalog {
  constructor(
    readonly storage: ShoalStorage,
    private readonly locks: ProjectLocks | null = webLocks(),
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Every project, oldest first. */
  list(): Promise<ProjectRecord[]> {
    return this.storage.listProjects();
  }

  /** Rename a project (projects.ts cleans the name); resolves to the stored name. */
  rename(id: string, typed: string): Promise<string> {
    return storeProjectName(this.storage, id, typed);
  }

  /** Delete a project with everything under it; if it was the demo, the next demo is made anew. */
  async delete(id: string): Promise<void> {
    await this.storage.deleteProject(id);
    if ((await this.demoProject()) === id) await this.storage.putSetting(DEMO_PROJECT, null);
  }

  /** The project to reopen: the last one opened if it still exists, else the newest. */
  async toReopen(): Promise<ProjectRecord | undefined> {
    const projects = await this.list();
    const last = await this.storage.getSetting<string>(LAST_PROJECT);
    return projects.find((p) => p.id === last) ?? projects[projects.length - 1];
  }

  /**
   * Which project to reopen next time: a convenience, so a full disk must not stop a project
   * from opening (it then reopens the newest one instead).
   */
  async rememberOpened(id: string): Promise<void> {
    try {
      await this.storage.putSetting(LAST_PROJECT, id);
    } catch (e) {
      if (!isQuotaError(e)) throw e;
    }
  }

  /** The demo project's id, if one was made (it may have been deleted since). */
  async demoProject(): Promise<string | null> {
    return (await this.storage.getSetting<string | null>(DEMO_PROJECT)) ?? null;
  }

  /** The demo project if it exists with its data, else null (it is to be made). */
  async existingDemo(): Promise<string | null> {
    const id = await this.demoProject();
    if (!id || !(await this.storage.getProject(id))) return null;
    return (await this.storage.listDatasets(id)).length > 0 ? id : null;
  }

  /** The setting that marks `projectId` as the demo, to store with the demo's other parts. */
  static demoSetting(projectId: string): { key: string; value: unknown } {
    return { key: DEMO_PROJECT, value: projectId };
  }

  /**
   * Remove projects left without any dataset version (not even a pending one: dead imports are
   * removed when the storage opens) — what a tab closed mid-import leaves behind — so no half
   * project is listed. Projects being filled in any tab (their lock is held) are spared; without
   * Web Locks, young projects are spared instead. Resolves to the ids removed.
   */
  async dropEmpty(): Promise<string[]> {
    const held = await this.heldLocks();
    const dropped: string[] = [];
    for (const p of await this.list()) {
      if (held === null ? this.now() - p.createdAt < YOUNG_PROJECT_MS : held.has(NEW_PROJECT_LOCK + p.id)) continue;
      if ((await this.storage.countVersions(p.id)) > 0) continue;
      await this.storage.deleteProject(p.id);
      dropped.push(p.id);
    }
    return dropped;
  }

  /** Create a project and fill it while holding its lock (see the header). */
  async withNewProject<T>(name: string, fill: (p: ProjectRecord) => Promise<T>): Promise<T> {
    const project = await this.storage.createProject(name);
    return this.locks ? this.locks.request(NEW_PROJECT_LOCK + project.id, () => fill(project)) : fill(project);
  }

  private async heldLocks(): Promise<Set<string> | null> {
    if (!this.locks) return null;
    const q = await this.locks.query();
    return new Set((q.held ?? []).map((l) => l.name ?? ''));
  }
}
