/**
 * A word index of one text field of a dataset version: for every indexable word (terms.ts), the
 * rows that contain it. It lets a case-insensitive `word` keyword or lookup LF be answered
 * without reading the text again — what makes an LF edit on 500,000 long documents take
 * milliseconds instead of a scan of every stored note.
 *
 * The terms are spread over `SHARDS` shards by a hash, so answering an LF reads only the
 * shards of its keywords. A shard is three arrays (structured-clone friendly, no per-term
 * objects): the terms joined by '\n' (never a word character), each term's row count, and the
 * byte ranges of their posting lists (postings.ts) in one buffer.
 */
import { decodePostings, PostingWriter } from './postings.ts';
import { forEachTerm } from './terms.ts';

/** Bumped when the terms or the layout change: an index of another format is rebuilt, never read. */
export const TEXT_INDEX_FORMAT = 1;
export const SHARDS = 64;

export interface TextIndexShard {
  readonly shard: number;
  /** Terms joined by '\n', in the order of `counts`. */
  readonly terms: string;
  readonly counts: Uint32Array;
  /** `postings` bytes of term i: [ends[i-1] (0 for the first), ends[i]). */
  readonly ends: Uint32Array;
  readonly postings: Uint8Array;
}

export interface TextIndexMeta {
  readonly format: number;
  readonly field: string;
  readonly rowCount: number;
  readonly shards: number;
  readonly terms: number;
  readonly bytes: number;
}

/** FNV-1a over UTF-16 units: which shard holds `term`. */
export function shardOf(term: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < term.length; i++) {
    h ^= term.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % SHARDS;
}

/** Add rows in ascending order, then `finish`. */
export class TextIndexBuilder {
  private readonly ids = new Map<string, number>();
  private readonly writers: PostingWriter[] = [];
  private lastRow = -1;

  /** Index row `row`'s text; rows must be added in ascending order. */
  add(row: number, text: string): void {
    if (row <= this.lastRow) throw new Error(`rows must be indexed in ascending order (row ${row} after ${this.lastRow})`);
    this.lastRow = row;
    if (text.length === 0) return;
    forEachTerm(text, (term) => {
      let id = this.ids.get(term);
      if (id === undefined) {
        id = this.writers.length;
        this.ids.set(term, id);
        this.writers.push(new PostingWriter());
      }
      this.writers[id].add(row);
    });
  }

  get termCount(): number {
    return this.writers.length;
  }

  finish(): TextIndexShard[] {
    const byShard: string[][] = Array.from({ length: SHARDS }, () => []);
    for (const term of this.ids.keys()) byShard[shardOf(term)].push(term);
    return byShard.map((terms, shard) => {
      terms.sort();
      const counts = new Uint32Array(terms.length);
      const ends = new Uint32Array(terms.length);
      let bytes = 0;
      terms.forEach((t, i) => {
        const w = this.writers[this.ids.get(t)!];
        counts[i] = w.count;
        bytes += w.length;
        ends[i] = bytes;
      });
      const postings = new Uint8Array(bytes);
      terms.forEach((t, i) => {
        const w = this.writers[this.ids.get(t)!];
        postings.set(w.bytes.subarray(0, w.length), i === 0 ? 0 : ends[i - 1]);
      });
      return { shard, terms: terms.join('\n'), counts, ends, postings };
    });
  }
}

/** A shard ready to look terms up in. */
export class ShardReader {
  private readonly position = new Map<string, number>();

  constructor(private readonly data: TextIndexShard) {
    if (data.terms.length > 0) data.terms.split('\n').forEach((t, i) => this.position.set(t, i));
    if (this.position.size !== data.counts.length || data.ends.length !== data.counts.length)
      throw new Error(`text index shard ${data.shard} is damaged: its term list and arrays differ in length`);
  }

  /** Ascending rows that contain `term` (empty when none). */
  rows(term: string): Int32Array {
    const i = this.position.get(term);
    if (i === undefined) return new Int32Array(0);
    const { ends, counts, postings } = this.data;
    return decodePostings(postings, i === 0 ? 0 : ends[i - 1], ends[i], counts[i]);
  }
}
