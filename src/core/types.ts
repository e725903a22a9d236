/**
 * Shared vocabulary of the core: branded indices where a silent mix-up would hurt, and the
 * abstain sentinel every label matrix uses.
 */
export const ABSTAIN = -1;

/** A class index in [0, k). */
export type ClassIdx = number & { readonly __brand: 'ClassIdx' };
/** A dataset row number (0-based, file order). */
export type RowIdx = number & { readonly __brand: 'RowIdx' };
/** A row's position within one split (row i of dev is dataset row splitIndex.dev[i]): not a RowIdx. */
export type SplitRow = number & { readonly __brand: 'SplitRow' };
/** A gold label: a class index, or -1 for none. */
export type GoldLabel = ClassIdx | -1;

/** Brand a number at the point where it is known to be a split position (checked where it is used). */
export const splitRow = (n: number) => n as SplitRow;
/** Brand a number at the point where it is known to be a class index or -1 (checked where it is used). */
export const goldLabel = (n: number) => n as GoldLabel;
/** A stable LF identifier (not its column position, which changes when LFs are reordered). */
export type LfId = string & { readonly __brand: 'LfId' };

export type Metric = 'acc' | 'f1';
export type TiePolicy = 'snorkel' | 'abstain' | 'random';

/** A typed error whose message is one sentence a user can act on. */
export class ShoalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShoalError';
  }
}
