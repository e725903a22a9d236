/**
 * Links into the LF editor, so any screen that names an LF can open it, and a row can seed a new
 * one: `#/lfs?lf=<id>` opens an LF; `#/lfs?new=keyword&label=…&keywords=a,b` and
 * `#/lfs?new=lookup&label=…&field=…&value=…` open a new template LF filled in (LfScreen reads the
 * link, LfEditor applies the seed to a fresh draft). Also the row view's pick of a row's words.
 */
import { wordsOf } from '../core/lf/text.ts';
import type { LfDef } from '../core/lf/types.ts';
import type { LfDraft } from './lfs.ts';

export type LfSeed =
  | { kind: 'keyword'; label: string; keywords: string[]; name?: string }
  | { kind: 'lookup'; label: string; field: string; value: string; name?: string };

/** The LF editor's link for LF `id`. */
export function lfHref(id: string): string {
  return `#/lfs?${new URLSearchParams({ lf: id })}`;
}

/** The LF editor's link for a new LF filled in from `seed`. */
export function newLfHref(seed: LfSeed): string {
  const q = new URLSearchParams({ new: seed.kind, label: seed.label });
  if (seed.name) q.set('name', seed.name);
  if (seed.kind === 'keyword') q.set('keywords', seed.keywords.join(','));
  else {
    q.set('field', seed.field);
    q.set('value', seed.value);
  }
  return `#/lfs?${q}`;
}

/** What an `#/lfs?…` link asks for: an LF to open, a new LF to seed, or nothing. */
export function lfLink(hash: string): { lf: string } | { seed: LfSeed } | null {
  const q = new URLSearchParams(hash.split('?')[1] ?? '');
  const lf = q.get('lf');
  if (lf) return { lf };
  const kind = q.get('new');
  const label = q.get('label') ?? '';
  const name = q.get('name') ?? undefined;
  if (kind === 'keyword') {
    const keywords = (q.get('keywords') ?? '')
      .split(',')
      .map((w) => w.trim())
      .filter(Boolean);
    return { seed: { kind, label, keywords, name } };
  }
  if (kind === 'lookup') return { seed: { kind, label, field: q.get('field') ?? '', value: q.get('value') ?? '', name } };
  return null;
}

/** Fill a fresh draft from a seed; a label that is not a class keeps the draft's. */
export function applySeed(draft: LfDraft, seed: LfSeed, classes: readonly string[]): LfDraft {
  const d = { ...draft, kind: seed.kind } as LfDraft;
  if (classes.includes(seed.label)) d.label = seed.label;
  if (seed.name) d.name = seed.name;
  if (seed.kind === 'keyword') d.keywords = seed.keywords.join(', ');
  else {
    d.field = seed.field;
    d.lookup = seed.value;
    d.lookupMatch = 'value';
  }
  return d;
}

/** Words too common to tell rows apart: never offered as a new LF's keywords. */
const COMMON = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both but by can could did do does
doing down during each few for from further had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not now of off on once only or other our ours out over own same she should so some such than that the their
theirs them then there these they this those through to too under until up very was we were what when where which while who whom why will with
would you your yours yourself also get got one two like just will shall may might must us let it's i'm don't can't www http https com`.split(
    /\s+/,
  ),
);

/**
 * A few of a row's words for a new keyword LF: words of letters (4 to 20 of them: longer ones are
 * mostly URL or encoding debris), not common words, not keywords an existing keyword LF already
 * has; the longest first (longer words are rarer), then by position.
 */
export function seedWords(text: string, lfs: readonly LfDef[], count = 3): string[] {
  const taken = new Set<string>();
  for (const l of lfs) if (l.kind === 'keyword') for (const w of l.keywords) taken.add(w.toLowerCase());
  const seen = new Map<string, number>();
  wordsOf(text).forEach((raw, at) => {
    const w = raw.toLowerCase();
    if (w.length < 4 || w.length > 20 || !/^\p{L}+(?:['’-]\p{L}+)*$/u.test(w) || COMMON.has(w) || taken.has(w) || seen.has(w)) return;
    seen.set(w, at);
  });
  return [...seen.entries()]
    .sort((a, b) => b[0].length - a[0].length || a[1] - b[1])
    .slice(0, count)
    .map(([w]) => w);
}
