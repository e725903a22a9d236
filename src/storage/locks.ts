/**
 * Web Locks mark a running import as alive: the importer holds `shoal-import:<versionId>`
 * until it commits or aborts, and the browser releases it when the tab or worker dies. On
 * open, a pending import without its lock is a leftover and is deleted. Without the Web
 * Locks API (Node, old browsers) callers fall back to heartbeats.
 */
const PREFIX = 'shoal-import:';

interface LockManagerLike {
  request<T>(name: string, cb: () => Promise<T>): Promise<T>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

function locks(): LockManagerLike | undefined {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return nav?.locks;
}

/** Run `fn` holding the import's lock (or just run it where locks do not exist). */
export function withImportLock<T>(versionId: string, fn: () => Promise<T>): Promise<T> {
  const l = locks();
  return l ? l.request(PREFIX + versionId, fn) : fn();
}

/** Version ids whose import lock is held right now, or null when locks are unavailable. */
export async function heldImportLocks(): Promise<Set<string> | null> {
  const l = locks();
  if (!l) return null;
  const q = await l.query();
  const out = new Set<string>();
  for (const h of q.held ?? []) if (h.name?.startsWith(PREFIX)) out.add(h.name.slice(PREFIX.length));
  return out;
}
