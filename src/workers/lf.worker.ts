/**
 * Browser entry of an LF worker: exposes the LF worker API over Comlink, with the IndexedDB
 * chunk reader registered so the pool can hand it `storedChunkSource(version)` and the worker
 * reads its own rows (`lf-chunk-reader.ts`).
 *
 * Threat model: LF code is untrusted until reviewed; it runs here, in a dedicated worker with no
 * DOM, seeing only its row chunks, and is killed when it overruns its time budget. Code LFs are
 * compiled with `new Function`, so this worker's CSP needs `'unsafe-eval'` (the page's need not).
 */
import * as Comlink from 'comlink';
import './lf-chunk-reader.ts';
import { createLfWorkerApi } from './lf-worker-api.ts';

Comlink.expose(createLfWorkerApi({ transfer: Comlink.transfer, freezeRows: true }));
