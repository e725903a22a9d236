/**
 * A small synthetic project for the model services' unit tests (label-model.test.ts,
 * classifier.test.ts, onnx-export.test.ts): rows of short texts with a hidden label, four LFs of
 * known accuracy voting on them, gold on dev and test, a dataset version committed to the
 * in-memory storage, and a `ModelProjectView` over it (whose stored-text references the inline
 * train worker reads from that storage) that a test can change (new votes, an
 * edited LF, new gold) the way the session does. Seeded: the same seed gives the same project.
 */
import { LabelMatrix } from '../core/matrix.ts';
import { mulberry32 } from '../core/rng.ts';
import { createMemoryStorage, type MemoryFaults, type MemoryStorage } from '../storage/memory.ts';
import { inlineTrainWorker, type TrainWorkerDeps, type TrainWorkerPort } from '../workers/train-worker-api.ts';
import { Jobs } from './jobs.svelte.ts';
import type { ModelDeps } from './model-deps.ts';
import type { ModelProjectView, ModelVotes, TextRange, TextScope } from './model-view.ts';
import { SPLIT_NAMES, type Split, type SplitIndex } from './project.ts';

const WORDS = [
  ['meeting', 'report', 'schedule', 'project', 'notes', 'agenda', 'review'],
  ['win', 'prize', 'money', 'free', 'offer', 'cash', 'bonus'],
];

export interface LfSpec {
  id: string;
  /** Probability that a vote is the true label, and that the LF votes at all. */
  acc: number;
  cov: number;
}

export const DEFAULT_LFS: LfSpec[] = [
  { id: 'lf_a', acc: 0.9, cov: 0.6 },
  { id: 'lf_b', acc: 0.8, cov: 0.5 },
  { id: 'lf_c', acc: 0.75, cov: 0.7 },
  { id: 'lf_d', acc: 0.85, cov: 0.4 },
];

/** A `ModelProjectView` whose fields a test may replace, as the session replaces its own. */
export interface TestView extends ModelProjectView {
  projectId: string | null;
  versionId: string | null;
  votes: ModelVotes | null;
  gold: Record<Split, Int32Array>;
  goldVersion: number;
  lfsRunning: boolean;
}

export interface SyntheticProject {
  storage: MemoryStorage;
  view: TestView;
  jobs: Jobs;
  /** The hidden label of every row, dataset order. */
  y: Int32Array;
  /** Every `textsOf` call so far: which scope and range a service read. */
  textReads: { scope: TextScope; from: number; to: number | null }[];
  /** Replace the votes: these LFs (a new hash for an edited one), a new votes version. */
  setLfs(lfs: readonly LfSpec[], hashes?: Readonly<Record<string, string>>): void;
  /** Dependencies for a service, with the inline train worker unless one is given. */
  deps(over?: Partial<ModelDeps>): ModelDeps;
}

export interface SyntheticOptions {
  /** Rows in all; every fifth is dev, every fifth test, the rest train. */
  n?: number;
  seed?: number;
  faults?: MemoryFaults;
  worker?: TrainWorkerDeps;
  /**
   * Whether the view hands the train worker stored-text references (default true, as in the
   * browser; the inline worker reads them from this in-memory storage), or none, so the
   * services read the texts with `textsOf` and send them.
   */
  storedTexts?: boolean;
}

let votesVersion = 0;

export async function syntheticProject(opts: SyntheticOptions = {}): Promise<SyntheticProject> {
  const n = opts.n ?? 300;
  const rnd = mulberry32(opts.seed ?? 1);
  const y = Int32Array.from({ length: n }, () => (rnd() < 0.4 ? 1 : 0));
  const texts = Array.from(y, (c) =>
    Array.from({ length: 6 }, () => {
      const from = rnd() < 0.85 ? c : 1 - c;
      return WORDS[from][Math.floor(rnd() * WORDS[from].length)];
    }).join(' '),
  );
  const split = Uint8Array.from({ length: n }, (_, i) => [0, 0, 0, 1, 2][i % 5]);
  const splitIndex = Object.fromEntries(
    SPLIT_NAMES.map((s, code) => [s, Uint32Array.from(Array.from(split.keys()).filter((i) => split[i] === code))]),
  ) as unknown as SplitIndex;
  const classes = ['ham', 'spam'];

  const storage = createMemoryStorage(opts.faults);
  const project = await storage.createProject('synthetic');
  const pending = await storage.beginImport({
    projectId: project.id,
    name: 'synthetic',
    source: { fileNames: ['synthetic.csv'], format: 'csv', bytes: 1 },
  });
  await storage.putRowChunk(
    pending.versionId,
    0,
    texts.map((text) => ({ text })),
  );
  const gold8 = Int8Array.from(y, (c, i) => (split[i] === 0 ? -1 : c));
  await storage.commitImport(pending.versionId, {
    rowCount: n,
    chunkCount: 1,
    rowsPerChunk: n,
    columns: [{ name: 'text', kind: 'string' }],
    textFields: ['text'],
    fields: ['text'],
    classes,
    splitCounts: { train: splitIndex.train.length, dev: splitIndex.dev.length, test: splitIndex.test.length },
    skippedRows: 0,
    notes: [],
    gold: gold8,
    split,
  });

  const gold = Object.fromEntries(SPLIT_NAMES.map((s) => [s, Int32Array.from(splitIndex[s], (i) => gold8[i])])) as Record<
    Split,
    Int32Array
  >;
  let hashes: string[] = [];
  const textReads: { scope: TextScope; from: number; to: number | null }[] = [];

  const view: TestView = {
    projectId: project.id,
    versionId: pending.versionId,
    rowCount: n,
    classes,
    votes: null,
    gold,
    goldVersion: 0,
    lfsRunning: false,
    splitIndex,
    lfHashes: () => hashes.slice(),
    async textsOf(scope: TextScope, range: TextRange = {}) {
      if (range.signal?.aborted) throw new DOMException('the read was cancelled', 'AbortError');
      textReads.push({ scope, from: range.from ?? 0, to: range.to ?? null });
      const all = scope === 'all' ? texts : Array.from(splitIndex[scope], (i) => texts[i]);
      return all.slice(range.from ?? 0, range.to ?? all.length);
    },
    storedTexts(split: Split, at?: readonly number[]) {
      if (opts.storedTexts === false || !view.versionId) return null;
      const idx = splitIndex[split];
      const rows = at ? Uint32Array.from(at, (i) => idx[i]) : idx.slice();
      return { kind: 'stored-texts', versionId: view.versionId, field: 'text', rows };
    },
  };

  const setLfs = (lfs: readonly LfSpec[], named: Readonly<Record<string, string>> = {}) => {
    const vr = mulberry32(lfs.length * 7919 + (opts.seed ?? 1));
    const full = lfs.map((lf) => Int8Array.from(y, (c) => (vr() < lf.cov ? (vr() < lf.acc ? c : 1 - c) : -1)));
    const of = (s: Split) => {
      const idx = splitIndex[s];
      return new LabelMatrix(
        idx.length,
        classes.length,
        full.map((col) => Int8Array.from(idx, (i) => col[i])),
      );
    };
    hashes = lfs.map((lf) => named[lf.id] ?? `hash-${lf.id}`);
    view.votes = {
      version: ++votesVersion,
      lfIds: lfs.map((lf) => lf.id),
      lfNames: lfs.map((lf) => lf.id),
      train: of('train'),
      dev: of('dev'),
      test: of('test'),
    };
  };
  setLfs(DEFAULT_LFS);

  const jobs = new Jobs();
  let worker: TrainWorkerPort | null = null;
  return {
    storage,
    view,
    jobs,
    y,
    textReads,
    setLfs,
    deps: (over = {}) => ({
      storage,
      project: view,
      jobs,
      trainWorker: () => (worker ??= inlineTrainWorker({ storage: async () => storage, ...opts.worker })),
      ...over,
    }),
  };
}

/** A timer a test fires by hand: what would run after a pause runs when the test says so. */
export function manualTimer(): { later: NonNullable<ModelDeps['later']>; pending: () => number; fire: () => void } {
  let waiting: { fn: () => void; ms: number }[] = [];
  return {
    later: (fn, ms) => {
      const t = { fn, ms };
      waiting.push(t);
      return () => {
        waiting = waiting.filter((w) => w !== t);
      };
    },
    pending: () => waiting.length,
    fire: () => {
      const due = waiting;
      waiting = [];
      for (const t of due) t.fn();
    },
  };
}

/**
 * The inline train worker with its label-model fits held until cancelled: each `fitLabelModel`
 * waits, and rejects with an AbortError when `cancel(jobId)` names it, as a worker's fit does.
 * `release()` lets held and later fits run.
 */
export function holdingTrainWorker(inner: TrainWorkerPort): {
  port: TrainWorkerPort;
  held: () => string[];
  cancelled: string[];
  release: () => void;
} {
  const waiting = new Map<string, { go: () => void; stop: (e: unknown) => void }>();
  const cancelled: string[] = [];
  let open = false;
  const port: TrainWorkerPort = {
    backend: () => inner.backend(),
    callback: (fn) => fn,
    transfer: (value) => value,
    api: {
      ...inner.api,
      fitLabelModel: async (jobId, req, onProgress) => {
        if (!open)
          await new Promise<void>((go, stop) => {
            waiting.set(jobId, { go, stop });
          });
        return inner.api.fitLabelModel(jobId, req, onProgress);
      },
      cancel: async (jobId) => {
        cancelled.push(jobId);
        const w = waiting.get(jobId);
        waiting.delete(jobId);
        w?.stop(new DOMException('cancelled', 'AbortError'));
        return inner.api.cancel(jobId);
      },
    },
  };
  return {
    port,
    held: () => [...waiting.keys()],
    cancelled,
    release: () => {
      open = true;
      for (const w of waiting.values()) w.go();
      waiting.clear();
    },
  };
}
