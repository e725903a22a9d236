// The same 20 spec LFs as bench/lf-apply-spec-lfs.mjs, with the 18 keyword, regex and length
// LFs declared as templates (data) so `shoal apply` runs them on the template pass the app uses;
// the two preprocessor LFs stay functions over the shared `tokens` helper.
export const classes = ['HAM', 'SPAM'];

const HAM = 'HAM';
const SPAM = 'SPAM';
const substring = (name, keywords, label) => ({ name, kind: 'keyword', keywords, match: 'substring', label });
const token = (name, keywords, label) => ({ name, kind: 'keyword', keywords, match: 'token', label });
const regex = (name, pattern, flags, label) => ({ name, kind: 'regex', pattern, flags, label });

export default [
  substring('kw_subscribe', ['subscribe', 'sub4sub'], SPAM),
  substring('kw_free', ['free', 'prize', 'winner'], SPAM),
  substring('kw_money', ['money', 'cash', '$'], SPAM),
  substring('kw_please', ['please', 'plz', 'pls'], SPAM),
  substring('kw_song', ['song', 'music', 'lyrics'], HAM),
  substring('kw_love', ['love', 'beautiful'], HAM),
  token('kw_word_my', ['my'], SPAM),
  token('kw_word_channel', ['channel', 'video', 'videos'], SPAM),
  token('kw_word_thanks', ['thanks', 'thank', 'thx'], HAM),
  token('kw_word_guitar', ['guitar', 'dance', 'voice'], HAM),
  regex('re_url', 'https?://', '', SPAM),
  regex('re_email', '[a-z0-9._]+@[a-z0-9-]+\\.[a-z]{2,}', '', SPAM),
  regex('re_check_out', 'check.*(out|this)', 'i', SPAM),
  regex('re_long_number', '\\d{4,}', '', SPAM),
  regex('re_multi_exclaim', '!{2,}', '', SPAM),
  regex('re_greeting_start', '^(hi|hello|hey)\\b', 'i', HAM),
  { name: 'len_short_chars', kind: 'length', unit: 'chars', op: '<', value: 40, label: HAM },
  { name: 'len_many_words', kind: 'length', unit: 'tokens', op: '>', value: 25, label: SPAM },
  {
    name: 'pp_repeated_word',
    apply: (x, h) => {
      const counts = new Map();
      for (const w of h.tokens(x)) {
        const c = (counts.get(w) ?? 0) + 1;
        if (c >= 4) return SPAM;
        counts.set(w, c);
      }
      return null;
    },
  },
  {
    name: 'pp_short_words',
    apply: (x, h) => {
      const ws = h.tokens(x);
      let sum = 0;
      for (const w of ws) sum += w.length;
      return 2 * sum < 7 * ws.length ? HAM : null;
    },
  },
];
