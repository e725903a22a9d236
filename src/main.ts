/** Browser entry point: global styles, then the Svelte app shell. */
import { mount } from 'svelte';
import './ui/styles.css';
import App from './ui/App.svelte';
import { guardUnload } from './app/unsaved.ts';
import { session } from './app/session.svelte.ts';
import { sessionContext } from './app/session-context.ts';
import { ModelState } from './app/model.svelte.ts';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
guardUnload(window);
// A crashed renderer fires no pagehide; a closed or reloaded tab does (app/run-crumbs.ts).
addEventListener('pagehide', () => session.pageHidden());
export default mount(App, { target, context: sessionContext(session, new ModelState(session)) });
