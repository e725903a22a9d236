import { describe, expect, it } from 'vitest';
import { bucketHref, bucketMask, bucketOptions, browseLink, linkedRows, rowsHref } from './lf-buckets.ts';

describe('LF buckets for the browser', () => {
  const votes = Int8Array.from([0, 1, 1, -1, 0, 1]);
  const gold = Int8Array.from([0, 0, -1, 1, -1, 1]);
  const other = Int8Array.from([-1, 1, 0, 0, -1, -1]);
  const splitIndex = { train: Uint32Array.from([2, 4]), dev: Uint32Array.from([0, 1, 3, 5]), test: new Uint32Array(0) };
  // The label model says class 0 everywhere but row 5.
  const proba = (rows: Uint32Array) => Float32Array.from(Array.from(rows).flatMap((r) => (r === 5 ? [0.1, 0.9] : [0.9, 0.1])));

  it('counts each bucket over the whole dataset, with the label model scattered back from its splits', () => {
    const opts = bucketOptions({
      lfId: 'a',
      votes,
      gold,
      modelProba: { train: proba(splitIndex.train), dev: proba(splitIndex.dev), test: proba(splitIndex.test) },
      splitIndex,
      k: 2,
      others: [
        { id: 'a', name: 'self', votes },
        { id: 'b', name: 'kw_b', votes: other },
      ],
    });
    expect(opts.map((o) => [o.value, o.label, Array.from(o.rows)])).toEqual([
      ['correct', 'correct on gold', [0, 5]],
      ['incorrect', 'incorrect on gold', [1]],
      ['abstains-on-gold', 'abstains on gold rows', [3]],
      ['disagrees-with-model', 'disagrees with the label model', [1, 2]],
      ['overlaps:b', 'overlaps kw_b', [1, 2]],
    ]);
    expect(Array.from(bucketMask(opts[3].rows, 6))).toEqual([0, 1, 1, 0, 0, 0]);
    // Within one split, as the Analysis table counts.
    const dev = bucketOptions({ lfId: 'a', votes, gold, modelProba: null, splitIndex, k: 2, others: [], within: splitIndex.dev });
    expect(dev.map((o) => [o.value, Array.from(o.rows)])).toEqual([
      ['correct', [0, 5]],
      ['incorrect', [1]],
      ['abstains-on-gold', [3]],
    ]);
  });

  it('has no label-model bucket before a fit, and a link that reads back', () => {
    const opts = bucketOptions({ lfId: 'a', votes, gold, modelProba: null, splitIndex, k: 2, others: [] });
    expect(opts.map((o) => o.value)).toEqual(['correct', 'incorrect', 'abstains-on-gold']);
    expect(browseLink(bucketHref('lf 1&x', 'overlaps:b', 'dev'))).toEqual({ lf: 'lf 1&x', bucket: 'overlaps:b', split: 'dev' });
    expect(browseLink('#/browse')).toEqual({ lf: null, bucket: null, split: null });
    expect(browseLink(bucketHref('a'))).toEqual({ lf: 'a', bucket: null, split: null });
    expect(browseLink('#/browse?lf=a&split=nope').split).toBeNull();
  });
});

describe('links to a list of rows', () => {
  it('reads back the rows it wrote, within the dataset, and nothing from a link without them', () => {
    expect(Array.from(linkedRows(rowsHref([42, 3, 17], 'train'), 100)!)).toEqual([3, 17, 42]);
    expect(browseLink(rowsHref([1], 'train')).split).toBe('train');
    expect(Array.from(linkedRows('#/browse?rows=5,x,,-1,200,5', 100)!)).toEqual([5]);
    expect(linkedRows('#/browse?lf=a', 100)).toBeNull();
  });
});
