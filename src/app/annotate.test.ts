/**
 * The annotation queue as a user meets it (annotate-queue.ts): the pending queue never shows a
 * labelled row, whatever labels change and where; review and flagged queues keep their rows;
 * this session's new / changed / cleared counts (gold-tally.ts through gold-labels.svelte.ts);
 * bulk labelling a Browse selection (bulk-label.ts); flags and targets on the storage twin.
 */
import { describe, expect, it } from 'vitest';
import { goldLabel, splitRow } from '../core/types.ts';
import { mulberry32 } from '../core/rng.ts';
import { keepOf, modeQueue, queueCounts, queueOrder, seek, shownIndex } from './annotate-queue.ts';
import { applyBulkLabel, planBulkLabel, planText, undoBulkLabel } from './bulk-label.ts';
import { GoldLabels } from './gold-labels.svelte.ts';
import { editKind, tallyText } from './gold-tally.ts';
import { AnnotateTargets, progressOf, readTargets } from './annotate-target.svelte.ts';
import { RowFlags } from './row-flags.svelte.ts';
import { keyAction, SHORTCUTS } from './annotate-keys.ts';
import { openMemoryDataset, quotaError } from './service-testing.ts';

describe('the pending queue', () => {
  it('never shows a labelled row while labels change in it and elsewhere, and advances past each label', () => {
    const n = 60;
    const rand = mulberry32(7);
    const gold = new Int32Array(n).fill(-1);
    for (let t = 0; t < n; t++) if (rand() < 0.4) gold[t] = rand() < 0.5 ? 0 : 1;
    const queue = modeQueue('pending', queueOrder('random', n, { seed: 3, k: 2 }), gold, new Set());
    expect(new Set(queue).size).toBe(n);
    const keep = keepOf('pending', gold);
    let at = 0;
    let steps = 0;
    for (;;) {
      const shown = shownIndex(queue, at, keep, null);
      if (shown < 0) break;
      const t = queue[shown];
      expect(gold[t]).toBe(-1);
      // Sometimes another screen labels a row further on (or the one shown) first.
      if (rand() < 0.3) gold[queue[Math.floor(rand() * n)]] = 1;
      if (gold[t] >= 0) continue;
      gold[t] = 0; // the user labels it: the next shown row is another one
      at = shown + 1;
      steps++;
      expect(queue[shownIndex(queue, at, keep, null)] ?? -1).not.toBe(t);
    }
    expect(steps).toBeGreaterThan(10);
    expect(Array.from(gold).every((g) => g >= 0)).toBe(true);
    expect(queueCounts(queue, 0, keep).total).toBe(0);
  });

  it('keeps only the held row (a label the disk refused) on screen, and counts position among pending rows', () => {
    const gold = Int32Array.from([-1, 0, -1, -1]);
    const queue = Uint32Array.from([3, 1, 0, 2]);
    const keep = keepOf('pending', gold);
    expect(shownIndex(queue, 1, keep, null)).toBe(2); // row 1 is labelled: the next pending
    gold[3] = 1; // labelled, but not stored: held
    expect(shownIndex(queue, 0, keep, 3)).toBe(0);
    expect(shownIndex(queue, 0, keep, null)).toBe(2);
    expect(queueCounts(queue, 3, keep)).toEqual({ total: 2, before: 1 });
    // Past the last pending row, the last one before it; none left: nothing to show.
    gold[2] = 0;
    expect(shownIndex(queue, 3, keep, null)).toBe(2);
    expect(seek(queue, 3, 1, keep)).toBe(-1);
    gold[0] = 1;
    expect(shownIndex(queue, 3, keep, null)).toBe(-1);
  });

  it('review and flagged queues keep the rows they were chosen with', () => {
    const gold = Int32Array.from([-1, 0, 1, -1, 0]);
    const order = Uint32Array.from([4, 3, 2, 1, 0]);
    const review = modeQueue('review', order, gold, new Set());
    expect(Array.from(review)).toEqual([4, 2, 1]);
    gold[2] = -1; // cleared while reviewing: still there, the card does not jump away
    expect(shownIndex(review, 1, keepOf('review', gold), null)).toBe(1);
    expect(Array.from(modeQueue('flagged', order, gold, new Set([0, 3])))).toEqual([3, 0]);
  });
});

describe("this session's gold edits", () => {
  it('names each edit: new, changed (a relabel is never silent), cleared', () => {
    expect(editKind(-1, 0)).toBe('new');
    expect(editKind(0, 1)).toBe('changed');
    expect(editKind(1, -1)).toBe('cleared');
    expect(editKind(1, 1)).toBeNull();
    expect(tallyText({ new: 12, changed: 3, cleared: 0 })).toBe('12 new, 3 changed');
    expect(tallyText({ new: 1, changed: 0, cleared: 2 })).toBe('1 new, 0 changed, 2 cleared');
  });

  it('counts per split through the gold service, takes an undo back out, and puts back a failed write with its count', async () => {
    let fail: (() => Error) | null = null;
    const d = await openMemoryDataset({
      beforePut: (t) =>
        void (
          t === 'columns' &&
          fail &&
          (() => {
            throw fail!();
          })()
        ),
    });
    const golds = new GoldLabels(() => d.open);
    golds.load(d.gold, d.open.splitIndex);
    await golds.set('dev', splitRow(0), goldLabel(1));
    await golds.set('test', splitRow(0), goldLabel(0)); // was spam: changed
    await golds.set('test', splitRow(1), goldLabel(-1)); // was ham: cleared
    expect(golds.tally.dev).toEqual({ new: 1, changed: 0, cleared: 0 });
    expect(golds.tally.test).toEqual({ new: 0, changed: 1, cleared: 1 });
    await golds.set('test', splitRow(0), goldLabel(1), { undo: true });
    expect(golds.tally.test).toEqual({ new: 0, changed: 0, cleared: 1 });
    fail = () => new Error('the database connection was lost');
    await expect(golds.set('dev', splitRow(1), goldLabel(0))).rejects.toThrow('connection was lost');
    expect(golds.tally.dev).toEqual({ new: 1, changed: 0, cleared: 0 });
    expect(golds.gold.dev[1]).toBe(-1);
    // A full disk keeps the label, and its count.
    fail = quotaError;
    await expect(golds.set('dev', splitRow(1), goldLabel(0))).rejects.toThrow(/storage is full/);
    expect(golds.tally.dev.new).toBe(2);
    expect(golds.unsaved).toBe(1);
    golds.load(d.gold, d.open.splitIndex);
    expect(golds.tally.dev).toEqual({ new: 0, changed: 0, cleared: 0 });
  });
});

describe('bulk labelling a Browse selection', () => {
  it('says exactly which rows change, writes only those in one write, and undoes them', async () => {
    const d = await openMemoryDataset();
    const golds = new GoldLabels(() => d.open);
    golds.load(d.gold, d.open.splitIndex);
    let writes = 0;
    const put = d.storage.putGold.bind(d.storage);
    d.storage.putGold = async (v, g) => {
      writes++;
      return put(v, g);
    };
    // Train rows 0..3 have spam, ham, spam, none; label all four spam (class 1).
    const plan = planBulkLabel([0, 1, 2, 3], 'train', d.open.splitIndex, golds.fullGold, 1, 2);
    expect([plan.total, plan.added, plan.overwritten, plan.same]).toEqual([4, 1, 1, 2]);
    expect(plan.overwrittenFrom).toEqual([1, 0]);
    expect(planText(plan, ['ham', 'spam'])).toBe(
      '2 rows of 4 change to spam: 1 row gets a first gold label; 1 gold label is overwritten (it was ham); 2 rows are spam already and stay as they are.',
    );
    const undo = await applyBulkLabel(golds, plan);
    expect(writes).toBe(1);
    expect(Array.from(golds.gold.train)).toEqual([1, 1, 1, 1]);
    expect(Array.from((await d.storage.getColumn(d.open.version.id, 'gold'))!.slice(0, 4))).toEqual([1, 1, 1, 1]);
    expect(golds.tally.train).toEqual({ new: 1, changed: 1, cleared: 0 });
    // A row relabelled since keeps its newer label.
    await golds.set('train', splitRow(3), goldLabel(0));
    expect(await undoBulkLabel(golds, undo)).toEqual({ restored: 1, kept: 1 });
    expect(Array.from(golds.gold.train)).toEqual([1, 0, 1, 0]);
    expect(() => planBulkLabel([0, 4], 'train', d.open.splitIndex, golds.fullGold, 1, 2)).toThrow(/row 5 is not a train row/);
    expect(() => planBulkLabel([0], 'train', d.open.splitIndex, golds.fullGold, 2, 2)).toThrow(/not one of the 2 classes/);
  });
});

describe('bulk labels on a full disk', () => {
  it('keeps every label of the change in memory, counted unsaved, until a write stores them all', async () => {
    let full = false;
    const d = await openMemoryDataset({
      beforePut: (t) => {
        if (t === 'columns' && full) throw quotaError();
      },
    });
    const golds = new GoldLabels(() => d.open);
    golds.load(d.gold, d.open.splitIndex);
    full = true;
    const plan = planBulkLabel([4, 5], 'dev', d.open.splitIndex, golds.fullGold, 0, 2);
    await expect(applyBulkLabel(golds, plan)).rejects.toThrow(/storage is full/);
    expect(golds.unsaved).toBe(2);
    expect(Array.from(golds.gold.dev)).toEqual([0, 0]);
    full = false;
    await golds.retry();
    expect(golds.unsaved).toBe(0);
    expect(Array.from((await d.storage.getColumn(d.open.version.id, 'gold'))!.slice(4, 6))).toEqual([0, 0]);
  });
});

describe('flags and targets on the storage twin', () => {
  it("flags a row with a note, survives a new service (a reload), lists a split's flagged rows, removes", async () => {
    const d = await openMemoryDataset();
    const target = () => ({ storage: d.storage, projectId: d.open.projectId, versionId: d.open.version.id });
    const flags = new RowFlags(target, () => 5);
    await flags.load();
    await flags.set(5, 'unsure', '  sarcasm?  ');
    const again = new RowFlags(target);
    await again.load();
    expect(again.byRow.get(5)).toEqual({ row: 5, reason: 'unsure', note: 'sarcasm?', createdAt: 5, updatedAt: 5 });
    expect(Array.from(again.inSplit('dev', d.open.splitIndex))).toEqual([1]);
    await again.remove(5);
    expect(again.byRow.size).toBe(0);
    await expect(again.set(4, 'unsure', 'x'.repeat(2001))).rejects.toThrow(/2001 characters/);
  });

  it('keeps a target per split and project, and measures progress toward it', async () => {
    const d = await openMemoryDataset();
    const home = () => ({ storage: d.storage, projectId: d.open.projectId });
    const t = new AnnotateTargets(home);
    await t.load();
    await t.set('dev', 200);
    const again = new AnnotateTargets(home);
    await again.load();
    expect(again.targets).toEqual({ dev: 200 });
    await expect(again.set('dev', 0)).rejects.toThrow(/whole number of rows from 1/);
    await again.set('dev', null);
    expect(again.targets).toEqual({});
    expect(progressOf(50, 200)).toEqual({ labelled: 50, target: 200, fraction: 0.25, left: 150, reached: false });
    expect(progressOf(403, 200)).toMatchObject({ fraction: 1, left: 0, reached: true });
    expect(readTargets({ dev: 2.5, test: 10, x: 1 })).toEqual({ test: 10 });
  });
});

describe('the annotation keys', () => {
  const press = (key: string, mod: Partial<{ ctrlKey: boolean; altKey: boolean; metaKey: boolean }> = {}) =>
    keyAction({ key, ctrlKey: false, altKey: false, metaKey: false, ...mod }, 2);

  it('decides every key the help lists, and leaves the rest to the browser', () => {
    expect(press('2')).toEqual({ kind: 'label', label: 1 });
    expect(press('3')).toBeNull(); // two classes only
    expect(press('0')).toEqual({ kind: 'clear' });
    expect(press('Backspace')).toEqual({ kind: 'clear' });
    expect(press('S')).toEqual({ kind: 'next' });
    expect(press('ArrowRight')).toEqual({ kind: 'next' });
    expect(press('ArrowLeft')).toEqual({ kind: 'prev' });
    expect(press('u')).toEqual({ kind: 'undo' });
    expect(press('z', { ctrlKey: true })).toEqual({ kind: 'undo' });
    expect(press('f')).toEqual({ kind: 'flag' });
    expect(press('?')).toEqual({ kind: 'help' });
    expect(press('Escape')).toEqual({ kind: 'close' });
    expect(press('1', { metaKey: true })).toBeNull();
    expect(press('c', { ctrlKey: true })).toBeNull();
    // Every key named in the help does something.
    for (const s of SHORTCUTS)
      for (const k of s.keys.filter((x) => x !== '…')) {
        const key = { '→': 'ArrowRight', '←': 'ArrowLeft', Esc: 'Escape' }[k] ?? (k === 'Ctrl+Z' ? 'z' : k);
        expect(keyAction({ key, ctrlKey: k === 'Ctrl+Z', altKey: false, metaKey: false }, 9), k).not.toBeNull();
      }
  });
});
