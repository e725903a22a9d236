/**
 * A plain static file server for the built app, as GitHub Pages or any host that cannot set
 * headers would serve it: files with their MIME type and nothing else. No Content-Security-Policy
 * header (only the meta tag in index.html remains, which does not reach worker scripts), no
 * COOP/COEP (so no cross-origin isolation, no SharedArrayBuffer), no `_headers` processing.
 *
 * Browser tests use it through `new Harness({ server: 'static' })` to check that what keeps data
 * on the device does not depend on headers the host may never send (README "Privacy and threat
 * model").
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** The types a static host sends by extension; module scripts and wasm need the right one. */
export const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.gz': 'application/gzip',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Serve `root` under `base` (e.g. `/` or `/sub/`) on 127.0.0.1 at a free port. A folder serves
 * its index.html; anything outside `root` or missing is a 404.
 */
export async function startStaticServer(root: string, base = '/'): Promise<StaticServer> {
  const top = resolve(root);
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!path.startsWith(base) && `${path}/` !== base) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    let file = normalize(join(top, path.slice(base.length - 1)));
    if (file !== top && !file.startsWith(top + sep)) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    // Extension-less files (demo/LICENSE, demo/NOTICE) are text, as most hosts send them.
    const type = MIME_TYPES[extname(file).toLowerCase()] ?? 'text/plain; charset=utf-8';
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
