import { describe, expect, it } from 'vitest';
import type { LfDef, Row, RowChunk } from '../core/lf/index.ts';
import { MetalLabelModel } from '../core/labelmodel/metal.ts';
import { overlapCounts, TooLargeError } from '../core/labelmodel/overlap.ts';
import { LabelMatrix } from '../core/matrix.ts';
import { mulberry32 } from '../core/rng.ts';
import { hardenedSandbox } from '../core/lf/hardened-realm.ts';
import { createLfWorkerApi, type LfWorkerApi } from './lf-worker-api.ts';
import { createInlineLfPool, createLfPool, type ChunkSource, type WorkerHandle } from './pool.ts';
import { OverlapAccumulator } from './pool-stats.ts';

const classes = ['neg', 'neu', 'pos'];
const kw = (name: string, label: string, keywords: string[]): LfDef => ({
  id: name,
  name,
  enabled: true,
  kind: 'keyword',
  label,
  keywords,
  mode: 'any',
  match: 'word',
  caseSensitive: false,
});
const defs: LfDef[] = [
  kw('bad', 'neg', ['bad', 'awful']),
  kw('good', 'pos', ['good', 'great']),
  kw('meh', 'neu', ['ok', 'fine']),
  { id: 'n', name: 'digits', enabled: true, kind: 'regex', label: 'neu', pattern: '\\d{2,}', flags: '' },
  { id: 'c', name: 'code', enabled: true, kind: 'code', source: `(x) => x.text.length > 30 ? 'pos' : x.text.length < 8 ? 'neg' : null` },
];

function makeRows(n: number, seed: number): Row[] {
  const rng = mulberry32(seed);
  const vocab = ['bad', 'good', 'great', 'ok', 'fine', 'awful', '42', 'the', 'movie', 'was', 'plot', '7'];
  return Array.from({ length: n }, (_, id) => ({
    id,
    text: Array.from({ length: 1 + Math.floor(rng() * 8) }, () => vocab[Math.floor(rng() * vocab.length)]).join(' '),
  }));
}

function chunked(rows: Row[], sizes: number[]): ChunkSource {
  const chunks: RowChunk[] = [];
  for (let i = 0, start = 0; start < rows.length; i++) {
    chunks.push({ start, rows: rows.slice(start, start + sizes[i % sizes.length]) });
    start += sizes[i % sizes.length];
  }
  return { rowCount: rows.length, chunkCount: chunks.length, read: (i) => chunks[i] };
}

describe('OverlapAccumulator', () => {
  it('sums chunks (LF-major, any LF subset) to the overlap counts of the whole matrix, counting by rows or by bitsets', () => {
    for (const [seed, path] of [
      [1, 'rows'],
      [2, 'rows'],
      [3, 'bitsets'],
      [4, 'bitsets'],
      [5, 'auto'],
      [6, 'auto'],
    ] as const) {
      const rng = mulberry32(seed);
      // Even seeds span several bitset blocks (8192 rows) and end mid-word.
      const n = seed % 2 ? 50 + Math.floor(rng() * 300) : 8000 + Math.floor(rng() * 12000);
      const m = 1 + Math.floor(rng() * 7);
      const k = 2 + Math.floor(rng() * 4);
      const cols = Array.from({ length: m }, () => Int8Array.from({ length: n }, () => (rng() < 0.4 ? Math.floor(rng() * k) : -1)));
      // A dropped LF abstains everywhere in the reference, and is left out of the chunks.
      const dropped = m > 1 ? Math.floor(rng() * m) : -1;
      if (dropped >= 0) cols[dropped].fill(-1);
      const lfs = Array.from({ length: m }, (_, j) => j).filter((j) => j !== dropped);
      const acc = new OverlapAccumulator(m, k, path);
      for (let start = 0; start < n;) {
        // Some chunks longer than a bitset block (8192 rows).
        const len = Math.min(n - start, rng() < 0.05 ? 9000 : 1 + Math.floor(rng() * 60));
        const votes = new Int8Array(lfs.length * len);
        lfs.forEach((j, s) => votes.set(cols[j].subarray(start, start + len), s * len));
        acc.addChunk(votes, len, lfs);
        start += len;
      }
      const got = acc.take();
      const want = overlapCounts(new LabelMatrix(n, k, cols), 'test', 'rows');
      expect(got.n).toBe(n);
      expect(Array.from(got.counts)).toEqual(Array.from(want.counts));
      // take() starts over.
      expect(acc.take().counts.every((c) => c === 0)).toBe(true);
    }
  });

  it('rejects LFs out of order (the upper-triangle trick needs them ascending)', () => {
    expect(() => new OverlapAccumulator(2, 2).addChunk(new Int8Array(2), 1, [1, 0])).toThrow(/ascending/);
  });
});

describe('LF pool with worker-side statistics', () => {
  it('returns the overlap counts of the returned votes, for any pool size and chunking', async () => {
    const rows = makeRows(2000, 7);
    for (const [size, sizes] of [
      [1, [2000]],
      [2, [13, 250, 1]],
      [3, [64]],
    ] as const) {
      const pool = createInlineLfPool(() => createLfWorkerApi({ sandbox: hardenedSandbox }), size);
      const res = await pool.applyLfs(defs, classes, chunked(rows, [...sizes]), { stats: true });
      const L = new LabelMatrix(
        rows.length,
        classes.length,
        res.lfs.map((l) => l.votes),
      );
      expect(res.stats).not.toBeNull();
      expect(res.stats!.n).toBe(2000);
      expect(Array.from(res.stats!.counts)).toEqual(Array.from(overlapCounts(L).counts));
      // Without the option nothing changes in the result.
      const plain = await pool.applyLfs(defs, classes, chunked(rows, [...sizes]));
      expect('stats' in plain).toBe(false);
      pool.close();
    }
  });

  it('refuses statistics too large to hold before any worker starts, and still applies without them', async () => {
    const rows = makeRows(50, 2);
    let started = 0;
    const pool = createInlineLfPool(() => {
      started++;
      return createLfWorkerApi({ sandbox: hardenedSandbox });
    }, 2);
    // 60 LFs × 100 classes: (m·k)² = 36M counts per worker, past the limit.
    const many = Array.from({ length: 60 }, (_, j) => kw(`k${j}`, `c${j % 100}`, [`w${j}`]));
    const wide = Array.from({ length: 100 }, (_, c) => `c${c}`);
    await expect(pool.applyLfs(many, wide, chunked(rows, [25]), { stats: true })).rejects.toThrow(TooLargeError);
    expect(started).toBe(0);
    const res = await pool.applyLfs(many, wide, chunked(rows, [25]));
    expect(res.lfs).toHaveLength(60);
    pool.close();
  });

  it('metal fitted from the merged worker statistics predicts exactly as metal fitted on the matrix', async () => {
    const rows = makeRows(3000, 11);
    const pool = createInlineLfPool(() => createLfWorkerApi({ sandbox: hardenedSandbox }), 2);
    const res = await pool.applyLfs(defs, classes, chunked(rows, [128]), { stats: true });
    pool.close();
    const L = new LabelMatrix(
      rows.length,
      classes.length,
      res.lfs.map((l) => l.votes),
    );
    const fromMatrix = new MetalLabelModel({ engine: 'typed-array', epochs: 100 });
    await fromMatrix.fit(L, { seed: 3 });
    const fromStats = new MetalLabelModel({ engine: 'typed-array', epochs: 100 });
    await fromStats.fitFromStats(res.stats!, { seed: 3 });
    expect(Array.from(fromStats.predictProba(L))).toEqual(Array.from(fromMatrix.predictProba(L)));
    expect(fromStats.summary().lfAccuracy).toEqual(fromMatrix.summary().lfAccuracy);
  });

  it('gives null statistics when a worker died mid-job (its partial sums are lost), votes still complete', async () => {
    const rows = makeRows(600, 5);
    const dying: LfDef = { id: 'd', name: 'die', enabled: true, kind: 'code', source: `(x) => null` };
    let spawned = 0;
    // Fake killable workers on this thread; the first one dies on its second chunk.
    const spawn = (): WorkerHandle => {
      const no = spawned++;
      let die!: (r: string) => void;
      const died = new Promise<string>((r) => (die = r));
      const inner = createLfWorkerApi({ sandbox: hardenedSandbox });
      let calls = 0;
      const api: LfWorkerApi = {
        init: (spec, st, remote, job) => inner.init(spec, st, remote, job),
        run: (chunk, only) => {
          if (no === 0 && ++calls === 2) {
            die('the worker exited with code 1');
            return new Promise(() => {});
          }
          return inner.run(chunk, only);
        },
        takeStats: () => inner.takeStats!(),
        preview: (d, c, s, o) => inner.preview(d, c, s, o),
      };
      return { api, died, killable: true, terminate() {} };
    };
    const pool = createLfPool({ size: 1, spawn, sharedStatus: false });
    const res = await pool.applyLfs([...defs, dying], classes, chunked(rows, [100]), { stats: true });
    pool.close();
    expect(res.stats).toBeNull();
    // The pool recovered: the run still returns one vote per row for the LFs it kept.
    expect(res.lfs[0].votes.length).toBe(600);
  });
});
