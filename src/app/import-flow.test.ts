/**
 * The one import flow (import-flow.ts) on the in-memory storage twin: a new project filled
 * under its lock, the about text and parts stored with it, and nothing left behind when the
 * rows fail, the user cancels, or storing the parts fails.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../storage/memory.ts';
import { ImportFlow, storageRowImporter, type NewProjectImport, type RowImporter } from './import-flow.ts';
import { ProjectCatalog, type ProjectLocks } from './project-catalog.ts';
import { recordingJobs } from './session-testing.ts';
import { quotaError, SMALL_CSV } from './service-testing.ts';

function plan(extra: Partial<NewProjectImport> = {}): NewProjectImport {
  return {
    name: 'SMS',
    files: new File([SMALL_CSV], 'small.csv'),
    request: { name: 'small', labelField: 'label', classes: ['ham', 'spam'], split: { kind: 'column', field: 'split' } },
    label: 'Importing small.csv',
    about: { description: 'Imported from small.csv.', source: 'import' },
    ...extra,
  };
}

function setup(faults?: Parameters<typeof createMemoryStorage>[0], importer?: (r: RowImporter) => RowImporter) {
  const storage = createMemoryStorage(faults);
  const held: string[][] = [];
  const names = new Set<string>();
  const locks: ProjectLocks = {
    async request(name, fill) {
      names.add(name);
      try {
        return await fill();
      } finally {
        names.delete(name);
      }
    },
    query: async () => ({ held: [...names].map((name) => ({ name })) }),
  };
  const base = storageRowImporter(storage);
  const rows: RowImporter = (files, request, hooks) => {
    held.push([...names]);
    return base(files, request, hooks);
  };
  const jobs = recordingJobs();
  const flow = new ImportFlow(new ProjectCatalog(storage, locks), importer ? importer(rows) : rows, jobs);
  return { storage, flow, jobs, held };
}

describe('ImportFlow', () => {
  it('imports into a new project under its lock and stores the about text and parts with it', async () => {
    const { storage, flow, jobs, held } = setup();
    const seen: number[] = [];
    const out = await flow.intoNewProject(
      plan({
        onProgress: (p) => seen.push(p.rows),
        parts: (_s, project) => ({ lfs: [], settings: [{ key: 'marker', value: 1, projectId: project.id }] }),
      }),
    );
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(held).toEqual([[`shoal-new-project:${out.projectId}`]]);
    expect(jobs.labels).toEqual(['Importing small.csv']);
    expect(seen.at(-1)).toBe(8);
    expect((await storage.getVersion(out.versionId))?.rowCount).toBe(8);
    expect(await storage.getSetting('about', out.projectId)).toEqual({ description: 'Imported from small.csv.', source: 'import' });
    expect(await storage.getSetting('marker', out.projectId)).toBe(1);
  });

  it('leaves no project when the rows do not import, and says why', async () => {
    const { storage, flow } = setup();
    const out = await flow.intoNewProject(plan({ request: { textFields: ['body'] } }));
    expect(out).toMatchObject({ ok: false, cancelled: false });
    if (!out.ok) expect(out.message).toMatch(/^small\.csv: .*body/);
    expect(await storage.listProjects()).toEqual([]);
  });

  it('a cancel through the signal stores nothing and says it was cancelled', async () => {
    const stop = new AbortController();
    const { storage, flow } = setup(undefined, (rows) => (files, request, hooks) => {
      stop.abort();
      return rows(files, request, hooks);
    });
    const out = await flow.intoNewProject(plan({ signal: stop.signal }));
    expect(out).toMatchObject({ ok: false, cancelled: true });
    expect(await storage.listProjects()).toEqual([]);
  });

  it('deletes the project again when storing its parts fails (a full disk)', async () => {
    let full = false;
    const { storage, flow } = setup({
      beforePut: (table) => {
        if (full && table === 'settings') throw quotaError();
      },
    });
    await expect(
      flow.intoNewProject(
        plan({
          parts: () => {
            full = true;
            return { lfs: [], settings: [] };
          },
        }),
      ),
    ).rejects.toThrow(/storage is full/);
    expect(await storage.listProjects()).toEqual([]);
  });
});
