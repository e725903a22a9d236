/**
 * Which LFs a word index answers, and their votes from it. An LF is answered only when the
 * index gives exactly the votes a scan would (terms.ts): a keyword LF matching case-insensitive
 * whole words, or a lookup LF matching case-insensitive words, that reads the indexed field and
 * whose every keyword is one indexable word. Everything else is scanned as before.
 */
import type { LfDef } from '../lf/types.ts';
import { keywordTerm } from './terms.ts';

export interface IndexPlan {
  /** Distinct terms of the LF's keywords (empty keywords dropped, as the scanner drops them). */
  readonly terms: readonly string[];
  /** `any`: a row with one term fires; `all`: it needs every term. */
  readonly mode: 'any' | 'all';
}

/** How the index answers `def`, or null when only a scan can. `field`: the field the index holds; `textField`: the field LFs read by default. */
export function indexPlan(def: LfDef, field: string, textField: string): IndexPlan | null {
  if (def.kind !== 'keyword' && def.kind !== 'lookup') return null;
  if (def.caseSensitive || (def.field ?? textField) !== field) return null;
  if (def.kind === 'keyword' ? def.match !== 'word' : def.match !== 'word') return null;
  const words = def.kind === 'keyword' ? def.keywords : def.values;
  const terms = new Set<string>();
  for (const k of words) {
    const t = keywordTerm(k);
    if (t === null) return null;
    if (t !== '') terms.add(t);
  }
  return { terms: [...terms], mode: def.kind === 'keyword' ? def.mode : 'any' };
}

/**
 * The LF's votes: `vote` on the rows the plan selects, -1 elsewhere. `rowsOf(term)` gives the
 * term's ascending rows. An LF without terms never fires (the scanner's rule).
 */
export function votesFromIndex(plan: IndexPlan, rowCount: number, vote: number, rowsOf: (term: string) => Int32Array): Int8Array {
  const votes = new Int8Array(rowCount).fill(-1);
  if (plan.terms.length === 0) return votes;
  if (plan.mode === 'any') {
    for (const t of plan.terms) for (const r of rowsOf(t)) votes[r] = vote;
    return votes;
  }
  // `all`: count each row's terms; the lists hold each row once.
  const need = plan.terms.length;
  const hits = need < 255 ? new Uint8Array(rowCount) : new Uint32Array(rowCount);
  let first = true;
  for (const t of plan.terms) {
    const rows = rowsOf(t);
    if (rows.length === 0) return votes;
    for (const r of rows) if (first || hits[r] > 0) hits[r]++;
    first = false;
  }
  for (let r = 0; r < rowCount; r++) if (hits[r] === need) votes[r] = vote;
  return votes;
}
