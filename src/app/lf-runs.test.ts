/**
 * Where LFs run (lf-runs.ts), with the inline pool twins: code LFs only on the isolated pool,
 * never anywhere else, whatever a run's error says; refused with the probe's sentence when
 * isolated workers cannot start. Runs in the hardened vitest project: the isolated twin compiles
 * code LFs in the LF sandbox, as the isolated workers do.
 */
import { describe, expect, it } from 'vitest';
import { hardenedSandbox } from '../core/lf/hardened-realm.ts';
import type { LfDef, Row } from '../core/lf/index.ts';
import { ShoalError } from '../core/types.ts';
import { NOT_STARTED_REASON } from '../workers/host-liveness.ts';
import { createLfWorkerApi } from '../workers/lf-worker-api.ts';
import { createInlineLfPool, type ChunkSource, type LfPool } from '../workers/pool.ts';
import { LfRuns, PROBE_RETRY_MS, type LfPools } from './lf-runs.ts';

const classes = ['ham', 'spam'];
const keyword: LfDef = {
  id: 'k',
  name: 'free',
  enabled: true,
  kind: 'keyword',
  label: 'spam',
  keywords: ['free'],
  mode: 'any',
  match: 'word',
  caseSensitive: false,
};
const code: LfDef = { id: 'c', name: 'short', enabled: true, kind: 'code', source: `(x) => x.text.length < 8 ? 'ham' : null` };
const rows: Row[] = ['free stuff', 'hi', 'hello there', 'free', 'ok'].map((text) => ({ text }));
const source: ChunkSource = { rowCount: rows.length, chunkCount: 1, read: () => ({ start: 0, rows: rows.map((r) => ({ ...r })) }) };

/** Pools that record which LF ids each was asked to run or preview. */
function pools(probe: string | null | (() => string | null), isolatedFails?: string) {
  const sent = { page: [] as string[][], isolated: [] as string[][], probes: 0 };
  const record = (name: 'page' | 'isolated', pool: LfPool): LfPool => ({
    ...pool,
    applyLfs: (defs, cls, src, o) => {
      sent[name].push(defs.map((d) => d.id));
      if (name === 'isolated' && isolatedFails) return Promise.reject(new ShoalError(isolatedFails));
      return pool.applyLfs(defs, cls, src, o);
    },
    previewLf: (def, cls, sample, o) => {
      sent[name].push([def.id]);
      return pool.previewLf(def, cls, sample, o);
    },
  });
  const page = record(
    'page',
    createInlineLfPool(() => createLfWorkerApi()),
  );
  const isolated = record(
    'isolated',
    createInlineLfPool(() => createLfWorkerApi({ sandbox: hardenedSandbox })),
  );
  const p: LfPools = {
    page: async () => page,
    isolated: async () => isolated,
    probe: async () => (sent.probes++, typeof probe === 'function' ? probe() : probe),
  };
  return { p, sent };
}

describe('LfRuns', () => {
  it('runs template-only sets on the page pool and any set with a code LF whole on the isolated pool', async () => {
    const { p, sent } = pools(null);
    const runs = new LfRuns(p);
    const a = await runs.run([keyword], classes, source);
    expect(Array.from(a.result!.lfs[0].votes)).toEqual([1, -1, -1, 1, -1]);
    const b = await runs.run([keyword, code], classes, source);
    expect(Array.from(b.result!.lfs[1].votes)).toEqual([-1, 0, -1, 0, 0]);
    expect(sent).toEqual({ page: [['k']], isolated: [['k', 'c']], probes: 1 });
  });

  it('where isolated workers cannot start, code LFs get the sentence and are sent to no pool; templates run', async () => {
    const why = 'Code LFs cannot run here: their isolated sandbox did not start (x), so they run nowhere; template LFs still run.';
    const { p, sent } = pools(why);
    const runs = new LfRuns(p);
    const running: number[][] = [];
    const out = await runs.run([code, keyword], classes, source, { onRunning: (lfs) => running.push([...lfs]) });
    expect([...out.refused]).toEqual([['c', why]]);
    expect(out.ran.map((d) => d.id)).toEqual(['k']);
    expect(Array.from(out.result!.lfs[0].votes)).toEqual([1, -1, -1, 1, -1]);
    // Positions reported while running are positions in what was asked for.
    expect(running.flat().every((j) => j === 1)).toBe(true);
    expect(runs.unavailable).toBe(why);
    await expect(runs.preview(code, classes, { rows })).rejects.toThrow(why);
    const onlyCode = await runs.run([code], classes, source);
    expect(onlyCode.result).toBeNull();
    expect(sent.isolated).toEqual([]);
    expect(sent.page).toEqual([['k']]);
    expect(sent.probes).toBe(1);
  });

  it('an error that says isolated workers did not start (text an LF can write) moves nothing to the page', async () => {
    const { p, sent } = pools(null, `${NOT_STARTED_REASON} within 10 s`);
    const runs = new LfRuns(p);
    await expect(runs.run([keyword, code], classes, source)).rejects.toThrow(NOT_STARTED_REASON);
    await expect(runs.run([code], classes, source)).rejects.toThrow(NOT_STARTED_REASON);
    expect(sent.page).toEqual([]);
    expect(sent.isolated).toEqual([['k', 'c'], ['c']]);
    expect(runs.unavailable).toBeNull();
  });

  it('a failed probe stands for a while, then is asked again (a slow start is not forever); a success stands', async () => {
    let answer: string | null = 'did not start';
    const { p, sent } = pools(() => answer);
    let t = 0;
    const runs = new LfRuns(p, () => t);
    expect(await runs.isolationProblem()).toBe('did not start');
    t = PROBE_RETRY_MS - 1;
    answer = null;
    expect(await runs.isolationProblem()).toBe('did not start');
    expect(sent.probes).toBe(1);
    t = PROBE_RETRY_MS + 1;
    expect(await runs.isolationProblem()).toBeNull();
    expect(sent.probes).toBe(2);
    t = 100 * PROBE_RETRY_MS;
    answer = 'would not be asked';
    expect(await runs.isolationProblem()).toBeNull();
    expect(sent.probes).toBe(2);
    const out = await runs.run([code], classes, source);
    expect(out.refused.size).toBe(0);
    expect(sent.isolated).toEqual([['c']]);
  });

  it('previews a code LF on the isolated pool only, a template on the page pool', async () => {
    const { p, sent } = pools(null);
    const runs = new LfRuns(p);
    expect((await runs.preview(code, classes, { rows })).hits).toBe(3);
    expect((await runs.preview(keyword, classes, { rows })).hits).toBe(2);
    expect(sent.isolated).toEqual([['c']]);
    expect(sent.page).toEqual([['k']]);
  });
});
