/**
 * Project plumbing the session builds on, kept free of Svelte and of the browser so it runs on
 * the in-memory storage twin in unit tests: LF definitions ⇄ stored LF records, per-split row
 * indexes, the label matrices of the enabled LFs, unique LF names, and the demo as an import.
 *
 * LF records store the whole `LfDef` as `config` (ids are per record, so two demo projects do
 * not share LF ids) and the vote-cache key `lfHash(def, classes)` as `sourceHash`.
 */
import { clipText, MAX_LF_TEXT } from '../core/lf/sandbox.ts';
import { lfHash } from '../core/lf/hash.ts';
import type { LfDef } from '../core/lf/types.ts';
import { LabelMatrix } from '../core/matrix.ts';
import type { LfKind as StoredKind, LfRecord, ShoalStorage, VoteRecord } from '../storage/types.ts';
import { newId } from '../storage/types.ts';

// The LF table of the Analysis screen (the UI reaches core through the app layer).
export { analyze, type LfStats } from '../core/analysis.ts';

export { SPLIT_NAMES, type Split } from '../core/splits.ts';
export { countGold } from '../core/gold-labels.ts';
import type { Split } from '../core/splits.ts';

export interface SplitIndex {
  train: Uint32Array;
  dev: Uint32Array;
  test: Uint32Array;
}

/** Dataset row numbers of each split, in dataset order (split codes index SPLIT_NAMES). */
export function splitIndexOf(split: Uint8Array): SplitIndex {
  const counts = [0, 0, 0];
  for (let i = 0; i < split.length; i++) counts[split[i]]++;
  const out = [new Uint32Array(counts[0]), new Uint32Array(counts[1]), new Uint32Array(counts[2])];
  const at = [0, 0, 0];
  for (let i = 0; i < split.length; i++) {
    const s = split[i];
    out[s][at[s]++] = i;
  }
  return { train: out[0], dev: out[1], test: out[2] };
}

/** Gold of each split as Int32Array (-1 = unknown), in split order. */
export function goldBySplit(gold: Int8Array, index: SplitIndex): { train: Int32Array; dev: Int32Array; test: Int32Array } {
  const pick = (rows: Uint32Array) => {
    const out = new Int32Array(rows.length);
    for (let t = 0; t < rows.length; t++) out[t] = gold[rows[t]];
    return out;
  };
  return { train: pick(index.train), dev: pick(index.dev), test: pick(index.test) };
}

const STORED_KIND: Record<LfDef['kind'], StoredKind> = {
  keyword: 'keyword',
  regex: 'regex',
  field: 'compare',
  lookup: 'lookup',
  length: 'length',
  code: 'code',
};

export function lfToRecord(def: LfDef, projectId: string, order: number, classes: readonly string[], createdAt = Date.now()): LfRecord {
  return {
    id: def.id,
    projectId,
    name: def.name,
    kind: STORED_KIND[def.kind],
    config: def,
    sourceHash: lfHash(def, classes),
    enabled: def.enabled,
    order,
    createdAt,
    updatedAt: Date.now(),
  };
}

/** The LF definition of a record; external (imported, read-only) LFs have none. */
export function recordToLf(rec: LfRecord): LfDef | null {
  if (rec.kind === 'external') return null;
  const def = rec.config as LfDef;
  return { ...def, id: rec.id, name: rec.name, enabled: rec.enabled } as LfDef;
}

export { uniqueLfName } from '../core/lf/names.ts';

/** A fresh copy of `def` with a new id (for the demo's starter LFs and "duplicate"). */
export function withNewId(def: LfDef, name = def.name): LfDef {
  return { ...def, id: newId('lf'), name } as LfDef;
}

/** What the screens need to know about one LF's last run on the current dataset version. */
export interface LfRunState {
  status: 'ok' | 'error' | 'not-run';
  /** Votes over the whole dataset (one per row), when run. */
  votes: Int8Array | null;
  error: string | null;
  ms: number | null;
  hash: string;
}

/** State of every LF from the vote cache: an LF without a record for its hash was never run (or its run was interrupted). */
export async function loadRunStates(
  storage: ShoalStorage,
  versionId: string,
  lfs: readonly { id: string; hash: string }[],
): Promise<Map<string, LfRunState>> {
  const records = await storage.getVotesMany(
    lfs.map((l) => l.hash),
    versionId,
  );
  const out = new Map<string, LfRunState>();
  lfs.forEach((l, j) => out.set(l.id, runStateOf(records[j], l.hash)));
  return out;
}

export function runStateOf(rec: VoteRecord | undefined, hash: string): LfRunState {
  if (!rec) return { status: 'not-run', votes: null, error: null, ms: null, hash };
  // Clipped again on the way in: a database written before errors were bounded may hold megabytes.
  return {
    status: rec.error ? 'error' : 'ok',
    votes: rec.votes,
    error: rec.error ? clipText(rec.error, MAX_ERROR_TEXT) : null,
    ms: rec.ms ?? null,
    hash,
  };
}

export interface VoteColumns {
  lfIds: string[];
  lfNames: string[];
  /** Whole-dataset vote columns, aligned with lfIds. */
  columns: Int8Array[];
}

/** The enabled LFs that have votes, in list order. */
export function enabledColumns(
  lfs: readonly { id: string; name: string; enabled: boolean }[],
  states: ReadonlyMap<string, LfRunState>,
): VoteColumns {
  const out: VoteColumns = { lfIds: [], lfNames: [], columns: [] };
  for (const lf of lfs) {
    const s = states.get(lf.id);
    if (!lf.enabled || !s?.votes) continue;
    out.lfIds.push(lf.id);
    out.lfNames.push(lf.name);
    out.columns.push(s.votes);
  }
  return out;
}

/** A whole-dataset column's rows per split, for the split index they were cut with. */
interface SplitColumns {
  index: SplitIndex;
  train: Int8Array;
  dev: Int8Array;
  test: Int8Array;
}

/**
 * Split columns already cut, by the whole-dataset column they came from. Run votes are replaced
 * whole, never written in place, so a column's cut stays valid for as long as the column lives;
 * an LF edit then re-cuts one column instead of every enabled LF's.
 */
export type SplitColumnCache = WeakMap<Int8Array, SplitColumns>;

/** Per-split label matrices of the given whole-dataset columns (cut once per column when a cache is given). */
export function splitMatrices(
  cols: readonly Int8Array[],
  rowCount: number,
  k: number,
  index: SplitIndex,
  cache?: SplitColumnCache,
): { train: LabelMatrix; dev: LabelMatrix; test: LabelMatrix } {
  const cut = (c: Int8Array): SplitColumns => {
    const known = cache?.get(c);
    if (known && known.index === index) return known;
    const pick = (rows: Uint32Array) => {
      const out = new Int8Array(rows.length);
      for (let t = 0; t < rows.length; t++) out[t] = c[rows[t]];
      return out;
    };
    const made = { index, train: pick(index.train), dev: pick(index.dev), test: pick(index.test) };
    cache?.set(c, made);
    return made;
  };
  // The whole-dataset matrix checks each column's length and values once.
  const parts = new LabelMatrix(rowCount, k, cols.slice()).columns().map(cut);
  const matrix = (s: Split) =>
    new LabelMatrix(
      index[s].length,
      k,
      parts.map((p) => p[s]),
    );
  return { train: matrix('train'), dev: matrix('dev'), test: matrix('test') };
}

/** One JSON line per demo row, for the import pipeline. */
export function toJsonl(rows: readonly Record<string, unknown>[]): string {
  let s = '';
  for (const r of rows) s += `${JSON.stringify(r)}\n`;
  return s;
}

/**
 * Most characters of an LF's error text that are stored and shown. The runtime already cut the
 * message to `MAX_LF_TEXT` and stated its length; the margin keeps that statement (and "threw ")
 * whole, so only text that reached here unbounded is cut again.
 */
const MAX_ERROR_TEXT = MAX_LF_TEXT + 200;

/** "row 12: message (and 3 more rows)" from the pool's per-LF error info, bounded in length. */
export function lfErrorText(e: { row: number; message: string; count: number }): string {
  const where = e.row >= 0 ? `row ${e.row + 1}: ` : '';
  const more = e.count > 1 ? ` (${e.count.toLocaleString('en-US')} rows in all)` : '';
  return `${where}${clipText(e.message, MAX_ERROR_TEXT)}${more}`;
}

/** Votes computed but not stored: they count in this tab, a reload shows the LFs "not run". */
export function unstoredVotesMessage(names: readonly string[], reason: string): string {
  const who = names.length === 1 ? `${names[0]} ran, but its votes are` : `${names.join(', ')} ran, but their votes are`;
  return `${who} only in this tab (a reload will show "not run"): ${reason}`;
}
