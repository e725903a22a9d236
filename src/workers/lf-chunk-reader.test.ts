import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { LfDef } from '../core/lf/index.ts';
import { openDexieStorage } from '../storage/dexie.ts';
import { storedChunkSource } from './lf-chunk-reader.ts';
import { createLfWorkerApi } from './lf-worker-api.ts';
import { createInlineLfPool } from './pool.ts';

describe('LF workers reading chunks from IndexedDB', () => {
  it('applies LFs to a committed dataset version without the page passing rows', async () => {
    const name = `lf-reader-${Math.random()}`;
    const st = await openDexieStorage({ name, watchTabs: false });
    const p = await st.createProject('P');
    const pend = await st.beginImport({ projectId: p.id, name: 'd', source: { fileNames: ['d.csv'], format: 'csv', bytes: 1 } });
    const n = 2500;
    const texts = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? `free gift ${i}` : `hello ${i}`));
    for (let c = 0; c < 3; c++) await st.putRowChunk(pend.versionId, c, texts.slice(c * 1000, c * 1000 + 1000).map((text, i) => ({ text, note: `n${c * 1000 + i}` })));
    const version = await st.commitImport(pend.versionId, {
      rowCount: n, chunkCount: 3, columns: [{ name: 'text', kind: 'string' }], textFields: ['text'], fields: ['text'], classes: ['ham', 'spam'],
      splitCounts: { train: n, dev: 0, test: 0 }, skippedRows: 0, notes: [], gold: new Int8Array(n).fill(-1), split: new Uint8Array(n),
    });
    expect(version.rowsPerChunk).toBe(1000);
    const def: LfDef = { id: 'f', name: 'free', enabled: true, kind: 'keyword', label: 'spam', keywords: ['free'], mode: 'any', match: 'word', caseSensitive: false };
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
});
