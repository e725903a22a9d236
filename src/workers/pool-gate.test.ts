import { describe, expect, it } from 'vitest';
import { LfRuntime, type LfDef, type Row } from '../core/lf/index.ts';
import { hardenedSandbox } from '../core/lf/hardened-realm.ts';
import { createLfWorkerApi, type LfWorkerApi } from './lf-worker-api.ts';
import { createInlineLfPool, type ChunkSource } from './pool.ts';

const classes = ['ham', 'spam'];
const defs: LfDef[] = [
  {
    id: 'k',
    name: 'free',
    enabled: true,
    kind: 'keyword',
    label: 'spam',
    keywords: ['free'],
    mode: 'any',
    match: 'word',
    caseSensitive: false,
  },
  { id: 'c', name: 'short', enabled: true, kind: 'code', source: `(x) => x.text.length < 8 ? 'ham' : null` },
];
const rows: Row[] = Array.from({ length: 600 }, (_, i) => ({
  text: i % 4 === 0 ? `free ${i}` : i % 4 === 1 ? `hi ${i}` : `a longer text ${i}`,
}));
const source: ChunkSource = {
  rowCount: rows.length,
  chunkCount: 30,
  read: (i) => ({ start: i * 20, rows: rows.slice(i * 20, i * 20 + 20) }),
};
const want = (() => {
  const r = LfRuntime.fromDefs(defs, classes, { sandbox: hardenedSandbox() }).applyChunk({ start: 0, rows });
  return defs.map((_, j) => Array.from(r.votes.slice(j * rows.length, (j + 1) * rows.length)));
})();

/** An inline pool whose workers count the chunks they run, in spawn order. */
function countingPool(size: number) {
  const ran: number[] = [];
  const pool = createInlineLfPool(() => {
    const api = createLfWorkerApi({ sandbox: hardenedSandbox });
    const me = ran.push(0) - 1;
    return {
      ...api,
      run: (...args: Parameters<LfWorkerApi['run']>) => {
        ran[me]++;
        return api.run(...args);
      },
    } as LfWorkerApi;
  }, size);
  return { pool, ran };
}

describe('LF pool gate (choosing the worker count while the job runs)', () => {
  it('a worker held back and then stopped takes no chunk; the votes are the same', async () => {
    const { pool, ran } = countingPool(2);
    let release!: (go: boolean) => void;
    const held = new Promise<boolean>((r) => (release = r));
    const res = await pool.applyLfs(defs, classes, source, {
      gate: (slot) => {
        expect(slot).toBe(1);
        return held;
      },
      onProgress: (p) => {
        if (p.chunksDone === 5) release(false);
      },
    });
    res.lfs.forEach((l, j) => expect(Array.from(l.votes)).toEqual(want[j]));
    expect(ran).toEqual([30, 0]);
    pool.close();
  });

  it('a worker let through after a few chunks shares the rest', async () => {
    const { pool, ran } = countingPool(2);
    let release!: (go: boolean) => void;
    const held = new Promise<boolean>((r) => (release = r));
    let open = false;
    const res = await pool.applyLfs(defs, classes, source, {
      gate: () => (open ? true : held),
      onProgress: (p) => {
        if (p.chunksDone === 5) {
          open = true;
          release(true);
        }
      },
    });
    res.lfs.forEach((l, j) => expect(Array.from(l.votes)).toEqual(want[j]));
    expect(ran[0] + ran[1]).toBe(30);
    expect(ran[1]).toBeGreaterThan(0);
    expect(ran[0]).toBeGreaterThanOrEqual(5);
    pool.close();
  });
});
