/**
 * Crash breadcrumbs: which LFs a run was executing, kept in Web Storage (localStorage in the
 * page) while it runs, so a run cut short by a crashed or closed tab is named on reopen. A
 * crashed renderer fires no `pagehide`; a closed or reloaded tab does, and whoever builds the
 * session in the page calls `markClean` from it (src/main.ts). The store is handed in, so Node
 * tests give it a Map-backed one, or none.
 */

/** The part of Web Storage the crumbs use. */
export type CrumbStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface Crumb {
  projectId: string;
  lfIds: string[];
  /** Set on pagehide: the tab was closed or reloaded, not crashed. */
  clean?: boolean;
}

const RUNNING_KEY = 'shoal:lf-running';

/** The page's localStorage, or null where there is none (or it may not be touched). */
export function browserCrumbStore(): CrumbStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export class RunCrumbs {
  constructor(private readonly store: CrumbStore | null) {}

  write(projectId: string, lfIds: string[]): void {
    this.put({ projectId, lfIds });
  }

  read(): Crumb | null {
    try {
      const s = this.store?.getItem(RUNNING_KEY);
      return s ? (JSON.parse(s) as Crumb) : null;
    } catch {
      return null;
    }
  }

  /** The tab is going away on its own (pagehide): the run was not cut short by a crash. */
  markClean(): void {
    const crumb = this.read();
    if (crumb) this.put({ ...crumb, clean: true });
  }

  clear(): void {
    try {
      this.store?.removeItem(RUNNING_KEY);
    } catch {
      // Storage unavailable: the breadcrumb is a courtesy.
    }
  }

  private put(crumb: Crumb): void {
    try {
      this.store?.setItem(RUNNING_KEY, JSON.stringify(crumb));
    } catch {
      // Storage full or unavailable: the breadcrumb is a courtesy.
    }
  }
}
