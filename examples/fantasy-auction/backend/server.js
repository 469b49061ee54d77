// @ts-check
/**
 * The fantasy-auction backend: Next.js-style route handlers (app/**\/route.js exporting GET,
 * POST, DELETE as `(request: Request, { params }) => Response`) served by node:http, and the
 * built frontend (../web/dist). It never calls Herald: every event goes into Herald's outbox
 * table in the transaction of the write it announces (lib/broadcast.js).
 *
 * Environment: PORT (3000), DATABASE_URL, HERALD_URL (told to the browser; HERALD_PUBLIC_URL
 * overrides), HERALD_JWT_HMAC_SECRET, SESSION_SECRET, ADMIN_KEY, AUCTION_POLL_MS.
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DATABASE_URL, pool } from './lib/db.js';
import { currentUser } from './lib/session.js';
import { countRead } from './lib/stats.js';
import { migrate } from './migrate.js';

const PORT = Number(process.env.PORT ?? 3000);
const APP = fileURLToPath(new URL('./app', import.meta.url));
const DIST = fileURLToPath(new URL('../web/dist', import.meta.url));
const MAX_BODY_BYTES = 16 * 1024;
/** Mutating requests per client address: a bucket of 60, refilled at 30 a second. */
const RATE = { burst: 60, perSecond: 30 };
const MAX_BUCKETS = 10_000;

/** @typedef {(request: Request, context: { params: Record<string, string> }) => Response | Promise<Response>} Handler */
/** @typedef {{ pattern: string[], handlers: Record<string, Handler> }} Route */

/** Every app/**\/route.js, its folder path as the URL ([id] matches one segment). @returns {Promise<Route[]>} */
async function loadRoutes() {
  /** @type {Route[]} */
  const routes = [];
  /** @param {string} dir */
  const walk = async (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name === 'route.js') {
        const pattern = relative(APP, dir).split(sep).filter(Boolean);
        routes.push({ pattern, handlers: await import(pathToFileURL(path).href) });
      }
    }
  };
  await walk(APP);
  // Literal segments before [params], as Next.js matches /api/rounds before /api/[x].
  return routes.sort((a, b) => a.pattern.filter((s) => s.startsWith('[')).length - b.pattern.filter((s) => s.startsWith('[')).length);
}

/** @param {Route[]} routes @param {string} path */
function match(routes, path) {
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  for (const route of routes) {
    if (route.pattern.length !== segments.length) continue;
    /** @type {Record<string, string>} */
    const params = {};
    const ok = route.pattern.every((part, i) => {
      const segment = segments[i] ?? '';
      if (part.startsWith('[') && part.endsWith(']')) return (params[part.slice(1, -1)] = segment), true;
      return part === segment;
    });
    if (ok) return { route, params };
  }
  return undefined;
}

/** @type {Map<string, { tokens: number, at: number }>} */
const buckets = new Map();
/** @param {string} key */
function allowed(key) {
  const now = performance.now();
  const bucket = buckets.get(key) ?? { tokens: RATE.burst, at: now };
  bucket.tokens = Math.min(RATE.burst, bucket.tokens + ((now - bucket.at) / 1000) * RATE.perSecond);
  bucket.at = now;
  if (buckets.size >= MAX_BUCKETS && !buckets.has(key)) buckets.clear();
  buckets.set(key, bucket);
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

/** @param {import('node:http').IncomingMessage} request @returns {Promise<Buffer | undefined>} */
async function readBody(request) {
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  const chunks = [];
  let size = 0;
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const TYPES = /** @type {Record<string, string>} */ ({ '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' });
/** @param {string} path @param {import('node:http').ServerResponse} response */
function serveFile(path, response) {
  let file = normalize(join(DIST, path));
  if (!file.startsWith(DIST + sep) || !existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html');
  if (!existsSync(file)) return void response.writeHead(404, { 'content-type': 'text/plain' }).end('the frontend is not built: examples/run fantasy-auction builds it');
  response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(response);
}

await migrate(DATABASE_URL);
const routes = await loadRoutes();

const server = createServer(async (incoming, outgoing) => {
  const url = new URL(incoming.url ?? '/', `http://${incoming.headers.host ?? '127.0.0.1'}`);
  try {
    if (url.pathname === '/health') return void outgoing.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    const found = match(routes, url.pathname);
    if (!found) return incoming.method === 'GET' && !url.pathname.startsWith('/api/') ? serveFile(url.pathname, outgoing) : void outgoing.writeHead(404).end();
    const method = incoming.method ?? 'GET';
    const handler = found.route.handlers[method];
    if (!handler) return void outgoing.writeHead(405, { allow: Object.keys(found.route.handlers).join(', ') }).end();
    if (method !== 'GET' && !allowed(incoming.socket.remoteAddress ?? '')) return void outgoing.writeHead(429, { 'retry-after': '1' }).end();
    const body = await readBody(incoming);
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) if (typeof value === 'string') headers.set(name, value);
    const request = new Request(url, { method, headers, ...(body ? { body: new Uint8Array(body) } : {}) });
    if (method === 'GET' && url.pathname.startsWith('/api/teams/')) countRead(currentUser(request) ?? '');
    const response = await handler(request, { params: found.params });
    /** @type {Record<string, string>} */
    const out = {};
    response.headers.forEach((value, name) => (out[name] = value));
    outgoing.writeHead(response.status, out).end(Buffer.from(await response.arrayBuffer()));
  } catch (error) {
    const status = /** @type {{ status?: number }} */ (error).status ?? 500;
    if (status === 500) console.error(incoming.method, url.pathname, error);
    if (!outgoing.headersSent) outgoing.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: status === 500 ? 'internal error' : String(error) }));
  }
});
server.requestTimeout = 15_000;
server.headersTimeout = 10_000;
server.listen(PORT, '127.0.0.1', () => console.log(`fantasy-auction backend on http://127.0.0.1:${PORT}: sign in at /login?user=u1`));
for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections(); // a page's keep-alive connections would hold the exit
    void pool.end().finally(() => process.exit(0));
  });
}
