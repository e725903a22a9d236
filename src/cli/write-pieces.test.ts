import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteChunker } from './write-pieces.ts';

describe('ByteChunker', () => {
  // Well-formed text, as JSON.stringify gives (it escapes lone surrogates).
  it('hands out exactly the UTF-8 of the text pushed, in buffers no larger than asked (but for one long text)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 30 }), { maxLength: 40 }),
        fc.integer({ min: 4, max: 64 }),
        (texts, size) => {
          const out: Buffer[] = [];
          const c = new ByteChunker((b) => out.push(Buffer.from(b)), size);
          for (const t of texts) c.push(t);
          c.flush();
          expect(Buffer.concat(out).equals(Buffer.from(texts.join(''), 'utf8'))).toBe(true);
          for (const b of out) expect(b.length).toBeGreaterThan(0);
          const long = new Set(texts.filter((t) => t.length * 3 > size).map((t) => Buffer.byteLength(t)));
          for (const b of out) expect(b.length <= size || long.has(b.length)).toBe(true);
        },
      ),
      { seed: 3, numRuns: 300 },
    );
  });
});
