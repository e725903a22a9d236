/**
 * The page's security headers in one place: the Content-Security-Policy (also injected into
 * index.html as a meta tag) and cross-origin isolation. vite.config.ts applies them to the dev
 * and preview servers and writes them to `dist/_headers` for static hosts that read that file.
 *
 * Threat model (also in the README): Shoal's promise is that data never leaves the device.
 * - No third-party origin is allowed for anything: scripts, styles, fonts, images, frames,
 *   fetch/XHR/WebSocket (`connect-src 'self'`), form posts. Even code running in the page
 *   cannot send rows elsewhere through those channels.
 * - LF code is untrusted and is compiled by SES in compartments inside isolated LF workers
 *   (src/core/lf/hardened-realm.ts); SES builds its evaluator with the realm's `Function`, which
 *   needs `'unsafe-eval'`; wasm (tfjs, onnxruntime-web) needs `'wasm-unsafe-eval'`. Eval is
 *   allowed because the egress rules above and the compartments (only frozen built-ins in
 *   scope), not a ban on eval, are what keep data in.
 * - A meta-tag CSP does not cover worker scripts loaded from URLs (they take the policy sent
 *   with their own response); hosts that send the `_headers` file's headers close that gap.
 * - The one inline script is the isolated LF host frame's (a `srcdoc` iframe, which inherits
 *   this policy and makes no request: `frame-src 'none'` still holds), allowed by its hash.
 * - `style-src 'unsafe-inline'`: Svelte sets inline styles; styles cannot fetch anything that
 *   img-src/font-src do not already allow.
 */
import { createHash } from 'node:crypto';
import { FRAME_SCRIPT } from '../src/workers/lf-isolated-frame.ts';

/** The isolated LF host frame's inline script, allowed by its hash (src/workers/lf-isolated-frame.ts). */
export const FRAME_SCRIPT_SHA256 = `'sha256-${createHash('sha256').update(FRAME_SCRIPT, 'utf8').digest('base64')}'`;

export const CSP_DIRECTIVES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'", "'wasm-unsafe-eval'", "'unsafe-eval'", FRAME_SCRIPT_SHA256],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'font-src': ["'self'"],
  // blob: lets the page read back object URLs it made itself (downloads, worker bootstraps).
  'connect-src': ["'self'", 'blob:'],
  'worker-src': ["'self'", 'blob:'],
  'manifest-src': ["'self'"],
  'frame-src': ["'none'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'none'"],
};

export const CONTENT_SECURITY_POLICY = Object.entries(CSP_DIRECTIVES)
  .map(([k, v]) => `${k} ${v.join(' ')}`)
  .join('; ');

export const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** `_headers` for Netlify / Cloudflare Pages: every path gets isolation and the CSP. */
export function staticHostHeaders(): string {
  const lines = [
    '/*',
    ...Object.entries(crossOriginIsolation).map(([k, v]) => `  ${k}: ${v}`),
    `  Content-Security-Policy: ${CONTENT_SECURITY_POLICY}`,
    '  X-Content-Type-Options: nosniff',
    '  Referrer-Policy: no-referrer',
  ];
  return `${lines.join('\n')}\n`;
}
