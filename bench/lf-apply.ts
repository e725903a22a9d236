/**
 * LF application throughput: the 20 LFs of ../shared/benchmarks/lf-bench-spec.md over 100k and
 * 1M rows, inline (one thread) and through the Node worker-thread pool, beside the Python
 * reference (snorkel PandasLFApplier and a plain loop, measured on this kind of machine).
 *
 *   npx tsx bench/lf-apply.ts [--data-dir DIR] [--sizes 100000,1000000] [--workers 2] [--seed 0]
 *
 * With --data-dir holding the reference inputs (`python3 tools/lf_bench.py gen --n 100000 1000000
 * --seed 0 --out-dir DIR`), fire counts and the sha256 of L are checked against the spec;
 * otherwise a seeded TS port of the reference generator makes similar (not byte-identical) text.
 * As in the reference, reading/generating the rows is not timed; starting the workers is.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Row, RowChunk } from '../src/core/lf/index.ts';
import { mulberry32, type Rng } from '../src/core/rng.ts';
import { createLfWorkerApi } from '../src/workers/lf-worker-api.ts';
import { createInlineLfPool, type ChunkSource, type LfApplyResult, type LfPool } from '../src/workers/pool.ts';
import { createNodeLfPool } from '../src/cli/apply-pool.ts';
import { BENCH_CLASSES, BENCH_LFS, SPEC_FIRES, SPEC_L_SHA256 } from './lf-apply-defs.ts';

/** Python reference rows/s (endmodel-and-apply.md §3): PandasLFApplier and the plain loop. */
const PY = {
  100000: { pandas: 4102, plain: 49771 },
  1000000: { pandas: 3642, plain: 47732 },
} as Record<number, { pandas: number; plain: number }>;

function flag(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

// --- a seeded port of tools/lf_bench.py's generator (same distributions, different RNG) ---
const VOCAB_SIZE = 5000;
const KEYWORD_RANKS: Record<number, string> = {
  14: 'check', 18: 'out', 25: 'love', 33: 'video', 45: 'song', 60: 'channel', 75: 'subscribe', 90: 'please', 110: 'thanks', 130: 'free', 150: 'music',
  170: 'thank', 190: 'videos', 220: 'money', 260: 'beautiful', 300: 'guitar', 340: 'plz', 380: 'dance', 420: 'voice', 470: 'cash', 520: 'pls', 600: 'prize',
  700: 'winner', 800: 'lyrics', 900: 'thx', 1200: 'sub4sub',
};
const COMMON = ('the to and a i you is this of it in my for that on me so be with your just have but not are we like all can was do if at what they one from up ' +
  'get will no now how its there an or he she about who when more go know people time good new really first make want see way').split(' ');
const SUBSTRING_KWS = BENCH_LFS.flatMap((d) => (d.kind === 'keyword' && d.match === 'substring' ? d.keywords : []));

function pick<T>(rng: Rng, xs: readonly T[], ps?: readonly number[]): T {
  if (!ps) return xs[Math.floor(rng() * xs.length)];
  let u = rng();
  for (let i = 0; i < xs.length; i++) if ((u -= ps[i]) < 0) return xs[i];
  return xs[xs.length - 1];
}
const int = (rng: Rng, lo: number, hiExcl: number) => lo + Math.floor(rng() * (hiExcl - lo));

export function generateRows(n: number, seed: number): Row[] {
  const rng = mulberry32(seed);
  const vocab: string[] = new Array(VOCAB_SIZE);
  const taken = new Set(Object.values(KEYWORD_RANKS));
  for (const [r, w] of Object.entries(KEYWORD_RANKS)) vocab[Number(r)] = w;
  let c = 0;
  for (let r = 0; r < VOCAB_SIZE && c < COMMON.length; r++) if (!vocab[r]) taken.add((vocab[r] = COMMON[c++]));
  const cons = 'bcdfghjklmnprstvwz', vows = 'aeiou';
  for (let r = 0; r < VOCAB_SIZE; r++) {
    if (vocab[r]) continue;
    for (;;) {
      let w = '';
      for (let s = int(rng, 1, 4); s > 0; s--) w += pick(rng, [...cons]) + pick(rng, [...vows]) + (rng() < 0.3 ? pick(rng, [...cons]) : '');
      if (w.length >= 2 && !taken.has(w) && !SUBSTRING_KWS.some((k) => w.includes(k))) {
        taken.add((vocab[r] = w));
        break;
      }
    }
  }
  const cdf = new Float64Array(VOCAB_SIZE);
  let z = 0;
  for (let r = 0; r < VOCAB_SIZE; r++) cdf[r] = z += 1 / (r + 1);
  for (let r = 0; r < VOCAB_SIZE; r++) cdf[r] /= z;
  const zipf = () => {
    const u = rng();
    let lo = 0, hi = VOCAB_SIZE - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return vocab[lo];
  };
  const TLDS = ['com', 'net', 'org', 'ly'];
  const rows: Row[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const toks: string[] = [];
    for (let j = int(rng, 5, 31); j > 0; j--) {
      let w = zipf();
      if (rng() < 0.02) w = w.toUpperCase();
      if (rng() < 0.06) w += pick(rng, [',', '.', '!', '?'], [0.5, 0.25, 0.15, 0.1]);
      toks.push(w);
    }
    const insert = (t: string) => toks.splice(int(rng, 0, toks.length + 1), 0, t);
    const pseudo = () => vocab[int(rng, 1000, VOCAB_SIZE)];
    if (rng() < 0.1) {
      let num = String(int(rng, 1, 10));
      for (let d = int(rng, 1, 8) - 1; d > 0; d--) num += String(int(rng, 0, 10));
      insert(rng() < 0.25 ? '$' + num : num);
    }
    if (rng() < 0.05) {
      const f = int(rng, 0, 3);
      insert(f === 0 ? `http://www.${pseudo()}.com` : f === 1 ? `https://${pseudo()}.${pick(rng, TLDS)}/${pseudo()}` : `www.${pseudo()}.${pick(rng, TLDS)}`);
    }
    if (rng() < 0.02) insert(`${pseudo()}${String(int(rng, 0, 1000)).slice(0, int(rng, 0, 4))}@${pseudo()}.${pick(rng, TLDS)}`);
    if (rng() < 0.05) toks.unshift(pick(rng, ['hi', 'hello', 'hey']) + (rng() < 0.5 ? ',' : ''));
    toks[0] = toks[0].slice(0, 1).toUpperCase() + toks[0].slice(1);
    rows[i] = { text: toks.join(' ') + pick(rng, ['', '.', '!', '?', '!!', '!!!', '...', ' :)'], [0.3, 0.25, 0.15, 0.1, 0.08, 0.04, 0.05, 0.03]) };
  }
  return rows;
}

function readReference(dir: string, n: number): Row[] | null {
  for (const f of [`synth_text_${n}.jsonl`, 'synth_text_1000000.jsonl']) {
    const p = join(dir, f);
    if (!existsSync(p)) continue;
    const text = readFileSync(p, 'utf8');
    const rows: Row[] = [];
    let start = 0;
    while (rows.length < n && start < text.length) {
      const end = text.indexOf('\n', start);
      rows.push(JSON.parse(text.slice(start, end < 0 ? undefined : end)));
      start = end < 0 ? text.length : end + 1;
    }
    if (rows.length === n) return rows;
  }
  return null;
}

function source(rows: Row[], chunkSize = 1000): ChunkSource {
  const chunks: RowChunk[] = [];
  for (let s = 0; s < rows.length; s += chunkSize) chunks.push({ start: s, rows: rows.slice(s, s + chunkSize) });
  return { rowCount: rows.length, chunkCount: chunks.length, read: (i) => chunks[i] };
}

function check(res: LfApplyResult, n: number, exact: boolean): string {
  const m = res.lfs.length;
  const fires = res.lfs.map((l) => l.votes.reduce((a, v) => a + (v >= 0 ? 1 : 0), 0));
  const errs = res.lfs.filter((l) => l.error).map((l) => `${l.name}: ${l.error!.message}`);
  if (errs.length) return `LF ERRORS: ${errs.join('; ')}`;
  if (!exact) return `fires ${fires.join(' ')}`;
  const L = new Int8Array(n * m);
  for (let j = 0; j < m; j++) {
    const col = res.lfs[j].votes;
    for (let i = 0; i < n; i++) L[i * m + j] = col[i];
  }
  const want = SPEC_FIRES[n];
  const firesOk = want ? fires.every((f, j) => f === want[j]) : false;
  const sha = createHash('sha256').update(L).digest('hex');
  const shaOk = SPEC_L_SHA256[n] === sha;
  return `fires ${firesOk ? '= spec' : 'DIFFER ' + fires.join(' ')}, L sha256 ${shaOk ? '= spec' : 'DIFFERS ' + sha.slice(0, 12)}`;
}

/** Wall time, and CPU time of the whole process (all threads): the machine may be shared. */
async function timed(pool: () => LfPool | Promise<LfPool>, src: ChunkSource): Promise<{ ms: number; cpuMs: number; res: LfApplyResult }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const p = await pool();
  try {
    const res = await p.applyLfs(BENCH_LFS, BENCH_CLASSES, src);
    const c = process.cpuUsage(c0);
    return { ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000, res };
  } finally {
    p.close();
  }
}

async function main(): Promise<void> {
  const sizes = (flag('sizes', '100000,1000000') ?? '').split(',').map(Number);
  const workers = Number(flag('workers', '2'));
  const seed = Number(flag('seed', '0'));
  const dataDir = flag('data-dir');
  const lines: string[] = [];
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  lines.push('| N | applier | s | rows/s | × PandasLFApplier | × plain Python loop | CPU s (all threads) | check |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const n of sizes) {
    const ref = dataDir ? readReference(dataDir, n) : null;
    if (dataDir && !ref) console.error(`(no synth_text_${n}.jsonl with ${n} rows in ${dataDir}: generating instead)`);
    const rows = ref ?? generateRows(n, seed);
    const src = source(rows);
    const py = PY[n];
    const row = (name: string, ms: number, cpuMs: number, res: LfApplyResult) => {
      const rps = n / (ms / 1000);
      const vs = (x: number | undefined) => (x ? `${(rps / x).toFixed(1)}×` : '–');
      lines.push(`| ${fmt(n)} | ${name} | ${(ms / 1000).toFixed(2)} | ${fmt(rps)} | ${vs(py?.pandas)} | ${vs(py?.plain)} | ${(cpuMs / 1000).toFixed(2)} | ${check(res, n, ref !== null)} |`);
      console.error(lines.at(-1));
    };
    const inline = await timed(() => createInlineLfPool(() => createLfWorkerApi(), 1), src);
    row('Shoal inline (1 thread)', inline.ms, inline.cpuMs, inline.res);
    const pooled = await timed(() => createNodeLfPool({ size: workers }), src);
    row(`Shoal Node worker pool (${workers} threads, start-up included)`, pooled.ms, pooled.cpuMs, pooled.res);
    if (py) {
      lines.push(`| ${fmt(n)} | snorkel PandasLFApplier (Python reference) | ${(n / py.pandas).toFixed(2)} | ${fmt(py.pandas)} | 1.0× | – | | |`);
      lines.push(`| ${fmt(n)} | plain Python loop (reference) | ${(n / py.plain).toFixed(2)} | ${fmt(py.plain)} | ${(py.plain / py.pandas).toFixed(1)}× | 1.0× | | |`);
    }
  }
  console.log(`\nLF apply: 20 LFs (lf-bench-spec.md), ${dataDir ? 'reference input from ' + dataDir : `generated input (seed ${seed})`}`);
  // Wall-clock rows/s depend on what else runs: state the load so a slow row can be read right.
  console.log(`${cpus().length} CPUs, 1-min load average at the end: ${loadavg()[0].toFixed(1)}\n`);
  console.log(lines.join('\n'));
}

await main();
