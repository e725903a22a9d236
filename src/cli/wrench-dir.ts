/**
 * Read a WRENCH dataset directory in Node: `train.json` (required), `valid.json` and
 * `test.json` (optional: undefined when absent, the caller decides whether that is fatal) and
 * `label.json` (optional class names, which also fix k). Parsing is the pure core parser; this
 * file only adds the file system and turns its failures into one-line ShoalErrors.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseWrenchLabels, parseWrenchSplit, type WrenchSplit } from '../core/formats/wrench.ts';
import { LabelMatrix } from '../core/matrix.ts';
import { ShoalError } from '../core/types.ts';

export interface WrenchDir {
  dir: string;
  /** Directory base name, e.g. "youtube". */
  name: string;
  /** From label.json when present. */
  classNames?: string[];
  /** Shared by every split: label.json's class count, else inferred over all splits. */
  k: number;
  /** LFs per row, the same in every split. */
  m: number;
  train: WrenchSplit;
  valid?: WrenchSplit;
  test?: WrenchSplit;
}

export async function readWrenchDir(dir: string): Promise<WrenchDir> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info) throw new ShoalError(`${dir}: directory not found`);
  if (!info.isDirectory()) throw new ShoalError(`${dir}: not a directory (expected a folder holding train.json)`);

  const path = (f: string) => join(dir, f);
  const labelText = await readText(path('label.json'), false);
  const classNames = labelText === undefined ? undefined : parseWrenchLabels(labelText, path('label.json'));
  const kKnown = classNames?.length;

  const trainText = await readText(path('train.json'), true);
  const train = parseWrenchSplit(trainText!, path('train.json'), kKnown);
  const optional = async (f: string) => {
    const text = await readText(path(f), false);
    return text === undefined ? undefined : parseWrenchSplit(text, path(f), kKnown);
  };
  let valid = await optional('valid.json');
  let test = await optional('test.json');

  // Without label.json each split infers its own k; every split must share the largest one.
  const k = kKnown ?? Math.max(train.L.k, valid?.L.k ?? 2, test?.L.k ?? 2);
  const widen = (s: WrenchSplit | undefined): WrenchSplit | undefined =>
    s && s.L.k !== k ? { ...s, L: new LabelMatrix(s.L.n, k, [...s.L.columns()]) } : s;
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

async function readText(file: string, required: boolean): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      if (!required) return undefined;
      throw new ShoalError(`${file}: file not found`);
    }
    throw new ShoalError(`${file}: cannot read (${code ?? (err as Error).message})`);
  }
}
