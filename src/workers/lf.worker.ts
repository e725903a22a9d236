/**
 * Browser entry of an LF worker on the page's origin: exposes the LF worker API over Comlink,
 * with the IndexedDB chunk reader registered so the pool can hand it `storedChunkSource(version)`
 * and the worker reads its own rows (`lf-chunk-reader.ts`).
 *
 * Only template LFs (keyword, regex, lookup, length, field: our code, the user's patterns as
 * data) run here. This worker has no LF sandbox, so a code LF sent here does not compile: code
 * LFs run only in isolated LF workers (pool-isolated.ts, lf-isolated.worker.ts). Network and
 * storage APIs are still removed from its scope before any LF runs (lockdown.ts), and a regex
 * that backtracks too long is stopped by the pool's watchdog.
 */
import * as Comlink from 'comlink';
import './lf-chunk-reader.ts';
import { createLfWorkerApi } from './lf-worker-api.ts';
import { lockDownScope } from './lockdown.ts';

// After the imports: Dexie (inside the chunk reader) has captured IndexedDB for our own reads.
lockDownScope();

Comlink.expose(createLfWorkerApi({ transfer: Comlink.transfer, freezeRows: true }));
