/**
 * An attacker's HTTP server on 127.0.0.1 (a port of its own, so another origin than the app):
 * it records every request it receives and answers each one as helpfully as a real exfiltration
 * endpoint would — CORS open, cross-origin resource policy relaxed, a valid JS module for
 * `import()`, a font-ish body, an event stream — so a request that gets out is never stopped
 * by the attacker's own server. Browser tests assert it received nothing
 * (e2e/sandbox-attacks.e2e.test.ts).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AttackerHit {
  method: string;
  url: string;
  /** Headers that tell where it came from (origin, referer, user agent's fetch metadata). */
  from: string;
}

export class AttackerServer {
  readonly hits: AttackerHit[] = [];
  /** e.g. http://127.0.0.1:41235 */
  origin = '';
  private server: Server | undefined;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.hits.push({ method: req.method ?? '?', url: req.url ?? '', from: describe(req) });
      const common = {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Headers': '*',
        'Access-Control-Allow-Methods': '*',
        'Cross-Origin-Resource-Policy': 'cross-origin',
        'Cache-Control': 'no-store',
      };
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method === 'OPTIONS') {
        res.writeHead(204, common).end();
      } else if (path.startsWith('/events')) {
        res.writeHead(200, { ...common, 'Content-Type': 'text/event-stream' }).end('data: hi\n\n');
      } else if (path.startsWith('/font')) {
        res.writeHead(200, { ...common, 'Content-Type': 'font/woff2' }).end(Buffer.alloc(64));
      } else {
        // Valid as a classic script and as a module: `import()` and `importScripts` both succeed.
        res.writeHead(200, { ...common, 'Content-Type': 'text/javascript' }).end('void 0;');
      }
    });
    // WebSocket / WebSocketStream upgrades are requests too: record them and close.
    this.server.on('upgrade', (req: IncomingMessage, socket) => {
      this.hits.push({ method: 'UPGRADE', url: req.url ?? '', from: describe(req) });
      socket.destroy();
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', () => done()));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const s = this.server;
    if (!s) return;
    await new Promise<void>((done) => {
      s.closeAllConnections();
      s.close(() => done());
    });
  }
}

function describe(req: IncomingMessage): string {
  const h = req.headers;
  return (
    [
      h.origin && `origin ${String(h.origin)}`,
      h.referer && `referer ${String(h.referer)}`,
      h['sec-fetch-dest'] && `dest ${String(h['sec-fetch-dest'])}`,
    ]
      .filter(Boolean)
      .join(', ') || 'no origin'
  );
}
