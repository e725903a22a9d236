import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { demoPlugin } from './scripts/build-demo.ts';
import { lfIsolatedWorkerPlugin } from './scripts/lf-isolated-plugin.ts';
import { CONTENT_SECURITY_POLICY, crossOriginIsolation, staticHostHeaders } from './scripts/security.ts';

/**
 * Puts the CSP in index.html as a meta tag (works on any static host, also under file-less
 * hosts that cannot set headers) and writes `_headers` (Netlify / Cloudflare Pages syntax) so
 * hosts that can send headers also isolate the page and apply the CSP to worker scripts, which
 * a meta tag cannot reach.
 */
function securityPlugin(): Plugin {
  return {
    name: 'shoal-security',
    transformIndexHtml: {
      order: 'pre',
      handler: (html) =>
        html.replace(
          '<meta charset="UTF-8" />',
          `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}" />`,
        ),
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '_headers', source: staticHostHeaders() });
    },
  };
}

// Dev and preview send the same headers a well-configured host would: COOP/COEP so tfjs-wasm
// and onnxruntime-web may use threads, and the CSP (headers also cover worker scripts).
const headers = { ...crossOriginIsolation, 'Content-Security-Policy': CONTENT_SECURITY_POLICY };

export default defineConfig({
  plugins: [
    demoPlugin(),
    lfIsolatedWorkerPlugin(),
    svelte(),
    securityPlugin(),
    VitePWA({
      registerType: 'prompt', // a new version waits for the user's consent (src/app/pwa.svelte.ts)
      injectRegister: false, // registered from src/app/pwa.svelte.ts, no inline script (CSP)
      manifest: {
        name: 'Shoal — programmatic labeling on your device',
        short_name: 'Shoal',
        description: 'Label data with programs, entirely in your browser. Nothing leaves your device.',
        theme_color: '#0b3d4a',
        background_color: '#f5f7f8',
        display: 'standalone',
        // Relative to the manifest, so any --base works.
        start_url: '.',
        scope: '.',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'icons/icon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        // Everything the app needs offline: code, workers, every wasm/mjs (tfjs, onnxruntime),
        // icons, and the demo with its NOTICE/LICENSE.
        globPatterns: ['**/*.{js,mjs,css,html,svg,png,wasm,json,gz,webmanifest}', 'demo/NOTICE', 'demo/LICENSE'],
        // onnxruntime-web's wasm is ~14 MB; the default 2 MiB limit fails the build.
        maximumFileSizeToCacheInBytes: 64 * 1024 * 1024,
        navigateFallback: 'index.html',
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  server: { headers },
  preview: { headers },
  worker: { format: 'es' },
  // Workers are not reached by the dev server's dependency scan from index.html: listing them
  // pre-bundles their deps (papaparse, hyparquet) at start instead of reloading the page later.
  optimizeDeps: {
    exclude: ['onnxruntime-web'],
    entries: ['index.html', 'src/workers/import.worker.ts', 'src/workers/lf.worker.ts', 'src/workers/chunk-server.worker.ts'],
  },
  build: { target: 'es2022', chunkSizeWarningLimit: 8000 },
});
