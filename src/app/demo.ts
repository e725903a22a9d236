/**
 * The demo: the SpamAssassin corpus turned into a ham/spam labeling project at build time
 * (scripts/build-demo.ts writes `public/demo/`), plus a handful of starter LFs so a new user
 * sees the whole loop — LFs, analysis, label model, classifier — in a minute.
 *
 * This module fetches and validates the generated file; it has no DOM or storage dependency so
 * it runs in Node tests with a fake `fetch`.
 */
import { isSplit } from '../core/splits.ts';
import type { LfDef } from '../core/lf/types.ts';
import { ShoalError } from '../core/types.ts';

export type Split = 'train' | 'dev' | 'test';

/** One email of the demo; `label` is gold on dev/test and null on train. */
// A type alias (not an interface) so a row is assignable to Record<string, unknown>.
export type DemoRow = {
  id: string;
  split: Split;
  subject: string;
  from: string;
  body: string;
  label: 'ham' | 'spam' | null;
};

export interface DemoMeta {
  name: string;
  description: string;
  source: string;
  license: string;
  builderVersion: number;
  packageVersion: string;
  seed: number;
  rows: number;
  duplicatesDropped: number;
  classes: ['ham', 'spam'];
  textField: 'body';
  fields: string[];
  splits: Record<Split, { rows: number; ham: number; spam: number }>;
  file: string;
  sha256: string;
}

export const DEMO_DIR = 'demo/';
export const DEMO_META_FILE = 'spam-assassin.meta.json';
export const DEMO_FILE = 'spam-assassin.jsonl.gz';

/**
 * Starter LFs, chosen to show both kinds and a realistic spread: precise ones (replies, quoted
 * text), broad noisy ones (money words vote spam on plenty of ham), and one code LF. Dev
 * accuracy/coverage measured on the demo build are in the comments.
 */
export const DEMO_LFS: readonly LfDef[] = [
  {
    id: 'demo-money-words',
    name: 'money_words',
    enabled: true,
    kind: 'keyword',
    label: 'spam',
    field: 'body',
    keywords: ['free', 'money', 'cash', 'credit', 'guarantee', 'guaranteed', 'income', 'cheap', 'mortgage', 'viagra'],
    mode: 'any',
    match: 'word',
    caseSensitive: false,
  }, // ~30% coverage, ~0.67 accuracy: noisy on purpose
  {
    id: 'demo-click-here',
    name: 'click_here',
    enabled: true,
    kind: 'keyword',
    label: 'spam',
    field: 'body',
    keywords: ['click here', 'to be removed', 'opt out', 'opt-out'],
    mode: 'any',
    match: 'word',
    caseSensitive: false,
  }, // ~14%, ~0.98
  {
    id: 'demo-dollar-amount',
    name: 'dollar_amount',
    enabled: true,
    kind: 'regex',
    label: 'spam',
    field: 'body',
    pattern: '\\$\\d[\\d,]*',
    flags: '',
  }, // ~14%, ~0.79
  {
    id: 'demo-reply-subject',
    name: 'reply_subject',
    enabled: true,
    kind: 'regex',
    label: 'ham',
    field: 'subject',
    pattern: '^(re|fwd?|aw)\\s*:',
    flags: 'i',
  }, // ~37%, ~0.96
  {
    id: 'demo-quoted-text',
    name: 'quoted_text',
    enabled: true,
    kind: 'regex',
    label: 'ham',
    field: 'body',
    pattern: '^>',
    flags: 'm',
  }, // ~38%, ~0.98
  {
    id: 'demo-shouting-subject',
    name: 'shouting_subject',
    enabled: true,
    kind: 'code',
    source: [
      '// A subject in capitals (at least 8 letters) or with "!!" reads like a pitch.',
      '(x) => {',
      "  const s = x.subject || '';",
      "  const letters = s.replace(/[^A-Za-z]/g, '');",
      "  if (letters.length >= 8 && letters === letters.toUpperCase()) return 'spam';",
      "  return s.includes('!!') ? 'spam' : null;",
      '}',
    ].join('\n'),
  },
];

export interface LoadedDemo {
  meta: DemoMeta;
  rows: DemoRow[];
}

type FetchFn = (url: string) => Promise<Response>;

/** Gzip starts with 1f 8b; a host that sent the file with Content-Encoding: gzip gave us text. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

async function gunzip(bytes: Uint8Array): Promise<string> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

async function get(fetchFn: FetchFn, url: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetchFn(url);
  } catch (e) {
    throw new ShoalError(
      `could not fetch the demo file ${url} (${(e as Error).message}); reload the page while online once so it is cached`,
    );
  }
  if (!res.ok)
    throw new ShoalError(
      `the demo file ${url} answered HTTP ${res.status}; was the app built with \`npm run build\` (it generates public/demo/)?`,
    );
  return res;
}

/**
 * Fetch the demo under `base` (the app's base URL, e.g. `import.meta.env.BASE_URL`) and check
 * it against its metadata: row count and fields, so a stale or truncated file fails loudly.
 */
export async function fetchDemo(base: string, fetchFn: FetchFn = (u) => fetch(u)): Promise<LoadedDemo> {
  const dir = `${base.endsWith('/') ? base : `${base}/`}${DEMO_DIR}`;
  const meta = (await (await get(fetchFn, dir + DEMO_META_FILE)).json()) as DemoMeta;
  const bytes = new Uint8Array(await (await get(fetchFn, dir + meta.file)).arrayBuffer());
  const text = isGzip(bytes) ? await gunzip(bytes) : new TextDecoder().decode(bytes);
  const rows: DemoRow[] = [];
  let line = 0;
  for (const raw of text.split('\n')) {
    line++;
    if (!raw) continue;
    let r: DemoRow;
    try {
      r = JSON.parse(raw) as DemoRow;
    } catch {
      throw new ShoalError(`the demo file ${meta.file} has invalid JSON on line ${line}; rebuild it with \`npm run build\``);
    }
    if (typeof r.body !== 'string' || typeof r.subject !== 'string' || !isSplit(r.split)) {
      throw new ShoalError(`the demo file ${meta.file} line ${line} lacks subject/body/split; rebuild it with \`npm run build\``);
    }
    rows.push(r);
  }
  if (rows.length !== meta.rows) {
    throw new ShoalError(
      `the demo file ${meta.file} has ${rows.length} rows but its metadata says ${meta.rows}; it is truncated or stale — rebuild it`,
    );
  }
  return { meta, rows };
}
