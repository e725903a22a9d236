/**
 * What the train worker does, independent of how it is hosted (browser module worker via
 * `train.worker.ts`, or called inline by Node tests): pick the tfjs backend, fit a label model,
 * train the distilled classifier, export it to ONNX and predict with onnxruntime-web. Thin: all
 * the work is in core. Long jobs take a job id so `cancel(jobId)` can abort them, and report
 * progress through a callback (a Comlink proxy in the browser).
 *
 * Big arrays go in and out as typed arrays, transferred (label-matrix columns, probabilities,
 * model weights), never as arrays of JS numbers.
 */
import type * as Ort from 'onnxruntime-web';
import { type BackendChoice, type BackendName, memoryCache, selectBackend } from '../core/backend.ts';
import {
  type DistilledClassifier,
  type DistillResult,
  type EpochReport,
  type FeatureSpec,
  type TrainOptions,
  exportOnnx,
  featurize,
  hashTexts,
  onnxSidecar,
  predictOnnx,
  predictProbaTf,
  predictTexts,
} from '../core/classifier/index.ts';
import { createLabelModel } from '../core/labelmodel/index.ts';
import type { LabelModelName, LabelModelSummary } from '../core/labelmodel/types.ts';
import { explainerOf, type Explainer } from '../core/labelmodel/attribution.ts';
import { LabelMatrix } from '../core/matrix.ts';
import type { Metric } from '../core/types.ts';
import type { ShoalStorage } from '../storage/types.ts';
import { distillStream } from '../core/classifier/distill-stream.ts';
import { arrayTextSource, type TextSource, type TrainingSample } from '../core/classifier/stream.ts';
import { isStoredTexts, storedTextSource, type StoredTexts } from './stored-texts.ts';

export type { StoredTexts };

export type Transfer = <T>(value: T, transferables: Transferable[]) => T;

export interface TrainWorkerDeps {
  /** onnxruntime-web as the host configured it (wasm paths); needed for `predictOnnx`. */
  ort?: typeof Ort;
  /** Comlink.transfer in a worker; identity inline. */
  transfer?: Transfer;
  /** The storage that `StoredTexts` are read from (by database name); needed to train on stored texts. */
  storage?: (dbName?: string) => Promise<ShoalStorage>;
}

/** Texts given as strings, or as rows of a stored dataset version the worker reads itself. */
export type TextsInput = readonly string[] | StoredTexts;

export interface LabelMatrixData {
  n: number;
  k: number;
  /** One Int8Array per LF, -1 = abstain. */
  columns: Int8Array[];
}

export interface FitLabelModelRequest {
  name: LabelModelName;
  train: LabelMatrixData;
  dev?: { L: LabelMatrixData; labels: Int32Array };
  classBalance?: number[];
  seed?: number;
  metric?: Metric;
  /** More matrices (dev, test) to predict with the fitted model; their probabilities come back as `also`. */
  also?: LabelMatrixData[];
}

export interface TrainClassifierRequest {
  /** Every train row's text (n of them, split order), or those rows in storage. */
  texts: TextsInput;
  /** n × k label-model probabilities. */
  proba: Float32Array;
  k: number;
  /** Rows to learn from: those with at least one LF vote. */
  rows: Uint32Array;
  classes?: readonly string[];
  dev?: { texts: TextsInput; labels: Int32Array };
  seed?: number;
  metric?: Metric;
  features?: Partial<FeatureSpec>;
  maxEpochs?: number;
  targets?: 'auto' | 'soft' | 'hard';
  /** More of core's training knobs (the Model screen's settings); unset ones keep core's defaults. */
  training?: Pick<TrainOptions, 'patience' | 'learningRate' | 'l2' | 'batchSize' | 'optimizer' | 'engine'>;
  /** Most hashed feature entries the training rows may hold (core/classifier/stream.ts `DEFAULT_FEATURE_BUDGET`). */
  featureBudget?: number;
}

export interface TrainClassifierResult {
  classifier: DistilledClassifier;
  bestEpoch: number;
  bestDevScore?: number;
  history: EpochReport[];
  /** Whether the kept run fitted the probabilities ('soft') or their argmax ('hard'). */
  targets: 'soft' | 'hard';
  candidates: DistillResult['candidates'];
  backend: string;
  ms: number;
  /** Training rows learned from: `rows`, or the sample of them that fits the feature budget. */
  trainRows: number;
  /** Set when the rows were sampled; `sampleNote` says so in one sentence. */
  sample?: TrainingSample;
  sampleNote?: string;
}

export function createTrainWorkerApi(deps: TrainWorkerDeps = {}) {
  const transfer: Transfer = deps.transfer ?? ((v) => v);
  const jobs = new Map<string, AbortController>();

  const start = (jobId: string) => {
    jobs.get(jobId)?.abort();
    const ac = new AbortController();
    jobs.set(jobId, ac);
    return ac;
  };
  const finish = (jobId: string, ac: AbortController) => {
    if (jobs.get(jobId) === ac) jobs.delete(jobId);
  };
  const sourceOf = async (t: TextsInput): Promise<TextSource> => {
    if (!isStoredTexts(t)) return arrayTextSource(t);
    if (!deps.storage) throw new Error('this worker was created without storage; it cannot read stored texts');
    return storedTextSource(await deps.storage(t.dbName), t);
  };

  return {
    /**
     * Measure (or recall) the fastest tfjs backend. Workers have no localStorage, so the page
     * passes the cached value in and stores the returned one.
     */
    async selectBackend(cached: string | null = null, force?: BackendName): Promise<{ choice: BackendChoice; cacheValue: string | null }> {
      const cache = memoryCache();
      if (cached !== null) cache.setItem('backend', cached);
      const choice = await selectBackend({ cache, cacheKey: 'backend', force });
      return { choice, cacheValue: cache.getItem('backend') };
    },

    async fitLabelModel(
      jobId: string,
      req: FitLabelModelRequest,
      onProgress?: (fraction: number, message?: string) => void,
    ): Promise<{ proba: Float32Array; summary: LabelModelSummary; also: Float32Array[]; explainer: Explainer }> {
      const ac = start(jobId);
      try {
        const L = new LabelMatrix(req.train.n, req.train.k, req.train.columns);
        const devL = req.dev ? new LabelMatrix(req.dev.L.n, req.dev.L.k, req.dev.L.columns) : undefined;
        const model = createLabelModel(req.name);
        await model.fit(L, {
          devL,
          devY: req.dev?.labels,
          classBalance: req.classBalance,
          seed: req.seed,
          metric: req.metric,
          signal: ac.signal,
          onProgress,
        });
        const proba = model.predictProba(L);
        const also = (req.also ?? []).map((m) => model.predictProba(new LabelMatrix(m.n, m.k, m.columns)));
        // The per-LF terms of the fitted parameters (small: LFs × classes²), for the row view's attribution.
        const explainer = explainerOf(model);
        const buffers = [proba.buffer, ...also.map((a) => a.buffer as ArrayBuffer)];
        if (explainer.kind === 'log-linear') buffers.push(explainer.weights.buffer as ArrayBuffer);
        return transfer({ proba, summary: model.summary(), also, explainer }, buffers);
      } finally {
        finish(jobId, ac);
      }
    },

    async trainClassifier(
      jobId: string,
      req: TrainClassifierRequest,
      onProgress?: (e: EpochReport & { targets: 'soft' | 'hard' }) => void,
      onFeaturize?: (fraction: number, message: string) => void,
    ): Promise<TrainClassifierResult> {
      const ac = start(jobId);
      try {
        await selectBackend();
        // The texts stream (one stored chunk at a time): only the training rows' features are
        // held, within the feature budget (core/classifier/stream.ts).
        const source = await sourceOf(req.texts);
        const dev = req.dev ? { source: await sourceOf(req.dev.texts), labels: req.dev.labels } : undefined;
        const { classifier, train, candidates, trainRows, sample, sampleNote } = await distillStream(
          {
            source,
            proba: req.proba,
            k: req.k,
            rows: req.rows,
            classes: req.classes,
            dev,
          },
          {
            ...req.training,
            seed: req.seed,
            metric: req.metric,
            features: req.features,
            maxEpochs: req.maxEpochs,
            targets: req.targets,
            featureBudget: req.featureBudget,
            signal: ac.signal,
            onProgress,
            onFeaturize,
          },
        );
        const result: TrainClassifierResult = {
          classifier,
          bestEpoch: train.bestEpoch,
          bestDevScore: train.bestDevScore,
          history: train.history,
          targets: train.targets,
          candidates,
          backend: train.backend,
          ms: candidates.reduce((t, c) => t + c.ms, 0),
          trainRows,
          ...(sample ? { sample, sampleNote } : {}),
        };
        return transfer(result, classifierBuffers(classifier));
      } finally {
        finish(jobId, ac);
      }
    },

    /** Abort a running job; it rejects with an AbortError. Unknown ids are ignored. */
    cancel(jobId: string): void {
      jobs.get(jobId)?.abort();
    },

    /** Probabilities (n × k) with the pure typed-array path. */
    predict(classifier: DistilledClassifier, texts: readonly string[]): Float32Array {
      const p = predictTexts(classifier, texts);
      return transfer(p, [p.buffer]);
    },

    /** `predict` over rows of a stored dataset version, read by the worker itself. */
    async predictStored(classifier: DistilledClassifier, texts: StoredTexts): Promise<Float32Array> {
      // A stored chunk's texts at a time: dev and test rows are scattered over every chunk, so
      // the worker predicts each chunk's rows as it reads them instead of gathering all texts first.
      const k = classifier.classes.length;
      const p = new Float32Array(texts.rows.length * k);
      let at = 0;
      for await (const slice of (await sourceOf(texts)).slices()) {
        p.set(predictTexts(classifier, slice), at * k);
        at += slice.length;
      }
      if (at !== texts.rows.length) throw new Error(`read ${at} of ${texts.rows.length} stored texts; predict again`);
      return transfer(p, [p.buffer]);
    },

    /** Probabilities (n × k) through the tfjs graph: the reference the ONNX export is checked against. */
    async predictTf(classifier: DistilledClassifier, texts: readonly string[]): Promise<Float32Array> {
      await selectBackend();
      const p = await predictProbaTf(classifier.model, featurize(classifier, texts));
      return transfer(p, [p.buffer]);
    },

    exportOnnx(classifier: DistilledClassifier): { onnx: Uint8Array; sidecar: ReturnType<typeof onnxSidecar> } {
      const onnx = exportOnnx(classifier);
      return transfer({ onnx, sidecar: onnxSidecar(classifier) }, [onnx.buffer as ArrayBuffer]);
    },

    /** Run an exported model over texts with onnxruntime-web (hashing as the sidecar says). */
    async predictOnnx(onnx: Uint8Array, features: FeatureSpec, k: number, texts: readonly string[]): Promise<Float32Array> {
      if (!deps.ort) throw new Error('this worker was created without onnxruntime-web');
      const p = await predictOnnx(deps.ort, onnx, hashTexts(texts, features), k);
      return transfer(p, [p.buffer]);
    },
  };
}

export type TrainWorkerApi = ReturnType<typeof createTrainWorkerApi>;

/** The API as a caller on the other side of a worker sees it: every call returns a promise. */
export type TrainWorkerCalls = {
  [K in keyof TrainWorkerApi]: TrainWorkerApi[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/**
 * What the app needs of a train worker, wherever it runs: its calls, the tfjs backend it uses,
 * and how a callback (progress) is handed to it — `Comlink.proxy` across a worker boundary, the
 * function itself when the API runs in this thread.
 */
export interface TrainWorkerPort {
  readonly api: TrainWorkerCalls;
  backend(): Promise<BackendChoice>;
  callback<F extends (...args: never[]) => void>(fn: F): F;
  /** `value` sent with `buffers` moved, not copied, into the worker (the sender must not use them after). */
  transfer<T>(value: T, buffers: Transferable[]): T;
}

/** The train worker's API called in this thread (Node tests and tools): same calls, no worker. */
export function inlineTrainWorker(deps: TrainWorkerDeps = {}): TrainWorkerPort {
  const api = createTrainWorkerApi(deps);
  // Every call answers with a promise, as it does across a worker.
  const calls = Object.fromEntries(
    Object.entries(api).map(([name, fn]) => [name, async (...args: unknown[]) => (fn as (...a: unknown[]) => unknown)(...args)]),
  ) as TrainWorkerCalls;
  let backend: Promise<BackendChoice> | null = null;
  return {
    api: calls,
    backend: () => (backend ??= api.selectBackend(null).then((r) => r.choice)),
    callback: (fn) => fn,
    transfer: (value) => value,
  };
}

function classifierBuffers(c: DistilledClassifier): ArrayBuffer[] {
  return [c.vocab.remap.buffer, c.vocab.idf.buffer, c.model.weights.buffer, c.model.bias.buffer] as ArrayBuffer[];
}
