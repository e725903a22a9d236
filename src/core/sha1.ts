/**
 * SHA-1 (FIPS 180-4) of a UTF-8 string or byte array, synchronous, returning lowercase hex.
 *
 * Why not WebCrypto or node:crypto: `crypto.subtle.digest` is async and node:crypto does not
 * exist in browser workers, yet core code must hash inside synchronous loops on every platform
 * (Snorkel/WRENCH's tie-break rule hashes `str(row index)`, and LF sources are hashed for vote
 * caching). Not for security: SHA-1 is broken for collision resistance.
 */

const encoder = new TextEncoder();

/** Hex digest of `input`; strings are encoded as UTF-8 (like Python's `str.encode()`). */
export function sha1(input: string | Uint8Array): string {
  const bytes = typeof input === 'string' ? encoder.encode(input) : input;
  const h = digest(bytes);
  let out = '';
  for (let i = 0; i < 5; i++) out += (h[i] >>> 0).toString(16).padStart(8, '0');
  return out;
}

function digest(msg: Uint8Array): Int32Array {
  const len = msg.length;
  // Message + 0x80 + zero padding + 64-bit big-endian bit length, rounded up to 64-byte blocks.
  const blocks = ((len + 8) >>> 6) + 1;
  const words = new Int32Array(blocks * 16);
  for (let i = 0; i < len; i++) words[i >>> 2] |= msg[i] << (24 - (i & 3) * 8);
  words[len >>> 2] |= 0x80 << (24 - (len & 3) * 8);
  // Bit length: high word from the bytes above 2^29, low word exact (lengths stay < 2^53).
  words[blocks * 16 - 2] = Math.floor(len / 0x20000000);
  words[blocks * 16 - 1] = (len << 3) | 0;

  let h0 = 0x67452301 | 0;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476 | 0;
  let h4 = 0xc3d2e1f0 | 0;
  const w = new Int32Array(80);
  for (let b = 0; b < blocks; b++) {
    const off = b * 16;
    for (let t = 0; t < 16; t++) w[t] = words[off + t];
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let bb = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    for (let t = 0; t < 80; t++) {
      let f: number;
      let k: number;
      if (t < 20) {
        f = (bb & c) | (~bb & d);
        k = 0x5a827999;
      } else if (t < 40) {
        f = bb ^ c ^ d;
        k = 0x6ed9eba1;
      } else if (t < 60) {
        f = (bb & c) | (bb & d) | (c & d);
        k = 0x8f1bbcdc;
      } else {
        f = bb ^ c ^ d;
        k = 0xca62c1d6;
      }
      const tmp = (((a << 5) | (a >>> 27)) + f + e + k + w[t]) | 0;
      e = d;
      d = c;
      c = (bb << 30) | (bb >>> 2);
      bb = a;
      a = tmp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + bb) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  return Int32Array.of(h0, h1, h2, h3, h4);
}
