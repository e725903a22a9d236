/**
 * What an LF worker does, independent of how it is hosted: a browser module worker
 * (`lf.worker.ts`), a Node worker thread (the CLI), or the caller's own thread (the inline pool
 * used by unit tests). The pool (`pool.ts`) drives it: `init` compiles an LF set once per job,
 * `run` applies it to one chunk and returns the votes as one transferable Int8Array.
 *
 * A worker can read its chunks itself (`remote` sources, e.g. straight from IndexedDB) so rows
 * never pass through the page's thread; readers are registered by kind with
 * `registerChunkReader` in the worker's entry module.
 *
 * Watchdog: before each phase the worker writes the LF it is about to run into a shared
 * Int32Array (when SharedArrayBuffer exists), so the pool can tell which LF hung or crashed the
 * worker without asking it (a worker stuck in a synchronous loop cannot answer).
 */
import type { OverlapCounts } from '../core/labelmodel/overlap.ts';
import {
  LfRuntime,
  fieldsRead,
  isColumnChunk,
  loadNlp,
  moduleEntry,
  needsNlp,
  previewLf,
  unpackRows,
  type ColumnChunk,
  type LfDef,
  type LfErrorInfo,
  type LfPreview,
  type ModuleLf,
  type NlpFn,
  type PreviewOptions,
  type PreviewSample,
  type RowChunk,
} from '../core/lf/index.ts';
import type { LfSandbox } from '../core/lf/sandbox.ts';
import { OverlapAccumulator } from './pool-stats.ts';

/** An LF set to run: definitions (the app) or a JS module of functions (the CLI). */
export type LfSetSpec =
  | { readonly kind: 'defs'; readonly defs: readonly LfDef[]; readonly classes: readonly string[]; readonly textField?: string }
  | {
      readonly kind: 'module';
      /** URL the worker can `import()` (a file: URL in Node). */
      readonly url: string;
      /** Overrides the module's `classes` export. */
      readonly classes?: readonly string[];
      readonly textField?: string;
      /** Load compromise before running (module functions cannot be inspected for helper use). */
      readonly nlp?: boolean;
    };

/** A chunk source the worker resolves itself: a registered reader kind and its cloneable params. */
export interface RemoteChunkSource {
  readonly kind: string;
  readonly params: unknown;
}

export interface LfSetInfo {
  readonly names: readonly string[];
  readonly classes: readonly string[];
  readonly compileErrors: readonly (LfErrorInfo | null)[];
}

/** One chunk's votes as sent back to the pool (`votes` is LF-major, `lfs.length × rows`). */
export interface WireChunkResult {
  readonly start: number;
  readonly rows: number;
  readonly lfs: readonly number[];
  readonly votes: Int8Array;
  readonly errors: readonly (LfErrorInfo | null)[];
  readonly ms: readonly number[];
}

/** Status slots in the shared watchdog array. */
export const STATUS_SEQ = 0;
export const STATUS_LF = 1;
/** Written to STATUS_LF while a multi-LF phase (the template pass) runs. */
export const STATUS_MANY = -2;
/** Written to STATUS_LF between phases. */
export const STATUS_IDLE = -1;

/** Per-job options of `init`. */
export interface LfJobOptions {
  /** Accumulate the overlap counts of every chunk's votes (pool-stats.ts), fetched by `takeStats`. */
  readonly stats?: boolean;
}

export interface LfWorkerApi {
  init(spec: LfSetSpec, status: Int32Array | null, remote: RemoteChunkSource | null, job?: LfJobOptions): Promise<LfSetInfo>;
  /** Apply to a chunk: rows, rows packed column-wise (cheaper to post), or an index to read remotely. */
  run(chunk: RowChunk | ColumnChunk | number, only: readonly number[] | null): Promise<WireChunkResult>;
  /** The overlap counts of the votes this worker produced since `init({ stats: true })` (null without). */
  takeStats?(): Promise<OverlapCounts | null>;
  preview(def: LfDef, classes: readonly string[], sample: PreviewSample, opts?: Omit<PreviewOptions, 'nlp'>): Promise<LfPreview>;
}

/** Reads chunk `index`; `fields` are the fields the LFs read (null: all), the rest may be left out. */
export type ChunkReader = (index: number, fields: readonly string[] | null) => Promise<RowChunk | ColumnChunk>;
const readers = new Map<string, (params: unknown) => ChunkReader | Promise<ChunkReader>>();

/** Make `remote` sources of this kind readable inside this worker. */
export function registerChunkReader(kind: string, open: (params: unknown) => ChunkReader | Promise<ChunkReader>): void {
  readers.set(kind, open);
}

/** Open a registered reader outside an LF worker (the chunk server of isolated LF workers, chunk-relay.ts). */
export async function openChunkReader(kind: string, params: unknown): Promise<ChunkReader> {
  const open = readers.get(kind);
  if (!open) throw new Error(`no chunk reader for "${kind}" is registered here`);
  return open(params);
}

/** How the host wants transferable results wrapped (Comlink.transfer in real workers). */
export type TransferFn = <T>(value: T, transferables: ArrayBuffer[]) => T;

export interface WorkerApiOptions {
  readonly transfer?: TransferFn;
  /** Freeze rows before code LFs see them (true in real workers, whose rows are private copies). */
  readonly freezeRows?: boolean;
  /**
   * Where code LFs compile (src/core/lf/hardened-realm.ts), asked for only when a set has one:
   * hardening locks the whole realm down. Absent (the page's template workers), code LFs fail
   * to compile with a sentence saying they run only in the sandbox.
   */
  readonly sandbox?: () => LfSandbox;
}

function validateModule(
  mod: Record<string, unknown>,
  url: string,
  classesOverride?: readonly string[],
): { entries: ModuleLf[]; classes: string[] } {
  const classes = classesOverride ?? mod.classes;
  if (!Array.isArray(classes) || classes.length < 2 || !classes.every((c) => typeof c === 'string')) {
    throw new Error(`${url} must export \`classes\`, an array of at least two class names (e.g. export const classes = ['ham', 'spam'])`);
  }
  const list = mod.default ?? mod.lfs;
  if (!Array.isArray(list) || list.length === 0) {
    throw new Error(`${url} must \`export default\` a non-empty array of LFs like { name: 'mentions_free', apply: (x) => ... }`);
  }
  const seen = new Set<string>();
  // Each entry is a function LF or a template declared as data (core/lf/module-lfs.ts).
  const entries = list.map((lf: unknown, j: number): ModuleLf => {
    const e = moduleEntry(lf, j, url);
    if (seen.has(e.name)) throw new Error(`${url}: two LFs are named "${e.name}"; names must be unique`);
    seen.add(e.name);
    return e;
  });
  return { entries, classes: classes as string[] };
}

/** The worker-side implementation, hosted by a worker entry or used inline. */
export function createLfWorkerApi(opts: WorkerApiOptions = {}): LfWorkerApi {
  const transfer: TransferFn = opts.transfer ?? ((v) => v);
  let runtime: LfRuntime | null = null;
  let status: Int32Array | null = null;
  let reader: ChunkReader | null = null;
  let nlp: NlpFn | null = null;
  let stats: OverlapAccumulator | null = null;
  let fields: readonly string[] | null = null;

  const publish = (lfs: readonly number[]) => {
    if (!status) return;
    Atomics.store(status, STATUS_LF, lfs.length === 1 ? lfs[0] : STATUS_MANY);
    Atomics.add(status, STATUS_SEQ, 1);
  };

  return {
    async init(spec, sharedStatus, remote, job) {
      status = sharedStatus;
      reader = null;
      runtime = null;
      stats = null;
      if (remote) {
        const open = readers.get(remote.kind);
        if (!open) throw new Error(`this worker cannot read chunks of kind "${remote.kind}" (no reader registered)`);
        reader = await open(remote.params);
      }
      const wantNlp = spec.kind === 'module' ? spec.nlp === true : spec.defs.some((d) => d.kind === 'code' && needsNlp(d.source));
      if (wantNlp && !nlp) nlp = await loadNlp();
      const sandbox = spec.kind === 'defs' && spec.defs.some((d) => d.kind === 'code') ? (opts.sandbox?.() ?? null) : null;
      const common = { textField: spec.textField, nlp, freezeRows: opts.freezeRows ?? false, sandbox };
      fields = spec.kind === 'defs' ? fieldsRead(spec.defs, spec.textField ?? 'text') : null;
      if (spec.kind === 'defs') runtime = LfRuntime.fromDefs(spec.defs, spec.classes, common);
      else {
        const mod = (await import(/* @vite-ignore */ spec.url)) as Record<string, unknown>;
        const { entries, classes } = validateModule(mod, spec.url, spec.classes);
        runtime = LfRuntime.fromModule(entries, classes, common);
      }
      if (job?.stats) stats = new OverlapAccumulator(runtime.names.length, runtime.classes.length);
      return { names: runtime.names, classes: runtime.classes, compileErrors: runtime.compileErrors };
    },

    async run(chunk, only) {
      if (!runtime) throw new Error('run() before init()');
      const got = typeof chunk === 'number' ? await readChunk(chunk) : chunk;
      const c = isColumnChunk(got) ? { start: got.start, rows: unpackRows(got) } : got;
      try {
        const r = runtime.applyChunk(c, { only: only ?? undefined, onPhase: publish });
        stats?.addChunk(r.votes, r.rows, r.lfs);
        const out: WireChunkResult = { start: c.start, rows: r.rows, lfs: r.lfs, votes: r.votes, errors: r.errors, ms: r.ms };
        return transfer(out, [r.votes.buffer as ArrayBuffer]);
      } finally {
        if (status) {
          Atomics.store(status, STATUS_LF, STATUS_IDLE);
          Atomics.add(status, STATUS_SEQ, 1);
        }
      }
    },

    async takeStats() {
      if (!stats) return null;
      const s = stats.take();
      return transfer(s, [s.counts.buffer as ArrayBuffer]);
    },

    async preview(def, classes, sample, popts) {
      if (!nlp && def.kind === 'code' && needsNlp(def.source)) nlp = await loadNlp();
      const sandbox = def.kind === 'code' ? (opts.sandbox?.() ?? null) : null;
      const p = previewLf(def, sample, classes, { ...popts, nlp, sandbox });
      return transfer(p, [p.votes.buffer as ArrayBuffer]);
    },
  };

  async function readChunk(index: number): Promise<RowChunk | ColumnChunk> {
    if (!reader) throw new Error(`chunk ${index} was requested by index but this job has no remote chunk source`);
    return reader(index, fields);
  }
}
