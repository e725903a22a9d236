/**
 * Hardens the realm it runs in, once, and gives the LF runtime its sandbox (src/core/lf/sandbox.ts).
 *
 * SES (hardened JavaScript): `lockdown()` freezes every JavaScript built-in of this realm —
 * `RegExp.prototype.test`, `Array.prototype`, `JSON`… — so no LF can change what another LF
 * (or this worker's own code) computes, and tames the realm's `Function` and `eval`. Each code LF
 * is then evaluated in a `Compartment` of its own: its global object holds only the frozen
 * built-ins (no `self`, `postMessage`, `fetch`, `indexedDB`, `WebSocketStream`, `FontFace`, …;
 * an allowlist, not a denylist) and is itself frozen, so an LF cannot leave globals for another
 * either. SES rejects source that contains a dynamic `import(`, and its `Date.now()` and
 * `Math.random()` throw in compartments: an LF's votes depend on its row alone.
 *
 * Lockdown is for the whole realm: call `hardenedSandbox()` only in a realm that runs LF code
 * and nothing that patches built-ins (Dexie, for one, does; the isolated LF worker has none).
 */
import 'ses';
import type { LfSandbox } from './sandbox.ts';

let sandbox: LfSandbox | null = null;

export function hardenedSandbox(): LfSandbox {
  if (sandbox) return sandbox;
  if (!Object.isFrozen(Object.prototype)) {
    // `consoleTaming: 'unsafe'` keeps the platform console (its output stays in this worker);
    // errors keep their messages, stacks stay hidden ('safe').
    lockdown({
      consoleTaming: 'unsafe',
      errorTaming: 'safe',
      overrideTaming: 'moderate',
      reporting: 'none',
      unhandledRejectionTrapping: 'none',
    });
  }
  sandbox = {
    evaluate(source) {
      const compartment = new Compartment({ __options__: true, globals: {} });
      const g = compartment.globalThis;
      // SES puts `lockdown` on every compartment's global; it only throws once the realm is
      // locked down, but an LF has no use for it.
      for (const name of ['lockdown', 'repairIntrinsics', 'hardenIntrinsics']) delete g[name];
      harden(g);
      return compartment.evaluate(source);
    },
    harden: (value) => harden(value),
  };
  return sandbox;
}
