/**
 * Screen routing by URL hash (`#/data`), so deep links and reload work on any static host and
 * under any base path without server rewrites.
 */

export const SCREENS = [
  { id: 'home', label: 'Start' },
  { id: 'data', label: 'Data' },
  { id: 'lfs', label: 'LFs' },
  { id: 'analysis', label: 'Analysis' },
  { id: 'browse', label: 'Browse' },
  { id: 'model', label: 'Model' },
  { id: 'annotate', label: 'Annotate' },
  { id: 'export', label: 'Export' },
] as const;

/** Screens reached by links rather than the navigation: import, and one row (`#/row?i=…`, app/row-detail.ts). */
export type ScreenId = (typeof SCREENS)[number]['id'] | 'import' | 'row';

const IDS = new Set<string>([...SCREENS.map((s) => s.id), 'import', 'row']);

export function parseHash(hash: string): ScreenId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return IDS.has(id) ? (id as ScreenId) : 'home';
}

class Router {
  screen = $state<ScreenId>(typeof location !== 'undefined' ? parseHash(location.hash) : 'home');

  start(): void {
    addEventListener('hashchange', () => {
      this.screen = parseHash(location.hash);
    });
  }

  go(id: ScreenId): void {
    if (location.hash !== `#/${id}`) location.hash = `#/${id}`;
    this.screen = id;
  }
}

export const router = new Router();
