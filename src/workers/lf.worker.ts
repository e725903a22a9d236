/**
 * Browser entry of an LF worker: exposes the LF worker API over Comlink, with the IndexedDB
 * chunk reader registered so the pool can hand it `storedChunkSource(version)` and the worker
 * reads its own rows (`lf-chunk-reader.ts`).
 *
 * Threat model: LF code is untrusted until reviewed; it runs here, in a dedicated worker with no
 * DOM, seeing only its row chunks, and is killed when it overruns its time budget. Network and
 * storage APIs are removed from this worker's scope before any LF runs (lockdown.ts). Code LFs
 * are compiled with `new Function`, so this worker's CSP needs `'unsafe-eval'`.
 */
import * as Comlink from 'comlink';
import './lf-chunk-reader.ts';
import { createLfWorkerApi } from './lf-worker-api.ts';
import { lockDownScope } from './lockdown.ts';

// After the imports: Dexie (inside the chunk reader) has captured IndexedDB for our own reads.
lockDownScope();

Comlink.expose(createLfWorkerApi({ transfer: Comlink.transfer, freezeRows: true }));
