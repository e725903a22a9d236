import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { isColumnChunk, unpackRows, type ColumnChunk, type LfDef, type RowChunk } from '../core/lf/index.ts';
import { openDexieStorage } from '../storage/dexie.ts';
import { storedChunkSource } from './lf-chunk-reader.ts';
import { createLfWorkerApi, openChunkReader } from './lf-worker-api.ts';
import { createInlineLfPool } from './pool.ts';

describe('LF workers reading chunks from IndexedDB', () => {
  it('applies LFs to a committed dataset version without the page passing rows', async () => {
    const name = `lf-reader-${Math.random()}`;
    const st = await openDexieStorage({ name, watchTabs: false });
    const p = await st.createProject('P');
    const pend = await st.beginImport({ projectId: p.id, name: 'd', source: { fileNames: ['d.csv'], format: 'csv', bytes: 1 } });
    const n = 2500;
    const texts = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? `free gift ${i}` : `hello ${i}`));
    for (let c = 0; c < 3; c++)
      await st.putRowChunk(
        pend.versionId,
        c,
        texts.slice(c * 1000, c * 1000 + 1000).map((text, i) => ({ text, note: `n${c * 1000 + i}` })),
      );
    const version = await st.commitImport(pend.versionId, {
      rowCount: n,
      chunkCount: 3,
      columns: [{ name: 'text', kind: 'string' }],
      textFields: ['text'],
      fields: ['text', 'note'],
      classes: ['ham', 'spam'],
      splitCounts: { train: n, dev: 0, test: 0 },
      skippedRows: 0,
      notes: [],
      gold: new Int8Array(n).fill(-1),
      split: new Uint8Array(n),
    });
    expect(version.rowsPerChunk).toBe(1000);
    const def: LfDef = {
      id: 'f',
      name: 'free',
      enabled: true,
      kind: 'keyword',
      label: 'spam',
      keywords: ['free'],
      mode: 'any',
      match: 'word',
      caseSensitive: false,
    };
    const pool = createInlineLfPool(() => createLfWorkerApi(), 2);
    const res = await pool.applyLfs([def], ['ham', 'spam'], storedChunkSource(version, name));
    expect(Array.from(res.lfs[0].votes)).toEqual(texts.map((t) => (t.startsWith('free') ? 1 : -1)));
    // A second column: the workers read it from the stored chunks too. (Code LFs, which read every
    // column, compile only in a hardened realm, where Dexie cannot run: columns.test.ts covers them.)
    const code: LfDef = { id: 'c', name: 'note', enabled: true, kind: 'field', label: 'ham', field: 'note', op: '==', value: 'n2001' };
    const both = await pool.applyLfs([def, code], ['ham', 'spam'], storedChunkSource(version, name));
    expect(Array.from(both.lfs[0].votes)).toEqual(Array.from(res.lfs[0].votes));
    expect(Array.from(both.lfs[1].votes).flatMap((v, i) => (v >= 0 ? [[i, v]] : []))).toEqual([[2001, 0]]);
    await expect(pool.applyLfs([def], ['ham', 'spam'], storedChunkSource({ ...version, id: 'nope' }, name))).rejects.toThrow(/missing/);
    st.close();
  });

  it('never hands an LF the gold column, whatever it asks for, unless the user opted in', async () => {
    const name = `lf-reader-gold-${Math.random()}`;
    const st = await openDexieStorage({ name, watchTabs: false });
    const p = await st.createProject('P');
    // Rows as a version imported before gold was kept out of them: the gold column is stored
    // in every row, and the rows differ in key order (so they are stored and read as objects).
    const pend = await st.beginImport({ projectId: p.id, name: 'd', source: { fileNames: ['d.csv'], format: 'csv', bytes: 1 } });
    const rows = Array.from({ length: 60 }, (_, i) =>
      i % 2 ? { text: `t${i}`, party: i % 3 ? 'R' : 'D', year: 2000 + i } : { party: i % 3 ? 'R' : 'D', text: `t${i}`, year: 2000 + i },
    );
    await st.putRowChunk(pend.versionId, 0, rows);
    const meta = {
      rowCount: rows.length,
      chunkCount: 1,
      columns: [{ name: 'text', kind: 'string' as const }],
      textFields: ['text'],
      fields: ['text', 'party', 'year'],
      labelField: 'party',
      classes: ['D', 'R'],
      splitCounts: { train: rows.length, dev: 0, test: 0 },
      skippedRows: 0,
      notes: [],
      gold: Int8Array.from(rows, (r) => (r.party === 'R' ? 1 : 0)),
      split: new Uint8Array(rows.length),
    };
    const hidden = await st.commitImport(pend.versionId, meta);
    const keysOf = (c: RowChunk | ColumnChunk): string[][] => (isColumnChunk(c) ? unpackRows(c) : c.rows).map((r) => Object.keys(r).sort());
    // What a code LF's worker asks for (null: every field), and what a template on gold asks for.
    const src = storedChunkSource(hidden, name).remote as { kind: string; params: { fields?: string[] } };
    const reader = await openChunkReader(src.kind, src.params);
    expect(new Set(keysOf(await reader(0, null)).map((k) => k.join()))).toEqual(new Set(['text,year']));
    expect(new Set(keysOf(await reader(0, ['party', 'text'])).map((k) => k.join()))).toEqual(new Set(['text']));
    // Params that lost their field list on the way (they pass through an isolated LF worker to
    // the chunk server) change nothing: the version record says what LFs may read.
    const { fields: dropped, ...bare } = src.params;
    expect(dropped).toEqual(['text', 'year']);
    const forged = await openChunkReader(src.kind, bare);
    expect(new Set(keysOf(await forged(0, null)).map((k) => k.join()))).toEqual(new Set(['text,year']));
    // A template LF pointed at the gold column gets nothing there.
    const pool = createInlineLfPool(() => createLfWorkerApi(), 2);
    const tpl: LfDef = {
      id: 'tpl',
      name: 'tpl',
      enabled: true,
      kind: 'keyword',
      label: 'R',
      field: 'party',
      keywords: ['R'],
      mode: 'any',
      match: 'word',
      caseSensitive: true,
    };
    const res = await pool.applyLfs([tpl], ['D', 'R'], storedChunkSource(hidden, name));
    expect(Array.from(res.lfs[0].votes).every((v) => v === -1)).toBe(true);
    // With the opt-in the same reads get it.
    const pend2 = await st.beginImport({ projectId: p.id, name: 'd2', source: { fileNames: ['d.csv'], format: 'csv', bytes: 1 } });
    await st.putRowChunk(pend2.versionId, 0, rows);
    const open = await st.commitImport(pend2.versionId, { ...meta, lfsReadGold: true });
    const openSrc = storedChunkSource(open, name).remote as { kind: string; params: unknown };
    expect(new Set(keysOf(await (await openChunkReader(openSrc.kind, openSrc.params))(0, null)).map((k) => k.join()))).toEqual(
      new Set(['party,text,year']),
    );
    const res2 = await pool.applyLfs([tpl], ['D', 'R'], storedChunkSource(open, name));
    expect(Array.from(res2.lfs[0].votes)).toEqual(Array.from(meta.gold, (g) => (g === 1 ? 1 : -1)));
    st.close();
  });
});
