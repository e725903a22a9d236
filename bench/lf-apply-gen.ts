/**
 * A seeded TS port of the LF benchmark's Python text generator (the reference inputs):
 * the same vocabulary layout, Zipf weights and per-row decorations, drawn with mulberry32, so
 * the LFs fire at similar (not identical) rates. Pure: runs in Node and in the browser bench page.
 */
import type { Row } from '../src/core/lf/types.ts';
import { mulberry32, type Rng } from '../src/core/rng.ts';
import { BENCH_LFS } from './lf-apply-defs.ts';

const VOCAB_SIZE = 5000;
const KEYWORD_RANKS: Record<number, string> = {
  14: 'check',
  18: 'out',
  25: 'love',
  33: 'video',
  45: 'song',
  60: 'channel',
  75: 'subscribe',
  90: 'please',
  110: 'thanks',
  130: 'free',
  150: 'music',
  170: 'thank',
  190: 'videos',
  220: 'money',
  260: 'beautiful',
  300: 'guitar',
  340: 'plz',
  380: 'dance',
  420: 'voice',
  470: 'cash',
  520: 'pls',
  600: 'prize',
  700: 'winner',
  800: 'lyrics',
  900: 'thx',
  1200: 'sub4sub',
};
const COMMON = (
  'the to and a i you is this of it in my for that on me so be with your just have but not are we like all can was do if at what they one from up ' +
  'get will no now how its there an or he she about who when more go know people time good new really first make want see way'
).split(' ');
const SUBSTRING_KWS = BENCH_LFS.flatMap((d) => (d.kind === 'keyword' && d.match === 'substring' ? d.keywords : []));

function pick<T>(rng: Rng, xs: readonly T[], ps?: readonly number[]): T {
  if (!ps) return xs[Math.floor(rng() * xs.length)];
  let u = rng();
  for (let i = 0; i < xs.length; i++) if ((u -= ps[i]) < 0) return xs[i];
  return xs[xs.length - 1];
}
const int = (rng: Rng, lo: number, hiExcl: number) => lo + Math.floor(rng() * (hiExcl - lo));

export function generateRows(n: number, seed: number): Row[] {
  const rng = mulberry32(seed);
  const vocab: string[] = new Array(VOCAB_SIZE);
  const taken = new Set(Object.values(KEYWORD_RANKS));
  for (const [r, w] of Object.entries(KEYWORD_RANKS)) vocab[Number(r)] = w;
  let c = 0;
  for (let r = 0; r < VOCAB_SIZE && c < COMMON.length; r++) if (!vocab[r]) taken.add((vocab[r] = COMMON[c++]));
  const cons = 'bcdfghjklmnprstvwz',
    vows = 'aeiou';
  for (let r = 0; r < VOCAB_SIZE; r++) {
    if (vocab[r]) continue;
    for (;;) {
      let w = '';
      for (let s = int(rng, 1, 4); s > 0; s--) w += pick(rng, [...cons]) + pick(rng, [...vows]) + (rng() < 0.3 ? pick(rng, [...cons]) : '');
      if (w.length >= 2 && !taken.has(w) && !SUBSTRING_KWS.some((k) => w.includes(k))) {
        taken.add((vocab[r] = w));
        break;
      }
    }
  }
  const cdf = new Float64Array(VOCAB_SIZE);
  let z = 0;
  for (let r = 0; r < VOCAB_SIZE; r++) cdf[r] = z += 1 / (r + 1);
  for (let r = 0; r < VOCAB_SIZE; r++) cdf[r] /= z;
  const zipf = () => {
    const u = rng();
    let lo = 0,
      hi = VOCAB_SIZE - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return vocab[lo];
  };
  const TLDS = ['com', 'net', 'org', 'ly'];
  const rows: Row[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const toks: string[] = [];
    for (let j = int(rng, 5, 31); j > 0; j--) {
      let w = zipf();
      if (rng() < 0.02) w = w.toUpperCase();
      if (rng() < 0.06) w += pick(rng, [',', '.', '!', '?'], [0.5, 0.25, 0.15, 0.1]);
      toks.push(w);
    }
    const insert = (t: string) => toks.splice(int(rng, 0, toks.length + 1), 0, t);
    const pseudo = () => vocab[int(rng, 1000, VOCAB_SIZE)];
    if (rng() < 0.1) {
      let num = String(int(rng, 1, 10));
      for (let d = int(rng, 1, 8) - 1; d > 0; d--) num += String(int(rng, 0, 10));
      insert(rng() < 0.25 ? '$' + num : num);
    }
    if (rng() < 0.05) {
      const f = int(rng, 0, 3);
      insert(
        f === 0
          ? `http://www.${pseudo()}.com`
          : f === 1
            ? `https://${pseudo()}.${pick(rng, TLDS)}/${pseudo()}`
            : `www.${pseudo()}.${pick(rng, TLDS)}`,
      );
    }
    if (rng() < 0.02) insert(`${pseudo()}${String(int(rng, 0, 1000)).slice(0, int(rng, 0, 4))}@${pseudo()}.${pick(rng, TLDS)}`);
    if (rng() < 0.05) toks.unshift(pick(rng, ['hi', 'hello', 'hey']) + (rng() < 0.5 ? ',' : ''));
    toks[0] = toks[0].slice(0, 1).toUpperCase() + toks[0].slice(1);
    rows[i] = {
      text: toks.join(' ') + pick(rng, ['', '.', '!', '?', '!!', '!!!', '...', ' :)'], [0.3, 0.25, 0.15, 0.1, 0.08, 0.04, 0.05, 0.03]),
    };
  }
  return rows;
}
