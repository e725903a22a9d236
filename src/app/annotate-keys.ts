/**
 * The annotation screen's keyboard shortcuts: one table that both decides what a key does
 * (`keyAction`) and is listed by the `?` overlay, so the help never drifts from the keys.
 */

export type KeyAction =
  | { kind: 'label'; label: number }
  | { kind: 'clear' }
  | { kind: 'next' }
  | { kind: 'prev' }
  | { kind: 'undo' }
  | { kind: 'flag' }
  | { kind: 'help' }
  | { kind: 'close' };

/** What the `?` overlay lists, in order. */
export const SHORTCUTS: readonly { keys: string[]; does: string }[] = [
  { keys: ['1', '…', '9'], does: 'give the row that class (in the order of the buttons) and go to the next row' },
  { keys: ['0', 'Backspace'], does: 'clear the row’s gold label (the card stays)' },
  { keys: ['→', 'S'], does: 'skip to the next row of the queue' },
  { keys: ['←'], does: 'go back to the previous row of the queue' },
  { keys: ['U', 'Ctrl+Z'], does: 'undo the last label change (and go back to its row)' },
  { keys: ['F'], does: 'flag the row, or edit its flag, with a reason and a note' },
  { keys: ['?'], does: 'show or hide these shortcuts' },
  { keys: ['Esc'], does: 'close this list or the flag form' },
];

/** The subset of a KeyboardEvent the decision needs. */
export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

/** What a key press does on the annotation card with `classCount` classes, or null (left to the browser). */
export function keyAction(e: KeyLike, classCount: number): KeyAction | null {
  if (e.key === 'Escape') return { kind: 'close' };
  if (e.altKey || e.metaKey) return null;
  const k = e.key.toLowerCase();
  if ((e.ctrlKey && k === 'z') || (!e.ctrlKey && k === 'u')) return { kind: 'undo' };
  if (e.ctrlKey) return null;
  if (e.key === '?') return { kind: 'help' };
  if (/^[1-9]$/.test(e.key) && Number(e.key) <= classCount) return { kind: 'label', label: Number(e.key) - 1 };
  if (e.key === '0' || e.key === 'Backspace') return { kind: 'clear' };
  if (e.key === 'ArrowRight' || k === 's') return { kind: 'next' };
  if (e.key === 'ArrowLeft') return { kind: 'prev' };
  if (k === 'f') return { kind: 'flag' };
  return null;
}
