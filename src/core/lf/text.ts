/**
 * Text primitives shared by LF templates and code-LF helpers: Unicode-aware word characters,
 * word tokenization with offsets, and whitespace tokens.
 *
 * Word characters are letters, digits, combining marks and `_` (`[\p{L}\p{N}\p{M}_]`). JS `\b`
 * and `\w` are ASCII-only even with the `u` flag, so `café` or `gbẹ̀san` would split at the
 * accent; the scanner below classifies ASCII through a table and the rest through one Unicode
 * property regex, so plain-ASCII text never pays for the regex.
 */

const ASCII_WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  ASCII_WORD[c] = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 ? 1 : 0;
}
const UNICODE_WORD = /^[\p{L}\p{N}\p{M}_]$/u;

/** Whether the code point at `s[i]` (a UTF-16 index) is a word character. */
export function isWordCharAt(s: string, i: number): boolean {
  if (i < 0 || i >= s.length) return false;
  const c = s.charCodeAt(i);
  if (c < 128) return ASCII_WORD[c] === 1;
  // A low surrogate belongs to the code point that starts one unit earlier.
  if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
    const h = s.charCodeAt(i - 1);
    if (h >= 0xd800 && h <= 0xdbff) return UNICODE_WORD.test(String.fromCodePoint(s.codePointAt(i - 1)!));
  }
  return UNICODE_WORD.test(String.fromCodePoint(s.codePointAt(i)!));
}

/**
 * Call `onWord(start, end)` for each maximal run of word characters, left to right.
 * Offsets are UTF-16 indices into `s`.
 */
export function scanWords(s: string, onWord: (start: number, end: number) => void): void {
  const n = s.length;
  let start = -1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    let word: boolean;
    let width = 1;
    if (c < 128) word = ASCII_WORD[c] === 1;
    else {
      const cp = s.codePointAt(i)!;
      if (cp > 0xffff) width = 2;
      word = UNICODE_WORD.test(String.fromCodePoint(cp));
    }
    if (word) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      onWord(start, i);
      start = -1;
    }
    i += width - 1;
  }
  if (start >= 0) onWord(start, n);
}

/** Unicode words of `s` (no punctuation), in order, original case. */
export function wordsOf(s: string): string[] {
  const out: string[] = [];
  scanWords(s, (a, b) => out.push(s.slice(a, b)));
  return out;
}

const WHITESPACE = /\s+/;

const ASCII_SPACE = new Uint8Array(128);
for (const c of [9, 10, 11, 12, 13, 32]) ASCII_SPACE[c] = 1;

/** JS `\s` on one UTF-16 code unit (every whitespace character is in the BMP). */
export function isSpaceUnit(c: number): boolean {
  if (c < 128) return ASCII_SPACE[c] === 1;
  return (
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Whitespace other than the plain space. */
const OTHER_SPACE = /[^\S ]/;

/**
 * Whether `split(' ')` equals splitting on runs of whitespace (checked with native scans, which
 * measured faster here than one JS loop over the characters).
 */
function singleSpaced(s: string): boolean {
  return s.charCodeAt(0) !== 32 && s.charCodeAt(s.length - 1) !== 32 && !s.includes('  ') && !OTHER_SPACE.test(s);
}

/** Whitespace-separated tokens, punctuation attached; empty text has no tokens. */
export function tokensOf(s: string): string[] {
  if (s.length === 0) return [];
  // Most text is single-space separated: one native scan proves it, and the native
  // single-character split is several times faster than splitting on /\s+/.
  if (singleSpaced(s)) return s.split(' ');
  const parts = s.split(WHITESPACE);
  if (parts[0] === '') parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** Number of whitespace-separated tokens, without allocating them. */
export function countTokens(s: string): number {
  if (s.length === 0) return 0;
  if (singleSpaced(s)) {
    let c = 1;
    for (let i = s.indexOf(' '); i >= 0; i = s.indexOf(' ', i + 1)) c++;
    return c;
  }
  return tokensOf(s).length;
}

/** The field as text: strings as is, numbers/booleans stringified, null/undefined/objects as ''. */
export function fieldText(row: Readonly<Record<string, unknown>>, field: string): string {
  return valueText(row[field]);
}

/** A field value as text, by `fieldText`'s rule (for readers that hold columns, not rows). */
export function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return '';
}

/** Escape a literal for use inside a RegExp. */
export function escapeRegExp(s: string): string {
  // Only syntax characters: `u`-mode patterns reject identity escapes such as `\-`.
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Lookarounds that give a literal Unicode-aware word boundaries on the sides that need them. */
export function wordBoundedPattern(keyword: string): string {
  const pre = isWordCharAt(keyword, 0) ? '(?<![\\p{L}\\p{N}\\p{M}_])' : '';
  const post = isWordCharAt(keyword, keyword.length - 1) ? '(?![\\p{L}\\p{N}\\p{M}_])' : '';
  return pre + escapeRegExp(keyword) + post;
}
