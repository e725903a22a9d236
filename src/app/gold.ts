/**
 * The gold checks the screens show (core/lf/gold.ts), reached through the app layer: whether an
 * LF's record looks like it reads the answer, and a template pointed at the hidden gold column.
 */
export { goldRecord, looksLikeItReadsTheAnswer, templateReadsHiddenGold } from '../core/lf/gold.ts';
