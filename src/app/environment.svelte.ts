/**
 * What this browser gives us, shown in the status bar so users know what they are getting:
 * cross-origin isolation (threads for wasm), persistent storage and how much is used.
 */

export interface StorageInfo {
  usage: number;
  quota: number;
  persisted: boolean;
}

class Environment {
  /** SharedArrayBuffer and wasm threads are available only when the host isolates the page. */
  readonly isolated = typeof globalThis.crossOriginIsolated === 'boolean' ? globalThis.crossOriginIsolated : false;
  readonly cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency || 1 : 1;
  online = $state(typeof navigator !== 'undefined' ? navigator.onLine : true);
  storage = $state<StorageInfo | null>(null);

  start(): void {
    addEventListener('online', () => (this.online = true));
    addEventListener('offline', () => (this.online = false));
    void this.refreshStorage();
  }

  async refreshStorage(): Promise<void> {
    if (!navigator.storage?.estimate) return;
    const [est, persisted] = await Promise.all([navigator.storage.estimate(), navigator.storage.persisted?.() ?? Promise.resolve(false)]);
    this.storage = { usage: est.usage ?? 0, quota: est.quota ?? 0, persisted };
  }

  /** Ask the browser not to evict our data under storage pressure (weeks of labeling work). */
  async requestPersistence(): Promise<boolean> {
    const ok = (await navigator.storage?.persist?.()) ?? false;
    await this.refreshStorage();
    return ok;
  }
}

export const environment = new Environment();

// One byte formatter for the whole app (decimal units, as the browser's quota is reported).
export { formatBytes } from '../storage/persist.ts';
