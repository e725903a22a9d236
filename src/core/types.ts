/**
 * Shared vocabulary of the core: branded indices where a silent mix-up would hurt, and the
 * abstain sentinel every label matrix uses.
 */
export const ABSTAIN = -1;

/** A class index in [0, k). */
export type ClassIdx = number & { readonly __brand: 'ClassIdx' };
/** A row position in a dataset split (0-based, file order). */
export type RowIdx = number & { readonly __brand: 'RowIdx' };
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
