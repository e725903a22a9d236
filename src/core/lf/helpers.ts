/**
 * Helpers in scope for code LFs, like Snorkel's preprocessors: each takes the row `x` (reading
 * its text field) or a string, and is computed once per row and cached, so ten LFs calling
 * `words(x)` tokenize the row once (Snorkel's `memoize=True`, without keeping every row alive:
 * caches are dropped after each chunk).
 *
 * - `lower(x)`: lowercase text.
 * - `words(x)`: lowercase Unicode words, punctuation dropped (`"Free!! café"` → `free`, `café`).
 * - `tokens(x)`: lowercase whitespace tokens, punctuation kept (`"video!"` stays `video!`).
 * - `people(x)`, `places(x)`, `organizations(x)`: named entities found by compromise, as frozen
 *   arrays of strings. The compromise document itself is not handed out (`nlp(x)` throws and
 *   says why): it and the library's lexicon are mutable state shared by every LF of the row, so
 *   one LF could change what the others find.
 *
 * Every value LF code can reach from here is frozen (the runtime hardens the helpers), so one LF
 * cannot change what a helper returns to the next.
 * - `sentiment(x)`: polarity in [-1, 1] from a small opinion lexicon with negation flipping
 *   (a lexicon signal in the spirit of TextBlob's polarity, not a trained model).
 * - `ABSTAIN` (-1), `classes` (name → index), and each class name upper-cased as a constant
 *   when it is an identifier (`SPAM`, `HAM`).
 */
import { fieldText, tokensOf, wordsOf } from './text.ts';

/** The part of a compromise document the helpers use. */
export interface NlpDoc {
  people(): { out(format: 'array'): string[] };
  places(): { out(format: 'array'): string[] };
  organizations(): { out(format: 'array'): string[] };
}
export type NlpFn = (text: string) => NlpDoc;

const NLP_HELPERS = /\b(people|places|organizations)\b/;

export const NLP_DOC_REFUSED =
  'nlp(x) is not available to LFs: a compromise document is state shared by every LF of the row, so one LF could change what another finds; use people(x), places(x) or organizations(x)';

/** Whether LF source mentions a helper that needs compromise (so workers load it only then). */
export function needsNlp(source: string): boolean {
  return NLP_HELPERS.test(source);
}

/** Load compromise lazily: it is ~350 kB and most LF sets never need it. */
export async function loadNlp(): Promise<NlpFn> {
  const mod = await import('compromise');
  return mod.default as unknown as NlpFn;
}

const POSITIVE = new Set(
  (
    'good great excellent amazing awesome love loved lovely like liked enjoy enjoyed happy glad nice best better ' +
    'wonderful fantastic beautiful perfect fun cool brilliant superb pleased thank thanks thankful recommend ' +
    'helpful impressive favorite favourite win winner success successful positive fine fair interesting ' +
    'incredible outstanding delightful satisfied awesome exciting excited pleasant kind friendly clean fast ' +
    'easy safe correct yes agree glad sweet charming elegant fresh worth worthy'
  ).split(' '),
);
const NEGATIVE = new Set(
  (
    'bad terrible awful horrible hate hated dislike poor worst worse boring sad angry annoying annoyed ugly ' +
    'disappointing disappointed disappointment useless broken fail failed failure wrong stupid dumb waste ' +
    'problem problems issue slow difficult hard painful pain scam spam fake fraud dangerous unsafe dirty ' +
    'rude nasty sick crap garbage trash horrible mediocre unfortunately sorry regret negative missing ' +
    'error errors bug bugs crash crashed lose lost loser ridiculous pathetic disgusting'
  ).split(' '),
);
const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'neither',
  'nor',
  'none',
  'nobody',
  'nothing',
  'without',
  "n't",
  'dont',
  'cannot',
  'cant',
  'wont',
  'isnt',
  'wasnt',
  'arent',
  'didnt',
  'doesnt',
]);

/** Lexicon polarity: (positive − negative) / (positive + negative); a negator up to 3 words before flips one opinion word. */
export function sentimentOf(ws: readonly string[]): number {
  let pos = 0;
  let neg = 0;
  let flipUntil = -1;
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i];
    if (NEGATORS.has(w) || w.endsWith("n't")) {
      flipUntil = i + 3;
      continue;
    }
    const p = POSITIVE.has(w) ? 1 : NEGATIVE.has(w) ? -1 : 0;
    if (p === 0) continue;
    // A negator flips only the next opinion word ("not good, terrible" is two negatives).
    const flipped = i <= flipUntil;
    flipUntil = -1;
    if ((flipped ? -p : p) > 0) pos++;
    else neg++;
  }
  return pos + neg === 0 ? 0 : (pos - neg) / (pos + neg);
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * The helper bindings of one LF set; `clear()` drops the per-row caches.
 *
 * Two cache levels: the runtime announces the row it is about to pass (`at(row, i)`), and a
 * helper called with that very row object reads slot `i` of a per-chunk array (no hashing of
 * the text); any other argument (a string, another object) goes through a Map keyed by text.
 */
export class HelperScope {
  readonly names: string[];
  readonly values: unknown[];
  private readonly caches: Map<string, unknown>[] = [];
  private readonly slots: unknown[][] = [];
  private row: unknown = undefined;
  private index = -1;
  private readonly lowerSlot: (string | undefined)[];
  private readonly tokensSlot: (readonly string[] | undefined)[];

  constructor(textField: string, classes: readonly string[], nlp: NlpFn | null) {
    const text = (a: unknown): string =>
      typeof a === 'string'
        ? a
        : a !== null && typeof a === 'object'
          ? fieldText(a as Record<string, unknown>, textField)
          : a == null
            ? ''
            : String(a);
    const cached = <T>(compute: (s: string) => T): ((a: unknown) => T) => {
      const cache = new Map<string, T>();
      const slot: (T | undefined)[] = [];
      this.caches.push(cache as Map<string, unknown>);
      this.slots.push(slot);
      return (a: unknown): T => {
        if (a === this.row && a !== undefined) {
          const i = this.index;
          let v = slot[i];
          if (v === undefined) v = slot[i] = compute(text(a));
          return v;
        }
        const s = text(a);
        let v = cache.get(s);
        if (v === undefined) {
          v = compute(s);
          cache.set(s, v);
        }
        return v;
      };
    };
    const lower = cached((s) => s.toLowerCase());
    this.lowerSlot = this.slots[this.slots.length - 1] as (string | undefined)[];
    // Frozen: the arrays are shared by every LF of the row, so one LF's sort() must not leak.
    // Lowercasing again is cheaper than a text-keyed lookup in `lower`'s cache.
    const words = cached((s) => Object.freeze(wordsOf(s.toLowerCase())) as readonly string[]);
    const tokens = cached((s) => Object.freeze(tokensOf(s.toLowerCase())) as readonly string[]);
    this.tokensSlot = this.slots[this.slots.length - 1] as (readonly string[] | undefined)[];
    const noNlp = (): never => {
      throw new Error(
        'the NLP helpers were not loaded for this LF set (they load when the source mentions people, places or organizations)',
      );
    };
    const doc = cached((s) => (nlp ? nlp(s) : noNlp()));
    const entities = (pick: (d: NlpDoc) => { out(f: 'array'): string[] }) =>
      cached((s) => Object.freeze(pick(doc(s)).out('array')) as readonly string[]);
    const people = entities((d) => d.people());
    const places = entities((d) => d.places());
    const organizations = entities((d) => d.organizations());
    const sentiment = cached((s) => sentimentOf(words(s)));
    const classMap: Record<string, number> = Object.create(null);
    classes.forEach((c, i) => (classMap[c] = i));
    this.names = ['lower', 'words', 'tokens', 'nlp', 'people', 'places', 'organizations', 'sentiment', 'ABSTAIN', 'classes'];
    const refuseDoc = (): never => {
      throw new Error(NLP_DOC_REFUSED);
    };
    this.values = [lower, words, tokens, refuseDoc, people, places, organizations, sentiment, -1, Object.freeze(classMap)];
    classes.forEach((c, i) => {
      const u = c.toUpperCase();
      if (IDENT.test(u) && !this.names.includes(u)) {
        this.names.push(u);
        this.values.push(i);
      }
    });
  }

  /**
   * Seed the per-row caches of `lower(x)` and `tokens(x)` for chunk row `index` with values the
   * template pass computed anyway (the runtime's case-folded text view of the text field and its
   * whitespace tokens), so code LFs do not lowercase and split the same text again. The values
   * must equal what the helpers would compute: `text.toLowerCase()` and its frozen `tokensOf`.
   */
  prime(index: number, lower: string, tokens: readonly string[] | null): void {
    this.lowerSlot[index] = lower;
    if (tokens) this.tokensSlot[index] = tokens;
  }

  /** The row the next LF call receives, and its position in the chunk. */
  at(row: unknown, index: number): void {
    this.row = row;
    this.index = index;
  }

  clear(): void {
    for (const c of this.caches) c.clear();
    for (const s of this.slots) s.length = 0;
    this.row = undefined;
    this.index = -1;
  }
}
