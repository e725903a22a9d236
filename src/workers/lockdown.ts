/**
 * Takes the network and storage out of an LF worker's reach before any LF code runs.
 *
 * LF code is untrusted until the user has reviewed it (an imported project's LFs, a snippet
 * pasted from elsewhere). The CSP's `connect-src 'self'` already blocks other origins where the
 * host sends headers, but a CSP in a meta tag does not reach workers, so on header-less static
 * hosts this is the barrier: `fetch`, XHR, sockets, `importScripts`, nested workers, caches,
 * IndexedDB and broadcast channels are replaced by `undefined` on the global object and on every
 * prototype that defines them (so `Object.getPrototypeOf(self).fetch` finds nothing either).
 * The worker's own chunk reader keeps working: Dexie captured IndexedDB when it was imported.
 *
 * Residual risk, documented in the README: a dynamic `import('https://…')` cannot be removed
 * from a JS realm; only a CSP sent as a header (dist/_headers) blocks it.
 */
export const BLOCKED_GLOBALS = [
  'fetch',
  'XMLHttpRequest',
  'WebSocket',
  'WebTransport',
  'EventSource',
  'importScripts',
  'Worker',
  'SharedWorker',
  'caches',
  'indexedDB',
  'BroadcastChannel',
  'RTCPeerConnection',
] as const;

export function lockDownScope(scope: object = globalThis): string[] {
  const removed: string[] = [];
  for (const name of BLOCKED_GLOBALS) {
    let owner: object | null = scope;
    let found = false;
    while (owner) {
      if (Object.prototype.hasOwnProperty.call(owner, name)) {
        found = true;
        try {
          Object.defineProperty(owner, name, { value: undefined, writable: false, configurable: false, enumerable: false });
        } catch {
          // A non-configurable property we cannot replace: shadow it on the scope itself below.
        }
      }
      owner = Object.getPrototypeOf(owner);
    }
    if (found) {
      if ((scope as Record<string, unknown>)[name] !== undefined) {
        Object.defineProperty(scope, name, { value: undefined, writable: false, configurable: false, enumerable: false });
      }
      removed.push(name);
    }
  }
  return removed;
}
