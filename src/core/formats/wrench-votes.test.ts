import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../matrix.ts';
import { mulberry32 } from '../rng.ts';
import { parseWrenchSplit, writeWrenchSplit } from './wrench.ts';
import { scanWrenchVotes } from './wrench-votes.ts';

const enc = new TextEncoder();
const bytes = (s: string) => enc.encode(s);

/** What the full parser says, without the data: the scanner must say exactly this or nothing. */
function reference(text: string, k?: number) {
  const s = parseWrenchSplit(text, 'f.json', k);
  return { ids: s.ids, cols: s.L.columns().map((c) => Array.from(c)), k: s.L.k, n: s.L.n, labels: Array.from(s.labels) };
}
function scanned(text: string, k?: number) {
  const s = scanWrenchVotes(bytes(text), k);
  return s && { ids: s.ids, cols: s.L.columns().map((c) => Array.from(c)), k: s.L.k, n: s.L.n, labels: Array.from(s.labels) };
}

function generated(seed: number, n: number, m: number, k: number): string {
  const rng = mulberry32(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];
  const idKinds = [
    () => String(Math.floor(rng() * 1e6)),
    () => `row-${Math.floor(rng() * 1e6)}`,
    () => `0${Math.floor(rng() * 99)}`,
    () => 'é"\\\u2028',
  ];
  const ids = new Set<string>();
  while (ids.size < n) ids.add(pick(idKinds)());
  const texts = ['plain', 'with "quotes" and \\ backslash', 'ünïcödé ✓ 𝔘', 'tab\there\nnewline', '{"label": 9, "weak_labels": [1]}'];
  const data = Array.from({ length: n }, () => ({
    text: pick(texts),
    nested: { a: [1, 2.5e-3, -0, true, false, null, { label: 'x' }], weak_labels: 'not these' },
  }));
  const cols = Array.from({ length: m }, () => Int8Array.from({ length: n }, () => Math.floor(rng() * (k + 1)) - 1));
  const labels = Int32Array.from({ length: n }, () => Math.floor(rng() * (k + 1)) - 1);
  return writeWrenchSplit([...ids], new LabelMatrix(n, k, cols), labels, data);
}

describe('WRENCH votes straight from the bytes', () => {
  it('gives what the full parser gives, in Object.keys order, on generated files', () => {
    for (const [seed, n, m, k] of [
      [1, 50, 5, 2],
      [2, 300, 12, 6],
      [3, 1, 0, 2],
      [4, 40, 3, 3],
    ]) {
      const text = generated(seed, n, m, k);
      const want = reference(text);
      expect(scanned(text)).toEqual(want);
      expect(scanned(text, 7)).toEqual(reference(text, 7));
    }
    expect(scanned('{}')).toEqual(reference('{}'));
    expect(scanned(' {\n} \n')).toEqual(reference(' {\n} \n'));
  });

  it('leaves to the full parser what it does not read itself, so the answer and the error stay the same', () => {
    const ok = '{"1": {"label": 1, "weak_labels": [0, -1], "data": {}}}';
    expect(scanned(ok)).not.toBeNull();
    for (const text of [
      '\ufeff' + ok, // a BOM
      '{"1": {"label": 1, "weak_labels": [0, -1]}, "1": {"label": 0, "weak_labels": [0, 0]}}', // duplicate id
      '{"1": {"label": 1.0, "weak_labels": [0, -1]}}', // an integer written as a fraction
      '{"1": {"label": 1, "weak_labels": [1e0, -1]}}',
      '{"1": {"label": 1, "weak_labels": [0, -1], "data": []}}', // data not an object
      '{"1": {"weak_labels": [0, -1]}}', // no label
      '{"1": {"label": 1, "weak_labels": [0, -1]}, "2": {"label": 1, "weak_labels": [0]}}', // lengths differ
      '{"1": {"label": 1, "weak_labels": [0, -1], "data": {a: 1}}}', // not JSON
      '{"1": {"label": 1, "weak_labels": [0, -1]}} x', // trailing text
      '{"1": {"label": 200, "weak_labels": [0, -1]}}', // out of range
      '{"1": {"label": 1, "label": 0, "weak_labels": [0, -1]}}', // duplicate key in a row
      '[]',
    ]) {
      expect(scanWrenchVotes(bytes(text))).toBeNull();
    }
  });

  it('never answers differently from the full parser on mutated files (seeded)', () => {
    const base = generated(9, 12, 4, 3);
    const alphabet = ' {}[]":,-0123456789.eE\\ntfalsu\u00e9';
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(alphabet.length - 1), fc.boolean()), { minLength: 1, maxLength: 4 }),
        (edits) => {
          let text = base;
          for (const [at, ch, insert] of edits) text = text.slice(0, at) + alphabet[ch] + text.slice(at + (insert ? 0 : 1));
          const fast = scanned(text);
          if (fast === null) return;
          accepted++;
          // Whatever the scanner accepts, the full parser accepts with the same result.
          expect(fast).toEqual(reference(text));
        },
      ),
      { seed: 20261207, numRuns: 3000 },
    );
    // Many mutations keep the file valid (a changed digit, a space): those must be compared too.
    expect(accepted).toBeGreaterThan(300);
  });
});
