import { describe, expect, it } from 'vitest';
import { LABEL_SOURCES, lfSetVersion } from '../core/formats/export.ts';
import { coveredMask, labelColumns, provenance } from './export.ts';

// A session and model state shaped like the real ones (only what labelColumns and provenance read).
function fixture() {
  const rows = Array.from({ length: 6 }, (_, i) => ({ text: `t${i}` }));
  const full = [Int8Array.from([1, -1, 0, -1, -1, 1])];
  const session = {
    dataset: { rowCount: rows.length, fields: ['text'], split: Uint8Array.from([0, 0, 0, 0, 1, 2]), name: 'mail', versionId: 'v1' },
    votes: { full, version: 3, lfIds: ['lf-a', 'lf-b'], lfNames: ['a', 'b'] },
    runs: new Map([
      ['lf-a', { hash: 'h-a' }],
      ['lf-b', { hash: 'h-b' }],
    ]),
    runOf(id: string) {
      return this.runs.get(id);
    },
    classes: ['a', 'b'],
    splitIndex: { train: Uint32Array.from([0, 1, 2, 3]), dev: Uint32Array.from([4]), test: Uint32Array.from([5]) },
    fullGold: Int8Array.from([-1, -1, -1, -1, 0, 1]),
  };
  const model = {
    clf: null as null | { id: string; createdAt: number; labelModel: string; lmRunId: string },
    clfStale: () => null,
    lm: {
      name: 'auto',
      summary: { chosen: 'wmv' },
      runId: 'lm-7',
      votesVersion: 3,
      proba: {
        train: Float32Array.from([0.2, 0.8, 0.5, 0.5, 0.9, 0.1, 0.5, 0.5]),
        dev: Float32Array.from([0.3, 0.7]),
        test: Float32Array.from([0.4, 0.6]),
      },
    },
  };
  return { session, model };
}

describe('export assembly', () => {
  it('covered mask', () => {
    expect(Array.from(coveredMask([Int8Array.from([-1, 0, -1]), Int8Array.from([-1, -1, 1])], 3))).toEqual([0, 1, 1]);
  });

  it('label model: gold wins, uncovered rows get no label, probabilities in dataset order', () => {
    const { session, model } = fixture();
    const d = labelColumns(session as never, model as never, 'label_model', null);
    expect(Array.from(d.split)).toEqual([0, 0, 0, 0, 1, 2]);
    expect(d.split).not.toBe(session.dataset.split); // its own copy: it is transferred to the worker
    expect(Array.from(d.labels)).toEqual([1, -1, 0, -1, 0, 1]);
    expect(Array.from(d.source, (s) => LABEL_SOURCES[s])).toEqual(['label_model', 'none', 'label_model', 'none', 'gold', 'gold']);
    expect(Array.from(d.proba!.subarray(8, 10)).map((x) => +x.toFixed(2))).toEqual([0.3, 0.7]);
  });

  it('classifier: every row labeled, gold still wins; refuses a missing classifier', () => {
    const { session, model } = fixture();
    const p = Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7, 0.1, 0.9, 0.8, 0.2]);
    const d = labelColumns(session as never, model as never, 'classifier', p);
    expect(d.proba).not.toBe(p);
    expect(Array.from(d.labels)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(Array.from(d.source, (s) => LABEL_SOURCES[s])).toEqual(['classifier', 'classifier', 'classifier', 'classifier', 'gold', 'gold']);
    expect(() => labelColumns(session as never, model as never, 'classifier', null)).toThrow(/train the classifier/);
  });

  it("provenance: label model, classifier, LF set version from the LFs' content hashes, date", () => {
    const { session, model } = fixture();
    const now = new Date('2026-12-07T13:00:00Z');
    const p = provenance(session as never, model as never, 'label_model', now);
    expect(p).toEqual({
      labels_from: 'label_model',
      label_model: { name: 'auto', chosen: 'wmv', run_id: 'lm-7', fitted_on_current_lfs: true },
      classifier: null,
      lf_set_version: lfSetVersion(['h-a', 'h-b']),
      lfs: ['a', 'b'],
      dataset: { name: 'mail', version_id: 'v1', rows: 6 },
      exported_at: '2026-12-07T13:00:00.000Z',
    });
    // An edited LF is a new LF set; a label model fitted on older votes says so.
    session.runs.set('lf-b', { hash: 'h-b2' });
    session.votes.version = 4;
    const q = provenance(session as never, model as never, 'label_model', now);
    expect(q.lf_set_version).not.toBe(p.lf_set_version);
    expect(q.label_model?.fitted_on_current_lfs).toBe(false);
    model.clf = { id: 'c1', createdAt: Date.parse('2026-12-07T12:00:00Z'), labelModel: 'wmv', lmRunId: 'lm-7' };
    expect(provenance(session as never, model as never, 'classifier', now).classifier).toEqual({
      id: 'c1',
      trained_at: '2026-12-07T12:00:00.000Z',
      label_model: 'wmv',
      label_model_run_id: 'lm-7',
      stale: false,
    });
  });
});
