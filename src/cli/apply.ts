/**
 * `shoal apply --lfs FILE.mjs --data FILE [--label-field F] [--split 0.8,0.1,0.1] [--seed N]
 *  [--workers N] [--budget-ms N] --out DIR`
 *
 * Runs an LF module over a data file on Node worker threads (the same LF runtime and pool as
 * the app) and writes DIR/{train,valid,test}.json + label.json in WRENCH format, so `fit` and
 * `distill` read the result. Module form:
 *
 *   export const classes = ['ham', 'spam'];
 *   export default [{ name: 'mentions_free', apply: (x) => /\bfree\b/i.test(x.text) ? 'spam' : null }];
 *
 * `apply(x, helpers)` gets the row's fields but the `--label-field` one (and the code-LF helpers: words, tokens, lower,
 * people, places, organizations, sentiment) and returns a class name, a class index, or
 * null/undefined/-1 to abstain. An entry may instead declare a template LF as data
 * (`{ name, kind: 'keyword' | 'regex' | 'length', label, ... }`, core/lf/module-lfs.ts): those run
 * on the app's template pass (one case fold and one scan of the text shared by all keyword LFs,
 * regexes skipped on rows that lack a required character), which functions cannot use.
 * Functions cannot be sent to a worker, so each worker imports the module by path. An LF that throws, returns a non-class, loops past its time budget or
 * crashes its worker is reported on stderr (name, row, message) and the others complete.
 *
 * Rows are assigned to splits by a seeded permutation; each split keeps file order and uses the
 * row's 0-based position in the file (as in error messages) as its WRENCH id. `ms` and
 * `rows_per_s` time the LF application, worker start-up included (reading the file is not
 * counted, as in the Python reference); `total_ms` includes reading and writing.
 *
 * Trust: the LF module is imported by Node like any other program, with the user's full rights
 * (files, network, child processes). Nothing here sandboxes it, and `--help` and the README say
 * so; the hardened runtime is for LF code that arrives as data (code LFs in project files).
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { availableParallelism } from 'node:os';
import { needsNlp, type Row } from '../core/lf/index.ts';
import { withoutFields } from '../core/lf/gold.ts';
import { LabelMatrix } from '../core/matrix.ts';
import { deriveSeed, mulberry32, permutation } from '../core/rng.ts';
import { ShoalError } from '../core/types.ts';
import { defaultPoolSize, type ChunkSource, type LfApplyResult } from '../workers/pool.ts';
import { integer, oneOf, parseFlags, required } from './args.ts';
import { createNodeLfPool } from './apply-pool.ts';
import { readRows } from './read-data.ts';
import { SplitStreamer, writeError } from './stream-splits.ts';
import { choiceWithoutProbe, WorkerProbe } from './worker-choice.ts';

const FLAGS = ['lfs', 'data', 'label-field', 'split', 'seed', 'out', 'workers', 'budget-ms', 'chunk-size', 'encoding', 'bad-rows'] as const;

/** Each option's value and what it does, for `--help` (an option without an entry is still listed, from FLAGS). */
const FLAG_HELP: Record<string, [string, string]> = {
  lfs: ['FILE.mjs', 'the LF module (see below; .mjs, .js or .ts); required'],
  data: ['FILE', 'CSV, TSV, JSONL, JSON array or Parquet; required'],
  'label-field': ['F', 'gold label field (class names or indices; blank = no label)'],
  split: ['A,B,C', 'train/valid/test fractions, a seeded shuffle (default 0.8,0.1,0.1)'],
  seed: ['N', 'seed of the split (default 0)'],
  out: ['DIR', 'where train.json, valid.json, test.json and label.json go; required'],
  workers: ['N', 'worker threads (default: one per core up to 8, kept only if timing the first chunks shows they are faster than one)'],
  'budget-ms': ['N', 'time budget of an LF per chunk (default 5000)'],
  'chunk-size': ['N', 'rows per chunk (default 1000)'],
  encoding: ['NAME', 'text encoding of --data, a TextDecoder label such as windows-1252 (default: detected)'],
  'bad-rows': ['stop|skip', 'stop at a malformed row (default), or skip it: each skipped row is listed on stderr; more than 1% is refused'],
};

/** `shoal apply --help`: what the command does, and that the LF module runs with the user's rights. */
export function help(): string {
  const options = FLAGS.map((f) => {
    const [value, what] = FLAG_HELP[f] ?? ['VALUE', ''];
    return `  ${`--${f} ${value}`.padEnd(24)}${what}`.trimEnd();
  }).join('\n');
  return `usage: shoal apply --lfs FILE.mjs --data FILE --out DIR [options]

Runs the LFs of an LF module over a data file on worker threads and writes DIR/{train,valid,test}.json
and label.json in WRENCH format (shoal fit and shoal distill read them). Prints one JSON object:
{"rows","lfs","ms","rows_per_s","coverage","splits","lf_errors","workers","workers_chosen","workers_reason",
"workers_probe_rows_per_s" (when measured),"total_ms"}.

Only run LF modules you trust. The --lfs module is a program: Node imports and runs it with your
full rights - it can read, change and delete your files, use the network and start other programs.
Shoal does not sandbox it. (Code LFs inside a Shoal project file are different: the app runs them
hardened in the browser, where they can only compute a vote from a row.)

Options:
${options}

LF module:
  export const classes = ['ham', 'spam'];
  export default [{ name: 'mentions_free', apply: (x) => (/\\bfree\\b/i.test(x.text) ? 'spam' : null) }];
apply(x, h) gets the row's fields and helpers h (words, tokens, lower, people, places, organizations,
sentiment) and returns a class name, a class index, or null/undefined/-1 to abstain.
Keyword, regex and length LFs can be declared as data instead, and then run on one shared pass
over the text (faster than the same LFs written as functions):
  { name: 'free', kind: 'keyword', keywords: ['free', 'prize'], match: 'word', label: 'spam' }
    (match: word | token | substring; mode: any | all; caseSensitive: false by default)
  { name: 'url', kind: 'regex', pattern: 'https?://', flags: 'i', label: 'spam' }
  { name: 'short', kind: 'length', unit: 'chars', op: '<', value: 40, label: 'ham' }
    (unit: chars | words | tokens; op: < <= > >= == !=; every template may name a field)
`;
}

export interface ApplySummary {
  rows: number;
  lfs: number;
  ms: number;
  rows_per_s: number;
  /** Fraction of rows with at least one vote. */
  coverage: number;
  splits: { train: number; valid: number; test: number };
  /** LFs that reported an error (details on stderr). */
  lf_errors: number;
  /** Worker threads started. */
  workers: number;
  /** Worker threads that ran the job once the count was chosen (worker-choice.ts), and why. */
  workers_chosen: number;
  workers_reason: string;
  /** When the count was measured: rows per second of one worker alone and of all `workers`. */
  workers_probe_rows_per_s?: { one: number; all: number };
  total_ms: number;
}

export function parseSplit(raw: string): [number, number, number] {
  const parts = raw.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 3 || parts.some((p) => !Number.isFinite(p) || p < 0)) {
    throw new ShoalError(`--split must be three non-negative fractions like 0.8,0.1,0.1, got "${raw}"`);
  }
  const sum = parts[0] + parts[1] + parts[2];
  if (Math.abs(sum - 1) > 1e-6) throw new ShoalError(`--split fractions must add up to 1, got ${sum}`);
  return parts as [number, number, number];
}

/** Split membership (0 train, 1 valid, 2 test) per row: a seeded shuffle cut at the fractions. */
export function assignSplits(n: number, fractions: readonly [number, number, number], seed: number): Uint8Array {
  const perm = permutation(n, mulberry32(deriveSeed(seed, 'apply-split')));
  const nTrain = Math.round(fractions[0] * n);
  const nValid = Math.min(n - nTrain, Math.round(fractions[1] * n));
  const out = new Uint8Array(n).fill(2);
  for (let p = 0; p < n; p++) out[perm[p]] = p < nTrain ? 0 : p < nTrain + nValid ? 1 : 2;
  return out;
}

/** Gold class per row from a label field: class names (case-insensitive when unambiguous) or indices; blank = -1. */
export function goldLabels(rows: readonly Row[], field: string, classes: readonly string[], file: string): Int8Array {
  const byName = new Map<string, number>();
  classes.forEach((c, i) => byName.set(c, i));
  classes.forEach((c, i) => {
    const l = c.toLowerCase();
    if (!byName.has(l) && classes.filter((d) => d.toLowerCase() === l).length === 1) byName.set(l, i);
  });
  const out = new Int8Array(rows.length);
  let present = 0;
  for (let i = 0; i < rows.length; i++) {
    const v = rows[i][field];
    if (v === undefined || v === null || v === '' || v === -1 || v === '-1') {
      out[i] = -1;
      continue;
    }
    present++;
    const s = String(v).trim();
    let c = byName.get(s) ?? byName.get(s.toLowerCase());
    if (c === undefined && /^\d+$/.test(s) && Number(s) < classes.length) c = Number(s);
    if (c === undefined)
      throw new ShoalError(
        `${file}: row ${i + 1}: label "${s}" in field "${field}" is not one of the classes ${classes.join(', ')} (or an index 0–${classes.length - 1})`,
      );
    out[i] = c;
  }
  if (present === 0 && rows.length > 0 && !rows.some((r) => field in r)) {
    throw new ShoalError(`${file}: no row has the label field "${field}"`);
  }
  return out;
}

export async function run(args: string[]): Promise<ApplySummary> {
  const tStart = performance.now();
  const flags = parseFlags(args, FLAGS);
  const lfsPath = resolve(required(flags, 'lfs'));
  const dataPath = required(flags, 'data');
  const outDir = required(flags, 'out');
  const labelField = flags.get('label-field');
  const fractions = parseSplit(flags.get('split') ?? '0.8,0.1,0.1');
  const seed = integer(flags, 'seed', 0);
  const forcedWorkers = flags.has('workers') ? integer(flags, 'workers', 1) : undefined;
  const workers = forcedWorkers ?? defaultPoolSize(availableParallelism());
  const budgetMs = integer(flags, 'budget-ms', 5000);
  const chunkSize = integer(flags, 'chunk-size', 1000);
  if (workers < 1 || workers > 64) throw new ShoalError(`--workers must be between 1 and 64, got ${workers}`);
  if (budgetMs < 10) throw new ShoalError(`--budget-ms must be at least 10, got ${budgetMs}`);
  if (chunkSize < 1) throw new ShoalError(`--chunk-size must be positive, got ${chunkSize}`);

  let lfSource: string;
  try {
    lfSource = await readFile(lfsPath, 'utf8');
  } catch {
    throw new ShoalError(`${lfsPath}: LF module not found`);
  }
  const rows = await readRows(dataPath, {
    encoding: flags.get('encoding'),
    skipBadRows: oneOf(flags, 'bad-rows', ['stop', 'skip'], 'stop') === 'skip',
  });
  const n = rows.length;
  // The label field is the answer: the rows the LFs get never carry it (core/lf/gold.ts).
  const hidden = labelField === undefined ? [] : [labelField];
  const source: ChunkSource = {
    rowCount: n,
    chunkCount: Math.ceil(n / chunkSize),
    read: (c) => ({ start: c * chunkSize, rows: rows.slice(c * chunkSize, (c + 1) * chunkSize).map((r) => withoutFields(r, hidden)) }),
  };

  // The thread count: forced, not worth measuring, or measured on the first chunks (worker-choice.ts).
  const fixed = choiceWithoutProbe({ forced: forcedWorkers, cpus: availableParallelism(), workers, chunkCount: source.chunkCount });
  const probe = fixed ? null : new WorkerProbe(workers, source.chunkCount, () => performance.now());
  const size = fixed ? fixed.chosen : workers;
  // The split files are written while the LFs run (stream-splits.ts): the folder must exist first.
  const split = assignSplits(n, fractions, seed);
  let created: string | undefined;
  const streamer = new SplitStreamer({
    outDir,
    rows,
    chunkSize,
    split,
    omitField: labelField,
    gold: (classes) => (labelField ? goldLabels(rows, labelField, classes, dataPath) : new Int8Array(n).fill(-1)),
  });
  try {
    created = await mkdir(outDir, { recursive: true });
    await streamer.open();
  } catch (e) {
    throw writeError(outDir, e);
  }

  const pool = await createNodeLfPool({ size, typescript: /\.[mc]?ts$/i.test(lfsPath) });
  let res: LfApplyResult;
  const t0 = performance.now();
  try {
    res = await pool.apply({ kind: 'module', url: pathToFileURL(lfsPath).href, nlp: needsNlp(lfSource) }, source, {
      timeBudgetMsPerLfPerChunk: budgetMs,
      onChunkDone: streamer.onChunkDone,
      ...(probe ? { gate: probe.gate, onProgress: probe.progress } : {}),
    });
  } catch (e) {
    // Nothing half-written is left behind: the temporary files, and the folder if this run made it.
    await streamer.finish(null).catch(() => undefined);
    if (created !== undefined) await rm(created, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  } finally {
    pool.close();
  }
  const ms = performance.now() - t0;
  const choice = fixed ?? probe!.result();

  let lfErrors = 0;
  for (const lf of res.lfs) {
    if (!lf.error) continue;
    lfErrors++;
    const where = lf.error.row >= 0 ? `row ${lf.error.row}` : 'all rows';
    const count = lf.error.count > 1 ? ` (${lf.error.count} rows)` : '';
    process.stderr.write(`shoal apply: LF "${lf.name}": ${where}: ${lf.error.message}${count}\n`);
  }

  const members = [0, 0, 0];
  for (let i = 0; i < n; i++) members[split[i]]++;

  let covered = 0;
  for (let i = 0; i < n; i++) {
    for (const lf of res.lfs) {
      if (lf.votes[i] !== -1) {
        covered++;
        break;
      }
    }
  }

  try {
    await streamer.finish(res);
    await writeFile(join(outDir, 'label.json'), JSON.stringify(Object.fromEntries(res.classes.map((c, i) => [String(i), c]))) + '\n');
  } catch (e) {
    if (created !== undefined) await rm(created, { recursive: true, force: true }).catch(() => undefined);
    throw writeError(outDir, e);
  }

  return {
    rows: n,
    lfs: res.lfs.length,
    ms: Math.round(ms),
    rows_per_s: Math.round(n / (ms / 1000)),
    coverage: n === 0 ? 0 : covered / n,
    splits: { train: members[0], valid: members[1], test: members[2] },
    lf_errors: lfErrors,
    workers: size,
    workers_chosen: choice.chosen,
    workers_reason: choice.reason,
    ...(choice.oneRowsPerS !== undefined ? { workers_probe_rows_per_s: { one: choice.oneRowsPerS, all: choice.manyRowsPerS! } } : {}),
    total_ms: Math.round(performance.now() - tStart),
  };
}
