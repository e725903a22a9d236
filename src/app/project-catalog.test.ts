/**
 * The project catalog (project-catalog.ts) on the in-memory storage twin with fake Web Locks:
 * empty leftovers are removed unless a tab is filling them, the project to reopen, the demo
 * setting, and a full disk never blocking a project from opening.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../storage/memory.ts';
import { ProjectCatalog, YOUNG_PROJECT_MS, type ProjectLocks } from './project-catalog.ts';
import { quotaError } from './service-testing.ts';

/** Web Locks in one process: a lock is held while its callback runs. */
function fakeLocks(): ProjectLocks & { held: Set<string> } {
  const held = new Set<string>();
  return {
    held,
    async request(name, fill) {
      held.add(name);
      try {
        return await fill();
      } finally {
        held.delete(name);
      }
    },
    query: async () => ({ held: [...held].map((name) => ({ name })) }),
  };
}

async function withData(storage: ReturnType<typeof createMemoryStorage>, name: string) {
  const p = await storage.createProject(name);
  await storage.beginImport({ projectId: p.id, name: 'd', source: { fileNames: ['d.csv'], format: 'csv', bytes: 1 } });
  return p;
}

describe('ProjectCatalog', () => {
  it('drops empty leftovers but spares a project another tab is filling (its lock is held)', async () => {
    const storage = createMemoryStorage();
    const locks = fakeLocks();
    const catalog = new ProjectCatalog(storage, locks);
    const kept = await withData(storage, 'kept');
    const leftover = await storage.createProject('leftover');
    let during: string[] = [];
    await catalog.withNewProject('filling', async (p) => {
      expect(locks.held.has(`shoal-new-project:${p.id}`)).toBe(true);
      during = await catalog.dropEmpty();
      expect((await catalog.list()).map((x) => x.name)).toEqual(['kept', 'filling']);
    });
    expect(during).toEqual([leftover.id]);
    expect(locks.held.size).toBe(0);
    // Filled by nothing and its lock released: now it is a leftover too.
    expect((await catalog.dropEmpty()).length).toBe(1);
    expect((await catalog.list()).map((x) => x.id)).toEqual([kept.id]);
  });

  it('without Web Locks spares young empty projects only', async () => {
    const storage = createMemoryStorage();
    let now = Date.now();
    const catalog = new ProjectCatalog(storage, null, () => now);
    const p = await storage.createProject('young');
    expect(await catalog.dropEmpty()).toEqual([]);
    now = p.createdAt + YOUNG_PROJECT_MS + 1;
    expect(await catalog.dropEmpty()).toEqual([p.id]);
    let filled = false;
    await catalog.withNewProject('plain', async () => (filled = true));
    expect(filled).toBe(true);
  });

  it('reopens the last project opened, else the newest; a full disk only loses that convenience', async () => {
    let full = false;
    const storage = createMemoryStorage({
      beforePut: (table) => {
        if (full && table === 'settings') throw quotaError();
      },
    });
    const catalog = new ProjectCatalog(storage, null);
    expect(await catalog.toReopen()).toBeUndefined();
    const a = await storage.createProject('a');
    const b = await storage.createProject('b');
    expect((await catalog.toReopen())?.id).toBe(b.id);
    await catalog.rememberOpened(a.id);
    expect((await catalog.toReopen())?.id).toBe(a.id);
    full = true;
    await catalog.rememberOpened(b.id);
    expect((await catalog.toReopen())?.id).toBe(a.id);
    await catalog.delete(a.id);
    expect((await catalog.toReopen())?.id).toBe(b.id);
  });

  it('knows the demo while it exists with data; deleting it forgets it', async () => {
    const storage = createMemoryStorage();
    const catalog = new ProjectCatalog(storage, null);
    const demo = await storage.createProject('demo');
    const { key, value } = ProjectCatalog.demoSetting(demo.id);
    await storage.putSetting(key, value);
    expect(await catalog.existingDemo()).toBeNull();
    // An import begun but not committed is no data yet: the demo is still to be made.
    await storage.beginImport({ projectId: demo.id, name: 'd', source: { fileNames: ['d'], format: 'csv', bytes: 1 } });
    expect(await catalog.existingDemo()).toBeNull();
    expect(await catalog.demoProject()).toBe(demo.id);
    const other = await withData(storage, 'other');
    await catalog.delete(other.id);
    expect(await catalog.demoProject()).toBe(demo.id);
    await catalog.delete(demo.id);
    expect(await catalog.demoProject()).toBeNull();
    expect(await catalog.existingDemo()).toBeNull();
  });

  it('renames with the cleaned name', async () => {
    const storage = createMemoryStorage();
    const catalog = new ProjectCatalog(storage, null);
    const p = await storage.createProject('a');
    expect(await catalog.rename(p.id, '  new   name ')).toBe('new name');
    expect((await catalog.list())[0].name).toBe('new name');
    await expect(catalog.rename(p.id, '   ')).rejects.toThrow('type a name for the project');
  });
});
