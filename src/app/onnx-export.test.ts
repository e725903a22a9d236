// The ONNX export service in Node: onnxruntime-web over every row agrees with tfjs, and an
// export belongs to the classifier it was made from.
import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { ClassifierService } from './classifier.svelte.ts';
import { LabelModelService } from './label-model.svelte.ts';
import { defaultClassifierSettings, maxAbsDiff } from './model-report.ts';
import { syntheticProject } from './model-fixture.ts';
import { OnnxExportService } from './onnx-export.svelte.ts';

describe('ONNX export service', () => {
  it('exports the classifier, checks onnxruntime-web against tfjs over every row a block at a time, and drops the export on retrain', async () => {
    const p = await syntheticProject({ worker: { ort } });
    const lm = new LabelModelService(p.deps());
    const clf = new ClassifierService(p.deps(), lm);
    // Blocks of 128 rows: the 300 rows are read in three ranges, never all at once.
    const onnx = new OnnxExportService(p.deps(), clf, 128);

    await onnx.export();
    expect(onnx.error).toBe('Train the classifier first.');

    lm.name = 'ds';
    await lm.fit();
    clf.settings = { ...defaultClassifierSettings(), buckets: 4096, maxEpochs: 4 };
    await clf.train();
    await onnx.export();
    expect(onnx.error).toBeNull();
    expect(onnx.busy).toBe(false);
    const r = onnx.result!;
    expect(r).toMatchObject({ classifierId: clf.result!.id, rows: 300 });
    expect(r.proba.length).toBe(300 * 2);
    expect(r.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    expect(r.bytes.length).toBeGreaterThan(0);
    expect(p.jobs.busy).toBe(false);
    expect(p.textReads.filter((t) => t.scope === 'all')).toEqual([
      { scope: 'all', from: 0, to: 128 },
      { scope: 'all', from: 128, to: 256 },
      { scope: 'all', from: 256, to: 300 },
    ]);
    // The same probabilities as one block over every row.
    const whole = new OnnxExportService(p.deps(), clf, 1000);
    await whole.export();
    expect(maxAbsDiff(whole.result!.proba, r.proba)).toBe(0);

    // Cancelled while it reads the rows: it stops between blocks and says so; the export on screen stays.
    const cancelling = new OnnxExportService(
      p.deps({
        project: {
          ...p.view,
          textsOf: (scope, range) => {
            cancelling.cancel();
            return p.view.textsOf(scope, range);
          },
        },
      }),
      clf,
      128,
    );
    await cancelling.export();
    expect(cancelling.error).toBe('The ONNX export was cancelled.');
    expect(cancelling.result).toBeNull();
    expect(p.jobs.busy).toBe(false);

    // Another classifier on screen: the export shown was of the old one, so none is shown.
    await clf.train();
    expect(onnx.result).toBeNull();
  });
});
