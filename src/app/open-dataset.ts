/**
 * What the session's services share about the open project: its storage, the dataset version
 * on screen, its classes and split index. The session hands each service a function returning
 * it (null while no project with data is open), so a service always sees the version open now
 * and can tell that a write it started belongs to a version no longer on screen.
 */
import { errorText } from '../core/errors.ts';
import type { DatasetVersionRecord, ShoalStorage } from '../storage/types.ts';
import type { SplitIndex } from './project.ts';

export interface OpenDataset {
  readonly storage: ShoalStorage;
  readonly projectId: string;
  readonly version: DatasetVersionRecord;
  readonly classes: readonly string[];
  readonly splitIndex: SplitIndex;
}

export type CurrentDataset = () => OpenDataset | null;

/** An error's text for the screen, bounded (core/errors.ts): it may carry text that came out of LF code. */
export const errorMessage = errorText;
