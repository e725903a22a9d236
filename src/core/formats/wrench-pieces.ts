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

/**
 * Rows in, pieces out: `add` one row at a time (in file order) and send each piece it returns to
 * the file, then the one `end` returns. `shoal apply` feeds it rows as their chunks come back from
 * the workers, so the file is written while the LFs still run.
 */
export class WrenchSplitWriter {
  private readonly voteText: string[];
  private readonly seen = new Set<string>();
  private piece = '';
  private rows = 0;

  constructor(
    private readonly k: number,
    private readonly m: number,
    private readonly pieceChars: number = WRENCH_PIECE_CHARS,
  ) {
    // A vote's text by value (-1 … k-1), so a row's weak labels are joined without number formatting.
    this.voteText = Array.from({ length: k + 1 }, (_, v) => String(v - 1));
  }

  /** One row; `vote(j)` is LF j's vote (-1 … k-1). Returns a full piece to write, or null. */
  add(id: string, label: number, vote: (j: number) => number, data: Record<string, unknown> | undefined): string | null {
    this.piece += this.line(id, label, vote, data);
    if (this.piece.length < this.pieceChars) return null;
    const full = this.piece;
    this.piece = '';
    return full;
  }

  /**
   * One row's text (after the file's opening or the previous row), for a caller that keeps its own
   * pieces (the CLI encodes lines straight into byte buffers); then `end` ends the file. Use either
   * `add` or `line` for a file, not both.
   */
  line(id: string, label: number, vote: (j: number) => number, data: Record<string, unknown> | undefined): string {
    if (this.seen.has(id)) throw new ShoalError(`cannot write WRENCH split: id "${id}" appears twice (row ${this.rows})`);
    this.seen.add(id);
    if (!Number.isInteger(label) || label < ABSTAIN || label >= this.k) {
      throw new ShoalError(`cannot write WRENCH split: row "${id}" has label ${label}, outside -1..${this.k - 1}`);
    }
    const text = this.voteText;
    let weak = this.m === 0 ? '' : text[vote(0) + 1];
    for (let j = 1; j < this.m; j++) weak += ', ' + text[vote(j) + 1];
    const line = `${this.rows === 0 ? '{\n' : ',\n'}\t${JSON.stringify(id)}: {"label": ${label}, "weak_labels": [${weak}], "data": ${JSON.stringify(data ?? {})}}`;
    this.rows++;
    return line;
  }

  /** The rest of the file. */
  end(): string {
    return this.rows === 0 ? '{}\n' : this.piece + '\n}\n';
  }
}

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
  const cols = L.columns();
  const w = new WrenchSplitWriter(L.k, cols.length, pieceChars);
  for (let i = 0; i < n; i++) {
    const piece = w.add(ids[i], labels[i], (j) => cols[j][i], data[i]);
    if (piece !== null) yield piece;
  }
  yield w.end();
}
