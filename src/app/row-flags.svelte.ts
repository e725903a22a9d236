/**
 * Rows flagged while labelling ("unsure", with a note) of the open dataset version: read once
 * per version, stored first and shown after (a failed write rejects with one sentence and the
 * list stays as stored). Flags are kept by dataset row; `inSplit` gives a split's flagged rows
 * by position within the split, as the annotation queue counts them.
 */
import { ShoalError } from '../core/types.ts';
import { BUNDLE_LIMITS } from '../core/formats/bundle-schema.ts';
import type { FlagRecord, ShoalStorage } from '../storage/types.ts';
import type { Split, SplitIndex } from './project.ts';

/** The reasons offered when flagging a row (the note says the rest). */
export const FLAG_REASONS = ['unsure', 'ambiguous guideline', 'broken row', 'other'] as const;
/** Longest note kept: what a project file accepts. */
export const FLAG_NOTE_CHARS = BUNDLE_LIMITS.flagNoteChars;
const REASON_CHARS = BUNDLE_LIMITS.flagReasonChars;

export interface RowFlag {
  row: number;
  reason: string;
  note: string;
  createdAt: number;
  updatedAt: number;
}

/** Where the flags are: the open project's storage and dataset version (null while none is open). */
export type FlagTarget = () => { storage: ShoalStorage; projectId: string; versionId: string } | null;

export class RowFlags {
  /** Flags by dataset row, of `versionId`. */
  byRow = $state.raw<ReadonlyMap<number, RowFlag>>(new Map());
  versionId = $state<string | null>(null);
  /** Why reading the flags failed (the list is then empty). */
  error = $state<string | null>(null);

  private loading = 0;

  constructor(
    private readonly target: FlagTarget,
    private readonly now: () => number = Date.now,
  ) {}

  /** Read the flags of the open version (again). */
  async load(): Promise<void> {
    const t = this.target();
    const ticket = ++this.loading;
    if (!t) {
      this.byRow = new Map();
      this.versionId = null;
      return;
    }
    try {
      const list = await t.storage.listFlags(t.versionId);
      if (ticket !== this.loading) return;
      this.byRow = new Map(
        list.map((f) => [f.row, { row: f.row, reason: f.reason, note: f.note, createdAt: f.createdAt, updatedAt: f.updatedAt }]),
      );
      this.versionId = t.versionId;
      this.error = null;
    } catch (e) {
      if (ticket !== this.loading) return;
      this.byRow = new Map();
      this.versionId = t.versionId;
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  /** Flag (or re-flag) a dataset row; the note is trimmed and bounded. */
  async set(row: number, reason: string, note: string): Promise<void> {
    const t = this.open();
    const clean = note.trim();
    if (clean.length > FLAG_NOTE_CHARS) throw new ShoalError(`the note has ${clean.length} characters; keep it under ${FLAG_NOTE_CHARS}`);
    const r = reason.trim() || 'unsure';
    if (r.length > REASON_CHARS) throw new ShoalError(`the reason has ${r.length} characters; keep it under ${REASON_CHARS}`);
    const at = this.now();
    const createdAt = this.byRow.get(row)?.createdAt ?? at;
    const rec: FlagRecord = { versionId: t.versionId, projectId: t.projectId, row, reason: r, note: clean, createdAt, updatedAt: at };
    await t.storage.putFlag(rec);
    if (this.target()?.versionId !== t.versionId) return;
    const next = new Map(this.byRow);
    next.set(row, { row, reason: r, note: clean, createdAt, updatedAt: at });
    this.byRow = next;
  }

  /** Remove a row's flag. */
  async remove(row: number): Promise<void> {
    const t = this.open();
    await t.storage.deleteFlag(t.versionId, row);
    if (this.target()?.versionId !== t.versionId) return;
    const next = new Map(this.byRow);
    next.delete(row);
    this.byRow = next;
  }

  /** Positions within `split` of its flagged rows. */
  inSplit(split: Split, index: SplitIndex): Set<number> {
    const out = new Set<number>();
    const idx = index[split];
    if (this.byRow.size === 0) return out;
    for (let t = 0; t < idx.length; t++) if (this.byRow.has(idx[t])) out.add(t);
    return out;
  }

  private open(): NonNullable<ReturnType<FlagTarget>> {
    const t = this.target();
    if (!t) throw new ShoalError('no dataset is open');
    return t;
  }
}
