import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../matrix.ts';
import { mulberry32 } from '../rng.ts';
import { parseWrenchSplit, writeWrenchSplit } from './wrench.ts';
import { scanWrenchVotes, WrenchVotesScanner } from './wrench-votes.ts';

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

/** The scanner fed `text` in chunks of the given sizes (cycled), the unread tail passed again each time, as the CLI does. */
function scannedInChunks(text: string, sizes: readonly number[], k?: number) {
  const all = bytes(text);
  const s = new WrenchVotesScanner(k, all.length);
  let tail = new Uint8Array(0);
  let at = 0;
  for (let c = 0; ; c++) {
    const take = all.subarray(at, at + sizes[c % sizes.length]);
    at += take.length;
    const buf = new Uint8Array(tail.length + take.length);
    buf.set(tail);
    buf.set(take, tail.length);
    const last = at >= all.length;
    const used = s.feed(buf, last);
    if (used < 0) return null;
    if (last) break;
    tail = buf.slice(used);
  }
  const v = s.result();
  return v && { ids: v.ids, cols: v.L.columns().map((c) => Array.from(c)), k: v.L.k, n: v.L.n, labels: Array.from(v.labels) };
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
    // Bytes just past the digits (':', '<', '?') and before them ('/', '+') probe the digit checks.
    const alphabet = ' {}[]":,-0123456789.eE\\ntfalsu\u00e9:<?/+\r';
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(alphabet.length - 1), fc.boolean()), { minLength: 1, maxLength: 4 }),
        (edits) => {
          let text = base;
          for (const [at, ch, insert] of edits) text = text.slice(0, at) + alphabet[ch] + text.slice(at + (insert ? 0 : 1));
          const fast = scanned(text);
          // Fed in chunks, the same answer (null included).
          expect(scannedInChunks(text, [37, 5])).toEqual(fast);
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

  it('reads the same in chunks of any size as in one piece, rows cut anywhere', () => {
    const text = generated(5, 60, 7, 4);
    const want = reference(text);
    for (const sizes of [[1], [2, 3], [7], [64], [100, 1, 13], [4096]]) expect(scannedInChunks(text, sizes)).toEqual(want);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 6 }), (sizes) => {
        expect(scannedInChunks(text, sizes, 4)).toEqual(reference(text, 4));
      }),
      { seed: 20261208, numRuns: 200 },
    );
  });

  it("gives the full parser's answer on hostile files, whole and in small chunks", () => {
    const huge = 'x'.repeat(200_000);
    const rows = [
      // Escaped quotes and backslashes, braces, brackets and key names inside strings.
      `"0": {"label": 1, "weak_labels": [0, -1, 1], "data": {"text": "she said \\"}\\" {\\"label\\": 0, \\"weak_labels\\": [1, 1, 1]} ] [ \\\\"}}`,
      // Unicode escapes (a surrogate pair, an escaped quote), a raw multi-byte character.
      `"1": {"label": 0, "weak_labels": [1, 1, -1], "data": {"t": "\\ud83d\\ude00 \\u0022 é ✓", "\\u006babel": [{"a": {}}]}}`,
      // CRLF line ends and tabs between every token.
      `"2"\r\n:\t{\r\n"weak_labels"\t: [ -1 ,\r\n0 , 1 ] ,\r\n"label" : -1 , "data" : null }`,
      // Keys in another order, another key besides.
      `"4": {"data": {}, "id": "4", "label": 0, "weak_labels": [-1, -1, -1]}`,
      // Digits wider than the common layout's: two-digit label and votes.
      `"5": {"label": 11, "weak_labels": [10, -1, 12], "data": {}}`,
    ];
    // A huge field, longer than the chunks (each cut reads the row again from its start, so
    // only chunk sizes that cut it a few hundred times).
    const hugeRow = `"6": {"label": 1, "weak_labels": [1, 0, 0], "data": {"text": "${huge}", "n": [1.5e3, -0, true, false, null]}}`;
    const withHuge = `{${[...rows, hugeRow].join(', ')}}`;
    expect(scanned(withHuge)).toEqual(reference(withHuge));
    expect(reference(withHuge).n).toBe(6);
    for (const sizes of [[777], [65536, 3]]) expect(scannedInChunks(withHuge, sizes)).toEqual(reference(withHuge));
    const text = `{\r\n${rows.join(',\r\n')}\r\n}\r\n`;
    const want = reference(text);
    expect(want.n).toBe(5);
    expect(scanned(text)).toEqual(want);
    for (const sizes of [[1], [3, 5], [777], [65536]]) expect(scannedInChunks(text, sizes)).toEqual(want);
    // Ids that break the 0, 1, 2… sequence: out of order, strings, an escaped digit, a duplicate.
    const ids = (list: string[]) =>
      `{${list.map((id, i) => `${id}: {"label": ${i % 2}, "weak_labels": [${i % 2}, -1], "data": {}}`).join(', ')}}`;
    for (const list of [
      ['"0"', '"1"', '"3"', '"2"'],
      ['"0"', '"1"', '"b"', '"2"', '"a"'],
      ['"0"', '"\\u0031"', '"2"'],
      ['"0"', '"01"', '"1"'],
      ['"0"', '"1"', '"2"', '"4294967295"', '"4294967294"'],
    ]) {
      const t = ids(list);
      expect(scanned(t)).toEqual(reference(t));
      expect(scannedInChunks(t, [5])).toEqual(reference(t));
    }
    for (const t of [ids(['"0"', '"1"', '"1"']), ids(['"0"', '"1"', '"\\u0030"']), ids(['"a"', '"0"', '"a"'])]) {
      expect(scanned(t)).toBeNull(); // duplicates: the full parser keeps the last
      expect(scannedInChunks(t, [3])).toBeNull();
    }
  });

  it('refuses, in the common layout, every vote that is not -1 or a digit', () => {
    for (const vote of [':', '<', '?', '/', '*', '+1', '--1', '-2', '-0', '01', '1.0', '"1"', 'x']) {
      const t = `{"0": {"label": 1, "weak_labels": [0, 1], "data": {}}, "1": {"label": 1, "weak_labels": [0, ${vote}], "data": {}}}`;
      const fast = scanned(t);
      let want: ReturnType<typeof reference> | null = null;
      try {
        want = reference(t);
      } catch {
        // Not a valid split: the scanner must not answer either.
      }
      // null from the scanner means "ask the full parser", which may accept (`1.0`, `-0`).
      if (want === null || fast !== null) expect(fast).toEqual(want);
    }
  });
});
