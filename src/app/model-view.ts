/**
 * What the model services (label model, classifier, ONNX export) may see of the open project:
 * a narrow, read-only view. In the page it is built from the session in one place
 * (model.svelte.ts, `sessionModelView`), reading the session's reactive fields, so whatever a
 * service derives from it stays reactive; Node tests build a plain object.
 *
 * Rows never reach the services as row objects: they ask for the texts they train or predict on
 * (`textsOf`) and for the number of rows (`rowCount`), so how rows are read (in memory today, by
 * range from storage next) changes in the one function behind this view. Work over every row
 * asks for a range at a time, so it never needs every text at once. Classifier training needs
 * every train text at once: it asks for `storedTexts`, a reference (dataset version, text field,
 * row numbers) the train worker reads from storage itself (workers/stored-texts.ts), so the page
 * never holds those texts.
 */
import type { LabelMatrix } from '../core/matrix.ts';
import type { StoredTexts } from '../workers/stored-texts.ts';
import type { Split, SplitIndex } from './project.ts';

/** The enabled LFs' votes per split; a new object (a higher `version`) on every change. */
export interface ModelVotes {
  readonly version: number;
  readonly lfIds: readonly string[];
  readonly lfNames: readonly string[];
  readonly train: LabelMatrix;
  readonly dev: LabelMatrix;
  readonly test: LabelMatrix;
}

/** A split's rows in split order, or every row of the dataset in dataset order. */
export type TextScope = Split | 'all';

/** Positions [from, to) within the scope (default all of it); an aborted read rejects with an AbortError. */
export interface TextRange {
  from?: number;
  to?: number;
  signal?: AbortSignal;
}

export interface ModelProjectView {
  /** The open project, or null before one is open. */
  readonly projectId: string | null;
  /** Its dataset version (what stored fits and classifiers are keyed by), or null. */
  readonly versionId: string | null;
  /** Rows in the dataset version. */
  readonly rowCount: number;
  readonly classes: readonly string[];
  readonly votes: ModelVotes | null;
  /** Gold label per row of each split (-1 = none), split row order. */
  readonly gold: Readonly<Record<Split, Int32Array>>;
  /** Bumped on every gold change. */
  readonly goldVersion: number;
  /** True while LF runs are under way: the votes are about to change again. */
  readonly lfsRunning: boolean;
  /** Dataset row numbers of each split. */
  readonly splitIndex: SplitIndex;
  /** The content hash of each LF in `votes.lfIds` (what a stored fit was computed from). */
  lfHashes(): string[];
  /** The text field of the rows of `scope` (or of a range of them), as strings (empty for a missing value). */
  textsOf(scope: TextScope, range?: TextRange): Promise<readonly string[]>;
  /**
   * The texts of a split's rows (all of them, or the positions `at` within the split,
   * ascending) as a reference the train worker reads from storage itself; null when the
   * worker cannot reach this storage, and the caller reads them with `textsOf` instead.
   */
  storedTexts(split: Split, at?: readonly number[]): StoredTexts | null;
}
