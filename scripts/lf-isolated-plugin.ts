/**
 * Bundles the isolated LF worker (src/workers/lf-isolated.worker.ts) into one self-contained
 * classic script and exposes its source as `virtual:shoal-lf-isolated-worker`.
 *
 * The worker is started from a blob URL inside an opaque-origin frame (pool-isolated.ts), where
 * it cannot import the app's modules or chunks, so everything it needs (Comlink, the LF runtime,
 * compromise for the NLP helpers) must be in one file. Its source ships inside the lazily loaded
 * chunk that starts isolated workers, so it is precached with the app and works offline.
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { Plugin } from 'vite';

const ID = 'virtual:shoal-lf-isolated-worker';
const RESOLVED = '\0' + ID;
const ENTRY = fileURLToPath(new URL('../src/workers/lf-isolated.worker.ts', import.meta.url));

export async function bundleIsolatedWorker(minify: boolean): Promise<{ code: string; inputs: string[] }> {
  const out = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify,
    write: false,
    metafile: true,
    legalComments: 'none',
    // SES (the LF sandbox) refuses to start in sloppy mode; an IIFE bundle is sloppy unless told,
    // and every module in it is ESM, which is strict anyway.
    banner: { js: '"use strict";' },
    logLevel: 'silent',
  });
  const code = out.outputFiles[0].text;
  const inputs = Object.keys(out.metafile.inputs).map((p) => resolve(p));
  return { code, inputs };
}

export function lfIsolatedWorkerPlugin(): Plugin {
  let minify = true;
  return {
    name: 'shoal-lf-isolated-worker',
    configResolved(config) {
      minify = config.command === 'build';
    },
    resolveId: (id) => (id === ID ? RESOLVED : null),
    async load(id) {
      if (id !== RESOLVED) return null;
      const { code, inputs } = await bundleIsolatedWorker(minify);
      for (const f of inputs) if (!f.includes('node_modules')) this.addWatchFile(f);
      return `export default ${JSON.stringify(code)};`;
    },
  };
}
