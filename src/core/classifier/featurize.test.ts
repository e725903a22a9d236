import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  corpusBuckets,
  DEFAULT_FEATURES,
  estimateDistinct,
  type FeatureSpec,
  fitVocabulary,
  hashTexts,
  MAX_AUTO_BUCKETS,
  occupiedBuckets,
  selectRows,
  tokenize,
  transform,
} from './featurize.ts';
import { mulberry32 } from '../rng.ts';
import { murmur3 } from './hash.ts';

const WORDS_ONLY: FeatureSpec = { buckets: 1 << 18, wordNgrams: [1, 2], charNgrams: [0, 0], sublinearTf: true, charWeight: 1 };

/** The row's features as a bucket → value map, the way a reader of the sidecar would compute them. */
function expected(grams: [string, number, number][], buckets: number, sublinear = true): Map<number, number> {
  const m = new Map<number, number>();
  for (const [gram, seed, count] of grams) {
    const h = murmur3(gram, seed);
    const b = Math.abs(h) % buckets;
    const w = (sublinear ? 1 + Math.log(count) : count) * (h < 0 ? -1 : 1);
    m.set(b, (m.get(b) ?? 0) + w);
  }
  return m;
}

function rowMap(X: ReturnType<typeof hashTexts>, i: number): Map<number, number> {
  const m = new Map<number, number>();
  for (let p = X.rowPtr[i]; p < X.rowPtr[i + 1]; p++) m.set(X.indices[p], X.values[p]);
  return m;
}

describe('murmur3 (the hash the ONNX sidecar documents)', () => {
  it('matches the published MurmurHash3_x86_32 test vectors and Python mmh3', () => {
    expect(murmur3('', 0)).toBe(0);
    expect(murmur3('', 1) >>> 0).toBe(0x514e28b7);
    expect(murmur3('', 0xffffffff) >>> 0).toBe(0x81f16f39);
    expect(murmur3('\0\0\0\0', 0) >>> 0).toBe(0x2362f9de);
    expect(murmur3('aaaa', 0x9747b28c) >>> 0).toBe(0x5a97808a);
    expect(murmur3('Hello, world!', 0x9747b28c) >>> 0).toBe(0x24884cba);
    expect(murmur3('The quick brown fox jumps over the lazy dog', 0x9747b28c) >>> 0).toBe(0x2fa826cd);
    // README of Python's mmh3: mmh3.hash("foo") == -156908512 (signed).
    expect(murmur3('foo', 0)).toBe(-156908512);
  });

  it('hashes UTF-8 bytes: a non-ASCII string equals the hash of its encoded bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 20 }), fc.integer({ min: 0, max: 3 }), (s, seed) => {
        const bytes = new TextEncoder().encode(s);
        // Re-encode the bytes as a Latin-1 string only when they are all ASCII: then both paths coincide.
        if (bytes.every((b) => b < 0x80)) expect(murmur3(String.fromCharCode(...bytes), seed)).toBe(murmur3(s, seed));
        expect(Number.isInteger(murmur3(s, seed))).toBe(true);
      }),
      { seed: 7, numRuns: 200 },
    );
    // 'é' is two UTF-8 bytes (C3 A9); hashing them as a 2-char Latin-1 string would differ.
    expect(murmur3('é', 0)).not.toBe(murmur3('\u00c3\u00a9', 0));
  });
});

describe('tokenize', () => {
  it('lowercases and keeps runs of ≥2 Unicode letters, digits or underscores', () => {
    expect(tokenize('Héllo, WÖRLD! a b_c 42 x — naïve日本')).toEqual(['héllo', 'wörld', 'b_c', '42', 'naïve日本']);
    expect(tokenize('  ')).toEqual([]);
  });
});

describe('hashTexts', () => {
  it('word unigrams and bigrams with sublinear counts and signed buckets', () => {
    const X = hashTexts(['Spam spam spam eggs'], WORDS_ONLY);
    const want = expected(
      [
        ['spam', 0, 3],
        ['eggs', 0, 1],
        ['spam spam', 0, 2],
        ['spam eggs', 0, 1],
      ],
      WORDS_ONLY.buckets,
    );
    const got = rowMap(X, 0);
    expect([...got.keys()].sort((a, b) => a - b)).toEqual([...want.keys()].sort((a, b) => a - b));
    for (const [b, v] of want) expect(got.get(b)).toBeCloseTo(v, 6);
  });

  it('char n-grams come from space-padded tokens, hashed with seed 1 and scaled by charWeight', () => {
    const spec: FeatureSpec = { buckets: 1 << 20, wordNgrams: [0, 0], charNgrams: [2, 4], sublinearTf: false, charWeight: 0.5 };
    const got = rowMap(hashTexts(['ab'], spec), 0);
    const grams = [' a', 'ab', 'b ', ' ab', 'ab ', ' ab '].map((g) => [g, 1, 1] as [string, number, number]);
    const want = expected(grams, spec.buckets, false);
    expect(got.size).toBe(want.size);
    for (const [b, v] of want) expect(got.get(b)).toBeCloseTo(v * 0.5, 6);
  });

  it('is stable: the same text gives the same buckets in any batch and position', () => {
    const a = hashTexts(['free money now', 'hello there'], WORDS_ONLY);
    const b = hashTexts(['hello there', 'other', 'free money now'], WORDS_ONLY);
    expect(rowMap(a, 0)).toEqual(rowMap(b, 2));
    expect(rowMap(a, 1)).toEqual(rowMap(b, 0));
  });

  it('returns CSR sized by the non-zeros, never n × buckets', () => {
    const texts = Array.from({ length: 500 }, (_, i) => `row ${i} says word${i % 17} and word${i % 5}`);
    const spec: FeatureSpec = { ...WORDS_ONLY, buckets: 1 << 24, charNgrams: [2, 3] };
    const X = hashTexts(texts, spec);
    expect(X.dim).toBe(1 << 24);
    expect(X.rowPtr.length).toBe(501);
    expect(X.indices.length).toBe(X.rowPtr[500]);
    expect(X.values.length).toBe(X.indices.length);
    expect(X.indices.length).toBeLessThan(500 * 200);
    for (let i = 0; i < X.n; i++) {
      for (let p = X.rowPtr[i] + 1; p < X.rowPtr[i + 1]; p++) expect(X.indices[p]).toBeGreaterThan(X.indices[p - 1]);
    }
  });

  it('empty and punctuation-only texts give empty rows; non-strings are a clear error', () => {
    const X = hashTexts(['', '!!! ?', 'ok'], WORDS_ONLY);
    expect(Array.from(X.rowPtr)).toEqual([0, 0, 0, 1]);
    expect(() => hashTexts([3 as unknown as string], WORDS_ONLY)).toThrow(/row 0: text is number/);
    expect(() => hashTexts(['x'], { ...WORDS_ONLY, wordNgrams: [2, 1] })).toThrow(/n-gram range/);
  });
});

describe('fitVocabulary + transform', () => {
  const train = ['good movie', 'bad movie', 'good good plot'];
  const raw = hashTexts(train, WORDS_ONLY);
  const vocab = fitVocabulary(raw);

  it('gives each seen bucket a compact id and smooth idf; unseen buckets map to 0', () => {
    const movie = Math.abs(murmur3('movie', 0)) % WORDS_ONLY.buckets;
    const plot = Math.abs(murmur3('plot', 0)) % WORDS_ONLY.buckets;
    expect(vocab.remap[movie]).toBeGreaterThan(0);
    expect(vocab.idf[vocab.remap[movie]]).toBeCloseTo(Math.log(4 / 3) + 1, 6);
    expect(vocab.idf[vocab.remap[plot]]).toBeCloseTo(Math.log(4 / 2) + 1, 6);
    expect(vocab.idf[0]).toBe(0);
    const distinct = new Set(raw.indices).size;
    expect(vocab.size).toBe(distinct + 1);
  });

  it('rows are idf-weighted and L2-normalised; unseen n-grams vanish', () => {
    const X = transform(hashTexts(['good movie', 'unseen words only', 'good unseen'], WORDS_ONLY), vocab);
    expect(X.dim).toBe(vocab.size);
    const norm = (i: number) => Math.hypot(...Array.from(X.values.subarray(X.rowPtr[i], X.rowPtr[i + 1])));
    expect(norm(0)).toBeCloseTo(1, 6);
    expect(X.rowPtr[2] - X.rowPtr[1]).toBe(0);
    expect(X.rowPtr[3] - X.rowPtr[2]).toBe(1); // only "good" survives
    expect(X.values[X.rowPtr[2]]).toBeCloseTo(1, 6);
  });

  it('minDf drops rare buckets and selectRows reorders rows', () => {
    const v2 = fitVocabulary(raw, { minDf: 2 });
    expect(v2.size).toBe(3); // "good" and "movie" occur in two rows each
    const X = transform(raw, vocab);
    const S = selectRows(X, [2, 0]);
    expect(Array.from(S.indices.subarray(S.rowPtr[1], S.rowPtr[2]))).toEqual(Array.from(X.indices.subarray(X.rowPtr[0], X.rowPtr[1])));
    expect(() => transform(hashTexts(['x'], { ...WORDS_ONLY, buckets: 64 }), vocab)).toThrow(/buckets/);
  });
});

describe('hash size sized to the corpus', () => {
  /** `n` distinct random words, one per text, hashed into `buckets`. */
  function distinctWords(n: number, buckets: number, seed: number) {
    const rng = mulberry32(seed);
    const words = new Set<string>();
    while (words.size < n) words.add('w' + Math.floor(rng() * 2 ** 40).toString(36));
    return hashTexts([...words], { ...WORDS_ONLY, wordNgrams: [1, 1], buckets });
  }

  it('linear counting recovers the number of distinct n-grams from the occupied buckets', () => {
    fc.assert(
      fc.property(fc.integer({ min: 200, max: 12_000 }), fc.integer({ min: 0, max: 1000 }), (n, seed) => {
        const raw = distinctWords(n, 1 << 12, seed);
        const occupied = occupiedBuckets(raw);
        // Far fewer buckets are occupied than there are words once n nears 4,096 …
        if (n > 4096) expect(occupied).toBeLessThan(0.8 * n);
        // … yet the estimate stays within 6% (its standard error is well under 2% here).
        expect(Math.abs(estimateDistinct(occupied, 1 << 12) / n - 1)).toBeLessThan(0.06);
      }),
      { seed: 11, numRuns: 12 },
    );
    expect(estimateDistinct(0, 1 << 12)).toBe(0);
    expect(estimateDistinct(1 << 12, 1 << 12)).toBe(Infinity);
    expect(() => estimateDistinct(5000, 1 << 12)).toThrow(/occupied buckets/);
  });

  it('counts each occupied bucket once, however many rows use it', () => {
    const raw = hashTexts(['spam eggs', 'eggs spam', 'spam'], WORDS_ONLY);
    // spam, eggs, "spam eggs", "eggs spam": four distinct grams (no collision at 2^18 here).
    expect(occupiedBuckets(raw)).toBe(4);
  });

  it('keeps 2^18 until the corpus holds more distinct n-grams, then one bucket per n-gram, capped at 2^22', () => {
    const M = DEFAULT_FEATURES.buckets;
    expect(M).toBe(1 << 18);
    // Occupancy M(1 − e^(−D/M)) of D distinct n-grams.
    const occ = (d: number) => Math.round(M * (1 - Math.exp(-d / M)));
    expect(corpusBuckets(0)).toBe(M);
    expect(corpusBuckets(occ(40_000))).toBe(M); // a WRENCH-sized corpus
    expect(corpusBuckets(130_493)).toBe(M); // bench:scale --quick, 20k documents: ≈ 181k n-grams
    expect(corpusBuckets(occ(0.99 * M))).toBe(M);
    expect(corpusBuckets(occ(1.05 * M))).toBe(2 * M);
    expect(corpusBuckets(239_428)).toBe(1 << 20); // bench:scale, 100k documents: ≈ 642k n-grams
    expect(corpusBuckets(occ(3.5 * M))).toBe(4 * M);
    expect(corpusBuckets(M - 1)).toBe(MAX_AUTO_BUCKETS);
    expect(corpusBuckets(M)).toBe(MAX_AUTO_BUCKETS);
    // Monotone: more occupied buckets never give a smaller table.
    let last = M;
    for (let o = 0; o <= M; o += 997) {
      const b = corpusBuckets(o);
      expect(b).toBeGreaterThanOrEqual(last);
      expect(Number.isInteger(Math.log2(b))).toBe(true);
      last = b;
    }
  });
});
