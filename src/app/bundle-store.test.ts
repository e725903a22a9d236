import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readBundle, writeBundle, type ProjectBundle } from '../core/formats/bundle.ts';
import { ShoalError } from '../core/types.ts';
import { TABLES, type TableName } from '../storage/backend.ts';
import { MemoryStorage, type MemoryFaults } from '../storage/memory.ts';
import { distill, predictTexts } from '../core/classifier/index.ts';
import { encodeFloat32 } from '../core/formats/bundle-models.ts';
import { collectModels, MODEL_SETTING, storeIntoProject, storeNewProject } from './bundle-store.ts';
import { ImportFlow, storageRowImporter } from './import-flow.ts';
import { ProjectCatalog } from './project-catalog.ts';
import { CLASSIFIER_SETTINGS } from './model-report.ts';

/** The in-memory twin, with every table readable: "nothing stored" is checked on all of them. */
class InspectableStorage extends MemoryStorage {
  async dump(): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const t of Object.keys(TABLES) as TableName[]) out[t] = await this.db.all(t);
    return out;
  }
}

/** The import flow on `s`, rows imported on this thread, no Web Locks, jobs run plainly. */
const importer = (s: MemoryStorage): ImportFlow =>
  new ImportFlow(new ProjectCatalog(s, null), storageRowImporter(s), {
    run: (_label, work) => work(new AbortController().signal, () => {}),
  });

function bundleJson(): Record<string, any> {
  const rows = Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, text: i % 2 ? `win free money ${i}` : `see you at lunch ${i}` }));
  const b: Omit<ProjectBundle, 'format' | 'schemaVersion'> = {
    exportedAt: '2026-01-01T00:00:00.000Z',
    project: { name: 'sms' },
    dataset: {
      name: 'sms',
      fields: ['id', 'text'],
      textField: 'text',
      classes: ['ham', 'spam'],
      splitCounts: { train: 6, dev: 2, test: 2 },
    },
    settings: { textFields: ['text'], fields: ['id', 'text'], idField: 'id' },
    lfs: [
      {
        id: 'a',
        name: 'free',
        enabled: true,
        kind: 'keyword',
        label: 'spam',
        keywords: ['free'],
        mode: 'any',
        match: 'word',
        caseSensitive: false,
      },
      { id: 'b', name: 'lunch', enabled: true, kind: 'lookup', label: 'ham', values: ['lunch'], match: 'word', caseSensitive: false },
      { id: 'c', name: 'short', enabled: true, kind: 'code', source: "(x) => x.text.length < 5 ? 'ham' : null" },
    ],
    gold: {
      train: [],
      dev: [
        [0, 0],
        [1, 1],
      ],
      test: [[1, 1]],
    },
    model: { labelModel: 'mv', classBalance: 'uniform', seed: 4, classifier: { maxEpochs: 7 } },
    data: { rows, split: ['train', 'train', 'dev', 'train', 'dev', 'train', 'test', 'train', 'test', 'train'] },
  };
  return JSON.parse(writeBundle(b)) as Record<string, any>;
}

describe('storing a project file', () => {
  it('stores a bundle with data as a whole new project: rows, LFs, gold on the right rows, settings', async () => {
    const s = new InspectableStorage();
    const id = await storeNewProject(importer(s), readBundle(JSON.stringify(bundleJson())));
    expect((await s.listProjects()).map((p) => [p.id, p.name])).toEqual([[id, 'sms']]);
    const [ds] = await s.listDatasets(id);
    const v = (await s.getVersion(ds.currentVersion))!;
    expect(v.rowCount).toBe(10);
    expect(Array.from((await s.getColumn(ds.currentVersion, 'split'))!)).toEqual([0, 0, 1, 0, 1, 0, 2, 0, 2, 0]);
    // dev rows are dataset rows 2 and 4, test rows 6 and 8.
    expect(Array.from((await s.getColumn(ds.currentVersion, 'gold'))!)).toEqual([-1, -1, 0, -1, 1, -1, -1, -1, 1, -1]);
    const lfs = await s.listLfs(id);
    expect(lfs.map((l) => l.name).sort()).toEqual(['free', 'lunch', 'short']);
    // Fresh ids: two imports of one file do not share LF records.
    expect(lfs.some((l) => ['a', 'b', 'c'].includes(l.id))).toBe(false);
    expect(await s.getSetting(MODEL_SETTING, id)).toMatchObject({ labelModel: 'mv', classBalance: 'uniform', seed: 4 });
    expect(await s.getSetting(CLASSIFIER_SETTINGS, id)).toMatchObject({ maxEpochs: 7 });
  });

  it('carries rows flagged while labelling to their rows, and imports an older file without flags', async () => {
    const s = new InspectableStorage();
    const b = bundleJson();
    b.flags = { train: [{ row: 5, reason: 'broken row', note: '' }], dev: [{ row: 1, reason: 'unsure', note: 'two topics' }], test: [] };
    const id = await storeNewProject(importer(s), readBundle(JSON.stringify(b)));
    const [ds] = await s.listDatasets(id);
    // dev row 1 is dataset row 4; train row 5 is dataset row 9.
    expect((await s.listFlags(ds.currentVersion)).map((f) => [f.row, f.reason, f.note])).toEqual([
      [4, 'unsure', 'two topics'],
      [9, 'broken row', ''],
    ]);
    // Into the open project: a flag on the same row is replaced, the others stay.
    const into = bundleJson();
    delete into.data;
    into.flags = { train: [], dev: [{ row: 1, reason: 'unsure', note: 'checked: sports' }], test: [] };
    await storeIntoProject(s, readBundle(JSON.stringify(into)), {
      projectId: id,
      versionId: ds.currentVersion,
      split: (await s.getColumn(ds.currentVersion, 'split')) as Uint8Array,
      gold: (await s.getColumn(ds.currentVersion, 'gold'))!,
      classes: ['ham', 'spam'],
      lfCount: 3,
      takenNames: (await s.listLfs(id)).map((l) => l.name),
    });
    expect((await s.listFlags(ds.currentVersion)).map((f) => [f.row, f.note])).toEqual([
      [4, 'checked: sports'],
      [9, ''],
    ]);
    const old = bundleJson();
    expect('flags' in old).toBe(false);
    const oldId = await storeNewProject(importer(s), readBundle(JSON.stringify(old)));
    expect(await s.listFlags((await s.listDatasets(oldId))[0].currentVersion)).toEqual([]);
    // A flag outside its split is refused by the schema, naming the field.
    const bad = bundleJson();
    bad.flags = { train: [], dev: [{ row: 2, reason: 'unsure', note: '' }], test: [] };
    expect(() => readBundle(JSON.stringify(bad))).toThrow(/flags\.dev\[0\]\.row must be a row inside the dev split's 2 rows, not 2/);
  });

  it('leaves no project behind when the rows fail to import', async () => {
    const s = new InspectableStorage();
    const before = await s.dump();
    const b = bundleJson();
    // Named as a field, but no row has it: the file passes the schema, the rows fail to import.
    b.dataset.fields = ['id', 'text', 'body'];
    b.settings.textFields = ['body'];
    const err = await storeNewProject(importer(s), readBundle(JSON.stringify(b))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShoalError);
    expect((err as Error).message).toMatch(/^sms\.shoal\.json: has no column "body"/);
    expect(await s.dump()).toEqual(before);
  });

  it('leaves no project behind when the disk fills while the LFs are stored', async () => {
    const faults: MemoryFaults = {};
    const s = new (class extends InspectableStorage {
      constructor() {
        super(faults);
      }
    })();
    faults.beforePut = (table) => {
      if (table === 'lfs') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
    const before = await s.dump();
    await expect(storeNewProject(importer(s), readBundle(JSON.stringify(bundleJson())))).rejects.toThrow();
    faults.beforePut = undefined;
    expect(await s.dump()).toEqual(before);
  });

  it('adds a bundle without data to the open project in one transaction, LF names made unique', async () => {
    const s = new InspectableStorage();
    const id = await storeNewProject(importer(s), readBundle(JSON.stringify(bundleJson())));
    const [ds] = await s.listDatasets(id);
    const split = (await s.getColumn(ds.currentVersion, 'split')) as Uint8Array;
    const gold = Int8Array.from((await s.getColumn(ds.currentVersion, 'gold'))!);
    const b = bundleJson();
    delete b.data;
    b.gold = { train: [[0, 1]], dev: [], test: [] };
    const names = (await s.listLfs(id)).map((l) => l.name);
    await storeIntoProject(s, readBundle(JSON.stringify(b)), {
      projectId: id,
      versionId: ds.currentVersion,
      split,
      gold,
      classes: ['ham', 'spam'],
      lfCount: 3,
      takenNames: names,
    });
    expect((await s.listLfs(id)).map((l) => l.name).sort()).toEqual(['free', 'free_2', 'lunch', 'lunch_2', 'short', 'short_2']);
    expect(Array.from((await s.getColumn(ds.currentVersion, 'gold'))!)).toEqual([1, -1, 0, -1, 1, -1, -1, -1, 1, -1]);
  });

  it('mutated project files either store a whole project or fail with one sentence and store nothing (seeded)', async () => {
    const base = bundleJson();
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, p: (string | number)[]): void => {
      if (p.length) paths.push(p);
      if (Array.isArray(v)) v.slice(0, 2).forEach((x, i) => walk(x, [...p, i]));
      else if (v && typeof v === 'object') for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k], [...p, k]);
    };
    walk(base, []);
    const mutation = fc.tuple(fc.constantFrom(...paths), fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }));
    let stored = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 2 }), async (muts) => {
        const b = structuredClone(base);
        for (const [path, value] of muts) {
          let parent: any = b;
          for (const k of path.slice(0, -1)) parent = parent?.[k];
          if (parent === null || typeof parent !== 'object') continue;
          if (value === undefined) delete parent[path[path.length - 1]];
          else parent[path[path.length - 1]] = value;
        }
        const s = new InspectableStorage();
        const empty = await s.dump();
        try {
          const bundle = readBundle(JSON.stringify(b));
          if (!bundle.data) return;
          const id = await storeNewProject(importer(s), bundle);
          // Stored: the whole project, with every LF of the file.
          expect((await s.listProjects()).map((p) => p.id)).toEqual([id]);
          expect((await s.listLfs(id)).length).toBe(bundle.lfs.length);
          stored++;
        } catch (e) {
          expect(e).toBeInstanceOf(ShoalError);
          expect((e as Error).message).not.toMatch(/\n/);
          expect(await s.dump()).toEqual(empty);
          refused++;
        }
      }),
      { seed: 13, numRuns: 150 },
    );
    expect(stored).toBeGreaterThan(5);
    expect(refused).toBeGreaterThan(50);
  });

  it("carries the fitted label model and the classifier from one browser's storage to another, marked as from the file", async () => {
    // Browser A: a project with a stored fit and classifier.
    const a = new InspectableStorage();
    const idA = await storeNewProject(importer(a), readBundle(JSON.stringify(bundleJson())));
    const [dsA] = await a.listDatasets(idA);
    const lfsA = await a.listLfs(idA);
    const enabled = lfsA.filter((l) => l.name !== 'short'); // the fit saw two of the three LFs
    const probs = Float32Array.from({ length: 20 }, (_, i) => (i % 2 ? 0.75 : 0.25));
    await a.putRun(
      {
        id: 'run-a',
        projectId: idA,
        versionId: dsA.currentVersion,
        model: 'mv',
        params: { summary: { model: 'mv' }, classBalance: [0.5, 0.5], balanceMode: 'uniform', seed: 4, backend: 'typed-array' },
        lfHashes: enabled.map((l) => l.sourceHash),
        metrics: { devAccuracy: 0.5 },
        k: 2,
        n: 10,
        createdAt: 111,
      },
      probs,
    );
    const texts = Array.from({ length: 10 }, (_, i) => (i % 2 ? `win free money ${i}` : `see you at lunch ${i}`));
    const clf = (
      await distill({ texts, proba: probs, k: 2, classes: ['ham', 'spam'] }, { maxEpochs: 2, seed: 1, features: { buckets: 4096 } })
    ).classifier;
    const proba = { dev: Float32Array.from([0.6, 0.4, 0.3, 0.7]), test: Float32Array.from([0.2, 0.8, 0.9, 0.1]) };
    await a.putClassifier(
      {
        id: 'clf-a',
        projectId: idA,
        versionId: dsA.currentVersion,
        runId: 'run-a',
        lfHashes: enabled.map((l) => l.sourceHash),
        labelModel: 'mv',
        settings: { maxEpochs: 2 },
        metrics: { devAccuracy: 1 },
        curve: [{ epoch: 1, maxEpochs: 2, loss: 0.5, best: true, targets: 'soft' }],
        bestEpoch: 1,
        targets: 'soft',
        trainRows: 10,
        backend: 'cpu',
        ms: 5,
        k: 2,
        createdAt: 222,
      },
      { classifier: clf, proba },
    );
    const defs = lfsA.map((l) => ({ ...(l.config as object), id: l.id, name: l.name, enabled: l.enabled })) as ProjectBundle['lfs'];
    const { models, left } = await collectModels(a, {
      projectId: idA,
      versionId: dsA.currentVersion,
      lfs: defs,
      classes: ['ham', 'spam'],
      runId: 'run-a',
      classifierId: 'clf-a',
    });
    expect(left).toEqual([]);
    expect(models.labelModel?.lfNames).toEqual(['free', 'lunch']);
    expect(models.classifier?.onFileLabelModel).toBe(true);

    // Browser B: the file with its models.
    const b = new InspectableStorage();
    const file = bundleJson();
    file.models = models;
    const idB = await storeNewProject(importer(b), readBundle(JSON.stringify(file)), 'sms.shoal.json');
    const [dsB] = await b.listDatasets(idB);
    const lfsB = await b.listLfs(idB);
    const [run] = await b.listRuns(idB);
    expect(run).toMatchObject({
      model: 'mv',
      versionId: dsB.currentVersion,
      n: 10,
      k: 2,
      createdAt: 111,
      origin: { file: 'sms.shoal.json', exportedAt: '2026-01-01T00:00:00.000Z' },
    });
    // The run names the imported LFs by their own vote-cache hashes, so it is restored, not refitted.
    expect(run.lfHashes).toEqual(['free', 'lunch'].map((n) => lfsB.find((l) => l.name === n)!.sourceHash));
    expect(Array.from((await b.getRunProbs(run.id))!)).toEqual(Array.from(probs));
    const rec = (await b.latestClassifier(dsB.currentVersion))!;
    expect(rec).toMatchObject({
      runId: run.id,
      labelModel: 'mv',
      createdAt: 222,
      origin: { file: 'sms.shoal.json' },
      curve: [{ epoch: 1, loss: 0.5 }],
    });
    const stored = (await b.getClassifierModel(rec.id))!;
    expect(Array.from(predictTexts(stored.classifier, texts))).toEqual(Array.from(predictTexts(clf, texts)));
    expect(Array.from(stored.proba.test)).toEqual(Array.from(proba.test));
  });

  it('leaves out a fit over LFs that changed since, and says so', async () => {
    const s = new InspectableStorage();
    const id = await storeNewProject(importer(s), readBundle(JSON.stringify(bundleJson())));
    const [ds] = await s.listDatasets(id);
    await s.putRun(
      {
        id: 'old',
        projectId: id,
        versionId: ds.currentVersion,
        model: 'mv',
        params: { summary: { model: 'mv' }, classBalance: null, balanceMode: 'dev', seed: 0, backend: '' },
        lfHashes: ['hash-of-an-lf-since-edited'],
        metrics: {},
        k: 2,
        n: 10,
        createdAt: 1,
      },
      new Float32Array(20).fill(0.5),
    );
    const lfs = (await s.listLfs(id)).map((l) => ({
      ...(l.config as object),
      id: l.id,
      name: l.name,
      enabled: l.enabled,
    })) as ProjectBundle['lfs'];
    const { models, left } = await collectModels(s, {
      projectId: id,
      versionId: ds.currentVersion,
      lfs,
      classes: ['ham', 'spam'],
      runId: 'old',
      classifierId: null,
    });
    expect(models).toEqual({});
    expect(left).toEqual(['the label model (fitted on LFs that changed since)']);
    expect(encodeFloat32(new Float32Array(0))).toBe('');
  });
});
