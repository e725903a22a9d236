import { afterAll, describe, expect, it } from 'vitest';
import type { LfDef, Row } from '../core/lf/index.ts';
import type { ChunkSource } from '../workers/pool.ts';
import { createNodeLfPool } from './apply-pool.ts';

const classes = ['ham', 'spam'];
const code = (name: string, source: string): LfDef => ({ id: name, name, enabled: true, kind: 'code', source });
const good: LfDef[] = [
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
  code('short', `(x) => x.text.length < 10 ? 'ham' : null`),
];
const rows: Row[] = Array.from({ length: 400 }, (_, i) => ({
  text: i % 3 === 0 ? `free offer ${i}` : i % 3 === 1 ? `hi ${i}` : `a longer message ${i}`,
}));
const source: ChunkSource = {
  rowCount: rows.length,
  chunkCount: 4,
  read: (i) => ({ start: i * 100, rows: rows.slice(i * 100, i * 100 + 100) }),
};
// What the two good LFs vote, computed without the runtime (this test realm has no LF sandbox).
const want = [rows.map((r) => (/\bfree\b/.test(String(r.text)) ? 1 : -1)), rows.map((r) => (String(r.text).length < 10 ? 0 : -1))];

// Real worker threads: loops can only be stopped by terminating them.
const pool = await createNodeLfPool({ size: 2, maxOldGenerationSizeMb: 64 });
afterAll(() => pool.close());

describe('LF pool on Node worker threads', () => {
  it('applies LFs like the runtime does, isolates an endless loop, and code LFs cannot reach the process', async () => {
    const defs = [
      good[0],
      code('loops', `(x) => { if (x.text.startsWith('hi 2')) for (;;) {} return null; }`),
      code('exits', `(x) => { if (x.text === 'hi 301') process.exit(3); return null; }`),
      good[1],
    ];
    const seen = new Set<number>();
    const res = await pool.applyLfs(defs, classes, source, {
      timeBudgetMsPerLfPerChunk: 300,
      onRunning: (lfs) => lfs.forEach((j) => seen.add(j)),
    });
    expect(res.lfs[1].failed).toBe(true);
    expect(res.lfs[1].error?.message).toMatch(/ran longer than 300 ms .*endless loop/);
    expect(seen.has(1)).toBe(true); // the watchdog saw the looping LF running before killing it
    // Code LFs compile in the worker's hardened sandbox: `process` is out of reach, so the LF
    // errs on that row instead of ending its thread.
    expect(res.lfs[2].failed).toBeFalsy();
    expect(res.lfs[2].error).toMatchObject({ row: 301, count: 1 });
    expect(res.lfs[2].error?.message).toMatch(/reading 'exit'|process is not defined/);
    expect(Array.from(res.lfs[0].votes)).toEqual(want[0]);
    expect(Array.from(res.lfs[3].votes)).toEqual(want[1]);
  }, 20_000);

  it('without shared memory, finds a looping LF by chunk deadline and one-LF re-runs', async () => {
    // Also boots through tsx (the path TypeScript LF modules take).
    const blind = await createNodeLfPool({ size: 1, sharedStatus: false, typescript: true });
    try {
      const defs = [good[0], code('loops', `(x) => { if (x.text === 'hi 1') for (;;) {} return null; }`), good[1]];
      const res = await blind.applyLfs(defs, classes, { ...source, chunkCount: 2 }, { timeBudgetMsPerLfPerChunk: 150 });
      expect(res.lfs[1].failed).toBe(true);
      expect(res.lfs[1].error?.message).toMatch(/ran longer than 150 ms/);
      expect(Array.from(res.lfs[0].votes.subarray(0, 200))).toEqual(want[0].slice(0, 200));
      expect(Array.from(res.lfs[2].votes.subarray(0, 200))).toEqual(want[1].slice(0, 200));
    } finally {
      blind.close();
    }
  }, 20_000);

  it('isolates an LF that allocates without bound', async () => {
    const defs = [code('hog', `(x) => { const a = []; for (;;) a.push(new Array(1e5).fill(x.text)); }`), good[0]];
    const res = await pool.applyLfs(defs, classes, source, { timeBudgetMsPerLfPerChunk: 10_000 });
    expect(res.lfs[0].failed).toBe(true);
    expect(res.lfs[0].error?.message).toMatch(/crashed its worker .*(out of memory|exited)/);
    expect(Array.from(res.lfs[1].votes)).toEqual(want[0]);
  }, 30_000);

  it('previews in a killable worker: a looping LF times out, a good one answers', async () => {
    await expect(
      pool.previewLf(code('spin', '() => { for (;;) {} }'), classes, { rows: rows.slice(0, 50) }, { timeoutMs: 300 }),
    ).rejects.toThrow(/did not finish the preview within 300 ms/);
    const p = await pool.previewLf(good[0], classes, { rows: rows.slice(0, 30) });
    expect(p.hits).toBe(10);
    expect(p.examples[0].spans).toEqual([[0, 4]]);
  }, 20_000);
});
