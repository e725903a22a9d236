/**
 * Live preview of one LF on a sample (the editor calls it, debounced, while the user types):
 * coverage, accuracy on gold-labelled rows, overlaps/conflicts with the other LFs' votes on the
 * same rows, and a few example hits with the matched spans.
 *
 * Runs the LF through the same runtime as a full apply, so what the preview shows is what a
 * save will produce. A code LF can loop, so the UI should call this through a worker that can be
 * killed (`LfPool.previewLf`), not on the page's thread.
 */
import { ABSTAIN } from '../types.ts';
import type { NlpFn } from './helpers.ts';
import type { LfSandbox } from './sandbox.ts';
import { LfRuntime } from './runtime.ts';
import { lfSpans } from './spans.ts';
import type { LfDef, LfErrorInfo, Row, Span } from './types.ts';

export interface PreviewSample {
  readonly rows: readonly Row[];
  /** Gold class per sample row, -1 where unknown. */
  readonly gold?: ArrayLike<number>;
  /** Votes of the other (enabled) LFs on the same rows, one column each. */
  readonly others?: readonly ArrayLike<number>[];
  /** Dataset row of each sample row (for display); default 0..n-1. */
  readonly rowIds?: ArrayLike<number>;
}

export interface PreviewHit {
  readonly row: number;
  readonly vote: number;
  readonly label: string;
  readonly gold: number;
  readonly spans: Span[];
}

export interface LfPreview {
  readonly n: number;
  readonly votes: Int8Array;
  /** Rows the LF voted on / n. */
  readonly coverage: number;
  readonly hits: number;
  /** Among rows with gold and a vote: fraction correct; null when there are none. */
  readonly accuracy: number | null;
  readonly correct: number;
  readonly incorrect: number;
  /** Rows where this LF and at least one other LF vote / n. */
  readonly overlaps: number;
  /** Rows where this LF and some other LF vote different classes / n. */
  readonly conflicts: number;
  readonly examples: PreviewHit[];
  readonly error: LfErrorInfo | null;
  readonly ms: number;
}

export interface PreviewOptions {
  readonly maxExamples?: number;
  readonly textField?: string;
  readonly nlp?: NlpFn | null;
  /** Compiles a code LF (sandbox.ts); without one a code LF previews as its compile error. */
  readonly sandbox?: LfSandbox | null;
}

export function previewLf(def: LfDef, sample: PreviewSample, classes: readonly string[], opts: PreviewOptions = {}): LfPreview {
  const t0 = performance.now();
  const rt = LfRuntime.fromDefs([def], classes, { textField: opts.textField, nlp: opts.nlp, sandbox: opts.sandbox });
  const n = sample.rows.length;
  const res = rt.applyChunk({ start: 0, rows: sample.rows });
  const votes = res.votes;
  const others = sample.others ?? [];
  const gold = sample.gold;
  const maxEx = opts.maxExamples ?? 5;
  let hits = 0,
    correct = 0,
    incorrect = 0,
    overlaps = 0,
    conflicts = 0;
  const examples: PreviewHit[] = [];
  for (let i = 0; i < n; i++) {
    const v = votes[i];
    if (v === ABSTAIN) continue;
    hits++;
    const g = gold ? gold[i] : ABSTAIN;
    if (g !== ABSTAIN && g !== undefined) {
      if (g === v) correct++;
      else incorrect++;
    }
    let overlap = false,
      conflict = false;
    for (const col of others) {
      const o = col[i];
      if (o === ABSTAIN) continue;
      overlap = true;
      if (o !== v) conflict = true;
    }
    if (overlap) overlaps++;
    if (conflict) conflicts++;
    if (examples.length < maxEx) {
      examples.push({
        row: sample.rowIds ? sample.rowIds[i] : i,
        vote: v,
        label: classes[v],
        gold: g ?? ABSTAIN,
        spans: lfSpans(def, sample.rows[i], 50, opts.textField),
      });
    }
  }
  return {
    n,
    votes,
    coverage: n === 0 ? 0 : hits / n,
    hits,
    accuracy: correct + incorrect === 0 ? null : correct / (correct + incorrect),
    correct,
    incorrect,
    overlaps: n === 0 ? 0 : overlaps / n,
    conflicts: n === 0 ? 0 : conflicts / n,
    examples,
    error: res.errors[0],
    ms: performance.now() - t0,
  };
}
