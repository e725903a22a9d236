import { describe, expect, it } from 'vitest';
import { LfRuntime, lfHash, type LfDef, type Row, type RowChunk } from '../core/lf/index.ts';
import { mulberry32 } from '../core/rng.ts';
import { ShoalError } from '../core/types.ts';
import { hardenedSandbox } from '../core/lf/hardened-realm.ts';
import { createLfWorkerApi, registerChunkReader, STATUS_LF, type LfWorkerApi } from './lf-worker-api.ts';
import { createInlineLfPool, createLfPool, defaultPoolSize, type ChunkSource, type WorkerHandle } from './pool.ts';

const classes = ['ham', 'spam'];
const lf = (name: string, source: string): LfDef => ({ id: name, name, enabled: true, kind: 'code', source });
const defs: LfDef[] = [
  {
    id: 'k',
    name: 'free',
    enabled: true,
    kind: 'keyword',
    label: 'spam',
    keywords: ['free', 'win'],
    mode: 'any',
    match: 'word',
    caseSensitive: false,
  },
  { id: 'r', name: 'digits', enabled: true, kind: 'regex', label: 'spam', pattern: '\\d{3,}', flags: '' },
  lf('short', `(x) => x.text.length < 12 ? 'ham' : null`),
  lf('flaky', `(x) => { if (x.text.includes('boom')) throw new Error('boom at ' + x.id); return null; }`),
];

function makeRows(n: number, seed: number): Row[] {
  const rng = mulberry32(seed);
  const vocab = ['free', 'hello', 'win', '12345', 'boom', 'the', 'song', 'ok', 'Free!', 'x'];
  return Array.from({ length: n }, (_, id) => ({
    id,
    text: Array.from({ length: 1 + Math.floor(rng() * 6) }, () => vocab[Math.floor(rng() * vocab.length)]).join(' '),
  }));
}

/** Uneven chunks, to catch off-by-one offsets. */
function chunked(rows: Row[], sizes: number[]): ChunkSource & { chunks: RowChunk[] } {
  const chunks: RowChunk[] = [];
  let start = 0;
  for (let i = 0; start < rows.length; i++) {
    const len = sizes[i % sizes.length];
    chunks.push({ start, rows: rows.slice(start, start + len) });
    start += len;
  }
  return { rowCount: rows.length, chunkCount: chunks.length, read: (i) => chunks[i], chunks };
}

function reference(rows: Row[]): Int8Array[] {
  const r = LfRuntime.fromDefs(defs, classes, { sandbox: hardenedSandbox() }).applyChunk({ start: 0, rows });
  return defs.map((_, j) => r.votes.slice(j * rows.length, (j + 1) * rows.length));
}

describe('LF pool (inline twin)', () => {
  it('gives the same votes as one pass, for any pool size and chunking', async () => {
    const rows = makeRows(1000, 1);
    const want = reference(rows);
    for (const [size, sizes] of [
      [1, [1000]],
      [2, [7, 130, 1]],
      [3, [64]],
    ] as const) {
      const pool = createInlineLfPool(() => createLfWorkerApi({ sandbox: hardenedSandbox }), size);
      const progress: number[] = [];
      const res = await pool.applyLfs(defs, classes, chunked(rows, [...sizes]), { onProgress: (p) => progress.push(p.rowsDone) });
      expect(res.lfs.map((l) => l.name)).toEqual(['free', 'digits', 'short', 'flaky']);
      expect(res.lfs.map((l) => l.hash)).toEqual(defs.map((d) => lfHash(d, classes)));
      res.lfs.forEach((l, j) => expect(Array.from(l.votes)).toEqual(Array.from(want[j])));
      expect(progress.at(-1)).toBe(1000);
      expect(progress.every((p, i) => i === 0 || p >= progress[i - 1])).toBe(true);
      // Errors merge across chunks: the first failing row overall, the total count.
      const booms = rows.filter((r) => String(r.text).includes('boom'));
      expect(res.lfs[3].error).toEqual({ row: booms[0].id, message: `threw boom at ${booms[0].id}`, count: booms.length });
      expect(res.lfs[3].failed).toBe(false);
      expect(res.lfs[0].error).toBeNull();
      pool.close();
    }
  });

  it('lets workers read chunks themselves through a registered reader', async () => {
    const rows = makeRows(250, 2);
    const src = chunked(rows, [100]);
    registerChunkReader('test-mem', (params) => {
      const { scale } = params as { scale: number };
      return async (i) => src.chunks[i * scale];
    });
    const pool = createInlineLfPool(() => createLfWorkerApi({ sandbox: hardenedSandbox }), 2);
    const res = await pool.applyLfs(defs, classes, { rowCount: 250, chunkCount: 3, remote: { kind: 'test-mem', params: { scale: 1 } } });
    expect(Array.from(res.lfs[0].votes)).toEqual(Array.from(reference(rows)[0]));
    await expect(pool.applyLfs(defs, classes, { rowCount: 250, chunkCount: 3, remote: { kind: 'nope', params: null } })).rejects.toThrow(
      /no reader registered/,
    );
  });

  it('cancels on abort and stays usable', async () => {
    const rows = makeRows(500, 3);
    const pool = createInlineLfPool(() => createLfWorkerApi({ sandbox: hardenedSandbox }), 1);
    const ctl = new AbortController();
    const run = pool.applyLfs(defs, classes, chunked(rows, [10]), {
      signal: ctl.signal,
      onProgress: (p) => p.chunksDone === 3 && ctl.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    const again = await pool.applyLfs(defs, classes, chunked(rows, [10]));
    expect(again.lfs[0].votes.length).toBe(500);
  });

  it('reports compile errors per LF and runs the rest', async () => {
    const pool = createInlineLfPool(() => createLfWorkerApi({ sandbox: hardenedSandbox }));
    const res = await pool.applyLfs([lf('bad', '(x) =>'), lf('good', `() => 'spam'`)], classes, chunked(makeRows(10, 4), [4]));
    expect(res.lfs[0].error?.message).toMatch(/syntax error/);
    expect(res.lfs[0].failed).toBe(true);
    expect(Array.from(res.lfs[1].votes)).toEqual(new Array(10).fill(1));
  });

  it('an empty LF set returns at once', async () => {
    const pool = createInlineLfPool(() => {
      throw new Error('no worker should start');
    });
    const res = await pool.applyLfs([], classes, chunked(makeRows(5, 6), [2]));
    expect(res).toMatchObject({ rows: 5, lfs: [] });
  });

  it('defaultPoolSize: one per core, a core for the page when there are many, capped', () => {
    expect(defaultPoolSize(2)).toBe(2);
    expect(defaultPoolSize(undefined)).toBe(2);
    expect(defaultPoolSize(8)).toBe(7);
    expect(defaultPoolSize(64)).toBe(8);
  });
});

/**
 * A killable fake worker on this thread: `run` behaves like a real worker except that running
 * an LF named `die*` makes the worker "die" mid-chunk (optionally without saying which LF ran).
 */
function fakeSpawn(opts: { blame: boolean; failStarts?: number; alwaysDie?: boolean }): () => WorkerHandle {
  let starts = 0;
  return () => {
    const startNo = starts++;
    let die!: (reason: string) => void;
    const died = new Promise<string>((r) => (die = r));
    const inner = createLfWorkerApi({ sandbox: hardenedSandbox });
    let status: Int32Array | null = null;
    let names: readonly string[] = [];
    const api: LfWorkerApi = {
      async init(spec, st, remote) {
        if (startNo < (opts.failStarts ?? 0)) {
          die('could not load');
          return new Promise(() => {});
        }
        status = st;
        const info = await inner.init(spec, st, remote);
        names = info.names;
        return info;
      },
      async run(chunk, only) {
        const ids = only ?? names.map((_, j) => j);
        const bad = ids.find((j) => names[j].startsWith('die'));
        if (opts.alwaysDie || bad !== undefined) {
          if (status) Atomics.store(status, STATUS_LF, opts.blame && bad !== undefined ? bad : -1);
          die('the worker exited with code 1');
          return new Promise(() => {});
        }
        return inner.run(chunk, only);
      },
      preview: (...a) => inner.preview(...a),
    };
    return { api, died, killable: true, terminate() {} };
  };
}

describe('LF pool fault isolation (fake killable workers)', () => {
  const rows = makeRows(300, 5);
  const set = [defs[0], lf('die_hard', `() => 'ham'`), defs[2]];
  const want = reference(rows);

  for (const blame of [true, false]) {
    it(`a worker crash is pinned on its LF ${blame ? 'from the shared status' : 'by re-running one LF at a time'}; the others complete`, async () => {
      const pool = createLfPool({ size: 2, spawn: fakeSpawn({ blame }), sharedStatus: blame });
      const res = await pool.applyLfs(set, classes, chunked(rows, [50]));
      expect(res.lfs[1].failed).toBe(true);
      expect(res.lfs[1].error?.message).toMatch(/crashed its worker/);
      expect(Array.from(res.lfs[1].votes).every((v) => v === -1)).toBe(true);
      expect(Array.from(res.lfs[0].votes)).toEqual(Array.from(want[0]));
      expect(Array.from(res.lfs[2].votes)).toEqual(Array.from(want[2]));
    });
  }

  it('a worker that cannot start fails the job cleanly; a retry works', async () => {
    const pool = createLfPool({ size: 1, spawn: fakeSpawn({ blame: true, failStarts: 2 }) });
    await expect(pool.applyLfs(defs, classes, chunked(rows, [100]))).rejects.toThrow(ShoalError);
    const res = await pool.applyLfs(defs, classes, chunked(rows, [100]));
    expect(Array.from(res.lfs[0].votes)).toEqual(Array.from(want[0]));
  });

  it('workers that keep crashing with no LF to blame fail the job', async () => {
    const pool = createLfPool({ size: 1, spawn: fakeSpawn({ blame: false, alwaysDie: true }), sharedStatus: false });
    await expect(pool.applyLfs([defs[0], defs[2]], classes, chunked(rows, [100]))).rejects.toThrow(/kept crashing/);
  });
});

describe('LF pool and slow-starting workers', () => {
  it('watchdog deadlines start when the worker is ready, not when it was spawned', async () => {
    // A worker whose host takes 300 ms to start (a new process), with a 100 ms preview budget.
    const spawn = (): WorkerHandle => {
      const inner = createLfWorkerApi({ sandbox: hardenedSandbox });
      const ready = new Promise<void>((r) => setTimeout(r, 300));
      const api: LfWorkerApi = {
        init: async (...a) => (await ready, inner.init(...a)),
        run: async (...a) => (await ready, inner.run(...a)),
        preview: async (...a) => (await ready, inner.preview(...a)),
      };
      return { api, died: new Promise<string>(() => {}), ready, killable: true, terminate() {} };
    };
    const pool = createLfPool({ size: 1, spawn, sharedStatus: false });
    const sample = {
      rows: makeRows(20, 3),
      gold: new Int32Array(20).fill(-1),
      rowIds: Uint32Array.from({ length: 20 }, (_, i) => i),
      others: [],
    };
    const p = await pool.previewLf(defs[0], classes, sample, { timeoutMs: 100 });
    expect(p.coverage).toBeGreaterThan(0);
    // Without `ready` the same start-up is charged to the LF.
    const slow = (): WorkerHandle => ({ ...spawn(), ready: undefined });
    const strict = createLfPool({ size: 1, spawn: slow, sharedStatus: false });
    await expect(strict.previewLf(defs[0], classes, sample, { timeoutMs: 100 })).rejects.toThrow(/did not finish the preview/);
  });
});

describe('LF pool and workers that die of a neighbour', () => {
  const rows = makeRows(200, 9);
  const want = reference(rows);

  /** Killable fake workers sharing one "process": `crashOnce` makes the next run of any worker die. */
  function sharedProcess() {
    const state = { crashOnce: false, spawned: 0, kills: [] as ((r: string) => void)[] };
    const spawn = (): WorkerHandle => {
      state.spawned++;
      let die!: (reason: string) => void;
      const died = new Promise<string>((r) => (die = r));
      state.kills.push(die);
      const inner = createLfWorkerApi({ sandbox: hardenedSandbox });
      const api: LfWorkerApi = {
        init: (...a) => inner.init(...a),
        async run(chunk, only) {
          if (state.crashOnce) {
            state.crashOnce = false;
            die('its process ended');
            return new Promise(() => {});
          }
          return inner.run(chunk, only);
        },
        preview: (...a) => inner.preview(...a),
      };
      return { api, died, killable: true, terminate() {} };
    };
    return { state, spawn };
  }

  it('a lone LF is not blamed for one death it did not cause (no shared status)', async () => {
    const { state, spawn } = sharedProcess();
    const pool = createLfPool({ size: 1, spawn, sharedStatus: false });
    state.crashOnce = true;
    const res = await pool.applyLfs([defs[2]], classes, chunked(rows, [50]));
    expect(res.lfs[0].failed).toBe(false);
    expect(res.lfs[0].error).toBeNull();
    expect(Array.from(res.lfs[0].votes)).toEqual(Array.from(want[2]));
  });

  it('a worker that died while idle is replaced before the next preview', async () => {
    const { state, spawn } = sharedProcess();
    const pool = createLfPool({ size: 1, spawn, sharedStatus: false });
    const sample = {
      rows: rows.slice(0, 20),
      gold: new Int32Array(20).fill(-1),
      rowIds: Uint32Array.from({ length: 20 }, (_, i) => i),
      others: [],
    };
    await pool.previewLf(defs[0], classes, sample);
    state.kills[0]('its process ended'); // a neighbour's bomb took the idle preview worker along
    await Promise.resolve();
    const p = await pool.previewLf(defs[0], classes, sample);
    expect(p.coverage).toBeGreaterThan(0);
    expect(state.spawned).toBe(2);
  });
});

describe('LF pool and deaths that are noticed late', () => {
  const rows = makeRows(100, 4);
  /** A worker whose every run never answers; its death (an OOM) is announced `lateMs` after the run starts. */
  const spawnLate = (lateMs: number, graceMs: number | undefined) => (): WorkerHandle => {
    let die!: (reason: string) => void;
    const died = new Promise<string>((r) => (die = r));
    const inner = createLfWorkerApi({ sandbox: hardenedSandbox });
    const api: LfWorkerApi = {
      init: (...a) => inner.init(...a),
      run: () => {
        setTimeout(() => die('its process ended; most likely the LF ran out of memory'), lateMs);
        return new Promise(() => {});
      },
      preview: (...a) => inner.preview(...a),
    };
    return { api, died, killable: true, deathGraceMs: graceMs, terminate() {} };
  };

  it('a death announced within the grace period is reported as a crash, not as an endless loop', async () => {
    const pool = createLfPool({ size: 1, spawn: spawnLate(150, 400), sharedStatus: false });
    const res = await pool.applyLfs([lf('bomb', `() => null`)], classes, chunked(rows, [100]), { timeBudgetMsPerLfPerChunk: 50 });
    expect(res.lfs[0].failed).toBe(true);
    expect(res.lfs[0].error?.message).toMatch(/crashed its worker .*ran out of memory/);
  });

  it('without a grace period the same worker is reported as hanging', async () => {
    const pool = createLfPool({ size: 1, spawn: spawnLate(150, undefined), sharedStatus: false });
    const res = await pool.applyLfs([lf('bomb', `() => null`)], classes, chunked(rows, [100]), { timeBudgetMsPerLfPerChunk: 50 });
    expect(res.lfs[0].error?.message).toMatch(/ran longer than 50 ms/);
  });
});
