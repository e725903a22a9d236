/**
 * Posting lists: ascending row numbers as gaps in LEB128 varints (7 bits a byte). Rows of a
 * frequent word are close together, so most gaps take one byte.
 */

/** A growable byte buffer of one term's postings. */
export class PostingWriter {
  bytes = new Uint8Array(8);
  length = 0;
  /** The last row written; -1 before the first. */
  last = -1;
  count = 0;

  /** Append `row`; rows must come in ascending order (a repeat of the last row is ignored). */
  add(row: number): void {
    if (row <= this.last) return;
    let gap = row - this.last;
    this.last = row;
    this.count++;
    if (this.length + 5 > this.bytes.length) {
      const grown = new Uint8Array(Math.max(16, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    while (gap >= 0x80) {
      this.bytes[this.length++] = (gap & 0x7f) | 0x80;
      gap >>>= 7;
    }
    this.bytes[this.length++] = gap;
  }
}

/** The rows of one posting list (`count` rows encoded in `bytes[start, end)`). */
export function decodePostings(bytes: Uint8Array, start: number, end: number, count: number): Int32Array {
  const rows = new Int32Array(count);
  let row = -1;
  let k = 0;
  for (let i = start; i < end && k < count;) {
    let gap = 0;
    let shift = 0;
    let b: number;
    do {
      b = bytes[i++];
      gap += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80 && i < end);
    if (b & 0x80) throw new Error('a posting list ends inside a number');
    row += gap;
    rows[k++] = row;
  }
  if (k !== count) throw new Error(`a posting list is cut short: ${k} of ${count} rows`);
  return rows;
}
