/**
 * Row chunks for LF workers that cannot read storage themselves: isolated LF workers run in a
 * sandboxed, opaque-origin frame (pool-isolated.ts), where IndexedDB does not exist. A chunk
 * server on the app's origin (a worker, so the page thread never deserialises rows) opens the
 * registered reader the source names and answers `read` calls over a MessagePort per LF worker.
 *
 * The pool is unchanged: the isolated pool rewrites a remote source `{ kind, params }` into
 * `{ kind: RELAYED_CHUNKS, params: { kind, params } }`, and the LF worker's relayed reader
 * forwards each chunk request to the server.
 */
import * as Comlink from 'comlink';
import type { ColumnChunk, RowChunk } from '../core/lf/index.ts';
import { openChunkReader, type ChunkReader, type RemoteChunkSource } from './lf-worker-api.ts';

export const RELAYED_CHUNKS = 'shoal-relayed';

export interface ChunkServerApi {
  read(kind: string, params: unknown, index: number, fields: readonly string[] | null): Promise<RowChunk | ColumnChunk>;
}

export interface ChunkServerHost {
  /** Serve chunk reads on `port` (one port per LF worker). */
  connect(port: MessagePort): void;
}

/** Wrap a remote source so an isolated worker asks the chunk server for it. */
export function relayedSource(remote: RemoteChunkSource): RemoteChunkSource {
  return { kind: RELAYED_CHUNKS, params: { kind: remote.kind, params: remote.params } };
}

/** The server side: every reader registered in this realm, opened once per source. */
export function createChunkServer(open: (kind: string, params: unknown) => Promise<ChunkReader> = openChunkReader): ChunkServerApi {
  const opened = new Map<string, Promise<ChunkReader>>();
  return {
    async read(kind, params, index, fields) {
      const key = `${kind}\u0000${JSON.stringify(params)}`;
      let reader = opened.get(key);
      if (!reader) {
        reader = open(kind, params);
        opened.set(key, reader);
        reader.catch(() => opened.delete(key));
      }
      return (await reader)(index, fields);
    },
  };
}

/** The LF worker side: a reader factory for `RELAYED_CHUNKS` that forwards to `server`. */
export function relayedReader(server: Pick<ChunkServerApi, 'read'>): (params: unknown) => ChunkReader {
  return (raw) => {
    const p = raw as { kind?: unknown; params?: unknown };
    if (typeof p?.kind !== 'string') throw new Error('a relayed chunk source must name the reader it wraps');
    const kind = p.kind;
    return (index, fields) => server.read(kind, p.params, index, fields);
  };
}

/** `relayedReader` over a MessagePort to a chunk server. */
export function relayedReaderOverPort(port: MessagePort): (params: unknown) => ChunkReader {
  return relayedReader(Comlink.wrap<ChunkServerApi>(port) as unknown as ChunkServerApi);
}
