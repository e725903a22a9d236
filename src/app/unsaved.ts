/**
 * Work on screen that is not stored yet — an LF draft that differs from what was saved, gold
 * labels a full disk kept in memory — so the page asks before it is closed or reloaded instead
 * of dropping it silently. Each owner registers a check while it exists; the page's single
 * beforeunload handler asks them all.
 */
type Check = () => boolean;

const checks = new Set<Check>();

/** Registers `check` (true while something is unsaved); returns the function that removes it. */
export function trackUnsaved(check: Check): () => void {
  checks.add(check);
  return () => {
    checks.delete(check);
  };
}

export function hasUnsavedWork(): boolean {
  for (const check of checks) if (check()) return true;
  return false;
}

/** Ask before unloading while anything is unsaved (browsers show their own wording). */
export function guardUnload(target: Pick<Window, 'addEventListener'>): void {
  target.addEventListener('beforeunload', (e: BeforeUnloadEvent) => {
    if (!hasUnsavedWork()) return;
    e.preventDefault();
    // Older Chromium versions still need returnValue set.
    e.returnValue = '';
  });
}
