/**
 * The classifier's ONNX export: write the model in the train worker, predict every row with
 * onnxruntime-web and with tfjs, a block of rows at a time, and compare. The export belongs to the classifier it was made
 * from: once another classifier is on screen (retrained, restored, another project), `result`
 * is null until it is exported again.
 */
import type { ClassifierResult } from './classifier.svelte.ts';
import { maxAbsDiff } from './model-report.ts';
import { errorText } from './errors.ts';
import { isAbort, type ModelDeps } from './model-deps.ts';

/** Rows per block of the check over every row. */
export const ONNX_BLOCK = 20_000;

export interface OnnxResult {
  /** The classifier (its record id) this is the export of. */
  classifierId: string;
  bytes: Uint8Array;
  sidecar: unknown;
  /** Whole dataset, dataset row order. */
  proba: Float32Array;
  maxAbsDiff: number;
  rows: number;
  ms: number;
}

/** What the export needs of the classifier: the one on screen. */
export interface ClassifierSource {
  readonly result: ClassifierResult | null;
}

export class OnnxExportService {
  private exported = $state.raw<OnnxResult | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);

  constructor(
    private readonly deps: ModelDeps,
    private readonly classifier: ClassifierSource,
    /** Rows predicted per block: the texts of one block are in page memory at a time. */
    private readonly block = ONNX_BLOCK,
  ) {}

  /** The export of the classifier on screen, or null. */
  get result(): OnnxResult | null {
    const r = this.exported;
    return r && r.classifierId === this.classifier.result?.id ? r : null;
  }

  /** Export to ONNX, predict every row with onnxruntime-web and with tfjs, compare. */
  async export(): Promise<void> {
    const c = this.classifier.result;
    const { project, jobs } = this.deps;
    if (!c || !project.versionId) {
      this.error = 'Train the classifier first.';
      return;
    }
    const wk = this.deps.trainWorker();
    this.busy = true;
    this.error = null;
    try {
      this.exported = await jobs.run(
        'ONNX export and check',
        async (signal, report) => {
          // The worker calls are short and not interruptible: cancel takes effect between them.
          const stop = () => {
            if (signal.aborted) throw new DOMException('cancelled', 'AbortError');
          };
          const t0 = performance.now();
          report(0.1, 'Writing the ONNX model');
          const { onnx, sidecar } = await wk.api.exportOnnx(c.classifier);
          stop();
          // Every row's text is needed, but a block at a time: only the probabilities are kept.
          const n = project.rowCount;
          const k = c.classifier.model.k;
          const po = new Float32Array(n * k);
          const pt = new Float32Array(n * k);
          for (let from = 0; from < n; from += this.block) {
            const to = Math.min(n, from + this.block);
            const texts = await project.textsOf('all', { from, to, signal });
            if (texts.length !== to - from)
              throw new Error(
                `rows ${from} to ${to - 1} gave ${texts.length} texts instead of ${to - from}; reopen the project and export again`,
              );
            report(
              0.1 + (0.9 * from) / n,
              `onnxruntime-web and tfjs over rows ${from.toLocaleString('en-US')} of ${n.toLocaleString('en-US')}`,
            );
            po.set(await wk.api.predictOnnx(onnx.slice(), c.classifier.features, k, texts), from * k);
            stop();
            pt.set(await wk.api.predictTf(c.classifier, texts), from * k);
            stop();
          }
          return {
            classifierId: c.id,
            bytes: onnx,
            sidecar,
            proba: po,
            maxAbsDiff: maxAbsDiff(po, pt),
            rows: n,
            ms: performance.now() - t0,
          };
        },
        { owner: this },
      );
    } catch (e) {
      this.error = isAbort(e) ? 'The ONNX export was cancelled.' : errorText(e);
    } finally {
      this.busy = false;
    }
  }

  cancel(): void {
    this.deps.jobs.cancelOwner(this);
  }

  /** Drop the export (another dataset version opened). */
  forget(): void {
    this.cancel();
    this.exported = null;
    this.error = null;
  }
}
