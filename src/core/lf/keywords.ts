/**
 * One-pass keyword matching for every keyword/lookup template of an LF set.
 *
 * All keywords that read the same text view (field × case folding) are compiled together:
 * - `substring` keywords into one Aho–Corasick automaton (Aho & Corasick 1975), with a dense
 *   DFA table for ASCII code units and failure links for the rest;
 * - `word` keywords into a hash map keyed by their first word, probed once per word of the
 *   text (scanned with Unicode-aware boundaries) and confirmed by a literal comparison, so a
 *   10,000-entry lookup list costs the same per word as a 1-entry one;
 * - `token` keywords into a trie walked along each whitespace token of the text, character by
 *   character (no token strings are cut out of the text, nothing is hashed).
 * Keywords whose edges are not word characters (`$5`, `c++`) cannot anchor on a word, and
 * fall back to one RegExp each with Unicode lookaround boundaries.
 *
 * A scan marks which keywords occurred with a row stamp (no clearing between rows); the caller
 * then asks per LF whether any/all of its keywords were seen.
 */
import { isSpaceUnit, isWordCharAt, scanWords, wordBoundedPattern } from './text.ts';

/** One LF's keywords; groups are referred to by their position in the scanner's list. */
export interface KeywordGroupSpec {
  readonly keywords: readonly string[];
  readonly mode: 'any' | 'all';
  readonly match: 'word' | 'token' | 'substring';
}

/** Dense transitions cover these code units; states are stored multiplied by it (`<< 7`). */
const ASCII = 128;

/** Aho–Corasick automaton over UTF-16 code units; outputs are pattern ids. */
class AhoCorasick {
  /**
   * Dense ASCII transitions, indexed by `state*128 + c`. Entries hold the next state already
   * multiplied by 128 (the hot loop needs no multiply), bit-complemented when that state has
   * outputs (one sign test per character instead of two output-table loads).
   */
  private readonly delta: Int32Array;
  private readonly wide: Map<number, number>[]; // non-ASCII goto edges per state
  private readonly fail: Int32Array;
  private readonly outStart: Int32Array;
  private readonly outIds: Int32Array;

  constructor(patterns: readonly string[]) {
    const gotoAscii: Int32Array[] = [new Int32Array(ASCII).fill(-1)];
    const wide: Map<number, number>[] = [new Map()];
    const own: number[][] = [[]];
    patterns.forEach((p, id) => {
      let s = 0;
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        let next = c < ASCII ? gotoAscii[s][c] : (wide[s].get(c) ?? -1);
        if (next < 0) {
          next = gotoAscii.length;
          gotoAscii.push(new Int32Array(ASCII).fill(-1));
          wide.push(new Map());
          own.push([]);
          if (c < ASCII) gotoAscii[s][c] = next;
          else wide[s].set(c, next);
        }
        s = next;
      }
      own[s].push(id);
    });
    const n = gotoAscii.length;
    const fail = new Int32Array(n);
    const delta = new Int32Array(n * ASCII);
    const outs: number[][] = own.map((o) => o.slice());
    // Breadth-first: a state's failure target is shallower, so it is final when we reach it.
    const queue: number[] = [];
    for (let c = 0; c < ASCII; c++) {
      const t = gotoAscii[0][c];
      delta[c] = t < 0 ? 0 : t;
      if (t > 0) queue.push(t);
    }
    for (const t of wide[0].values()) queue.push(t);
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q];
      const f = fail[s];
      for (const id of outs[f]) outs[s].push(id);
      for (let c = 0; c < ASCII; c++) {
        const t = gotoAscii[s][c];
        if (t < 0) delta[s * ASCII + c] = delta[f * ASCII + c];
        else {
          delta[s * ASCII + c] = t;
          fail[t] = delta[f * ASCII + c];
          queue.push(t);
        }
      }
      for (const [c, t] of wide[s]) {
        fail[t] = this.wideStep(wide, fail, f, c);
        queue.push(t);
      }
    }
    this.wide = wide;
    this.fail = fail;
    const outStart = new Int32Array(n + 1);
    for (let s = 0; s < n; s++) outStart[s + 1] = outStart[s] + outs[s].length;
    this.outStart = outStart;
    this.outIds = Int32Array.from(outs.flat());
    for (let i = 0; i < delta.length; i++) {
      const t = delta[i];
      delta[i] = outs[t].length > 0 ? ~(t * ASCII) : t * ASCII;
    }
    this.delta = delta;
  }

  private wideStep(wide: Map<number, number>[], fail: Int32Array, s: number, c: number): number {
    for (;;) {
      const t = wide[s].get(c);
      if (t !== undefined) return t;
      if (s === 0) return 0;
      s = fail[s];
    }
  }

  scan(text: string, emit: (id: number) => void): void {
    const { delta, outStart, outIds, wide, fail } = this;
    let off = 0; // current state × 128
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < ASCII) {
        const t = delta[off + c];
        if (t >= 0) {
          off = t;
          continue;
        }
        off = ~t;
      } else {
        const w = this.wideStep(wide, fail, off >> 7, c);
        off = w * ASCII;
        if (outStart[w] === outStart[w + 1]) continue;
      }
      const s = off >> 7;
      for (let o = outStart[s], b = outStart[s + 1]; o < b; o++) emit(outIds[o]);
    }
  }
}

/**
 * Whole-token keywords as a trie over UTF-16 code units. A scan walks each maximal run of
 * non-whitespace (exactly the tokens of `tokensOf`) down the trie and reports the keywords whose
 * path ends where the token ends. A keyword containing whitespace can never be reached, just as
 * it could never equal a token.
 */
class TokenTrie {
  private readonly ascii: Int32Array; // state*128 + c → next state, -1 none
  private readonly wide: Map<number, number>[];
  private readonly ends: (Int32Array | null)[]; // keyword ids whose token ends at a state

  constructor(words: ReadonlyMap<string, readonly number[]>) {
    const ascii: number[] = new Array<number>(ASCII).fill(-1);
    const wide: Map<number, number>[] = [new Map()];
    const ends: (Int32Array | null)[] = [null];
    for (const [w, ids] of words) {
      let s = 0;
      for (let i = 0; i < w.length; i++) {
        const c = w.charCodeAt(i);
        let t = c < ASCII ? ascii[s * ASCII + c] : (wide[s].get(c) ?? -1);
        if (t < 0) {
          t = wide.length;
          wide.push(new Map());
          ends.push(null);
          for (let k = 0; k < ASCII; k++) ascii.push(-1);
          if (c < ASCII) ascii[s * ASCII + c] = t;
          else wide[s].set(c, t);
        }
        s = t;
      }
      ends[s] = Int32Array.from(ids);
    }
    this.ascii = Int32Array.from(ascii);
    this.wide = wide;
    this.ends = ends;
  }

  scan(text: string, emit: (ids: Int32Array) => void): void {
    const { ascii, wide, ends } = this;
    let s = 0; // trie state of the current token; -1 once it left the trie
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      if (isSpaceUnit(c)) {
        if (s > 0 && ends[s] !== null) emit(ends[s]!);
        s = 0;
      } else if (s >= 0) s = c < ASCII ? ascii[s * ASCII + c] : (wide[s].get(c) ?? -1);
    }
    if (s > 0 && ends[s] !== null) emit(ends[s]!);
  }
}

/** Keywords of every group, compiled for one text view. */
export class KeywordScanner {
  private readonly groups: KeywordGroupSpec[];
  /** keyword id → group index */
  private readonly kwGroup: Int32Array;
  private readonly need: Int32Array; // per group: distinct keywords needed
  private readonly seen: Int32Array; // per keyword: stamp of the last row it occurred in
  private readonly groupStamp: Int32Array;
  private readonly groupCount: Int32Array;
  private stamp = 0;

  private readonly ac: AhoCorasick | null;
  private readonly acIds: Int32Array[]; // pattern id → keyword ids
  private readonly byFirstWord: Map<string, { kw: string; ids: number[] }[]>;
  private readonly byToken: Map<string, number[]>;
  private readonly tokenTrie: TokenTrie | null;
  private readonly fallback: { re: RegExp; id: number }[];
  private readonly hit = (id: number): void => this.mark(id);
  private readonly hitTokens = (ids: Int32Array): void => {
    for (let i = 0; i < ids.length; i++) this.markKw(ids[i]);
  };

  constructor(groups: readonly KeywordGroupSpec[]) {
    this.groups = groups.slice();
    const kwGroup: number[] = [];
    const need: number[] = [];
    const substr = new Map<string, number[]>();
    this.byFirstWord = new Map();
    const byToken = new Map<string, number[]>();
    this.byToken = byToken;
    this.fallback = [];
    groups.forEach((g, gi) => {
      const distinct = [...new Set(g.keywords.filter((k) => k.length > 0))];
      // A group without keywords never fires (an unreachable count), in either mode.
      need.push(distinct.length === 0 ? 0x7fffffff : g.mode === 'all' ? distinct.length : 1);
      for (const kw of distinct) {
        const id = kwGroup.length;
        kwGroup.push(gi);
        if (g.match === 'substring') push(substr, kw, id);
        else if (g.match === 'token') push(byToken, kw, id);
        else if (isWordCharAt(kw, 0) && isWordCharAt(kw, kw.length - 1)) {
          let first = '';
          scanWords(kw, (a, b) => {
            if (a === 0) first = kw.slice(a, b);
          });
          const list = this.byFirstWord.get(first) ?? [];
          const entry = list.find((e) => e.kw === kw);
          if (entry) entry.ids.push(id);
          else list.push({ kw, ids: [id] });
          this.byFirstWord.set(first, list);
        } else this.fallback.push({ re: new RegExp(wordBoundedPattern(kw), 'u'), id });
      }
    });
    this.kwGroup = Int32Array.from(kwGroup);
    this.need = Int32Array.from(need);
    this.seen = new Int32Array(kwGroup.length);
    this.groupStamp = new Int32Array(groups.length);
    this.groupCount = new Int32Array(groups.length);
    const patterns = [...substr.keys()];
    this.ac = patterns.length > 0 ? new AhoCorasick(patterns) : null;
    this.acIds = patterns.map((p) => Int32Array.from(substr.get(p)!));
    this.tokenTrie = byToken.size > 0 ? new TokenTrie(byToken) : null;
  }

  private mark(patternOrKw: number): void {
    // Called with AC pattern ids from the automaton; mapped to keyword ids here.
    const ids = this.acIds[patternOrKw];
    for (let i = 0; i < ids.length; i++) this.markKw(ids[i]);
  }

  private markKw(id: number): void {
    const st = this.stamp;
    if (this.seen[id] === st) return;
    this.seen[id] = st;
    const g = this.kwGroup[id];
    if (this.groupStamp[g] !== st) {
      this.groupStamp[g] = st;
      this.groupCount[g] = 0;
    }
    this.groupCount[g]++;
  }

  /**
   * Scan one text (already case-folded by the caller when the view is case-insensitive).
   * `tokens`, when given, must be `tokensOf(text)`: a caller that split the text anyway (for
   * code LFs) saves the trie walk; the token strings are then looked up by hash, and their
   * hashes stay cached for the code LFs' own maps.
   */
  scan(text: string, tokens?: readonly string[]): void {
    this.stamp++;
    if (this.stamp === 0x7fffffff) this.resetStamps();
    if (this.ac) this.ac.scan(text, this.hit);
    if (this.byFirstWord.size > 0) {
      scanWords(text, (a, b) => {
        const cands = this.byFirstWord.get(text.slice(a, b));
        if (!cands) return;
        for (const c of cands) {
          const end = a + c.kw.length;
          if ((end === b || text.startsWith(c.kw, a)) && !isWordCharAt(text, end)) for (const id of c.ids) this.markKw(id);
        }
      });
    }
    if (this.tokenTrie) {
      if (tokens) {
        for (let t = 0; t < tokens.length; t++) {
          const ids = this.byToken.get(tokens[t]);
          if (ids) for (const id of ids) this.markKw(id);
        }
      } else this.tokenTrie.scan(text, this.hitTokens);
    }
    for (const f of this.fallback) if (f.re.test(text)) this.markKw(f.id);
  }

  /** Whether group `g` (by position in the constructor list) fired on the last scanned text. */
  fired(g: number): boolean {
    return this.groupStamp[g] === this.stamp && this.groupCount[g] >= this.need[g];
  }

  private resetStamps(): void {
    this.seen.fill(0);
    this.groupStamp.fill(0);
    this.stamp = 1;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
