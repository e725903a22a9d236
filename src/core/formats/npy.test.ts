import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../matrix.ts';
import { npyInt8 } from './export.ts';
import { mulberry32 } from '../rng.ts';
import { readNpyColumns, readNpyInts } from './npy.ts';

/** A .npy as NumPy writes it (version 1, header padded to 64 bytes). */
function npy(descr: string, shape: number[], body: ArrayBufferView, extra = ''): Uint8Array {
  const dict = `{'descr': '${descr}', 'fortran_order': ${extra === 'F' ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const header = dict + ' '.repeat(total - 10 - dict.length - 1) + '\n';
  const out = new Uint8Array(total + body.byteLength);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), total);
  return out;
}

describe('.npy integers', () => {
  it('reads what Shoal exports, and every integer type NumPy writes, to the same values', () => {
    const L = new LabelMatrix(3, 3, [Int8Array.from([0, -1, 2]), Int8Array.from([1, 1, -1])]);
    const want = [0, 1, -1, 1, 2, -1];
    expect(readNpyInts(npyInt8(L), 'L.npy', -1, 2)).toEqual({ shape: [3, 2], data: Int32Array.from(want) });
    for (const [descr, body] of [
      ['|i1', Int8Array.from(want)],
      ['<i2', Int16Array.from(want)],
      ['<i4', Int32Array.from(want)],
      ['<i8', BigInt64Array.from(want.map(BigInt))],
    ] as const) {
      expect(readNpyInts(npy(descr, [3, 2], body), 'L.npy', -1, 2).data).toEqual(Int32Array.from(want));
    }
    expect(readNpyInts(npy('<u8', [4], BigUint64Array.from([0n, 1n, 2n, 1n])), 'y.npy', -1, 2)).toEqual({
      shape: [4],
      data: Int32Array.from([0, 1, 2, 1]),
    });
  });

  it('refuses what it cannot read faithfully, naming the file and what to do', () => {
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array([1, 2, 3]), /^L\.npy: not a \.npy file/],
      [npy('<f4', [2], Float32Array.from([0, 1])), /^L\.npy: holds <f4, not integers; save it with \.astype\(np\.int8\)/],
      [npy('>i2', [2], Int16Array.from([0, 1])), /big-endian/],
      [npy('|i1', [2, 1], Int8Array.from([0, 1]), 'F'), /Fortran order/],
      [npy('|i1', [2, 2], Int8Array.from([0, 1, 1])), /has 3 data bytes, but shape \(2, 2\) of i1 needs 4/],
      [npy('<i2', [2, 2], Int16Array.from([0, 1, 300, 1])), /value 300 at row 1, column 0 is outside -1\.\.2/],
      [npy('<i8', [1], BigInt64Array.from([2n ** 40n])), /value out of range at row 0 is outside -1\.\.2/],
      [npy('|i1', [1, 1, 1], Int8Array.from([0])), /has shape \(1, 1, 1\)/],
    ];
    for (const [bytes, why] of cases) expect(() => readNpyInts(bytes, 'L.npy', -1, 2)).toThrow(why);
  });

  it('reads a matrix into columns exactly as readNpyInts reads it, whatever the type, and refuses the same values', () => {
    const rng = mulberry32(7);
    // Rows past one block of the column spreader, and a few LFs.
    const n = 2500;
    const m = 3;
    const flat = Array.from({ length: n * m }, () => Math.floor(rng() * 4) - 1);
    for (const [descr, body] of [
      ['|i1', Int8Array.from(flat)],
      ['<i2', Int16Array.from(flat)],
      ['<i8', BigInt64Array.from(flat.map(BigInt))],
    ] as const) {
      const bytes = npy(descr, [n, m], body);
      const { data } = readNpyInts(bytes, 'L.npy', -1, 2);
      const got = readNpyColumns(bytes, 'L.npy', -1, 2);
      expect([got.n, got.m]).toEqual([n, m]);
      for (let j = 0; j < m; j++) expect(Array.from(got.columns[j])).toEqual(Array.from({ length: n }, (_, i) => data[i * m + j]));
    }
    const unsigned = npy('|u1', [2, 2], Uint8Array.from([0, 1, 2, 0]));
    expect(readNpyColumns(unsigned, 'L.npy', -1, 2).columns.map((c) => Array.from(c))).toEqual([
      [0, 2],
      [1, 0],
    ]);
    // The first value out of range is named by row and column, as readNpyInts names it.
    const late = Int8Array.from(flat);
    late[2041 * m + 2] = 3;
    late[2041 * m + 0 + m] = -5; // the next row, an earlier column: the file's order decides
    late[2300 * m + 0] = -5;
    expect(() => readNpyColumns(npy('|i1', [n, m], late), 'L.npy', -1, 2)).toThrow(
      /^L\.npy: value 3 at row 2041, column 2 is outside -1\.\.2$/,
    );
    expect(() => readNpyColumns(npy('|u1', [1, 2], Uint8Array.from([0, 255])), 'L.npy', -1, 2)).toThrow(/value 255 at row 0, column 1/);
    expect(() => readNpyColumns(npy('|i1', [4], Int8Array.from([0, 1, 1, 0])), 'L.npy', -1, 2)).toThrow(
      /has shape \(4\); a label matrix is rows × LFs/,
    );
  });
});
