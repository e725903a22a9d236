/**
 * Required characters of a regular expression: characters every match must contain, so a text
 * without one of them cannot match and `String.includes` (a native scan) can skip the RegExp.
 * `[a-z0-9._]+@[a-z0-9-]+\.[a-z]{2,}` needs `@` and `.`; on text without `@` the engine would
 * otherwise try a match at every letter. The same idea as the required-literal prefilters of
 * RE2 and Hyperscan, kept deliberately conservative:
 * - only the top level of the pattern is read: groups, classes and anything after a top-level
 *   `|` give up (an alternation makes nothing required), escapes other than an escaped
 *   punctuation literal are skipped;
 * - a literal followed by `?`, `*` or `{0` is optional and not required;
 * - with the `i` flag only characters that have no case (digits, punctuation) are kept.
 * Returns [] when nothing is known; the RegExp then runs on every row as before.
 */

const QUANT_OPTIONAL = /^(\?|\*|\{0[,}])/;

export function requiredChars(pattern: string, flags: string): string[] {
  // `v` allows nested classes and set operations this scanner does not parse.
  if (flags.includes('v')) return [];
  const ignoreCase = flags.includes('i');
  const out = new Set<string>();
  let i = 0;
  const n = pattern.length;
  // Skip a construct that starts at `i` and nests with open/close (groups) or ends at `]` (classes).
  const skipClass = () => {
    i++; // [
    if (pattern[i] === '^') i++;
    if (pattern[i] === ']') i++; // a leading ] is literal in some engines; JS treats [] as empty, harmless either way
    while (i < n && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
    i++; // ]
  };
  const skipGroup = (): boolean => {
    let depth = 0;
    while (i < n) {
      const c = pattern[i];
      if (c === '\\') i += 2;
      else if (c === '[') skipClass();
      else {
        if (c === '(') depth++;
        else if (c === ')' && --depth === 0) {
          i++;
          return true;
        }
        i++;
      }
    }
    return false;
  };
  const pending: string[] = [];
  while (i < n) {
    const c = pattern[i];
    let literal: string | null = null;
    if (c === '|') return []; // a top-level alternative need not contain anything
    if (c === '(') {
      // A group may contain an alternation: skip it whole, but a top-level `|` inside it is not ours.
      if (!skipGroup()) return [];
    } else if (c === '[') skipClass();
    else if (c === '\\') {
      const e = pattern[i + 1] ?? '';
      // Escapes with a payload (\cX, \x41, \u0041, \p{L}, \k<name>): stop rather than misread it.
      if ('cxupPk'.includes(e)) return [];
      // Escaped punctuation is that literal character; letters/digits are classes or escapes.
      if (/[^\p{L}\p{N}\s]/u.test(e)) literal = e;
      i += 2;
    } else if (c === '.' || c === '^' || c === '$') i++;
    else if (c === '*' || c === '+' || c === '?' || c === '{') {
      // A quantifier on something we skipped (or already handled below).
      if (c === '{') {
        const close = pattern.indexOf('}', i);
        i = close < 0 ? i + 1 : close + 1;
      } else i++;
      if (pattern[i] === '?') i++; // lazy
      continue;
    } else {
      // A surrogate pair is one literal code point.
      const cp = pattern.codePointAt(i)!;
      literal = String.fromCodePoint(cp);
      i += literal.length;
    }
    if (literal !== null) {
      const optional = QUANT_OPTIONAL.test(pattern.slice(i, i + 3));
      const cased = literal.toLowerCase() !== literal.toUpperCase();
      if (!optional && !(ignoreCase && cased)) pending.push(literal);
    }
  }
  for (const p of pending) out.add(p);
  return [...out];
}
