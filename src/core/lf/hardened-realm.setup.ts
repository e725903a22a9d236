// Vitest setup of the 'hardened' project (vitest.config.ts): lock this test realm down before
// any test module loads, as an isolated LF worker does before it loads anything else.
import { hardenedSandbox } from './hardened-realm.ts';

hardenedSandbox();
