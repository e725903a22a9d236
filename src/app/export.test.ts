import { describe, expect, it } from 'vitest';
import { LABEL_SOURCES } from '../core/formats/export.ts';
import { LabelMatrix } from '../core/matrix.ts';
import { coveredMask, labeledData } from './export.ts';

// A session and model state shaped like the real ones (only what labeledData reads).
function fixture() {
  const rows = Array.from({ length: 6 }, (_, i) => ({ text: `t${i}` }));
  const full = [Int8Array.from([1, -1, 0, -1, -1, 1])];
  const session = {
    dataset: { rows, fields: ['text'] },
    votes: { full },
    classes: ['a', 'b'],
    splitIndex: { train: Uint32Array.from([0, 1, 2, 3]), dev: Uint32Array.from([4]), test: Uint32Array.from([5]) },
    fullGold: Int8Array.from([-1, -1, -1, -1, 0, 1]),
  };
  const model = {
    lm: {
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
    const d = labeledData(session as never, model as never, 'label_model', null);
    expect(Array.from(d.labels)).toEqual([1, -1, 0, -1, 0, 1]);
    expect(Array.from(d.source, (s) => LABEL_SOURCES[s])).toEqual(['label_model', 'none', 'label_model', 'none', 'gold', 'gold']);
    expect(Array.from(d.proba!.subarray(8, 10)).map((x) => +x.toFixed(2))).toEqual([0.3, 0.7]);
  });

  it('classifier: every row labeled, gold still wins; refuses a missing classifier', () => {
    const { session, model } = fixture();
    const p = Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 0.3, 0.7, 0.1, 0.9, 0.8, 0.2]);
    const d = labeledData(session as never, model as never, 'classifier', p);
    expect(Array.from(d.labels)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(Array.from(d.source, (s) => LABEL_SOURCES[s])).toEqual(['classifier', 'classifier', 'classifier', 'classifier', 'gold', 'gold']);
    expect(() => labeledData(session as never, model as never, 'classifier', null)).toThrow(/train the classifier/);
  });
});
