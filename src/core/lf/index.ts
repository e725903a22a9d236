/**
 * Labeling functions: definitions as data, the runtime that applies them to row chunks, code-LF
 * helpers, content hashes for vote caching, match spans and the live preview.
 */
export * from './types.ts';
export { LfRuntime, describe, errorMessage } from './runtime.ts';
export type { RuntimeOptions, FunctionLf, LfChunkResult, ApplyChunkOptions } from './runtime.ts';
export { moduleEntry, isFunctionLf, MODULE_TEMPLATE_KINDS, type ModuleLf } from './module-lfs.ts';
export { HelperScope, loadNlp, needsNlp, sentimentOf } from './helpers.ts';
export type { NlpFn, NlpDoc } from './helpers.ts';
export { KeywordScanner } from './keywords.ts';
export type { KeywordGroupSpec } from './keywords.ts';
export { lfHash } from './hash.ts';
export { packRows, unpackRows, isColumnChunk, fieldsRead } from './columns.ts';
export type { ColumnChunk } from './columns.ts';
export { lfSpans } from './spans.ts';
export { previewLf } from './preview.ts';
export { clipText, MAX_LF_TEXT, NO_SANDBOX, type LfSandbox } from './sandbox.ts';
export type { PreviewSample, PreviewHit, LfPreview, PreviewOptions } from './preview.ts';
export { isWordCharAt, scanWords, wordsOf, tokensOf, countTokens, fieldText, escapeRegExp, wordBoundedPattern } from './text.ts';
