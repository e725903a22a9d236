/**
 * Browser entry of an LF worker: exposes the LF worker API over Comlink. Chunk readers for
 * `remote` sources (rows read from IndexedDB inside the worker) are registered by importing
 * their module here, e.g. `import '../storage/lf-chunk-reader.ts'` calling `registerChunkReader`.
 *
 * Threat model: LF code is untrusted until reviewed; it runs here, in a dedicated worker with no
 * DOM, seeing only its row chunks, and is killed when it overruns its time budget.
 */
import * as Comlink from 'comlink';
import { createLfWorkerApi } from './lf-worker-api.ts';

Comlink.expose(createLfWorkerApi({ transfer: Comlink.transfer, freezeRows: true }));
