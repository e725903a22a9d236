/**
 * Match spans of template LFs, for highlighting hits in the preview and the data browser.
 * Not on the hot path: spans are found with Unicode RegExps on the original text, so offsets
 * index the text the user sees (case folding with `toLowerCase` can change string length).
 */
import { escapeRegExp, fieldText } from './text.ts';
import type { LfDef, Row, Span } from './types.ts';

const WORD = '[\\p{L}\\p{N}\\p{M}_]';
const cache = new WeakMap<LfDef, RegExp | null>();

function literalPattern(kw: string, match: 'word' | 'token' | 'substring'): string {
  const lit = escapeRegExp(kw);
  if (match === 'substring') return lit;
  if (match === 'token') return `(?<!\\S)${lit}(?!\\S)`;
  const pre = new RegExp(`^${WORD}`, 'u').test(kw) ? `(?<!${WORD})` : '';
  const post = new RegExp(`${WORD}$`, 'u').test(kw) ? `(?!${WORD})` : '';
  return pre + lit + post;
}

function spanRegex(def: LfDef): RegExp | null {
  if (cache.has(def)) return cache.get(def)!;
  let re: RegExp | null = null;
  try {
    if (def.kind === 'keyword' || (def.kind === 'lookup' && def.match === 'word')) {
      const words = (def.kind === 'keyword' ? def.keywords : def.values).filter((w) => w.length > 0);
      const match = def.kind === 'keyword' ? def.match : 'word';
      // Longest first, so `free money` wins over `free` at the same position.
      const alts = [...new Set(words)].sort((a, b) => b.length - a.length).map((w) => literalPattern(w, match));
      if (alts.length > 0) re = new RegExp(alts.join('|'), def.caseSensitive ? 'gu' : 'giu');
    } else if (def.kind === 'regex') {
      re = new RegExp(def.pattern, [...new Set(def.flags.replace(/[gy]/g, '') + 'g')].join(''));
    }
  } catch {
    re = null;
  }
  cache.set(def, re);
  return re;
}

/**
 * Spans the LF matched in the field it reads (empty for LFs without a textual match); a template
 * without a `field` reads `textField`, as the runtime does.
 */
export function lfSpans(def: LfDef, row: Row, max = 50, textField = 'text'): Span[] {
  if (def.kind === 'code' || def.kind === 'length' || def.kind === 'field') return [];
  const text = fieldText(row, def.field ?? textField);
  if (def.kind === 'lookup' && def.match === 'value') {
    const t = text.trim();
    const start = text.indexOf(t);
    return t.length > 0 ? [[start, start + t.length]] : [];
  }
  const re = spanRegex(def);
  if (!re) return [];
  re.lastIndex = 0;
  const out: Span[] = [];
  let m: RegExpExecArray | null;
  while (out.length < max && (m = re.exec(text)) !== null) {
    if (m[0].length === 0) {
      re.lastIndex++; // an empty match would loop forever
      continue;
    }
    out.push([m.index, m.index + m[0].length]);
  }
  return out;
}
