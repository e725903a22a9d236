import { describe, expect, it } from 'vitest';
import { LabelMatrix } from '../core/matrix.ts';
import { mulberry32 } from '../core/rng.ts';
import { lfCorrelations, pairValue } from './correlations.ts';

function votes(seed: number) {
  const rng = mulberry32(seed);
  const n = 5000;
  const Y = Int8Array.from({ length: n }, () => (rng() < 0.5 ? 1 : 0));
  const trigger = Uint8Array.from({ length: n }, () => (rng() < 0.03 ? 1 : 0));
  const good = Int8Array.from(Y, (y) => (rng() < 0.4 ? (rng() < 0.85 ? y : 1 - y) : -1));
  const copy = good.slice();
  const t1 = Int8Array.from(Y, (y, r) => (trigger[r] ? y : -1));
  const t2 = Int8Array.from(Y, (y, r) => (trigger[r] && rng() < 0.8 ? 1 - y : -1));
  const other = Int8Array.from(Y, (y) => (rng() < 0.3 ? (rng() < 0.75 ? y : 1 - y) : -1));
  const gold = Int32Array.from({ length: 200 }, (_, i) => Y[i]);
  return { L: new LabelMatrix(n, 2, [good, copy, t1, t2, other]), gold };
}

describe('LF correlation view', () => {
  it('flags the copy and the pair sharing a trigger, names them, and nothing else', () => {
    const { L, gold } = votes(5);
    const v = lfCorrelations(L, ['good', 'good_copy', 'trig_a', 'trig_b', 'other'], gold);
    expect(v.balanceFrom).toBe('dev gold');
    expect(v.flagged.map((f) => [f.a, f.b, f.kind])).toEqual([
      ['good', 'good_copy', 'copy'],
      ['trig_a', 'trig_b', 'dependent'],
    ]);
    expect(v.flagged[0].says).toMatch(/^good and good_copy cast the same vote on 100% of the [\d,]+ rows either votes on/);
    const ones = Array.from(gold).filter((y) => y === 1).length / gold.length;
    expect(v.ceiling).toBeCloseTo(1 / Math.min(ones, 1 - ones), 10);
    expect(v.flagged[1].says).toContain(`at most ${v.ceiling.toFixed(1)}×`);
  });

  it('takes the class balance from majority vote when dev gold is too thin, and measures are shares', () => {
    const { L } = votes(6);
    const v = lfCorrelations(L, ['a', 'b', 'c', 'd', 'e'], new Int32Array(10).fill(-1));
    expect(v.balanceFrom).toBe('majority vote');
    const copy = v.pairs.find((p) => p.i === 0 && p.j === 1)!;
    expect(pairValue(copy, 'agreement')).toBe(1);
    expect(pairValue(copy, 'overlap')).toBe(1);
    expect(pairValue(copy, 'conflict')).toBe(0);
    const opposite = v.pairs.find((p) => p.i === 2 && p.j === 3)!;
    // trig_b votes against trig_a wherever both vote.
    expect(pairValue(opposite, 'conflict')).toBe(1);
  });

  it('gives no value where two LFs never share a row', () => {
    const L = new LabelMatrix(4, 2, [Int8Array.from([0, 0, -1, -1]), Int8Array.from([-1, -1, 1, 1])]);
    const p = lfCorrelations(L, ['x', 'y'], []).pairs[0];
    expect(pairValue(p, 'conflict')).toBeNull();
    expect(pairValue(p, 'lift')).toBeNull();
    expect(pairValue(p, 'agreement')).toBe(0);
  });
});
