import { describe, expect, it } from 'vitest';
import { overlapCounts } from './labelmodel/overlap.ts';
import { LabelMatrix } from './matrix.ts';
import { mulberry32 } from './rng.ts';
import { ABSTAIN } from './types.ts';

/** Random matrix with per-LF propensities in [0, 1] (some all-abstain, some always voting). */
function randomMatrix(seed: number, n: number, m: number, k: number): LabelMatrix {
  const rng = mulberry32(seed);
  const cols: Int8Array[] = [];
  for (let j = 0; j < m; j++) {
    const p = j === 0 ? 0 : j === 1 ? 1 : rng();
    const c = new Int8Array(n).fill(ABSTAIN);
    for (let i = 0; i < n; i++) if (rng() < p) c[i] = Math.floor(rng() * k);
    cols.push(c);
  }
  return new LabelMatrix(n, k, cols);
}

// Naive definitions straight from the dense matrix: what the blocked, branch-free scans must equal.
function denseRows(L: LabelMatrix): { rowPtr: number[]; lf: number[]; label: number[] } {
  const rowPtr = [0];
  const lf: number[] = [];
  const label: number[] = [];
  for (let i = 0; i < L.n; i++) {
    for (let j = 0; j < L.m; j++) {
      const v = L.column(j)[i];
      if (v !== ABSTAIN) {
        lf.push(j);
        label.push(v);
      }
    }
    rowPtr.push(lf.length);
  }
  return { rowPtr, lf, label };
}

function denseClassCounts(L: LabelMatrix): number[] {
  const out = new Array<number>(L.n * L.k).fill(0);
  for (let j = 0; j < L.m; j++) for (let i = 0; i < L.n; i++) if (L.column(j)[i] !== ABSTAIN) out[i * L.k + L.column(j)[i]]++;
  return out;
}

function denseOverlap(L: LabelMatrix): number[] {
  const d = L.m * L.k;
  const out = new Array<number>(d * d).fill(0);
  for (let i = 0; i < L.n; i++) {
    for (let a = 0; a < L.m; a++) {
      const va = L.column(a)[i];
      if (va === ABSTAIN) continue;
      for (let b = 0; b < L.m; b++) {
        const vb = L.column(b)[i];
        if (vb !== ABSTAIN) out[(a * L.k + va) * d + b * L.k + vb]++;
      }
    }
  }
  return out;
}

const cold = (L: LabelMatrix) => L.selectColumns(Array.from({ length: L.m }, (_, j) => j));

describe('LabelMatrix row scans (blocked, branch-free)', () => {
  // Sizes straddle the 4096-row block: one partial block, exact blocks, blocks plus a tail.
  const shapes: [number, number, number][] = [
    [0, 3, 2],
    [1, 1, 2],
    [37, 5, 3],
    [4096, 4, 2],
    [2 * 4096 + 17, 6, 5],
  ];
  for (const [n, m, k] of shapes) {
    it(`rows() and classCounts() equal the dense definitions at ${n}×${m}, k=${k}`, () => {
      for (let seed = 1; seed <= 3; seed++) {
        const L = randomMatrix(seed * 7919 + n, n, m, k);
        const want = denseRows(L);
        const r = cold(L).rows();
        expect(Array.from(r.rowPtr)).toEqual(want.rowPtr);
        expect(Array.from(r.lf)).toEqual(want.lf);
        expect(Array.from(r.label)).toEqual(want.label);
        const wantCounts = denseClassCounts(L);
        // Cold (column scan) and warm (from the sparse index) paths.
        expect(Array.from(cold(L).classCounts())).toEqual(wantCounts);
        const warm = cold(L);
        warm.rows();
        expect(Array.from(warm.classCounts())).toEqual(wantCounts);
      }
    });
  }

  it('rows() follows a replaced column', () => {
    const L = randomMatrix(5, 5000, 4, 3);
    L.rows();
    const col = new Int8Array(5000).fill(ABSTAIN);
    col[4999] = 2;
    col[0] = 1;
    L.setColumn(2, col);
    const want = denseRows(L);
    expect(Array.from(L.rows().lf)).toEqual(want.lf);
    expect(Array.from(L.classCounts())).toEqual(denseClassCounts(L));
  });

  it('overlapCounts equals the dense one-hot product OᵀO', () => {
    for (const [n, m, k] of [
      [300, 6, 3],
      [4100, 4, 2],
    ] as const) {
      const L = randomMatrix(n + m, n, m, k);
      expect(Array.from(overlapCounts(L).counts)).toEqual(denseOverlap(L));
    }
  });
});
