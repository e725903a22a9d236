// The classifier service in Node: trained on a label model fitted on a tiny synthetic text set,
// with the in-memory storage and the train worker's API called inline.
import { describe, expect, it } from 'vitest';
import { ClassifierService } from './classifier.svelte.ts';
import { LabelModelService } from './label-model.svelte.ts';
import { CLASSIFIER_SETTINGS, defaultClassifierSettings, maxAbsDiff } from './model-report.ts';
import { DEFAULT_LFS, syntheticProject, type SyntheticProject } from './model-fixture.ts';
import { inlineTrainWorker, type TrainWorkerPort } from '../workers/train-worker-api.ts';

/** A label model fitted on the project, and a classifier service beside it with quick settings. */
async function fitted(p: SyntheticProject) {
  const lm = new LabelModelService(p.deps());
  lm.name = 'ds';
  await lm.fit();
  expect(lm.result).not.toBeNull();
  const clf = new ClassifierService(p.deps(), lm);
  clf.settings = { ...defaultClassifierSettings(), buckets: 4096, maxEpochs: 6, patience: 3, seed: 3 };
  return { lm, clf };
}

describe('classifier service', () => {
  it('trains on the label model’s probabilities, scores dev and test, stores it, and a new service restores it', async () => {
    const p = await syntheticProject();
    const { lm, clf } = await fitted(p);
    await clf.train();
    expect(clf.error).toBeNull();
    expect(clf.busy).toBe(false);
    const c = clf.result!;
    expect(c).toMatchObject({ lmRunId: lm.result!.runId, labelModel: 'ds', restored: false, lfHashes: p.view.lfHashes() });
    expect(c.proba.dev.length).toBe(p.view.splitIndex.dev.length * 2);
    expect(c.scores.test.accuracy).toBeGreaterThan(0.8);
    expect(clf.curve.length).toBeGreaterThan(0);
    expect(clf.stale()).toBeNull();

    // A reload: the stored classifier comes back with its scores and loss curve.
    const again = new ClassifierService(p.deps(), lm);
    await again.open(p.view.versionId!);
    const back = again.result!;
    expect(back).toMatchObject({ id: c.id, restored: true, lmRunId: c.lmRunId, scores: c.scores, bestEpoch: c.bestEpoch });
    expect(maxAbsDiff(back.proba.test, c.proba.test)).toBe(0);
    expect(again.curve).toEqual(clf.curve);
    expect(again.settings).toMatchObject({ buckets: 4096, maxEpochs: 6 });
    expect(again.stale()).toBeNull();
  });

  it('says why it is stale once the votes change, and once the label model is refitted or gone', async () => {
    const p = await syntheticProject();
    const { lm, clf } = await fitted(p);
    await clf.train();
    expect(clf.stale()).toBeNull();

    p.setLfs(DEFAULT_LFS, { lf_c: 'hash-lf_c-edited' });
    expect(clf.stale()).toBe('the LFs changed since it was trained');

    // The same LFs again, but a new fit of the label model.
    p.setLfs(DEFAULT_LFS);
    expect(clf.stale()).toBeNull();
    await lm.fit();
    expect(clf.stale()).toBe('the label model was refitted since');

    lm.forget();
    expect(clf.stale()).toBe('the label model it was trained on is not fitted for these LFs');
  });

  it('a classifier the full disk could not store stays unsaved until "save again" stores it', async () => {
    let full = false;
    const p = await syntheticProject({
      faults: {
        beforePut: (table) => {
          if (full && table === 'classifierModels') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        },
      },
    });
    const { clf } = await fitted(p);
    full = true;
    await clf.train();
    expect(clf.unsaved?.c).toBe(clf.result);
    expect(clf.error).toMatch(/^The classifier trained but could not be saved \(it will be gone after a reload\): Browser storage is full/);
    expect(await p.storage.latestClassifier(p.view.versionId!)).toBeUndefined();
    full = false;
    await clf.saveAgain();
    expect(clf.unsaved).toBeNull();
    expect(clf.error).toBeNull();
    expect((await p.storage.latestClassifier(p.view.versionId!))?.id).toBe(clf.result!.id);
  });

  it('keeps its settings per project: valid ones are saved, invalid ones are not, reset brings the defaults back', async () => {
    const p = await syntheticProject();
    const { lm, clf } = await fitted(p);
    await clf.saveSettings();
    clf.settings.maxEpochs = 0;
    await clf.saveSettings();
    expect(await p.storage.getSetting(CLASSIFIER_SETTINGS, p.view.projectId!)).toMatchObject({ maxEpochs: 6, buckets: 4096 });
    await clf.train();
    expect(clf.error).toBe('Fix the classifier settings first: epochs must be a whole number from 1 to 500.');
    expect(clf.result).toBeNull();

    const other = new ClassifierService(p.deps(), lm);
    await other.loadSettings();
    expect(other.settings).toMatchObject({ maxEpochs: 6, buckets: 4096 });
    other.resetSettings();
    expect(other.settings).toEqual(defaultClassifierSettings());
    await other.saveSettings();
    expect(await p.storage.getSetting(CLASSIFIER_SETTINGS, p.view.projectId!)).toEqual(defaultClassifierSettings());
  });

  it('hands the train worker row numbers, not texts, and trains the same classifier as from texts the page sends', async () => {
    const p = await syntheticProject();
    const seen: { train: unknown; dev: unknown; predicted: unknown[] } = { train: null, dev: null, predicted: [] };
    const port = inlineTrainWorker({ storage: async () => p.storage });
    const spy: TrainWorkerPort = {
      ...port,
      api: {
        ...port.api,
        trainClassifier: (jobId, req, onEpoch) => {
          seen.train = req.texts;
          seen.dev = req.dev?.texts;
          return port.api.trainClassifier(jobId, req, onEpoch);
        },
        predict: (c, texts) => {
          seen.predicted.push(texts);
          return port.api.predict(c, texts);
        },
        predictStored: (c, texts) => {
          seen.predicted.push(texts);
          return port.api.predictStored(c, texts);
        },
      },
    };
    const lm = new LabelModelService(p.deps());
    lm.name = 'ds';
    await lm.fit();
    const clf = new ClassifierService(p.deps({ trainWorker: () => spy }), lm);
    clf.settings = { ...defaultClassifierSettings(), buckets: 4096, maxEpochs: 6, patience: 3, seed: 3 };
    await clf.train();
    expect(clf.error).toBeNull();
    // The page read no text of any split: the worker read them from storage by row number.
    expect(p.textReads).toEqual([]);
    const { train, dev, test } = p.view.splitIndex;
    const devGold = Array.from(dev).filter((_, i) => p.view.gold.dev[i] >= 0);
    expect(seen.train).toEqual({ kind: 'stored-texts', versionId: p.view.versionId, field: 'text', rows: train });
    expect(seen.dev).toMatchObject({ kind: 'stored-texts', rows: Uint32Array.from(devGold) });
    expect(seen.predicted).toMatchObject([{ rows: dev }, { rows: test }]);

    // The in-memory path (texts read through the view and sent) gives the same classifier.
    const q = await syntheticProject({ storedTexts: false });
    const memory = await fitted(q);
    await memory.clf.train();
    expect(q.textReads.map((r) => r.scope)).toEqual(['train', 'dev', 'dev', 'test']);
    expect(Array.from(memory.clf.result!.classifier.model.weights)).toEqual(Array.from(clf.result!.classifier.model.weights));
    expect(maxAbsDiff(memory.clf.result!.proba.test, clf.result!.proba.test)).toBe(0);
  });

  it('asks for a label model first', async () => {
    const p = await syntheticProject();
    const clf = new ClassifierService(p.deps(), { result: null });
    await clf.train();
    expect(clf.error).toBe('Fit the label model first.');
    expect(p.jobs.busy).toBe(false);
  });

  it('over its feature budget trains on a sample and says so, on screen and after a reload; hashing reports progress', async () => {
    const p = await syntheticProject();
    const messages: string[] = [];
    const start = p.jobs.start.bind(p.jobs);
    p.jobs.start = (label, owner) => {
      const h = start(label, owner);
      return { ...h, report: (f, m) => (m !== undefined && messages.push(m), h.report(f, m)) };
    };
    const lm = new LabelModelService(p.deps());
    lm.name = 'ds';
    await lm.fit();
    const clf = new ClassifierService(p.deps(), lm, { featureBudget: 400 });
    clf.settings = { ...defaultClassifierSettings(), buckets: 4096, maxEpochs: 3, patience: 3, seed: 3 };
    await clf.train();
    expect(clf.error).toBeNull();
    const c = clf.result!;
    expect(c.sampleNote).toMatch(
      new RegExp(
        `^trained on a seeded random sample of ${c.trainRows.toLocaleString('en-US')} of [\\d,]+ training rows: .*over the memory budget of 400 `,
      ),
    );
    expect(messages.some((m) => /^Hashing the texts: [\d,]+ of [\d,]+ texts$/.test(m))).toBe(true);
    expect(messages.some((m) => /^Featurizing the [\d,]+ training rows kept/.test(m))).toBe(true);
    const again = new ClassifierService(p.deps(), lm);
    await again.open(p.view.versionId!);
    expect(again.result!.sampleNote).toBe(c.sampleNote);
    expect(again.result!.trainRows).toBe(c.trainRows);
  });

  it('Cancel stops training while the texts are still being hashed', async () => {
    const p = await syntheticProject();
    const lm = new LabelModelService(p.deps());
    lm.name = 'ds';
    await lm.fit();
    const clf = new ClassifierService(p.deps(), lm);
    clf.settings = { ...defaultClassifierSettings(), buckets: 4096, maxEpochs: 3, seed: 3 };
    const start = p.jobs.start.bind(p.jobs);
    let cancelledAt = '';
    p.jobs.start = (label, owner) => {
      const h = start(label, owner);
      return {
        ...h,
        report: (f, m) => {
          h.report(f, m);
          if (!cancelledAt && m?.startsWith('Hashing the texts')) {
            cancelledAt = m;
            clf.cancel();
          }
        },
      };
    };
    await clf.train();
    expect(cancelledAt).not.toBe('');
    expect(clf.error).toBe('Training was cancelled.');
    expect(clf.result).toBeNull();
    expect(clf.curve).toEqual([]);
    expect(p.jobs.busy).toBe(false);
  });
});
