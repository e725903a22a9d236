/**
 * Gold labels (gold-labels.svelte.ts) on the in-memory storage twin made to fail: a full disk
 * keeps labels in memory and counts them unsaved until one write stores them all; any other
 * failure puts the label back; rapid writes never lose a label.
 */
import { goldLabel, splitRow } from '../core/types.ts';
import { describe, expect, it } from 'vitest';
import { GoldLabels } from './gold-labels.svelte.ts';
import { openMemoryDataset, quotaError } from './service-testing.ts';

async function setup() {
  let fail: (() => Error) | null = null;
  const d = await openMemoryDataset({
    beforePut: (table) => {
      if (table === 'columns' && fail) throw fail();
    },
  });
  const counts: number[] = [];
  const golds = new GoldLabels(
    () => d.open,
    (g) => counts.push(g.filter((x) => x >= 0).length),
  );
  golds.load(d.gold, d.open.splitIndex);
  const stored = async () => Array.from((await d.storage.getColumn(d.open.version.id, 'gold'))!);
  return { d, golds, counts, stored, failWith: (f: (() => Error) | null) => (fail = f) };
}

describe('GoldLabels', () => {
  it('sets a label at once, in the split and the whole column, and stores it', async () => {
    const { golds, stored, counts } = await setup();
    expect(Array.from(golds.gold.dev)).toEqual([-1, -1]);
    const v = golds.goldVersion;
    const p = golds.set('dev', splitRow(1), goldLabel(0));
    // Seen synchronously, before the write lands.
    expect(golds.gold.dev[1]).toBe(0);
    expect(golds.fullGold[5]).toBe(0);
    expect(golds.goldVersion).toBe(v + 1);
    await p;
    expect((await stored())[5]).toBe(0);
    expect(counts).toEqual([6]);
    await expect(golds.set('dev', splitRow(2), goldLabel(0))).rejects.toThrow(/outside the dev split \(2 rows\)/);
    await expect(golds.set('dev', splitRow(0), goldLabel(2))).rejects.toThrow(/not a class index/);
  });

  it('on a full disk keeps the labels in memory, counted unsaved; one later success stores them all', async () => {
    const { golds, stored, failWith } = await setup();
    failWith(quotaError);
    await expect(golds.set('dev', splitRow(0), goldLabel(1))).rejects.toThrow(/storage is full/);
    await expect(golds.set('train', splitRow(3), goldLabel(0))).rejects.toThrow(/storage is full/);
    expect(golds.unsaved).toBe(2);
    expect(golds.unsavedError).toMatch(/storage is full/);
    expect(golds.fullGold[4]).toBe(1);
    expect(golds.fullGold[3]).toBe(0);
    // A failed retry adds no unsaved label.
    await expect(golds.retry()).rejects.toThrow(/storage is full/);
    expect(golds.unsaved).toBe(2);
    expect((await stored())[4]).toBe(-1);
    failWith(null);
    await golds.set('dev', splitRow(1), goldLabel(0));
    expect(golds.unsaved).toBe(0);
    expect(golds.unsavedError).toBeNull();
    const after = await stored();
    expect([after[3], after[4], after[5]]).toEqual([0, 1, 0]);
  });

  it('retry stores the labels kept unsaved once the disk has room', async () => {
    const { golds, stored, failWith } = await setup();
    failWith(quotaError);
    await expect(golds.set('test', splitRow(0), goldLabel(0))).rejects.toThrow();
    failWith(null);
    await golds.retry();
    expect(golds.unsaved).toBe(0);
    expect((await stored())[6]).toBe(0);
  });

  it('a failure other than a full disk puts the label back', async () => {
    const { golds, stored, failWith, counts } = await setup();
    const v = golds.goldVersion;
    failWith(() => new Error('the database connection was lost'));
    await expect(golds.set('dev', splitRow(0), goldLabel(1))).rejects.toThrow('the database connection was lost');
    expect(golds.fullGold[4]).toBe(-1);
    expect(golds.gold.dev[0]).toBe(-1);
    expect(golds.unsaved).toBe(0);
    expect(golds.goldVersion).toBe(v + 2);
    expect(counts).toEqual([6, 5]);
    expect((await stored())[4]).toBe(-1);
  });

  it('rapid writes never lose a label, even when an early write is the slowest', async () => {
    const { d, stored } = await setup();
    // The first write takes longest: were writes not queued, its older column would land last.
    let calls = 0;
    const storage = Object.create(d.storage, {
      putGold: {
        value: async (versionId: string, gold: Int8Array) => {
          if (calls++ === 0) await new Promise((r) => setTimeout(r, 30));
          return d.storage.putGold(versionId, gold);
        },
      },
    });
    const golds = new GoldLabels(() => ({ ...d.open, storage }));
    golds.load(d.gold, d.open.splitIndex);
    const writes = [
      golds.set('train', splitRow(0), goldLabel(0)),
      golds.set('train', splitRow(1), goldLabel(1)),
      golds.set('dev', splitRow(0), goldLabel(1)),
      golds.set('dev', splitRow(1), goldLabel(1)),
      golds.set('train', splitRow(0), goldLabel(1)),
      golds.set('test', splitRow(1), goldLabel(-1)),
    ];
    await Promise.all(writes);
    expect(await stored()).toEqual([1, 1, 1, -1, 1, 1, 1, -1]);
    expect(Array.from(golds.fullGold)).toEqual([1, 1, 1, -1, 1, 1, 1, -1]);
  });
});
