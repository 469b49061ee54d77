// @ts-check
/**
 * The food-ordering backend (Node, node:http). The seed's /api/ws endpoint with `?userId=` is
 * gone: the page connects to Herald with nothing but its session cookie, and Herald's connect
 * proxy asks POST /herald/connect here who that cookie belongs to. Every change (an order placed
 * or moved on by the restaurant, a store or product changed) is published after it is applied,
 * in order, under an idempotency key.
 *
 * Environment: PORT (3000), HERALD_URL (server API), HERALD_API_KEY, HERALD_PUBLIC_URL (the
 * Herald URL browsers use; default HERALD_URL), PROXY_SECRET (Herald's
 * proxy.static_headers x-herald-proxy value), KITCHEN_KEY (the restaurant side's key),
 * FOOD_SIMULATE (seconds: every order moves on by itself this often; unset: only by the kitchen API).
 */
import { HeraldApi, proxyHandler, proxyRefusal } from '@herald/server';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Shop, STORES_CHANNEL } from './shop.js';

const PORT = Number(process.env.PORT ?? 3000);
const HERALD_URL = process.env.HERALD_URL ?? 'http://127.0.0.1:8080';
const PROXY_SECRET = process.env.PROXY_SECRET ?? '';
const KITCHEN_KEY = process.env.KITCHEN_KEY ?? '';
const DIST = fileURLToPath(new URL('../web/dist', import.meta.url));
const MAX_BODY_BYTES = 16 * 1024;
const SESSION_COOKIE = 'fo_sid';

if (!PROXY_SECRET) throw new Error('PROXY_SECRET is not set: the connect proxy would admit calls from anyone');
if (!KITCHEN_KEY) throw new Error('KITCHEN_KEY is not set');

// A change waits up to 2 minutes for Herald to take its event (pages poll meanwhile), then is logged as lost.
const herald = new HeraldApi({ url: HERALD_URL, apiKey: process.env.HERALD_API_KEY ?? '', retryDeadlineMs: 120_000 });
const shop = new Shop();
/** Session id → customer id (a real app has its own login and session store). */
const sessions = new Map();
const MAX_SESSIONS = 10_000;
/** A new session; the oldest goes beyond MAX_SESSIONS (a login flood must not grow memory without bound). @param {string} user */
function newSession(user) {
  const sid = randomBytes(16).toString('hex');
  sessions.set(sid, user);
  if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value);
  return sid;
}
/** For operators and the test: REST reads per route, the last connect-proxy calls and publishes. */
const MAX_LOG = 1_000;
/** @template T @param {T[]} log @param {T} entry */
function append(log, entry) {
  log.push(entry);
  if (log.length > MAX_LOG) log.splice(0, log.length - MAX_LOG);
}
const stats = {
  reads: /** @type {Record<string, number>} */ ({}),
  connects: /** @type {{ user: string | null, cookie: boolean, transport: string }[]} */ ([]),
  published: /** @type {{ channel: string, type: string, data: unknown, offset: number, epoch: string }[]} */ ([]),
  pending: 0,
  failed: 0,
};

/** @param {string | undefined} cookieHeader @returns {string | undefined} the customer of that session */
function customerOf(cookieHeader) {
  const sid = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([0-9a-f]{32})`).exec(cookieHeader ?? '')?.[1];
  return sid === undefined ? undefined : sessions.get(sid);
}

/**
 * Publishes what a change caused, after the change, one event at a time (so a page sees them in
 * the order they happened). A publish waits for Herald while it is down (the SDK retries for up
 * to 2 minutes); the request that made the change does not wait for it.
 */
let publishing = Promise.resolve();
let eventSeq = 0;
const bootId = randomBytes(4).toString('hex');
/** @param {import('./shop.js').ShopEvent[]} events */
function publish(events) {
  for (const event of events) {
    const key = `${bootId}-${++eventSeq}`;
    stats.pending += 1;
    publishing = publishing.then(async () => {
      try {
        const { results } = await herald.broadcast(event.channels, event.type, event.data, { idempotencyKey: key });
        for (const r of results) {
          if (r.error) throw new Error(`${r.channel}: ${r.error.code} ${r.error.message}`);
          append(stats.published, { channel: r.channel, type: event.type, data: event.data, offset: r.offset, epoch: r.epoch });
        }
      } catch (error) {
        stats.failed += 1;
        console.error(`publish of ${event.type} failed:`, error);
      } finally {
        stats.pending -= 1;
      }
    });
  }
}

/** Cookie login: Herald forwards the page's cookie; the answer says who it is and what it may subscribe to. */
const connectProxy = proxyHandler(
  'connect',
  (call) => {
    const customer = customerOf(call.headers['cookie']);
    append(stats.connects, { user: customer ?? null, cookie: call.headers['cookie'] !== undefined, transport: call.transport });
    if (!customer) return proxyRefusal('unauthorized', 'not signed in');
    // Their own orders (orders#<id> is user-limited: Herald lets only them in), and the catalogue.
    return { result: { user: customer, channels: [STORES_CHANNEL, 'store:*'], data: { name: shop.customers.get(customer)?.name } } };
  },
  { staticHeaders: { 'x-herald-proxy': PROXY_SECRET } },
);

/** @param {import('node:http').IncomingMessage} request @returns {Promise<Record<string, unknown>>} */
async function body(request) {
  let size = 0;
  const chunks = [];
  for await (const chunk of request) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(chunk);
  }
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}

/** @param {import('node:http').ServerResponse} response @param {number} status @param {unknown} value @param {Record<string, string>} [headers] */
function json(response, status, value, headers = {}) {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(value));
}

/** @param {import('node:http').ServerResponse} response @param {{ error: string } | { events: import('./shop.js').ShopEvent[] }} outcome @param {unknown} [value] */
function changed(response, outcome, value) {
  if ('error' in outcome) return json(response, 400, { error: outcome.error });
  publish(outcome.events);
  return json(response, 200, value ?? outcome);
}

const TYPES = /** @type {Record<string, string>} */ ({ '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' });
/** @param {string} path @param {import('node:http').ServerResponse} response */
function serveFile(path, response) {
  let file = normalize(join(DIST, path));
  if (!file.startsWith(DIST + sep) || !existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html');
  if (!existsSync(file)) return json(response, 404, { error: 'the frontend is not built: npm run build -w food-ordering/web' });
  response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(response);
}

/** The customer's REST API: `read` names the route in the read counters. @param {string} route @param {string} customer @param {import('node:http').IncomingMessage} request @param {import('node:http').ServerResponse} response */
async function customerApi(route, customer, request, response) {
  const read = (/** @type {string} */ name, /** @type {unknown} */ value) => {
    stats.reads[name] = (stats.reads[name] ?? 0) + 1;
    return value === undefined ? json(response, 404, { error: 'not found' }) : json(response, 200, value);
  };
  if (route === 'GET /api/me') return json(response, 200, { customer, name: shop.customers.get(customer)?.name, heraldUrl: process.env.HERALD_PUBLIC_URL ?? HERALD_URL });
  if (route === 'GET /api/stores') return read('stores', [...shop.stores.values()]);
  if (route === 'GET /api/orders') return read('orders', shop.ordersOf(customer));
  if (route === 'POST /api/orders') {
    const placed = shop.placeOrder(customer, await body(request));
    return changed(response, placed, 'order' in placed ? placed.order : undefined);
  }
  const store = /^GET \/api\/stores\/([\w-]{1,20})$/.exec(route)?.[1];
  if (store) return read('store', shop.stores.get(store));
  const products = /^GET \/api\/stores\/([\w-]{1,20})\/products$/.exec(route)?.[1];
  if (products) return read('products', shop.stores.has(products) ? shop.productsOf(products) : undefined);
  const order = /^GET \/api\/orders\/([\w-]{1,20})$/.exec(route)?.[1];
  if (order) {
    const found = shop.orders.get(order);
    return read('order', found?.customerId === customer ? found : undefined);
  }
  return json(response, 404, { error: `no route ${route}` });
}

/** The restaurant's side (its own app in real life; here a keyed API, used by the test and FOOD_SIMULATE). @param {string} route @param {import('node:http').IncomingMessage} request @param {import('node:http').ServerResponse} response */
async function kitchenApi(route, request, response) {
  if (request.headers['x-kitchen-key'] !== KITCHEN_KEY) return json(response, 403, { error: 'kitchen key required' });
  const advance = /^POST \/api\/kitchen\/orders\/([\w-]{1,20})\/advance$/.exec(route)?.[1];
  if (advance) return changed(response, shop.advanceOrder(advance));
  const store = /^POST \/api\/kitchen\/stores\/([\w-]{1,20})$/.exec(route)?.[1];
  if (store) return changed(response, shop.changeStore(store, await body(request)));
  const product = /^POST \/api\/kitchen\/products\/([\w-]{1,20})$/.exec(route)?.[1];
  if (product) return changed(response, shop.changeProduct(product, await body(request)));
  // The whole truth, uncounted: what the test compares the page with.
  if (route === 'GET /api/kitchen/state') {
    return json(response, 200, { stores: [...shop.stores.values()], products: [...shop.products.values()], orders: [...shop.orders.values()], stats });
  }
  return json(response, 404, { error: `no route ${route}` });
}

const server = createServer(async (request, response) => {
  const path = new URL(request.url ?? '/', 'http://x').pathname;
  const route = `${request.method} ${path}`;
  try {
    if (route === 'GET /health') return json(response, 200, { ok: true });
    if (route === 'POST /herald/connect') return await connectProxy(request, response);
    if (path.startsWith('/api/kitchen/')) return await kitchenApi(route, request, response);
    if (route === 'GET /api/customers') return json(response, 200, [...shop.customers.values()]);
    if (route === 'POST /api/login') {
      const { customer } = /** @type {{ customer?: unknown }} */ (await body(request));
      if (typeof customer !== 'string' || !shop.customers.has(customer)) return json(response, 400, { error: 'no such customer' });
      const sid = newSession(customer);
      return json(response, 200, { customer }, { 'set-cookie': `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; SameSite=Lax` });
    }
    if (path.startsWith('/api/')) {
      const customer = customerOf(request.headers.cookie);
      return customer ? await customerApi(route, customer, request, response) : json(response, 401, { error: 'not signed in' });
    }
    if (request.method === 'GET') return serveFile(path, response);
    return json(response, 404, { error: `no route ${route}` });
  } catch (error) {
    console.error(route, error);
    return json(response, 500, { error: 'internal error' });
  }
});
server.requestTimeout = 15_000;
server.headersTimeout = 10_000;
server.listen(PORT, '127.0.0.1', () => console.log(`food-ordering backend on http://127.0.0.1:${PORT} (Herald ${HERALD_URL})`));

const simulate = Number(process.env.FOOD_SIMULATE ?? 0);
if (simulate > 0) {
  // The restaurants at work: every order moves on, one step each period.
  setInterval(() => {
    for (const order of shop.orders.values()) if (order.status !== 'delivered') publish(/** @type {{ events: import('./shop.js').ShopEvent[] }} */ (shop.advanceOrder(order.id)).events);
  }, simulate * 1000).unref();
}
