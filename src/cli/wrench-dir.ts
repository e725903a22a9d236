/**
 * Read a WRENCH dataset directory in Node: `train.json` (required), `valid.json` and
 * `test.json` (optional: undefined when absent, the caller decides whether that is fatal) and
 * `label.json` (optional class names, which also fix k). Parsing is the pure core parser; this
 * file only adds the file system and turns its failures into one-line ShoalErrors.
 * `readWrenchVotesDir` reads only votes and gold labels (for `shoal fit`): the byte scanner of
 * core/formats/wrench-votes.ts, fed the file 1 MB at a time (the whole file is never held), with
 * the full parser behind it for anything it leaves alone.
 */
import { open, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseWrenchLabels, parseWrenchSplit, type WrenchSplit } from '../core/formats/wrench.ts';
import { WrenchVotesScanner, type WrenchVotes } from '../core/formats/wrench-votes.ts';
import { LabelMatrix } from '../core/matrix.ts';
import { ShoalError } from '../core/types.ts';

export interface WrenchDir<S extends WrenchVotes = WrenchSplit> {
  dir: string;
  /** Directory base name, e.g. "youtube". */
  name: string;
  /** From label.json when present. */
  classNames?: string[];
  /** Shared by every split: label.json's class count, else inferred over all splits. */
  k: number;
  /** LFs per row, the same in every split. */
  m: number;
  train: S;
  valid?: S;
  test?: S;
}

export function readWrenchDir(dir: string): Promise<WrenchDir> {
  return readDir(dir, async (file, required, k) => {
    const bytes = await readBytes(file, required);
    return bytes && parseWrenchSplit(decode(bytes), file, k);
  });
}

/** The same directory without the rows' data: votes, gold labels and ids only. */
export function readWrenchVotesDir(dir: string): Promise<WrenchDir<WrenchVotes>> {
  return readDir(dir, async (file, required, k) => {
    const fast = await scanFile(file, required, k);
    if (fast !== null) return fast;
    // The scanner left this file to the full parser: its answer, or its error message.
    const bytes = (await readBytes(file, required))!;
    const { ids, L, labels } = parseWrenchSplit(decode(bytes), file, k);
    return { ids, L, labels };
  });
}

/** Bytes read at a time; a row longer than this grows the buffer. */
const CHUNK = 1 << 20;

/** The scanner fed chunk by chunk: its votes, undefined when the file is absent, null when it leaves the file to the full parser. */
async function scanFile(file: string, required: boolean, k: number | undefined): Promise<WrenchVotes | undefined | null> {
  const handle = await open(file, 'r').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' && !required) return undefined;
    return null; // readBytes says what went wrong
  });
  if (!handle) return handle;
  try {
    const scanner = new WrenchVotesScanner(k, (await handle.stat()).size);
    let buf = new Uint8Array(CHUNK);
    let have = 0;
    for (;;) {
      if (have === buf.length) {
        const grown = new Uint8Array(buf.length * 2);
        grown.set(buf);
        buf = grown;
      }
      const { bytesRead } = await handle.read(buf, have, buf.length - have, null);
      have += bytesRead;
      const last = bytesRead === 0;
      const used = scanner.feed(buf.subarray(0, have), last);
      if (used < 0) return null;
      if (last) return scanner.result();
      buf.copyWithin(0, used, have);
      have -= used;
    }
  } catch {
    return null;
  } finally {
    await handle.close();
  }
}

const decode = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');

async function readDir<S extends WrenchVotes>(
  dir: string,
  read: (file: string, required: boolean, k: number | undefined) => Promise<S | undefined>,
): Promise<WrenchDir<S>> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info) throw new ShoalError(`${dir}: directory not found`);
  if (!info.isDirectory()) throw new ShoalError(`${dir}: not a directory (expected a folder holding train.json)`);

  const path = (f: string) => join(dir, f);
  const labelBytes = await readBytes(path('label.json'), false);
  const classNames = labelBytes === undefined ? undefined : parseWrenchLabels(decode(labelBytes), path('label.json'));
  const kKnown = classNames?.length;

  const train = (await read(path('train.json'), true, kKnown))!;
  let valid = await read(path('valid.json'), false, kKnown);
  let test = await read(path('test.json'), false, kKnown);

  // Without label.json each split infers its own k; every split must share the largest one.
  const k = kKnown ?? Math.max(train.L.k, valid?.L.k ?? 2, test?.L.k ?? 2);
  const widen = (s: S | undefined): S | undefined => (s && s.L.k !== k ? { ...s, L: new LabelMatrix(s.L.n, k, [...s.L.columns()]) } : s);
  const trainK = widen(train)!;
  valid = widen(valid);
  test = widen(test);

  // Empty splits have no rows to tell their LF count; compare the others to the first non-empty.
  const splits = [
    ['train.json', trainK],
    ['valid.json', valid],
    ['test.json', test],
  ] as const;
  const ref = splits.find(([, s]) => s && s.L.n > 0);
  const m = ref ? ref[1]!.L.m : 0;
  for (const [f, s] of splits) {
    if (s && s.L.n > 0 && s.L.m !== m) {
      throw new ShoalError(`${path(f)}: rows have ${s.L.m} weak labels but ${ref![0]} has ${m}; the splits must use the same LFs`);
    }
  }
  return { dir, name: basename(root), classNames, k, m, train: trainK, valid, test };
}

async function readBytes(file: string, required: boolean): Promise<Uint8Array | undefined> {
  try {
    return await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      if (!required) return undefined;
      throw new ShoalError(`${file}: file not found`);
    }
    throw new ShoalError(`${file}: cannot read (${code ?? (err as Error).message})`);
  }
}
