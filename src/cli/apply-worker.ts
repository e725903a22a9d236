/**
 * Node worker-thread entry of the LF worker (the CLI's twin of `src/workers/lf.worker.ts`):
 * the same LF runtime, exposed over Comlink's node adapter.
 */
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createLfWorkerApi } from '../workers/lf-worker-api.ts';

if (!parentPort) throw new Error('apply-worker.ts must run in a worker thread');
Comlink.expose(createLfWorkerApi({ transfer: Comlink.transfer, freezeRows: true }), nodeEndpoint(parentPort as never));
