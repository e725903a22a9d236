/**
 * Which rows the LF live preview runs on: gold-labelled dev rows first (accuracy), then train
 * rows (coverage), then test rows if the others are short, evenly spaced in each split. The
 * rows are read from storage, so on a dataset of many chunks the picks come from at most
 * `maxChunks` chunks evenly spread over it: a preview then reads a few chunks, not the whole
 * dataset (one row in each of 500 chunks would read them all).
 */
import type { SplitIndex } from './project.ts';

export const PREVIEW_ROWS = 1500;
export const PREVIEW_MAX_CHUNKS = 24;

/** Dataset row numbers of the sample, in pick order (dev, train, test). */
export function previewPicks(
  index: SplitIndex,
  rowsPerChunk: number,
  rowCount: number,
  size = PREVIEW_ROWS,
  maxChunks = PREVIEW_MAX_CHUNKS,
): Uint32Array {
  const chunks = Math.ceil(rowCount / Math.max(1, rowsPerChunk));
  let within = (idx: Uint32Array) => idx;
  if (chunks > maxChunks) {
    const keep = new Uint8Array(chunks);
    for (let t = 0; t < maxChunks; t++) keep[Math.floor((t * chunks) / maxChunks)] = 1;
    within = (idx) => idx.filter((i) => keep[Math.floor(i / rowsPerChunk)] === 1);
  }
  const pick: number[] = [];
  const spaced = (idx: Uint32Array, n: number) => {
    if (idx.length <= n) idx.forEach((i) => pick.push(i));
    else for (let t = 0; t < n; t++) pick.push(idx[Math.floor((t * idx.length) / n)]);
  };
  spaced(within(index.dev), Math.floor(size / 2));
  spaced(within(index.train), size - pick.length);
  if (pick.length < size) spaced(within(index.test), size - pick.length);
  return Uint32Array.from(pick);
}
