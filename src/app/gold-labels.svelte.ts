/**
 * Gold labels of the open dataset version: the whole-dataset column (`fullGold`), the same
 * labels per split (`gold`), and their writes. The screens see a change synchronously; writes of
 * the whole column are queued, so rapid labeling never loses a label to a race.
 *
 * Full-disk mode: a label whose write fails for lack of space stays in memory and on screen,
 * counted in `unsaved` (with the reason in `unsavedError`); the next successful write (another
 * label, or `retry`) stores them all at once, since the column in memory is what is written.
 * Any other failure puts the label back, as nothing would ever store it.
 *
 * Values are `$state.raw` and replaced, never mutated.
 */
import { ShoalError, type GoldLabel, type SplitRow } from '../core/types.ts';
import { isQuotaError } from '../storage/errors.ts';
import type { DatasetVersionRecord } from '../storage/types.ts';
import { errorMessage, type CurrentDataset } from './open-dataset.ts';
import { goldBySplit, type Split, type SplitIndex } from './project.ts';

export interface GoldBySplit {
  train: Int32Array;
  dev: Int32Array;
  test: Int32Array;
}

export const EMPTY_GOLD: GoldBySplit = { train: new Int32Array(0), dev: new Int32Array(0), test: new Int32Array(0) };

export class GoldLabels {
  gold = $state.raw<GoldBySplit>(EMPTY_GOLD);
  /** Bumped on every change. */
  goldVersion = $state(0);
  /** Whole-dataset gold (-1 = unknown), replaced on every change. */
  fullGold = $state.raw<Int8Array>(new Int8Array(0));
  /** Labels given but not stored (the disk was full). */
  unsaved = $state(0);
  unsavedError = $state<string | null>(null);

  private writes: Promise<void> = Promise.resolve();

  /** `onChange` hears every applied change (the session keeps the dataset's gold count with it). */
  constructor(
    private readonly current: CurrentDataset,
    private readonly onChange: (fullGold: Int8Array) => void = () => {},
  ) {}

  /** The labels of a version just opened. */
  load(fullGold: Int8Array, index: SplitIndex): void {
    this.fullGold = fullGold;
    this.gold = goldBySplit(fullGold, index);
    this.goldVersion++;
  }

  /** Forget the unsaved count (another project is opening: its labels are read fresh). */
  forgetUnsaved(): void {
    this.unsaved = 0;
    this.unsavedError = null;
  }

  /**
   * Set (or clear with -1) one gold label and persist it at once; a failed write rejects with
   * the reason (see the header for what stays on screen).
   */
  async set(split: Split, rowInSplit: SplitRow, label: GoldLabel): Promise<void> {
    const open = this.current();
    if (!open) throw new ShoalError('no dataset is open');
    const { version, splitIndex, classes } = open;
    const idx = splitIndex[split];
    if (rowInSplit < 0 || rowInSplit >= idx.length)
      throw new ShoalError(`row ${rowInSplit} is outside the ${split} split (${idx.length} rows)`);
    if (!Number.isInteger(label) || label < -1 || label >= classes.length)
      throw new ShoalError(`label ${label} is not a class index or -1`);
    const row = idx[rowInSplit];
    const before = this.fullGold[row];
    this.apply(split, rowInSplit, row, label);
    try {
      await this.write(version, true);
    } catch (e) {
      if (!isQuotaError(e) && this.current()?.version.id === version.id && this.fullGold[row] === label)
        this.apply(split, rowInSplit, row, before);
      throw e;
    }
  }

  /** Store the labels kept in memory after a full disk; rejects (and keeps them) if it is still full. */
  async retry(): Promise<void> {
    const version = this.current()?.version;
    if (!version || this.unsaved === 0) return;
    await this.write(version, false);
  }

  /** Queue a write of the whole column: one success stores every label kept unsaved before it. */
  private async write(version: DatasetVersionRecord, newLabel: boolean): Promise<void> {
    const storage = this.current()?.storage;
    if (!storage) throw new ShoalError('the project storage is not open yet; wait a moment and try again');
    const write = this.writes.then(() => storage.putGold(version.id, this.fullGold));
    this.writes = write.catch(() => undefined);
    try {
      await write;
      if (this.current()?.version.id === version.id) this.forgetUnsaved();
    } catch (e) {
      if (isQuotaError(e) && this.current()?.version.id === version.id) {
        // Count label changes, not attempts: a failed retry adds no unsaved label.
        if (newLabel) this.unsaved++;
        this.unsavedError = errorMessage(e);
      }
      throw e;
    }
  }

  private apply(split: Split, rowInSplit: number, row: number, label: number): void {
    const next = this.fullGold.slice();
    next[row] = label;
    this.fullGold = next;
    const g = { ...this.gold };
    const col = g[split].slice();
    col[rowInSplit] = label;
    g[split] = col;
    this.gold = g;
    this.goldVersion++;
    this.onChange(next);
  }
}
