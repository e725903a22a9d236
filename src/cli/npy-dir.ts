/**
 * A label-matrix folder in NumPy's format, for `shoal fit`: `train.npy` (rows × LFs, -1 =
 * abstain), optional `valid.npy` / `test.npy` with their gold labels `valid_labels.npy` /
 * `test_labels.npy` (one class per row, -1 = unknown), and optional `label.json` (class names,
 * as in WRENCH). Any integer type NumPy writes is read; values outside -1..k−1 are refused with
 * the file, row and column. Reading 50 MB of int8 is a copy, where a WRENCH file of the same
 * matrix is parsed text (bench:fit).
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { readNpyColumns, readNpyInts } from '../core/formats/npy.ts';
import { parseWrenchLabels } from '../core/formats/wrench.ts';
import { withIndexIds, type WrenchVotes } from '../core/formats/wrench-votes.ts';
import { LabelMatrix } from '../core/matrix.ts';
import { ShoalError } from '../core/types.ts';
import type { WrenchDir } from './wrench-dir.ts';

const MAX_K = 127;

/** Whether `dir` holds a NumPy label-matrix folder (train.npy) rather than WRENCH JSON. */
export async function isNpyDir(dir: string): Promise<boolean> {
  return (await stat(join(dir, 'train.npy')).catch(() => undefined))?.isFile() === true;
}

export async function readNpyDir(dir: string): Promise<WrenchDir<WrenchVotes>> {
  const path = (f: string) => join(dir, f);
  const read = async (f: string) =>
    readFile(path(f)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return undefined;
      throw new ShoalError(`${path(f)}: cannot read (${e.code ?? e.message})`);
    });
  const labelBytes = await read('label.json');
  const classNames = labelBytes ? parseWrenchLabels(new TextDecoder().decode(labelBytes), path('label.json')) : undefined;
  const hi = (classNames?.length ?? MAX_K) - 1;

  const matrix = async (f: string) => {
    const bytes = await read(f);
    if (!bytes) return undefined;
    return readNpyColumns(bytes, path(f), -1, hi);
  };
  const train = await matrix('train.npy');
  if (!train) throw new ShoalError(`${path('train.npy')}: file not found`);
  const valid = await matrix('valid.npy');
  const test = await matrix('test.npy');
  for (const [f, s] of [
    ['valid.npy', valid],
    ['test.npy', test],
  ] as const) {
    if (s && s.m !== train.m)
      throw new ShoalError(`${path(f)}: has ${s.m} LFs but train.npy has ${train.m}; the splits must use the same LFs`);
  }
  const gold = async (f: string, n: number) => {
    const bytes = await read(f);
    if (!bytes) return new Int32Array(n).fill(-1);
    const { shape, data } = readNpyInts(bytes, path(f), -1, hi);
    // One label per row: a vector, or a one-column matrix (as `y[:, None]` or Shoal's export writes it).
    if (shape[0] !== n || (shape.length === 2 && shape[1] !== 1)) {
      throw new ShoalError(`${path(f)}: has shape (${shape.join(', ')}); expected one label per row of its matrix (${n})`);
    }
    return data;
  };
  let maxSeen = -1;
  for (const s of [train, valid, test]) if (s && s.maxValue > maxSeen) maxSeen = s.maxValue;
  const validLabels = valid ? await gold('valid_labels.npy', valid.n) : undefined;
  const testLabels = test ? await gold('test_labels.npy', test.n) : undefined;
  for (const y of [validLabels, testLabels]) if (y) for (const v of y) if (v > maxSeen) maxSeen = v;
  const k = classNames?.length ?? Math.max(2, maxSeen + 1);

  const split = (s: { n: number; columns: Int8Array[] }, labels: Int32Array): WrenchVotes =>
    withIndexIds({ L: new LabelMatrix(s.n, k, s.columns), labels }, s.n);
  return {
    dir,
    name: basename(resolve(dir)),
    classNames,
    k,
    m: train.m,
    train: split(train, new Int32Array(train.n).fill(-1)),
    valid: valid && split(valid, validLabels!),
    test: test && split(test, testLabels!),
  };
}
