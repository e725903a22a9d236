/**
 * The word index of the open dataset version, as a service: builds it in the background once a
 * dataset is large enough for a full scan to be slow, and answers the LFs it can (core/text-index:
 * case-insensitive whole-word keyword and lookup LFs) from it, with exactly the votes a scan
 * would give. An LF edit on 500,000 long documents then reads a few posting lists instead of
 * every stored note. LFs it cannot answer run in the workers as before.
 *
 * The builder is injected: the page's runs in a worker that reads and writes IndexedDB itself
 * (`browserTextIndexBuild`); Node tests build inline over the in-memory storage.
 */
import { lfHash } from '../core/lf/hash.ts';
import type { LfDef } from '../core/lf/index.ts';
import { LfRuntime } from '../core/lf/runtime.ts';
import { indexPlan, votesFromIndex } from '../core/text-index/answer.ts';
import { ShardReader, shardOf, TEXT_INDEX_FORMAT, type TextIndexMeta } from '../core/text-index/index.ts';
import { ShoalError } from '../core/types.ts';
import type { DatasetVersionRecord, ShoalStorage } from '../storage/types.ts';
import type { LfApplyOutcome } from '../workers/pool.ts';
import type { TextIndexWorkerApi } from '../workers/text-index.worker.ts';
import type { JobRunner } from './import-flow.ts';
import { inJobWorker } from './job-worker.ts';

/** Builds and stores the index of `version` (reading its rows itself); resolves with its meta. */
export type TextIndexBuild = (
  version: DatasetVersionRecord,
  storage: ShoalStorage,
  field: string,
  opts: { signal: AbortSignal; onProgress: (done: number, total: number) => void },
) => Promise<TextIndexMeta>;

export interface TextIndexDeps {
  build: TextIndexBuild;
  jobs: JobRunner;
  /** Smaller datasets are scanned in well under a second: no index is built for them. */
  minRows: number;
}

/** Below this many rows a scan is fast enough that an index is not worth its disk. */
export const TEXT_INDEX_MIN_ROWS = 50_000;

export interface IndexAnswer {
  /** Outcomes of the LFs the index answered, by LF id (the same shape a pool run gives). */
  readonly answered: ReadonlyMap<string, LfApplyOutcome>;
  /** The LFs left for the workers, in the order given. */
  readonly rest: readonly LfDef[];
}

const SHARD_CACHE = 8;

export class TextIndex {
  /** The version whose index is built and usable (null: none yet): what the LF editor tells the user. */
  readyFor = $state<string | null>(null);
  /** The version whose index is building, so a second open does not start another build. */
  private building: string | null = null;
  /** Decoded shards of the last version asked, most recent last. */
  private shards = new Map<string, ShardReader>();
  private shardsOf: string | null = null;

  constructor(private readonly deps: TextIndexDeps) {}

  /**
   * Start building the index of `version` in the background when it has none and is large
   * enough. Returns the build (null when none starts); a failure or a cancel leaves LFs scanned,
   * so callers need not wait for it.
   */
  ensure(version: DatasetVersionRecord, storage: ShoalStorage, field: string): Promise<TextIndexMeta | null> | null {
    if (version.rowCount < this.deps.minRows || this.building === version.id) return null;
    this.building = version.id;
    const work = (async () => {
      const meta = await storage.getTextIndexMeta(version.id);
      if (usable(meta, version, field)) {
        this.readyFor = version.id;
        return meta;
      }
      const label = 'Indexing words for instant keyword LFs';
      const built = await this.deps.jobs.run(
        label,
        (signal, report) =>
          this.deps.build(version, storage, field, {
            signal,
            onProgress: (done, total) =>
              report(total ? done / total : 1, `${label}: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows`),
          }),
        { owner: this },
      );
      this.readyFor = version.id;
      return built;
    })();
    return work.finally(() => {
      if (this.building === version.id) this.building = null;
    });
  }

  /** Whether saving `def` on version `versionId` is answered from its built index (no pass over the rows). */
  answers(def: LfDef, versionId: string, textField: string): boolean {
    return this.readyFor === versionId && indexPlan(def, textField, textField) !== null;
  }

  /**
   * Answer what the index can of `defs` on `version`. Without a usable index every LF is left
   * for the workers. An LF the runtime would refuse (e.g. an unknown class) is left too, so its
   * error comes from the same place as always.
   */
  async answer(
    defs: readonly LfDef[],
    classes: readonly string[],
    version: DatasetVersionRecord,
    storage: ShoalStorage,
    textField: string,
  ): Promise<IndexAnswer> {
    const none: IndexAnswer = { answered: new Map(), rest: defs };
    const plans = defs.map((d) => indexPlan(d, textField, textField));
    if (!plans.some((p) => p !== null)) return none;
    const meta = await storage.getTextIndexMeta(version.id);
    if (!usable(meta, version, textField)) return none;
    const answered = new Map<string, LfApplyOutcome>();
    const rest: LfDef[] = [];
    for (let j = 0; j < defs.length; j++) {
      const def = defs[j];
      const plan = plans[j];
      const t0 = performance.now();
      const vote = plan ? voteOf(def, plan.terms, classes, textField) : null;
      if (!plan || vote === null) {
        rest.push(def);
        continue;
      }
      // Shard by shard: a lookup list of thousands of values reads each shard once, not once a term.
      const rows = new Map<string, Int32Array>();
      const byShard = new Map<number, string[]>();
      for (const t of plan.terms) byShard.set(shardOf(t), [...(byShard.get(shardOf(t)) ?? []), t]);
      for (const [shard, terms] of byShard) {
        const reader = await this.shard(version.id, storage, shard);
        for (const t of terms) rows.set(t, reader.rows(t));
      }
      const votes = votesFromIndex(plan, version.rowCount, vote, (t) => rows.get(t)!);
      answered.set(def.id, { name: def.name, hash: lfHash(def, classes), votes, error: null, failed: false, ms: performance.now() - t0 });
    }
    return { answered, rest };
  }

  private async shard(versionId: string, storage: ShoalStorage, shard: number): Promise<ShardReader> {
    if (this.shardsOf !== versionId) {
      this.shards = new Map();
      this.shardsOf = versionId;
    }
    const key = String(shard);
    const hit = this.shards.get(key);
    if (hit) {
      this.shards.delete(key);
      this.shards.set(key, hit);
      return hit;
    }
    const data = await storage.getTextIndexShard(versionId, shard);
    if (!data)
      throw new ShoalError(`the word index of this dataset is missing shard ${shard}; it will be rebuilt when the project is opened again`);
    const reader = new ShardReader(data);
    this.shards.set(key, reader);
    if (this.shards.size > SHARD_CACHE) this.shards.delete(this.shards.keys().next().value!);
    return reader;
  }
}

function usable(meta: TextIndexMeta | undefined, version: DatasetVersionRecord, field: string): meta is TextIndexMeta {
  return meta !== undefined && meta.format === TEXT_INDEX_FORMAT && meta.rowCount === version.rowCount && meta.field === field;
}

/**
 * The class index `def` votes, from the runtime itself (so class names resolve exactly as in a
 * run): a one-row text holding every term fires any keyword LF the index answers. Null when the
 * runtime refuses the LF.
 */
function voteOf(def: LfDef, terms: readonly string[], classes: readonly string[], textField: string): number | null {
  const rt = LfRuntime.fromDefs([def], classes, { textField });
  if (rt.compileErrors[0]) return null;
  if (terms.length === 0) return -1;
  const v = rt.applyChunk({ start: 0, rows: [{ [textField]: terms.join(' ') }] }).votes[0];
  return v >= 0 ? v : null;
}

/** The page's builder: one worker per build (job-worker.ts), reading and writing IndexedDB itself; a cancel terminates it. */
export function browserTextIndexBuild(dbName?: string): TextIndexBuild {
  return (version, _storage, field, { signal, onProgress }) =>
    inJobWorker<TextIndexWorkerApi, TextIndexMeta>(
      () => new Worker(new URL('../workers/text-index.worker.ts', import.meta.url), { type: 'module', name: 'shoal-text-index' }),
      signal,
      { aborted: 'the word index was cancelled', stopped: 'the word-index worker stopped' },
      (remote, Comlink) => remote.build(dbName, version.id, field, Comlink.proxy(onProgress)),
    );
}
