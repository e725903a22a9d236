/**
 * Integer arrays in NumPy's `.npy` format (version 1–3), for label matrices and gold labels
 * written by NumPy (`np.save('train.npy', L)`) or exported by Shoal. One- or two-dimensional,
 * C order, little-endian (or single-byte) signed or unsigned integers of 1–8 bytes; anything else
 * is refused with one sentence saying what to save instead. Values are checked against the
 * range the caller gives, so a vote of 300 is never wrapped into an Int8Array silently.
 */
import { ShoalError } from '../types.ts';

export interface NpyInts {
  shape: number[];
  /** Row-major values. */
  data: Int32Array;
}

const DTYPES: Record<string, { bytes: number; signed: boolean }> = {
  i1: { bytes: 1, signed: true },
  u1: { bytes: 1, signed: false },
  i2: { bytes: 2, signed: true },
  u2: { bytes: 2, signed: false },
  i4: { bytes: 4, signed: true },
  u4: { bytes: 4, signed: false },
  i8: { bytes: 8, signed: true },
  u8: { bytes: 8, signed: false },
};

/**
 * A two-dimensional integer .npy (rows × LFs) as one Int8Array column per LF, every value within
 * [min, max] ⊂ [-128, 127], with readNpyInts's checks and messages. One-byte files go straight
 * from the file's bytes into the columns (`maxValue`: the largest value, -Infinity when empty): at 1M × 50 the Int32Array in between was 200 MB
 * (fresh memory is costly to touch on the machines this runs on) and most of `shoal fit`'s read.
 */
export function readNpyColumns(
  bytes: Uint8Array,
  what: string,
  min: number,
  max: number,
): { n: number; m: number; columns: Int8Array[]; maxValue: number } {
  const fail = failWith(what);
  const { shape, type, off } = npyLayout(bytes, fail);
  if (shape.length !== 2) fail(`has shape (${shape.join(', ')}); a label matrix is rows × LFs`);
  const [n, m] = shape;
  const columns = Array.from({ length: m }, () => new Int8Array(n));
  if (type.bytes !== 1) {
    const { data } = readNpyInts(bytes, what, min, max);
    let maxValue = -Infinity;
    for (let i = 0, q = 0; i < n; i++) {
      for (let j = 0; j < m; j++, q++) {
        columns[j][i] = data[q];
        if (data[q] > maxValue) maxValue = data[q];
      }
    }
    return { n, m, columns, maxValue };
  }
  const src = type.signed
    ? new Int8Array(bytes.buffer, bytes.byteOffset + off, n * m)
    : new Uint8Array(bytes.buffer, bytes.byteOffset + off, n * m);
  // Rows in blocks, so each column's slice of the block stays in cache while the block is spread.
  const BLOCK = 1024;
  let maxValue = -Infinity;
  for (let start = 0; start < n; start += BLOCK) {
    const end = Math.min(n, start + BLOCK);
    let bad = false;
    for (let j = 0; j < m; j++) {
      const col = columns[j];
      for (let i = start, q = start * m + j; i < end; i++, q += m) {
        const v = src[q];
        col[i] = v;
        if (v > maxValue) maxValue = v;
        bad ||= v < min || v > max;
      }
    }
    // Name the first value out of range in the file's order, as readNpyInts does.
    if (bad) {
      for (let q = start * m; q < end * m; q++) {
        const v = src[q];
        if (v < min || v > max) fail(`value ${v} at row ${Math.floor(q / m)}, column ${q % m} is outside ${min}..${max}`);
      }
    }
  }
  return { n, m, columns, maxValue };
}

const failWith =
  (what: string) =>
  (why: string): never => {
    throw new ShoalError(`${what}: ${why}`);
  };

/** Read an integer .npy, every value within [min, max]; `what` names the file in errors. */
export function readNpyInts(bytes: Uint8Array, what: string, min: number, max: number): NpyInts {
  const fail = failWith(what);
  const { shape, type, off, code } = npyLayout(bytes, fail);
  const count = shape.reduce((a, d) => a * d, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset + off, count * type.bytes);
  const data = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const at = i * type.bytes;
    let v: number;
    switch (type.bytes) {
      case 1:
        v = type.signed ? view.getInt8(at) : view.getUint8(at);
        break;
      case 2:
        v = type.signed ? view.getInt16(at, true) : view.getUint16(at, true);
        break;
      case 4:
        v = type.signed ? view.getInt32(at, true) : view.getUint32(at, true);
        break;
      default: {
        const big = type.signed ? view.getBigInt64(at, true) : view.getBigUint64(at, true);
        v = big < BigInt(min) || big > BigInt(max) ? Number.NaN : Number(big);
      }
    }
    if (!(v >= min && v <= max)) {
      const [r, c] = shape.length === 2 ? [Math.floor(i / shape[1]), i % shape[1]] : [i, -1];
      fail(`value ${Number.isNaN(v) ? 'out of range' : v} at row ${r}${c >= 0 ? `, column ${c}` : ''} is outside ${min}..${max}`);
    }
    data[i] = v;
  }
  return { shape, data };
}

/** The header's shape and type, and where the data starts; the data's length is checked against them. */
function npyLayout(bytes: Uint8Array, fail: (why: string) => never) {
  if (bytes.length < 10 || bytes[0] !== 0x93 || String.fromCharCode(...bytes.subarray(1, 6)) !== 'NUMPY') {
    fail('not a .npy file (the magic string \\x93NUMPY is missing)');
  }
  const major = bytes[6];
  if (major < 1 || major > 3) fail(`.npy format version ${major} is not one this reader knows (1–3)`);
  const hlen = major === 1 ? bytes[8] | (bytes[9] << 8) : (bytes[8] | (bytes[9] << 8) | (bytes[10] << 16)) + bytes[11] * 2 ** 24;
  const start = major === 1 ? 10 : 12;
  if (start + hlen > bytes.length) fail('the .npy header is cut short');
  const header = new TextDecoder().decode(bytes.subarray(start, start + hlen));
  const descr = /'descr':\s*'([<>|=])([iu][1248])'/.exec(header);
  if (!descr) fail(`holds ${/'descr':\s*'([^']*)'/.exec(header)?.[1] ?? 'an unknown type'}, not integers; save it with .astype(np.int8)`);
  const [, order, code] = descr!;
  const type = DTYPES[code];
  if (order === '>' && type.bytes > 1) fail('is big-endian; save it with .astype("<i1") (or any little-endian integer type)');
  if (/'fortran_order':\s*True/.test(header)) fail('is in Fortran order; save it with np.ascontiguousarray(...) first');
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) fail('has no shape in its header');
  const shape = shapeText!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (shape.length < 1 || shape.length > 2 || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    fail(`has shape (${shapeText}); a label matrix is two-dimensional (rows × LFs) and labels one-dimensional`);
  }
  const count = shape.reduce((a, d) => a * d, 1);
  const off = start + hlen;
  if (bytes.length - off !== count * type.bytes) {
    fail(`has ${bytes.length - off} data bytes, but shape (${shape.join(', ')}) of ${code} needs ${count * type.bytes}`);
  }
  return { shape, type: type!, off, code: code! };
}
