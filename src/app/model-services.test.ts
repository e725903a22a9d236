// The three model services wired together as the page uses them: what a reload brings back,
// and what another dataset version drops.
import { describe, expect, it } from 'vitest';
import { defaultClassifierSettings } from './model-report.ts';
import { manualTimer, syntheticProject } from './model-fixture.ts';
import { ModelServices } from './model-services.ts';

describe('model services', () => {
  it('a reload brings back the stored fit and classifier, current; another dataset version shows neither', async () => {
    const p = await syntheticProject();
    const timer = manualTimer();
    const first = new ModelServices(p.deps({ later: timer.later }));
    await first.onVotes();
    expect(first.labelModel.result).toBeNull();
    first.labelModel.name = 'ds';
    await first.labelModel.fit();
    first.classifier.settings = { ...defaultClassifierSettings(), buckets: 4096, maxEpochs: 4, seed: 9 };
    await first.classifier.saveSettings();
    await first.classifier.train();
    const { runId } = first.labelModel.result!;
    const clfId = first.classifier.result!.id;

    const reload = new ModelServices(p.deps({ later: timer.later }));
    await reload.onVotes();
    expect(reload.labelModel.result).toMatchObject({ runId, restored: true });
    expect(reload.classifier.result).toMatchObject({ id: clfId, restored: true });
    expect(reload.classifier.settings).toMatchObject({ maxEpochs: 4, seed: 9 });
    expect(reload.classifier.stale()).toBeNull();
    expect(timer.pending()).toBe(0);

    // Another project's dataset version: nothing stored for it, nothing of the old one shown.
    p.view.versionId = 'another-version';
    p.setLfs([{ id: 'lf_x', acc: 0.8, cov: 0.5 }]);
    await reload.onVotes();
    expect(reload.labelModel.result).toBeNull();
    expect(reload.classifier.result).toBeNull();
    expect(reload.classifier.curve).toEqual([]);
    expect(reload.onnx.result).toBeNull();
  });
});
