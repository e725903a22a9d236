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
 * `setMany` changes many rows of one split in one change and one write (bulk labelling,
 * bulk-label.ts). `tally` counts this session's edits per split (gold-tally.ts): new, changed,
 * cleared; an edit marked `undo` takes an earlier one back out instead of adding one.
 *
 * Values are `$state.raw` and replaced, never mutated.
 */
import { ShoalError, type GoldLabel, type SplitRow } from '../core/types.ts';
import { isQuotaError } from '../storage/errors.ts';
import type { DatasetVersionRecord } from '../storage/types.ts';
import { errorMessage, type CurrentDataset } from './open-dataset.ts';
import { goldBySplit, type Split, type SplitIndex } from './project.ts';
import { EMPTY_TALLY, tallyEdits, type TallyBySplit } from './gold-tally.ts';

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
  /** This session's edits per split (since the version was opened). */
  tally = $state.raw<TallyBySplit>(EMPTY_TALLY);

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
    this.tally = EMPTY_TALLY;
  }

  /** Forget the unsaved count (another project is opening: its labels are read fresh). */
  forgetUnsaved(): void {
    this.unsaved = 0;
    this.unsavedError = null;
  }

  /**
   * Set (or clear with -1) one gold label and persist it at once; a failed write rejects with
   * the reason (see the header for what stays on screen). `undo`: this takes back an earlier
   * edit of the row (the tally loses that edit rather than gaining one).
   */
  async set(split: Split, rowInSplit: SplitRow, label: GoldLabel, opts: { undo?: boolean } = {}): Promise<void> {
    await this.setMany(split, [rowInSplit], label, opts);
  }

  /**
   * Set many rows of one split (positions within the split) to one label, or each to its own
   * (`labels[i]` for `rowsInSplit[i]`), in one change and one queued write: all land or (on any
   * failure but a full disk) none.
   */
  async setMany(
    split: Split,
    rowsInSplit: ArrayLike<number>,
    labels: GoldLabel | ArrayLike<number>,
    opts: { undo?: boolean } = {},
  ): Promise<void> {
    const open = this.current();
    if (!open) throw new ShoalError('no dataset is open');
    const { version, splitIndex, classes } = open;
    const idx = splitIndex[split];
    const n = rowsInSplit.length;
    const each = typeof labels !== 'number';
    if (each && labels.length !== n) throw new ShoalError(`${labels.length} labels were given for ${n} rows`);
    const want = new Int8Array(n);
    for (let i = 0; i < n; i++) {
      const t = rowsInSplit[i];
      if (!Number.isInteger(t) || t < 0 || t >= idx.length)
        throw new ShoalError(`row ${t} is outside the ${split} split (${idx.length} rows)`);
      const label = each ? labels[i] : labels;
      if (!Number.isInteger(label) || label < -1 || label >= classes.length)
        throw new ShoalError(`label ${label} is not a class index or -1`);
      want[i] = label;
    }
    if (n === 0) return;
    const before = this.apply(split, rowsInSplit, want, opts.undo ? -1 : 1);
    try {
      await this.write(version, n);
    } catch (e) {
      if (!isQuotaError(e) && this.current()?.version.id === version.id) {
        // Put back the rows that still hold what this change gave them (a later change wins).
        const back: number[] = [];
        const labelsBack: number[] = [];
        for (let i = 0; i < n; i++) {
          if (this.fullGold[idx[rowsInSplit[i]]] !== want[i]) continue;
          back.push(rowsInSplit[i]);
          labelsBack.push(before[i]);
        }
        if (back.length) this.apply(split, back, Int8Array.from(labelsBack), opts.undo ? 1 : -1);
      }
      throw e;
    }
  }

  /** Store the labels kept in memory after a full disk; rejects (and keeps them) if it is still full. */
  async retry(): Promise<void> {
    const version = this.current()?.version;
    if (!version || this.unsaved === 0) return;
    await this.write(version, 0);
  }

  /** Queue a write of the whole column: one success stores every label kept unsaved before it. */
  private async write(version: DatasetVersionRecord, newLabels: number): Promise<void> {
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
        this.unsaved += newLabels;
        this.unsavedError = errorMessage(e);
      }
      throw e;
    }
  }

  /** Apply labels to split rows; `sign` adds the edits to the tally (1) or takes them out (-1). Returns the labels before. */
  private apply(split: Split, rowsInSplit: ArrayLike<number>, labels: Int8Array, sign: 1 | -1): Int8Array {
    const idx = this.current()?.splitIndex[split];
    const next = this.fullGold.slice();
    const g = { ...this.gold };
    const col = g[split].slice();
    const before = new Int8Array(labels.length);
    for (let i = 0; i < labels.length; i++) {
      const t = rowsInSplit[i];
      before[i] = col[t];
      col[t] = labels[i];
      if (idx) next[idx[t]] = labels[i];
    }
    this.fullGold = next;
    g[split] = col;
    this.gold = g;
    this.tally = { ...this.tally, [split]: tallyEdits(this.tally[split], sign > 0 ? before : labels, sign > 0 ? labels : before, sign) };
    this.goldVersion++;
    this.onChange(next);
    return before;
  }
}
