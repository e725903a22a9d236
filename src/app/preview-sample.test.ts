/** The LF preview's sample (preview-sample.ts): the same picks as before on small data, few chunks on big data. */
import { describe, expect, it } from 'vitest';
import { previewPicks } from './preview-sample.ts';
import { splitIndexOf } from './project.ts';

describe('previewPicks', () => {
  it('takes dev rows first, then train, then test, evenly spaced', () => {
    const split = Uint8Array.from({ length: 100 }, (_, i) => (i % 10 === 0 ? 1 : i % 10 === 1 ? 2 : 0));
    const index = splitIndexOf(split);
    const p = Array.from(previewPicks(index, 1000, 100, 20));
    // 10 dev rows (all of them, fewer than half of 20), then 10 train rows spaced over 80.
    expect(p.slice(0, 10)).toEqual(Array.from(index.dev));
    expect(p.slice(10)).toEqual(Array.from({ length: 10 }, (_, t) => index.train[Math.floor((t * 80) / 10)]));
    // Too few dev and train rows: the test rows fill up.
    expect(previewPicks(index, 1000, 100, 200).length).toBe(100);
  });

  it('picks from at most maxChunks chunks spread over a big dataset', () => {
    const n = 500_000;
    const split = Uint8Array.from({ length: n }, (_, i) => (i % 10 === 0 ? 1 : i % 10 === 1 ? 2 : 0));
    const p = previewPicks(splitIndexOf(split), 1000, n);
    expect(p.length).toBe(1500);
    const chunks = new Set(Array.from(p, (i) => Math.floor(i / 1000)));
    expect(chunks.size).toBeLessThanOrEqual(24);
    expect(Math.min(...chunks)).toBe(0);
    expect(Math.max(...chunks)).toBeGreaterThan(450);
    // Half dev rows, as on small data.
    expect(Array.from(p.subarray(0, 750)).every((i) => split[i] === 1)).toBe(true);
  });
});
