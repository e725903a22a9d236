import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

/**
 * Two projects. Tests that compile code LFs in their own thread run in a hardened realm
 * (SES lockdown, as in an isolated LF worker: src/core/lf/hardened-realm.ts), so they check the
 * runtime as it really runs. Lockdown freezes the realm's built-ins for good, and Dexie and tfjs
 * patch built-ins, so every other test runs in a plain realm.
 */
const HARDENED = [
  'src/core/lf/**/*.test.ts',
  'src/workers/pool.test.ts',
  'src/workers/pool-stats.test.ts',
  'src/workers/lockdown.test.ts',
  'src/app/demo.test.ts',
  'src/app/lf-runs.test.ts',
];

export default defineConfig({
  plugins: [svelte()],
  test: {
    environment: 'node',
    testTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'tests/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
          exclude: [...HARDENED, '**/node_modules/**'],
        },
      },
      {
        extends: true,
        test: { name: 'hardened', include: HARDENED, setupFiles: ['src/core/lf/hardened-realm.setup.ts'] },
      },
    ],
  },
});
