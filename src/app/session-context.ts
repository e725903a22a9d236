/**
 * How the screens reach the session: from a Svelte context the app is mounted with (src/main.ts
 * passes `sessionContext(session)` to `mount`), not from the module singleton, so a screen can
 * be mounted with any session — one over the in-memory storage, say.
 */
import { getContext } from 'svelte';
import { ShoalError } from '../core/types.ts';
import type { Session } from './session.svelte.ts';

const KEY = Symbol('shoal:session');

/** The context to mount the app with (`mount(App, { target, context })`). */
export function sessionContext(session: Session): Map<symbol, unknown> {
  return new Map([[KEY, session]]);
}

/** The session of the app shell above; call while a component initialises. */
export function useSession(): Session {
  const session = getContext<Session | undefined>(KEY);
  if (!session) throw new ShoalError('no session: mount the app with sessionContext(session) (src/main.ts)');
  return session;
}
