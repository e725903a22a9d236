/**
 * How the screens reach the session and the Model screen's state over it: from a Svelte context
 * the app is mounted with (src/main.ts passes `sessionContext(session, model)` to `mount`), not
 * from module singletons, so a screen can be mounted with any session — one over the in-memory
 * storage, say.
 */
import { getContext } from 'svelte';
import { ShoalError } from '../core/types.ts';
import type { ModelState } from './model.svelte.ts';
import type { Session } from './session.svelte.ts';

const KEY = Symbol('shoal:session');
const MODEL = Symbol('shoal:model');

/** The context to mount the app with (`mount(App, { target, context })`): the session and the Model screen's state over it. */
export function sessionContext(session: Session, model: ModelState): Map<symbol, unknown> {
  return new Map<symbol, unknown>([
    [KEY, session],
    [MODEL, model],
  ]);
}

/** The session of the app shell above; call while a component initialises. */
export function useSession(): Session {
  const session = getContext<Session | undefined>(KEY);
  if (!session) throw new ShoalError('no session: mount the app with sessionContext(session, model) (src/main.ts)');
  return session;
}

/** The Model screen's state (model.svelte.ts) over the same session; call while a component initialises. */
export function useModel(): ModelState {
  const model = getContext<ModelState | undefined>(MODEL);
  if (!model) throw new ShoalError('no model state: mount the app with sessionContext(session, model) (src/main.ts)');
  return model;
}
