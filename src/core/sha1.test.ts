import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha1 } from './sha1.ts';

const nodeSha1 = (s: string | Uint8Array) => createHash('sha1').update(s).digest('hex');

describe('sha1', () => {
  it('matches the FIPS 180 / RFC 3174 test vectors', () => {
    expect(sha1('')).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
    expect(sha1('abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(sha1('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('84983e441c3bd26ebaae4aa1f95129e5e54670f1');
    expect(sha1('a'.repeat(1_000_000))).toBe('34aa973cd4c4daa4f61eeb2bdbad27316534016f');
  });

  it('hashes str(i) like Python hashlib (the Snorkel tie-break input)', () => {
    // python3 -c "import hashlib; print(hashlib.sha1(b'0').hexdigest())"
    expect(sha1('0')).toBe('b6589fc6ab0dc82cf12099d1c2d40ab994e8410c');
    expect(sha1('1')).toBe('356a192b7913b04c54574d18c28d46e6395428ab');
  });

  it('encodes strings as UTF-8', () => {
    expect(sha1('é')).toBe(nodeSha1(Buffer.from('é', 'utf8')));
    expect(sha1('日本語 🐟')).toBe(nodeSha1('日本語 🐟'));
  });

  it('agrees with node:crypto at every padding boundary (lengths 0..200)', () => {
    for (let len = 0; len <= 200; len++) {
      const s = 'x'.repeat(len);
      expect(sha1(s), `length ${len}`).toBe(nodeSha1(s));
    }
  });

  it('agrees with node:crypto on random strings and byte arrays', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => sha1(s) === nodeSha1(s)),
      { seed: 42, numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => sha1(b) === nodeSha1(b)),
      { seed: 7, numRuns: 300 },
    );
  });
});
