/**
 * The gold checks the screens show (core/lf/gold.ts), reached through the app layer: whether an
 * LF's record looks like it reads the answer, and a template pointed at the hidden gold column.
 */
export { goldRecord, looksLikeItReadsTheAnswer, templateReadsHiddenGold } from '../core/lf/gold.ts';
// Gold labels are set by split position and label, branded where the screen knows what they are.
export { goldLabel, splitRow } from '../core/types.ts';
