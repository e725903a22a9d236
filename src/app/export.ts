/**
 * The Export screen's data assembly: the whole dataset as `LabeledData` for the writers in
 * core/formats/export.ts. Gold labels win wherever a human gave one; elsewhere the label comes
 * from the chosen model — the label model (rows no LF voted on get no label) or the distilled
 * classifier (every row). Probability columns are always the chosen model's.
 */
import type { LabeledData } from '../core/formats/export.ts';
import { LABEL_SOURCES } from '../core/formats/export.ts';
import { ShoalError } from '../core/types.ts';
import { hardLabels, scatterSplits } from './model-report.ts';
import type { ModelState } from './model.svelte.ts';
import type { session as Session } from './session.svelte.ts';

export type ExportSource = 'label_model' | 'classifier';

const SRC = (s: (typeof LABEL_SOURCES)[number]) => LABEL_SOURCES.indexOf(s);

/** Row covered = at least one enabled LF voted on it (dataset order). */
export function coveredMask(columns: readonly Int8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (const col of columns) for (let i = 0; i < n; i++) if (col[i] >= 0) out[i] = 1;
  return out;
}

/**
 * Assemble the labeled dataset. `classifierProba` is the classifier's dataset-order n × k
 * matrix (from the ONNX run, or predicted for the export) when the source is the classifier.
 */
export function labeledData(s: typeof Session, m: ModelState, source: ExportSource, classifierProba: Float32Array | null): LabeledData {
  const ds = s.dataset;
  const v = s.votes;
  if (!ds || !v) throw new ShoalError('open a dataset and run its LFs before exporting labels');
  const k = s.classes.length;
  const n = ds.rows.length;
  const covered = coveredMask(v.full, n);
  let proba: Float32Array;
  if (source === 'classifier') {
    if (!classifierProba || classifierProba.length !== n * k) throw new ShoalError('train the classifier (Model screen) before exporting its labels');
    proba = classifierProba;
  } else {
    const lm = m.lm;
    if (!lm) throw new ShoalError('fit the label model (Model screen) before exporting its labels');
    const idx = s.splitIndex;
    proba = scatterSplits(n, k, (['train', 'dev', 'test'] as const).map((sp) => ({ rows: idx[sp], proba: lm.proba[sp] })));
  }
  const pred = hardLabels(proba, k);
  const labels = new Int32Array(n);
  const src = new Uint8Array(n);
  const gold = s.fullGold;
  for (let i = 0; i < n; i++) {
    if (gold[i] >= 0) {
      labels[i] = gold[i];
      src[i] = SRC('gold');
    } else if (source === 'label_model' && !covered[i]) {
      labels[i] = -1;
      src[i] = SRC('none');
    } else {
      labels[i] = pred[i];
      src[i] = SRC(source);
    }
  }
  return { fields: ds.fields, rows: ds.rows, classes: s.classes, labels, proba, source: src, covered };
}
