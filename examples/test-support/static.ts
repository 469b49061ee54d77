/**
 * A tiny static server for a built frontend whose backend does not serve it (a Python backend,
 * say): files of `dir`, index.html for every other GET (client-side routes), and path prefixes
 * passed through to a backend so the page stays on one origin.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

export interface StaticServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface StaticOptions {
  /** Requests whose path starts with one of these prefixes go to `target` (method, headers and body as they came). */
  readonly proxy?: readonly { readonly prefix: string; readonly target: string }[];
}

export async function serveStatic(dir: string, options: StaticOptions = {}): Promise<StaticServer> {
  const root = normalize(dir);
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const route = options.proxy?.find((p) => path.startsWith(p.prefix));
    if (route) {
      const upstream = httpRequest(new URL(request.url ?? '/', route.target), { method: request.method, headers: request.headers, timeout: 15_000 }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      upstream.on('timeout', () => upstream.destroy(new Error('upstream timeout')));
      upstream.on('error', () => (response.headersSent ? response.destroy() : response.writeHead(502).end()));
      request.pipe(upstream);
      return;
    }
    let file = normalize(join(root, path));
    if (!file.startsWith(root + sep) || !existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
    response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('serveStatic: no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
