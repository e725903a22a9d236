import { describe, expect, it } from 'vitest';
import type { LfDef } from '../lf/types.ts';
import { checkBundleFits, codeLfsOf, goldForSplits, denseGold, readBundle, sparseGold, writeBundle, type ProjectBundle } from './bundle.ts';

const lfs: LfDef[] = [
  {
    id: 'a',
    name: 'kw',
    enabled: true,
    kind: 'keyword',
    label: 'spam',
    keywords: ['free'],
    mode: 'any',
    match: 'word',
    caseSensitive: false,
  },
  { id: 'b', name: 'shout', enabled: false, kind: 'code', source: "(x) => x.subject === 'HI' ? 'spam' : null" },
];

function bundle(extra: Partial<ProjectBundle> = {}): Omit<ProjectBundle, 'format' | 'schemaVersion'> {
  return {
    exportedAt: '2026-01-01T00:00:00.000Z',
    project: { name: 'p' },
    dataset: {
      name: 'demo',
      fields: ['subject', 'body'],
      textField: 'body',
      classes: ['ham', 'spam'],
      splitCounts: { train: 5, dev: 3, test: 2 },
    },
    settings: { tie: 'snorkel' },
    lfs,
    gold: { train: [], dev: sparseGold(Int32Array.from([1, -1, 0])), test: [[1, 1]] },
    model: { labelModel: 'auto', classBalance: 'dev', seed: 3 },
    ...extra,
  };
}

describe('project bundle', () => {
  it('round-trips LFs, gold, settings and model choices', () => {
    const back = readBundle(writeBundle(bundle()));
    expect(back.schemaVersion).toBe(1);
    expect(back.lfs).toEqual(lfs);
    expect(Array.from(denseGold(back.gold.dev, 3))).toEqual([1, -1, 0]);
    expect(Array.from(denseGold(back.gold.test, 2))).toEqual([-1, 1]);
    expect(back.model).toEqual({ labelModel: 'auto', classBalance: 'dev', seed: 3 });
    expect(back.settings).toEqual({ tie: 'snorkel' });
    expect(codeLfsOf(back)).toEqual([{ name: 'shout', source: "(x) => x.subject === 'HI' ? 'spam' : null" }]);
  });

  it('round-trips optional data', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ subject: `s${i}`, body: `b${i}` }));
    const split = [...Array(5).fill('train'), ...Array(3).fill('dev'), ...Array(2).fill('test')];
    const back = readBundle(writeBundle(bundle({ data: { rows, split } })));
    expect(back.data?.rows).toEqual(rows);
    expect(back.data?.split).toEqual(split);
    expect(() => readBundle(writeBundle(bundle({ data: { rows: rows.slice(1), split: split.slice(1) } })))).toThrow(
      /data\.rows must hold as many rows as the split sizes add up to \(10\), not 9/,
    );
  });

  it('refuses broken or foreign files with one sentence', () => {
    expect(() => readBundle('{')).toThrow(/not valid JSON/);
    expect(() => readBundle('{"format":"x"}')).toThrow(/not a Shoal project/);
    const b = JSON.parse(writeBundle(bundle())) as Record<string, unknown>;
    expect(() => readBundle(JSON.stringify({ ...b, schemaVersion: 99 }))).toThrow(/schema version 99, newer/);
    expect(() => readBundle(JSON.stringify({ ...b, gold: { dev: [[3, 0]] } }))).toThrow(
      /gold\.dev\[0\] must be a \[row, class\] pair inside the dev split's 3 rows × 2 classes, not \[3, 0\]/,
    );
    expect(() => readBundle(JSON.stringify({ ...b, gold: { dev: [[0, 2]] } }))).toThrow(/gold\.dev\[0\] .* not \[0, 2\]/);
    expect(() => readBundle(JSON.stringify({ ...b, lfs: [lfs[0], lfs[0]] }))).toThrow(
      /lfs\[1\]\.name must be unique \(LF #1 is also named "kw"\)/,
    );
    expect(() => readBundle(JSON.stringify({ ...b, lfs: [{ id: 'c', name: 'c', kind: 'code' }] }))).toThrow(
      /has no lfs\[0\]\.source \(LF "c"\), which must be text/,
    );
  });

  it('says when a bundle without data does not fit a dataset', () => {
    const b = readBundle(writeBundle(bundle()));
    expect(checkBundleFits(b, { classes: ['ham', 'spam'], splitCounts: { train: 5, dev: 3, test: 2 } })).toBeNull();
    expect(checkBundleFits(b, { classes: ['spam', 'ham'], splitCounts: { train: 5, dev: 3, test: 2 } })).toMatch(/classes/);
    expect(checkBundleFits(b, { classes: ['ham', 'spam'], splitCounts: { train: 5, dev: 4, test: 2 } })).toMatch(/dev split has 3 rows/);
  });

  it('puts per-split gold back on dataset rows, keeping other labels', () => {
    const b = readBundle(writeBundle(bundle()));
    // split column: rows 0..9 interleaved; dev rows are dataset rows 1, 4, 7; test rows 2, 9.
    const split = Uint8Array.from([0, 1, 2, 0, 1, 0, 0, 1, 0, 2]);
    expect(Array.from(goldForSplits(b, split))).toEqual([-1, 1, -1, -1, -1, -1, -1, 0, -1, 1]);
    const base = Int8Array.from([0, -1, 0, -1, 1, -1, -1, -1, -1, -1]);
    expect(Array.from(goldForSplits(b, split, base))).toEqual([0, 1, 0, -1, 1, -1, -1, 0, -1, 1]);
    expect(() => goldForSplits(b, Uint8Array.from([1, 1, 2]))).toThrow(/dev row 2/);
  });
});
