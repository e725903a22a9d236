/**
 * The IndexedDB storage (Dexie 4). Schema versions are declared in order, each with its
 * upgrade, and every bump ships with a test that opens a database written by the previous
 * version (dexie.test.ts).
 *
 * v1: the first schema; label-model runs carried their probabilities inline.
 * v2: probabilities move to their own table (`runProbs`), so listing runs does not load
 *     n×k floats per run.
 * v3: trained classifiers are kept (`classifiers`, their weights in `classifierModels`); new
 *     tables only, nothing to move.
 * v4: row chunks are stored column-wise (chunk-format.ts); existing chunks are rewritten.
 * v5: rows flagged while labelling (`flags`); a new table only, nothing to move.
 *
 * On open, pending imports whose writer is gone (tab closed mid-import) are deleted; the
 * writer is known alive by the Web Lock it holds (locks.ts), else by a recent heartbeat.
 */
import Dexie, { type Table, type Transaction } from 'dexie';
import { TABLES, type Backend, type Rec, type TableName } from './backend.ts';
import { heldImportLocks } from './locks.ts';
import { RepoStorage } from './repo.ts';
import { encodeRowChunk } from './chunk-format.ts';
import type { Row } from '../core/formats/types.ts';
import { watchOtherTabs } from './tabs.ts';
import type { ShoalStorage } from './types.ts';

export const DB_NAME = 'shoal';

type Stores = Record<string, string | null>;

function storesOf(tables: readonly TableName[]): Stores {
  const out: Stores = {};
  for (const t of tables) out[t] = [TABLES[t].key, ...TABLES[t].indexes].join(', ');
  return out;
}

export interface SchemaVersion {
  version: number;
  stores: Stores;
  upgrade?: (tx: Transaction) => Promise<void>;
}

/** Every schema version, oldest first. Never edit a released entry: add a new one. */
export const SCHEMA_VERSIONS: readonly SchemaVersion[] = [
  {
    version: 1,
    stores: storesOf(['projects', 'datasets', 'versions', 'chunks', 'columns', 'lfs', 'votes', 'runs', 'settings']),
  },
  {
    version: 2,
    stores: { runProbs: 'runId' },
    upgrade: async (tx) => {
      const runs = tx.table('runs');
      for (const run of (await runs.toArray()) as Rec[]) {
        if (run.probs === undefined) continue;
        await tx.table('runProbs').put({ runId: run.id, probs: run.probs });
        delete run.probs;
        await runs.put(run);
      }
    },
  },
  {
    version: 3,
    stores: storesOf(['classifiers', 'classifierModels']),
  },
  {
    // Row chunks are stored column-wise (chunk-format.ts): far cheaper for IndexedDB to clone
    // back out. Existing chunks are rewritten, so every chunk of this database has one form
    // (irregular rows excepted) and an older tab, which cannot read them, must reload first.
    version: 4,
    stores: {},
    upgrade: async (tx) => {
      await tx
        .table('chunks')
        .toCollection()
        .modify((rec: Rec) => {
          if (rec.rows === undefined) return;
          const stored = encodeRowChunk(rec.rows as Row[]);
          if (!('cols' in stored)) return;
          delete rec.rows;
          rec.cols = stored.cols;
        });
    },
  },
  {
    version: 5,
    stores: storesOf(['flags']),
  },
];

export const CURRENT_SCHEMA = SCHEMA_VERSIONS[SCHEMA_VERSIONS.length - 1].version;

/** A Dexie instance declaring the schema up to `upTo` (tests open older versions with it). */
export function declareSchema(name: string, upTo = CURRENT_SCHEMA): Dexie {
  const db = new Dexie(name);
  for (const s of SCHEMA_VERSIONS) {
    if (s.version > upTo) break;
    const v = db.version(s.version).stores(s.stores);
    if (s.upgrade) v.upgrade(s.upgrade);
  }
  return db;
}

class DexieBackend implements Backend {
  constructor(readonly db: Dexie) {}

  private t(name: TableName): Table<Rec, string> {
    return this.db.table(name);
  }

  tx<T>(mode: 'r' | 'rw', tables: TableName[], fn: () => Promise<T>): Promise<T> {
    return this.db.transaction(mode, tables, fn) as Promise<T>;
  }

  get(table: TableName, key: string): Promise<Rec | undefined> {
    return this.t(table).get(key);
  }

  bulkGet(table: TableName, keys: string[]): Promise<(Rec | undefined)[]> {
    return this.t(table).bulkGet(keys);
  }

  async put(table: TableName, value: Rec): Promise<void> {
    await this.t(table).put(value);
  }

  delete(table: TableName, key: string): Promise<void> {
    return this.t(table).delete(key);
  }

  where(table: TableName, index: string, value: string): Promise<Rec[]> {
    return this.t(table).where(index).equals(value).toArray();
  }

  async deleteWhere(table: TableName, index: string, value: string): Promise<void> {
    await this.t(table).where(index).equals(value).delete();
  }

  countWhere(table: TableName, index: string, value: string): Promise<number> {
    return this.t(table).where(index).equals(value).count();
  }

  all(table: TableName): Promise<Rec[]> {
    return this.t(table).toArray();
  }

  close(): void {
    this.db.close();
  }
}

export interface DexieStorageOptions {
  /** Database name (tests use a fresh one each). */
  name?: string;
  /** Announce this tab on a BroadcastChannel and report other tabs (default true). */
  watchTabs?: boolean;
  /** Without Web Locks, a pending import silent this long is considered dead (default 2 min). */
  staleImportMs?: number;
}

export class DexieStorage extends RepoStorage implements ShoalStorage {
  readonly kind = 'dexie' as const;
  private stopTabs: (() => void) | undefined;

  constructor(
    readonly dexie: Dexie,
    private readonly options: DexieStorageOptions = {},
  ) {
    super(new DexieBackend(dexie));
    // Another tab opened a newer schema: close so it can upgrade, and tell the UI to reload.
    dexie.on('versionchange', () => {
      dexie.close();
      this.emit({ type: 'version-change' });
      return false;
    });
    dexie.on('blocked', () => this.emit({ type: 'blocked' }));
    if (options.watchTabs ?? true) {
      this.stopTabs = watchOtherTabs(`shoal:${dexie.name}`, (tabId) => this.emit({ type: 'other-tab', tabId }));
    }
  }

  /** Delete pending imports whose writer is gone. Returns how many. */
  async cleanupDeadImports(): Promise<number> {
    const held = await heldImportLocks();
    if (held === null) return this.cleanupPending(this.options.staleImportMs ?? 120_000);
    const pending = await this.dexie.table('versions').where('status').equals('pending').toArray();
    let n = 0;
    for (const v of pending) {
      if (!held.has(v.id)) {
        await this.abortImport(v.id);
        n++;
      }
    }
    return n;
  }

  override close(): void {
    this.stopTabs?.();
    super.close();
  }
}

/** Open (creating or upgrading) the database and clear dead imports. */
export async function openDexieStorage(options: DexieStorageOptions = {}): Promise<DexieStorage> {
  const db = declareSchema(options.name ?? DB_NAME);
  await db.open();
  const storage = new DexieStorage(db, options);
  await storage.cleanupDeadImports();
  return storage;
}
