import * as Comlink from 'comlink';
import { describe, expect, it } from 'vitest';
import type { RowChunk } from '../core/lf/index.ts';
import { createChunkServer, relayedReaderOverPort, relayedSource, RELAYED_CHUNKS } from './chunk-relay.ts';
import type { ChunkReader } from './lf-worker-api.ts';

describe('chunk relay', () => {
  it('wraps a remote source and serves its chunks over a MessagePort, opening each source once', async () => {
    const opened: string[] = [];
    const open = async (kind: string, params: unknown): Promise<ChunkReader> => {
      opened.push(`${kind}:${JSON.stringify(params)}`);
      const p = params as { versionId: string };
      return async (index, fields) =>
        ({ start: index * 2, rows: [{ id: index * 2, text: `${p.versionId}/${index}/${fields?.join(',')}` }] }) as RowChunk;
    };
    const remote = relayedSource({ kind: 'dexie', params: { versionId: 'v1' } });
    expect(remote.kind).toBe(RELAYED_CHUNKS);

    const ch = new MessageChannel();
    Comlink.expose(createChunkServer(open), ch.port1 as unknown as Comlink.Endpoint);
    const reader = relayedReaderOverPort(ch.port2)(remote.params);
    const a = (await reader(3, ['text'])) as RowChunk;
    const b = (await reader(4, null)) as RowChunk;
    expect(a).toEqual({ start: 6, rows: [{ id: 6, text: 'v1/3/text' }] });
    expect(b.rows[0].text).toBe('v1/4/undefined'); // null fields: all of them
    expect(opened).toEqual(['dexie:{"versionId":"v1"}']);
    ch.port1.close();
    ch.port2.close();
  });

  it('a reader that fails to open is retried on the next read, and errors reach the LF worker', async () => {
    let attempts = 0;
    const server = createChunkServer(async () => {
      if (attempts++ === 0) throw new Error('database is locked');
      return async () => ({ start: 0, rows: [] });
    });
    await expect(server.read('k', {}, 0, null)).rejects.toThrow('database is locked');
    await expect(server.read('k', {}, 0, null)).resolves.toEqual({ start: 0, rows: [] });
  });
});
