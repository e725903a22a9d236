// The 20 LFs of the LF benchmark spec (the same set as bench/lf-apply-defs.ts) as an LF module for
// `shoal apply --lfs`, written the way a user writes them: plain functions over the row, each
// doing its own lowercasing, splitting and matching. bench:apply times this module end to end
// beside the template form of the same set.
export const classes = ['HAM', 'SPAM'];

const HAM = 'HAM';
const SPAM = 'SPAM';

const substring = (name, keywords, label) => ({
  name,
  apply: (x) => {
    const t = x.text.toLowerCase();
    return keywords.some((k) => t.includes(k)) ? label : null;
  },
});

const word = (name, keywords, label) => {
  const set = new Set(keywords);
  return {
    name,
    apply: (x) =>
      x.text
        .toLowerCase()
        .split(' ')
        .some((w) => set.has(w))
        ? label
        : null,
  };
};

const regex = (name, pattern, flags, label) => {
  const re = new RegExp(pattern, flags);
  return { name, apply: (x) => (re.test(x.text) ? label : null) };
};

export default [
  substring('kw_subscribe', ['subscribe', 'sub4sub'], SPAM),
  substring('kw_free', ['free', 'prize', 'winner'], SPAM),
  substring('kw_money', ['money', 'cash', '$'], SPAM),
  substring('kw_please', ['please', 'plz', 'pls'], SPAM),
  substring('kw_song', ['song', 'music', 'lyrics'], HAM),
  substring('kw_love', ['love', 'beautiful'], HAM),
  word('kw_word_my', ['my'], SPAM),
  word('kw_word_channel', ['channel', 'video', 'videos'], SPAM),
  word('kw_word_thanks', ['thanks', 'thank', 'thx'], HAM),
  word('kw_word_guitar', ['guitar', 'dance', 'voice'], HAM),
  regex('re_url', 'https?://', '', SPAM),
  regex('re_email', '[a-z0-9._]+@[a-z0-9-]+\\.[a-z]{2,}', '', SPAM),
  regex('re_check_out', 'check.*(out|this)', 'i', SPAM),
  regex('re_long_number', '\\d{4,}', '', SPAM),
  regex('re_multi_exclaim', '!{2,}', '', SPAM),
  regex('re_greeting_start', '^(hi|hello|hey)\\b', 'i', HAM),
  { name: 'len_short_chars', apply: (x) => (x.text.length < 40 ? HAM : null) },
  { name: 'len_many_words', apply: (x) => (x.text.split(' ').length > 25 ? SPAM : null) },
  {
    name: 'pp_repeated_word',
    apply: (x) => {
      const counts = new Map();
      for (const w of x.text.toLowerCase().split(' ')) {
        const c = (counts.get(w) ?? 0) + 1;
        if (c >= 4) return SPAM;
        counts.set(w, c);
      }
      return null;
    },
  },
  {
    name: 'pp_short_words',
    apply: (x) => {
      const ws = x.text.toLowerCase().split(' ');
      let sum = 0;
      for (const w of ws) sum += w.length;
      return 2 * sum < 7 * ws.length ? HAM : null;
    },
  },
];
