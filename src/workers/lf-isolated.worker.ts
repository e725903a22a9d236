/**
 * Entry of an isolated LF worker: the same LF worker API as lf.worker.ts, hosted in the
 * sandboxed frame of pool-isolated.ts (its own process, opaque origin). Bundled into one classic
 * script at build time (scripts/lf-isolated-plugin.ts), because a blob worker in an opaque origin
 * can neither import the app's modules nor be started from the app's URLs.
 *
 * This is the only place code LFs run in the browser. Before any message is read, the realm is
 * hardened (hardened-realm.ts: SES lockdown; each code LF then compiles in a compartment of its
 * own with only the frozen built-ins) and the worker's network and storage globals are removed
 * (lockdown.ts), so LF code sees its row, the helpers and JavaScript itself — nothing else.
 *
 * The page's two ports arrive in the first message: the LF worker API (Comlink) and the chunk
 * relay to the chunk server.
 */
import { hardenedSandbox } from '../core/lf/hardened-realm.ts';
import * as Comlink from 'comlink';
import { relayedReaderOverPort, RELAYED_CHUNKS } from './chunk-relay.ts';
import { createLfWorkerApi, registerChunkReader } from './lf-worker-api.ts';
import { lockDownScope } from './lockdown.ts';

const sandbox = hardenedSandbox();
lockDownScope();

function connect(e: MessageEvent): void {
  if ((e.data as { type?: unknown } | null)?.type !== 'shoal-connect' || e.ports.length < 2) return;
  self.removeEventListener('message', connect);
  const [api, relay] = e.ports;
  registerChunkReader(RELAYED_CHUNKS, relayedReaderOverPort(relay));
  Comlink.expose(createLfWorkerApi({ transfer: Comlink.transfer, freezeRows: true, sandbox: () => sandbox }), api);
  // Tells the pool the worker has loaded, so its watchdog does not count start-up as LF time.
  self.postMessage({ type: 'connected' });
}
self.addEventListener('message', connect);
