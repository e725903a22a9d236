/**
 * Which words a text index holds, and which keywords it can answer exactly.
 *
 * The index is built from the case-folded text exactly as a case-insensitive `word` keyword
 * template sees it (runtime.ts folds the whole text with `toLowerCase`, keywords.ts scans its
 * words with `scanWords`): a term is one maximal run of word characters of the folded text.
 * A case-insensitive `word` keyword that is itself one such run fires on a row exactly when the
 * row has that term, so the index's answer and a scan of the text are the same votes. Anything
 * else (phrases, punctuation at an edge, case-sensitive or substring matches) is not answered.
 */
import { scanWords } from '../lf/text.ts';

/** Longer words are not indexed (ids, hashes, run-together tokens): keywords that long are scanned. */
export const MAX_TERM_LENGTH = 32;

/** Call `onTerm` with each indexable word of `text` (case-folded), in order, repeats included. */
export function forEachTerm(text: string, onTerm: (term: string) => void): void {
  const folded = text.toLowerCase();
  scanWords(folded, (a, b) => {
    if (b - a <= MAX_TERM_LENGTH) onTerm(folded.slice(a, b));
  });
}

/**
 * The index term a case-insensitive `word` keyword is equal to, or null when the keyword is not
 * one whole indexable word (then only a scan of the text can answer it). `''` for the empty
 * keyword, which never fires and is skipped like the scanner skips it.
 */
export function keywordTerm(keyword: string): string | null {
  const folded = keyword.toLowerCase();
  if (folded.length === 0) return '';
  if (folded.length > MAX_TERM_LENGTH) return null;
  let whole = false;
  let words = 0;
  scanWords(folded, (a, b) => {
    words++;
    whole = a === 0 && b === folded.length;
  });
  return words === 1 && whole ? folded : null;
}
