/**
 * The in-memory twin of the IndexedDB storage, for unit tests and Node (CLI, benches). It
 * keeps IndexedDB's observable semantics that the repository relies on: values are
 * structured-cloned in and out, and a transaction's writes all land or are all rolled back.
 * Transactions run one at a time (IndexedDB serialises overlapping read-write ones too).
 */
import { TABLES, type Backend, type Rec, type TableName } from './backend.ts';
import { RepoStorage } from './repo.ts';
import type { ShoalStorage } from './types.ts';

export interface MemoryFaults {
  /** Called before every write; throw to simulate a failing put (e.g. a quota error). */
  beforePut?: (table: TableName, value: Rec) => void;
}

class MemoryBackend implements Backend {
  private readonly tables = new Map<TableName, Map<string, Rec>>();
  private queue: Promise<unknown> = Promise.resolve();
  private undo: (() => void)[] | null = null;

  constructor(readonly faults: MemoryFaults = {}) {
    for (const t of Object.keys(TABLES) as TableName[]) this.tables.set(t, new Map());
  }

  private t(table: TableName): Map<string, Rec> {
    return this.tables.get(table)!;
  }

  tx<T>(_mode: 'r' | 'rw', _tables: TableName[], fn: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const undo: (() => void)[] = [];
      this.undo = undo;
      try {
        return await fn();
      } catch (e) {
        for (let i = undo.length - 1; i >= 0; i--) undo[i]();
        throw e;
      } finally {
        this.undo = null;
      }
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private remember(table: TableName, key: string): void {
    const m = this.t(table);
    const had = m.has(key);
    const prev = m.get(key);
    this.undo?.push(() => (had ? m.set(key, prev!) : m.delete(key)));
  }

  async get(table: TableName, key: string): Promise<Rec | undefined> {
    const v = this.t(table).get(key);
    return v === undefined ? undefined : structuredClone(v);
  }

  async bulkGet(table: TableName, keys: string[]): Promise<(Rec | undefined)[]> {
    return Promise.all(keys.map((k) => this.get(table, k)));
  }

  async put(table: TableName, value: Rec): Promise<void> {
    this.faults.beforePut?.(table, value);
    const key = value[TABLES[table].key] as string;
    this.remember(table, key);
    this.t(table).set(key, structuredClone(value));
  }

  async delete(table: TableName, key: string): Promise<void> {
    this.remember(table, key);
    this.t(table).delete(key);
  }

  async where(table: TableName, index: string, value: string): Promise<Rec[]> {
    const out: Rec[] = [];
    for (const v of this.t(table).values()) if (v[index] === value) out.push(structuredClone(v));
    return out;
  }

  async deleteWhere(table: TableName, index: string, value: string): Promise<void> {
    for (const [k, v] of [...this.t(table)]) if (v[index] === value) await this.delete(table, k);
  }

  async countWhere(table: TableName, index: string, value: string): Promise<number> {
    let n = 0;
    for (const v of this.t(table).values()) if (v[index] === value) n++;
    return n;
  }

  async all(table: TableName): Promise<Rec[]> {
    return [...this.t(table).values()].map((v) => structuredClone(v));
  }

  close(): void {}
}

export class MemoryStorage extends RepoStorage implements ShoalStorage {
  readonly kind = 'memory' as const;
  constructor(faults: MemoryFaults = {}) {
    super(new MemoryBackend(faults));
  }
}

/** A fresh, empty in-memory storage. */
export function createMemoryStorage(faults?: MemoryFaults): MemoryStorage {
  return new MemoryStorage(faults);
}
