import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketGrams, DEFAULT_FEATURES, type FeatureSpec, hashTexts } from './featurize.ts';
import { copyGrams, gramScratch, hashGrams, markBuckets, tokenize } from './grams.ts';
import { murmur3 } from './hash.ts';

/**
 * The featurization written the plain way, one string per n-gram (what featurize.ts's header
 * specifies and the ONNX sidecar describes): distinct n-grams counted in a Map in order of first
 * appearance, then summed into buckets in that order.
 */
function reference(texts: string[], spec: FeatureSpec) {
  const rowPtr = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const text of texts) {
    const tokens = tokenize(text);
    const counts = new Map<string, number>();
    const add = (g: string, kind: 'w' | 'c') => counts.set(kind + g, (counts.get(kind + g) ?? 0) + 1);
    const [wMin, wMax] = spec.wordNgrams;
    for (let i = 0; i < tokens.length; i++)
      for (let n = Math.max(1, wMin); n <= wMax && i + n <= tokens.length; n++) add(tokens.slice(i, i + n).join(' '), 'w');
    const [cMin, cMax] = spec.charNgrams;
    if (cMax > 0)
      for (const t of tokens) {
        const cps = Array.from(` ${t} `);
        for (let n = cMin; n <= cMax && n <= cps.length; n++)
          for (let i = 0; i + n <= cps.length; i++) add(cps.slice(i, i + n).join(''), 'c');
      }
    const row = new Map<number, number>();
    for (const [key, c] of counts) {
      const h = murmur3(key.slice(1), key[0] === 'w' ? 0 : 1);
      const w = (spec.sublinearTf ? 1 + Math.log(c) : c) * (h < 0 ? -1 : 1) * (key[0] === 'w' ? 1 : spec.charWeight);
      const b = Math.abs(h) % spec.buckets;
      row.set(b, (row.get(b) ?? 0) + w);
    }
    for (const b of [...row.keys()].sort((x, y) => x - y)) {
      if (row.get(b) === 0) continue;
      indices.push(b);
      values.push(Math.fround(row.get(b)!));
    }
    rowPtr.push(indices.length);
  }
  return { rowPtr, indices, values };
}

const word = fc.constantFrom('ab', 'Ab', 'x1', 'héllo', 'naïve', '日本', 'テキスト', '𝒳𝒴', '😀😀', 'a', '__', 'win', 'cash', 'txt');
const texts = fc.array(
  fc.array(word, { maxLength: 12 }).map((ws) => ws.join(' ')),
  { maxLength: 12 },
);
const specs = fc.record({
  buckets: fc.constantFrom(1 << 4, 1 << 10, 1 << 18),
  wordNgrams: fc.constantFrom<[number, number]>([1, 2], [2, 3], [0, 0], [1, 1]),
  charNgrams: fc.constantFrom<[number, number]>([0, 0], [1, 5], [2, 4]),
  sublinearTf: fc.boolean(),
  charWeight: fc.constantFrom(0.3, 1),
});

describe('n-grams hashed once (grams.ts)', () => {
  it('give, bucketed into any table, the features the plain one-string-per-n-gram featurization gives', () => {
    fc.assert(
      fc.property(texts, specs, (ts, spec) => {
        const got = hashTexts(ts, spec);
        const want = reference(ts, spec);
        expect(Array.from(got.rowPtr)).toEqual(want.rowPtr);
        expect(Array.from(got.indices)).toEqual(want.indices);
        expect(Array.from(got.values)).toEqual(want.values);
      }),
      { numRuns: 200, seed: 20261208 },
    );
  });

  it('fill a larger table exactly as hashing the texts into it would, from one hashing', () => {
    const ts = ['Win cash now win', 'txt 150p to win £1000 now', 'héllo wörld 𝒳𝒴', ''];
    const spec = { ...DEFAULT_FEATURES, charNgrams: [1, 5] as [number, number] };
    const scratch = gramScratch();
    const g = copyGrams(hashGrams(ts, spec, scratch));
    hashGrams(['something else entirely'], spec, scratch); // the copy does not share the buffers
    for (const buckets of [1 << 8, 1 << 18, 1 << 20])
      expect(bucketGrams(g, { ...spec, buckets })).toEqual(hashTexts(ts, { ...spec, buckets }));
    expect(() => bucketGrams(g, { ...DEFAULT_FEATURES })).toThrow(/other n-gram ranges/);
  });

  it('counts the buckets its n-grams hash to, each once', () => {
    const g = hashGrams(['ab cd ab', 'cd ef'], { wordNgrams: [1, 1], charNgrams: [0, 0] });
    const seen = new Uint8Array(1 << 20);
    // ab, cd, ef: three distinct unigrams (a 2^20 table separates them).
    expect(markBuckets(g, seen)).toBe(3);
    expect(markBuckets(g, seen)).toBe(0);
    expect(Array.from(g.counts)).toEqual([2, 1, 1, 1]);
  });
});
