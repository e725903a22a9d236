/**
 * The only way LF source becomes a function: a sandbox that evaluates it in a hardened realm.
 *
 * Code LFs come from people other than the user (a project file, a snippet pasted from the
 * web), so the runtime never compiles them with the realm's own `Function`: a compiled LF would
 * see the worker's global object (its network, storage and messaging APIs) and could change the
 * built-ins every other LF uses. A sandbox — src/core/lf/hardened-realm.ts, on SES — evaluates
 * each LF in a compartment of its own whose only globals are the frozen JavaScript built-ins,
 * after `lockdown()` froze them for the whole realm. Without a sandbox (the page's template
 * workers, the CLI's module form) a code LF does not compile: it gets `NO_SANDBOX` as its error.
 */
export interface LfSandbox {
  /**
   * Evaluate `source` as a script in a new compartment whose only globals are the frozen
   * JavaScript built-ins (its global object frozen too); returns the completion value.
   */
  evaluate(source: string): unknown;
  /** Deep-freeze a value that several LFs will share (a row, a helper). */
  harden<T>(value: T): T;
}

export const NO_SANDBOX = 'code LFs run only in the hardened LF sandbox (an isolated LF worker); this runtime has none';

/** Most characters of text from LF code (an error message) that are kept; the rest is counted. */
export const MAX_LF_TEXT = 2000;

/**
 * `text` cut to `max` characters, stating the full length when cut, so a 20 MB error message is
 * stored and shown as 2 KB that says how long it was.
 */
export function clipText(text: string, max = MAX_LF_TEXT): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${groupDigits(text.length)} characters in all)`;
}

/** 20000000 → "20,000,000" (a hardened realm's `toLocaleString` ignores locales). */
function groupDigits(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
