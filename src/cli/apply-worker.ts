/**
 * Node worker-thread entry of the LF worker (the CLI's twin of `src/workers/lf.worker.ts`):
 * the same LF runtime, exposed over Comlink's node adapter.
 *
 * An `--lfs` module is a program the user chose to run: its functions run with the user's
 * rights, like any script (README, `shoal apply --help`). LF source given as code LF definitions
 * (a project file's, a test's) is different: it compiles only in the hardened sandbox, which
 * locks this thread's realm down the first time such an LF arrives.
 */
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { createLfWorkerApi } from '../workers/lf-worker-api.ts';
import { hardenedSandbox } from '../core/lf/hardened-realm.ts';

if (!parentPort) throw new Error('apply-worker.ts must run in a worker thread');
Comlink.expose(
  createLfWorkerApi({ transfer: Comlink.transfer, freezeRows: true, sandbox: hardenedSandbox }),
  nodeEndpoint(parentPort as never),
);
