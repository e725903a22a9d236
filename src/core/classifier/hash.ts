/**
 * MurmurHash3 (x86, 32-bit) over the UTF-8 bytes of a string: the hash scikit-learn's
 * HashingVectorizer uses (`murmurhash3_32(token, seed, positive=False)`), so the bucket and sign
 * rule of the exported featurization can be re-implemented anywhere (Python: `mmh3.hash`).
 * Returns a signed 32-bit integer.
 */
const buf = new Uint8Array(4096);

/** Encode `s` as UTF-8 into the shared buffer (growing a fresh one when too long). */
function utf8(s: string): { bytes: Uint8Array; length: number } {
  const bytes = s.length * 3 > buf.length ? new Uint8Array(s.length * 3) : buf;
  return { bytes, length: utf8Into(s, bytes, 0) };
}

/**
 * Write `s` as UTF-8 into `bytes` from `at` (room for 3 bytes per UTF-16 unit needed); returns the
 * position after it. Lone surrogates become U+FFFD, as TextEncoder writes them.
 */
export function utf8Into(s: string, bytes: Uint8Array, at: number): number {
  let p = at;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // lone surrogate: what TextEncoder writes
    if (c < 0x80) bytes[p++] = c;
    else if (c < 0x800) {
      bytes[p++] = 0xc0 | (c >> 6);
      bytes[p++] = 0x80 | (c & 63);
    } else if (c < 0x10000) {
      bytes[p++] = 0xe0 | (c >> 12);
      bytes[p++] = 0x80 | ((c >> 6) & 63);
      bytes[p++] = 0x80 | (c & 63);
    } else {
      bytes[p++] = 0xf0 | (c >> 18);
      bytes[p++] = 0x80 | ((c >> 12) & 63);
      bytes[p++] = 0x80 | ((c >> 6) & 63);
      bytes[p++] = 0x80 | (c & 63);
    }
  }
  return p;
}

export function murmur3(s: string, seed = 0): number {
  const { bytes, length } = utf8(s);
  return murmur3Bytes(bytes, length, seed);
}

export function murmur3Bytes(bytes: Uint8Array, length: number, seed = 0): number {
  return murmur3Range(bytes, 0, length, seed);
}

/** MurmurHash3 of bytes[from … to − 1]: an n-gram hashed where it lies in its text's bytes. */
export function murmur3Range(bytes: Uint8Array, from: number, to: number, seed = 0): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed | 0;
  const length = to - from;
  const blocks = from + (length & ~3);
  for (let i = from; i < blocks; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = length & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= bytes[blocks + 2] << 16;
    if (rest >= 2) k ^= bytes[blocks + 1] << 8;
    k ^= bytes[blocks];
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
