/**
 * Persistent storage and usage. Browsers may evict "best-effort" IndexedDB data under
 * pressure; `navigator.storage.persist()` asks to keep it (granted silently for installed
 * PWAs or after engagement, refused in headless Chromium). Guarded so Node and old browsers
 * get nulls instead of errors.
 */
import type { UsageEstimate } from './types.ts';

interface StorageManagerLike {
  persist?: () => Promise<boolean>;
  persisted?: () => Promise<boolean>;
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
}

function manager(): StorageManagerLike | undefined {
  return (globalThis as { navigator?: { storage?: StorageManagerLike } }).navigator?.storage;
}

/** Ask the browser to keep our data; null where the API does not exist. */
export async function requestPersistence(): Promise<boolean | null> {
  const m = manager();
  if (!m?.persist) return null;
  try {
    if (m.persisted && (await m.persisted())) return true;
    return await m.persist();
  } catch {
    return false;
  }
}

export async function estimateUsage(): Promise<UsageEstimate> {
  const m = manager();
  let usage: number | null = null;
  let quota: number | null = null;
  let persisted: boolean | null = null;
  try {
    if (m?.estimate) {
      const e = await m.estimate();
      usage = e.usage ?? null;
      quota = e.quota ?? null;
    }
    if (m?.persisted) persisted = await m.persisted();
  } catch {
    // Some browsers throw in private mode; unknown is the honest answer.
  }
  return { usage, quota, persisted };
}

/** "1.2 GB of 10.8 GB" style text for the UI. */
export function formatBytes(n: number | null): string {
  if (n === null) return 'unknown';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v < 10 && u > 0 ? v.toFixed(1) : Math.round(v)} ${units[u]}`;
}
