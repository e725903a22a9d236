/// <reference types="vite-plugin-pwa/vanillajs" />
/**
 * Service-worker lifecycle as reactive state. The service worker (vite-plugin-pwa, workbox)
 * precaches the whole app, so after one visit it works offline, reload included.
 *
 * Updates use the "prompt" strategy: a new version installs in the background and waits; the
 * user reloads when they choose, and never while a job runs (`jobs.busy`), because a reload
 * would kill the workers mid-import or mid-training.
 */
import { errorText } from '../core/errors.ts';
import { registerSW } from 'virtual:pwa-register';
import { jobs } from './jobs.svelte.ts';

const HOUR = 60 * 60 * 1000;

class Pwa {
  /** A new version is installed and waiting for consent. */
  needRefresh = $state(false);
  /**
   * Another tab activated a new version, which now controls this page too. The page keeps
   * working, but lazily loaded code may be gone from the cache: reload, on consent.
   */
  needReload = $state(false);
  /** The app is fully precached: it will load with the network off. */
  offlineReady = $state(false);
  /**
   * Served by the dev server (`npm run dev`): vite-plugin-pwa registers no service worker there,
   * so the app is never precached and offline use only comes with a build. `import.meta.hot`
   * exists only on the dev server; `import.meta.env.DEV` is also true in a build made with
   * NODE_ENV=test (a build started from a test run), which must still register its worker.
   */
  readonly devServer = import.meta.hot !== undefined;
  /** The service worker could not register (unsupported, file://, private mode…). */
  error = $state<string | null>(null);
  private updateSW: ((reload?: boolean) => Promise<void>) | null = null;
  private updating = false;

  start(): void {
    if (this.devServer || this.updateSW || typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
    this.updateSW = registerSW({
      immediate: true,
      onNeedRefresh: () => {
        this.needRefresh = true;
      },
      // Without this hook the plugin would reload the page by itself, even mid-job.
      onNeedReload: () => {
        if (this.updating)
          location.reload(); // the user just asked for this version
        else this.needReload = true;
      },
      onOfflineReady: () => {
        this.offlineReady = true;
      },
      onRegisteredSW: (_url, registration) => {
        if (registration?.active) this.offlineReady = true;
        // Long-lived tabs still hear about new versions.
        if (registration) setInterval(() => void (navigator.onLine && registration.update().catch(() => undefined)), HOUR);
      },
      onRegisterError: (e: unknown) => {
        this.error = errorText(e);
      },
    });
  }

  /** Activate the waiting version and reload, unless work is running. */
  async applyUpdate(): Promise<boolean> {
    if (jobs.busy) return false;
    if (this.needReload) {
      location.reload();
      return true;
    }
    if (!this.updateSW) return false;
    // Skip waiting; onNeedReload reloads once the new worker controls this page.
    this.updating = true;
    await this.updateSW(true);
    return true;
  }

  dismiss(): void {
    this.needRefresh = false;
    this.needReload = false;
  }
}

export const pwa = new Pwa();
