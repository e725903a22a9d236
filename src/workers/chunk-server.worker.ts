/**
 * Browser entry of the chunk server (chunk-relay.ts): reads row chunks from IndexedDB on the
 * app's origin for isolated LF workers, which have no storage of their own. It runs no LF code.
 */
import * as Comlink from 'comlink';
import './lf-chunk-reader.ts';
import { createChunkServer, type ChunkServerHost } from './chunk-relay.ts';

const server = createChunkServer();
const host: ChunkServerHost = {
  connect(port) {
    Comlink.expose(server, port);
  },
};
Comlink.expose(host);
