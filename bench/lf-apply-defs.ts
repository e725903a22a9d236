/**
 * The 20 LFs of the Python reference benchmark (its spec: the shared benchmark folder) as Shoal
 * LF definitions: substring/token keyword templates, regex templates, length templates, and the
 * two `pp_` LFs as code LFs over the cached `tokens(x)` helper (lowercased whitespace tokens, the
 * spec's memoized `lower_words` preprocessor).
 * Classes: 0 = HAM, 1 = SPAM, as in the spec's label column.
 */
import type { LfDef } from '../src/core/lf/types.ts';

export const BENCH_CLASSES = ['HAM', 'SPAM'] as const;

const kwSub = (name: string, keywords: string[], label: string): LfDef => ({
  id: name,
  name,
  enabled: true,
  kind: 'keyword',
  label,
  keywords,
  mode: 'any',
  match: 'substring',
  caseSensitive: false,
});
const kwTok = (name: string, keywords: string[], label: string): LfDef => ({
  id: name,
  name,
  enabled: true,
  kind: 'keyword',
  label,
  keywords,
  mode: 'any',
  match: 'token',
  caseSensitive: false,
});
const re = (name: string, pattern: string, flags: string, label: string): LfDef => ({
  id: name,
  name,
  enabled: true,
  kind: 'regex',
  label,
  pattern,
  flags,
});

export const BENCH_LFS: LfDef[] = [
  kwSub('kw_subscribe', ['subscribe', 'sub4sub'], 'SPAM'),
  kwSub('kw_free', ['free', 'prize', 'winner'], 'SPAM'),
  kwSub('kw_money', ['money', 'cash', '$'], 'SPAM'),
  kwSub('kw_please', ['please', 'plz', 'pls'], 'SPAM'),
  kwSub('kw_song', ['song', 'music', 'lyrics'], 'HAM'),
  kwSub('kw_love', ['love', 'beautiful'], 'HAM'),
  kwTok('kw_word_my', ['my'], 'SPAM'),
  kwTok('kw_word_channel', ['channel', 'video', 'videos'], 'SPAM'),
  kwTok('kw_word_thanks', ['thanks', 'thank', 'thx'], 'HAM'),
  kwTok('kw_word_guitar', ['guitar', 'dance', 'voice'], 'HAM'),
  re('re_url', 'https?://', '', 'SPAM'),
  re('re_email', '[a-z0-9._]+@[a-z0-9-]+\\.[a-z]{2,}', '', 'SPAM'),
  re('re_check_out', 'check.*(out|this)', 'i', 'SPAM'),
  re('re_long_number', '\\d{4,}', '', 'SPAM'),
  re('re_multi_exclaim', '!{2,}', '', 'SPAM'),
  re('re_greeting_start', '^(hi|hello|hey)\\b', 'i', 'HAM'),
  { id: 'len_short_chars', name: 'len_short_chars', enabled: true, kind: 'length', label: 'HAM', unit: 'chars', op: '<', value: 40 },
  { id: 'len_many_words', name: 'len_many_words', enabled: true, kind: 'length', label: 'SPAM', unit: 'tokens', op: '>', value: 25 },
  {
    id: 'pp_repeated_word',
    name: 'pp_repeated_word',
    enabled: true,
    kind: 'code',
    source: `(x) => {
  const counts = new Map();
  for (const w of tokens(x)) {
    const c = (counts.get(w) ?? 0) + 1;
    if (c >= 4) return SPAM;
    counts.set(w, c);
  }
  return ABSTAIN;
}`,
  },
  {
    id: 'pp_short_words',
    name: 'pp_short_words',
    enabled: true,
    kind: 'code',
    source: `(x) => {
  const ws = tokens(x);
  let sum = 0;
  for (const w of ws) sum += w.length;
  return 2 * sum < 7 * ws.length ? HAM : ABSTAIN;
}`,
  },
];

/** Fire counts per LF from the spec table, for N = 100,000 and 1,000,000. */
export const SPEC_FIRES: Record<number, number[]> = {
  100000: [2714, 2049, 3830, 3071, 5382, 7810, 13448, 8534, 2754, 1382, 3186, 2000, 2241, 5742, 11966, 4924, 12302, 20207, 14588, 12682],
  1000000: [
    26815, 20724, 37426, 30161, 55107, 78095, 133508, 84555, 27518, 14358, 31441, 20067, 22396, 57462, 120958, 50252, 122816, 201357,
    144136, 127796,
  ],
};

/** sha256 of L (int8, row-major N × 20) from the spec. */
export const SPEC_L_SHA256: Record<number, string> = {
  100000: '69391adce36bd01400d65d1148f2c4b0a0e02f46e76ee8172f51cc918e1a5430',
  1000000: 'c998eee291261958caf47abe1a8c50bd3ac9926661d97bd43a39eca29fd8f52f',
};
