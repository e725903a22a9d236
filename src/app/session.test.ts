/**
 * The composed session in Node: the in-memory storage twin, inline LF pools, rows imported on
 * this thread (session-testing.ts). A project goes its whole way — import, open, an LF saved and
 * run, votes rebuilt, gold set, deleted — as the screens drive it.
 */
import { goldLabel, splitRow } from '../core/types.ts';
import { describe, expect, it, vi } from 'vitest';
import type { LfDef } from '../core/lf/index.ts';
import type { LoadedDemo } from './demo.ts';
import { memorySessionDeps, NO_ISOLATION } from './session-testing.ts';
import { Session } from './session.svelte.ts';

const csv = [
  'text,label,split',
  'win free money now,spam,train',
  'lunch at noon?,ham,train',
  'free entry in a prize draw,spam,train',
  'see you tomorrow,ham,train',
  'claim your free gift,spam,dev',
  'meeting moved to 3,ham,dev',
  'free free free,spam,test',
  'call me later,ham,test',
].join('\n');

const freeLf: LfDef = {
  id: 'lf_free',
  name: 'free',
  enabled: true,
  kind: 'keyword',
  label: 'spam',
  keywords: ['free'],
  mode: 'any',
  match: 'word',
  caseSensitive: false,
};

async function imported(s: Session): Promise<string> {
  const outcome = await s.importFiles(
    [new File([csv], 'sms.csv', { type: 'text/csv' })],
    { name: 'sms', labelField: 'label', classes: ['ham', 'spam'], split: { kind: 'column', field: 'split' } },
    { name: 'SMS' },
  );
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.projectId;
}

describe('Session (in-memory storage, inline pools)', () => {
  it('imports into a new project, opens it, saves and runs an LF, rebuilds the votes, sets gold, deletes the project', async () => {
    const { deps, storage, jobs } = memorySessionDeps();
    const s = new Session(deps);
    await s.init();
    expect(s.ready).toBe(true);
    expect(s.error).toBeNull();
    expect(s.projects).toEqual([]);

    const id = await imported(s);
    expect(s.projectId).toBe(id);
    expect(s.projects.map((p) => p.name)).toEqual(['SMS']);
    expect(s.dataset).toMatchObject({ name: 'sms', source: 'import', description: 'Imported from sms.csv.', goldCount: 8 });
    expect((await storage.readRows(s.dataset!.versionId, 0, 100)).map((r) => r.text)).toEqual(
      csv
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]),
    );
    expect(s.classes).toEqual(['ham', 'spam']);
    expect(Array.from(s.splitIndex.dev)).toEqual([4, 5]);
    expect(await storage.getSetting('lastProject')).toBe(id);
    expect(jobs.labels).toContain('Importing sms.csv');

    const saved = await s.saveLf(freeLf);
    await vi.waitFor(() => expect(s.runOf(saved.id)?.status).toBe('ok'));
    expect(s.running.size).toBe(0);
    expect(Array.from(s.runs.get(saved.id)!.votes!)).toEqual([1, -1, 1, -1, 1, -1, 1, -1]);
    expect(s.votes!.lfIds).toEqual([saved.id]);
    expect(Array.from(s.votes!.full[0])).toEqual([1, -1, 1, -1, 1, -1, 1, -1]);
    // The stored votes are what a reopen finds: the LF is not run again.
    const before = jobs.labels.length;
    await s.openProject(id);
    expect(s.runOf(saved.id)?.status).toBe('ok');
    expect(s.notRun()).toEqual([]);
    expect(jobs.labels.slice(before).some((l) => l.startsWith('Running'))).toBe(false);

    const version = s.votes!.version;
    await s.setEnabled(saved.id, false);
    expect(s.votes!.version).toBeGreaterThan(version);
    expect(s.votes!.lfIds).toEqual([]);

    const g = s.goldVersion;
    await s.setGold('dev', splitRow(0), goldLabel(0));
    expect(s.goldVersion).toBe(g + 1);
    expect(s.gold.dev[0]).toBe(0);
    expect(s.fullGold[4]).toBe(0);
    expect((await storage.getColumn(s.dataset!.versionId, 'gold'))![4]).toBe(0);

    await s.deleteProject(id);
    expect(s.projectId).toBeNull();
    expect(s.dataset).toBeNull();
    expect(s.votes).toBeNull();
    expect(s.projects).toEqual([]);
    expect(await storage.listProjects()).toEqual([]);
    expect(await storage.countVersions(id)).toBe(0);
  });

  it('reopens the last project on init and drops an empty leftover project', async () => {
    const { deps, storage } = memorySessionDeps();
    const first = new Session(deps);
    await first.init();
    const id = await imported(first);
    // A project created long ago whose import never began (the tab closed in between).
    const leftover = await storage.createProject('half');
    vi.spyOn(Date, 'now').mockReturnValue(leftover.createdAt + 10 * 60_000);
    try {
      const again = new Session(deps);
      await again.init();
      expect(again.projectId).toBe(id);
      expect(again.projects.map((p) => p.id)).toEqual([id]);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('a failed import stores nothing and says why; the project list stays as it was', async () => {
    const { deps, storage } = memorySessionDeps();
    const s = new Session(deps);
    await s.init();
    const outcome = await s.importFiles([new File(['text,label\n'], 'empty.csv')], { name: 'x', textFields: ['body'] }, { name: 'X' });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.message).toMatch(/^empty\.csv/);
    expect(await storage.listProjects()).toEqual([]);
    expect(s.projects).toEqual([]);
    expect(s.projectId).toBeNull();
  });

  it('names the LFs a crashed tab was running and marks them failed; a closed tab only says they stopped', async () => {
    const { deps, crumbStore } = memorySessionDeps();
    const s = new Session(deps);
    await s.init();
    const id = await imported(s);
    const saved = await s.saveLf(freeLf);
    await vi.waitFor(() => expect(s.runOf(saved.id)?.status).toBe('ok'));
    // Edited, never run again: then the tab died while running it.
    const edited = await s.saveLf({ ...saved, keywords: ['prize'] } as LfDef);
    await vi.waitFor(() => expect(s.running.size).toBe(0));
    deps.crumbs.write(id, [edited.id]);
    const crashed = new Session(deps);
    await crashed.init();
    expect(crashed.notice).toMatch(/^The tab crashed while running free/);
    expect(crashed.runOf(edited.id)).toMatchObject({ status: 'error' });
    expect(crumbStore.map.size).toBe(0);

    deps.crumbs.write(id, [edited.id]);
    const closing = new Session(deps);
    closing.pageHidden();
    await closing.init();
    expect(closing.notice).toMatch(/stopped before it finished \(the tab was closed\) while running free/);
  });

  it('creates the demo once through the import flow, with its about text and starter LFs, and runs them', async () => {
    const demo: LoadedDemo = {
      meta: {
        name: 'Spam demo',
        description: 'A tiny demo.',
        source: 'Somewhere',
        license: 'CC0',
        classes: ['ham', 'spam'],
      } as LoadedDemo['meta'],
      rows: [
        { id: 'a', subject: 'hi', from: 'x', body: 'free money', label: 'spam', split: 'train' },
        { id: 'b', subject: 'yo', from: 'y', body: 'lunch?', label: 'ham', split: 'dev' },
        { id: 'c', subject: 'ok', from: 'z', body: 'see you', label: 'ham', split: 'test' },
      ] as unknown as LoadedDemo['rows'],
    };
    const { deps, storage, jobs } = memorySessionDeps({ demo });
    const s = new Session(deps);
    await s.loadDemo();
    expect(s.error).toBeNull();
    expect(s.dataset).toMatchObject({ name: 'Spam demo', source: 'demo', description: 'A tiny demo.' });
    expect(s.dataset!.attribution!.links.map((l) => l.href)).toEqual(['/demo/NOTICE', '/demo/LICENSE']);
    expect(s.lfs.length).toBeGreaterThan(0);
    await vi.waitFor(() => expect(s.notRun().length + s.running.size).toBe(0));
    // Templates ran on the page pool; code LFs have no isolated pool here and say so.
    const enabled = s.lfs.filter((l) => l.enabled);
    const code = enabled.filter((l) => l.kind === 'code');
    expect(s.votes!.lfIds).toEqual(enabled.filter((l) => l.kind !== 'code').map((l) => l.id));
    for (const c of code) expect(s.runOf(c.id)).toMatchObject({ status: 'error', error: NO_ISOLATION });
    if (code.length) expect(s.isolationUnavailable).toBe(NO_ISOLATION);
    const id = s.projectId;
    await s.loadDemo();
    expect(s.projectId).toBe(id);
    expect((await storage.listProjects()).length).toBe(1);
    expect(jobs.labels.filter((l) => l === 'Storing the demo')).toHaveLength(1);
    // Deleting the demo forgets it: the next one is made anew.
    await s.deleteProject(id!);
    expect(await storage.getSetting('demoProject')).toBeNull();
  });

  it('holds no rows: the open dataset reads the rows asked for from storage, never the gold column', async () => {
    const { deps } = memorySessionDeps();
    const s = new Session(deps);
    await s.init();
    await imported(s);
    const ds = s.dataset!;
    expect(ds.rowCount).toBe(8);
    expect(ds.rows.count).toBe(8);
    expect(Array.isArray(ds.rows)).toBe(false);
    const dev = await s.rowsOf('dev', [1, 0]);
    expect(dev.map((r) => r.text)).toEqual(['meeting moved to 3', 'claim your free gift']);
    for (const r of await ds.rows.read(0, 8)) expect('label' in r).toBe(false);
    await expect(s.rowsOf('dev', [2])).rejects.toThrow(/outside the dev split/);
    expect(await s.textsOf('test')).toEqual(['free free free', 'call me later']);
    // The preview reads its sample once; its examples' rows are then at hand without a read.
    const p = await s.preview(freeLf);
    expect(p.examples.length).toBeGreaterThan(0);
    for (const ex of p.examples) expect(s.previewRow(ex.row)?.text).toMatch(/free/);
    expect(ds.rows.held().chunks).toBeLessThanOrEqual(16);
  });
});
