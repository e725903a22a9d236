/**
 * The three splits every dataset has. A row's split is stored as a code: its index in
 * `SPLIT_NAMES` (train 0, dev 1, test 2). Defined once here; readers, writers, the app and
 * the project file all use this list.
 */
import { ShoalError } from './types.ts';

export const SPLIT_NAMES = ['train', 'dev', 'test'] as const;
export type Split = (typeof SPLIT_NAMES)[number];

/** Whether `s` is one of the split names (for values read from files). */
export function isSplit(s: unknown): s is Split {
  return typeof s === 'string' && (SPLIT_NAMES as readonly string[]).includes(s);
}

/** The name of a stored split code; refuses a code outside 0..2 instead of guessing one. */
export function splitOfCode(code: number): Split {
  const s = SPLIT_NAMES[code];
  if (s === undefined) throw new ShoalError(`split code ${code} is not train (0), dev (1) or test (2)`);
  return s;
}
