/**
 * The text of a caught error, for a message to the user: its `message` (or the value as text),
 * cut to `MAX_LF_TEXT` characters — an error may carry text out of a file or out of LF code.
 * Defined once; LF-thrown values read by the LF runtime go through its own Proxy-safe reader
 * (`errorMessage` in lf/runtime.ts) before they ever reach here.
 */
import { clipText } from './lf/sandbox.ts';

export function errorText(e: unknown): string {
  return clipText(e instanceof Error ? e.message : String(e));
}
