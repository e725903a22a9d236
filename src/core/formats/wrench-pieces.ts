/**
 * A WRENCH split file written a piece at a time: the same bytes as `writeWrenchSplit`
 * (wrench.ts), cut into strings of about `pieceChars` characters, so `shoal apply` streams a
 * million-row split to disk without one string of the whole file (which doubles the peak memory
 * and the garbage collector's work) and writes one piece while it builds the next.
 *
 * Same checks and messages as `writeWrenchSplit`, made as each row is reached: a caller that
 * hits one midway has written part of a file and must report the error, not the file.
 */
import type { LabelMatrix } from '../matrix.ts';
import { ABSTAIN, ShoalError } from '../types.ts';

/** About one megabyte of text per piece: large enough that each write is cheap, small enough to keep memory flat. */
export const WRENCH_PIECE_CHARS = 1 << 20;

export function* wrenchSplitPieces(
  ids: readonly string[],
  L: LabelMatrix,
  labels: ArrayLike<number>,
  data: readonly (Record<string, unknown> | undefined)[],
  pieceChars: number = WRENCH_PIECE_CHARS,
): Generator<string, void, undefined> {
  const n = ids.length;
  if (L.n !== n || labels.length !== n || data.length !== n) {
    throw new ShoalError(
      `cannot write WRENCH split: ${n} ids, ${L.n} label-matrix rows, ${labels.length} labels and ${data.length} data rows must all match`,
    );
  }
  if (n === 0) {
    yield '{}\n';
    return;
  }
  // A vote's text by value (-1 … k-1), so a row's weak labels are joined without number formatting.
  const voteText = Array.from({ length: L.k + 1 }, (_, v) => String(v - 1));
  const cols = L.columns();
  const m = cols.length;
  const seen = new Set<string>();
  let piece = '{\n';
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    if (seen.has(id)) throw new ShoalError(`cannot write WRENCH split: id "${id}" appears twice (row ${i})`);
    seen.add(id);
    const y = labels[i];
    if (!Number.isInteger(y) || y < ABSTAIN || y >= L.k) {
      throw new ShoalError(`cannot write WRENCH split: row "${id}" has label ${y}, outside -1..${L.k - 1}`);
    }
    let weak = m === 0 ? '' : voteText[cols[0][i] + 1];
    for (let j = 1; j < m; j++) weak += ', ' + voteText[cols[j][i] + 1];
    piece += `${i === 0 ? '' : ',\n'}\t${JSON.stringify(id)}: {"label": ${y}, "weak_labels": [${weak}], "data": ${JSON.stringify(data[i] ?? {})}}`;
    if (piece.length >= pieceChars) {
      yield piece;
      piece = '';
    }
  }
  yield piece + '\n}\n';
}
