// @ts-check
/**
 * The match tracker's backend (Node, node:http, PostgreSQL). The seed's Socket.io server is gone:
 * the referee's page publishes to `match:<id>` through Herald, and Herald's publish proxy asks
 * POST /herald/publish here first. That endpoint checks the user's role in this match, applies the
 * action to the match row and stores the event in one transaction, and answers the stored event,
 * which Herald then publishes to every device. Pages load the match and its events over REST.
 *
 * Environment: PORT (3000), DATABASE_URL, HERALD_URL (the server API), HERALD_JWT_HMAC_SECRET,
 * HERALD_PUBLIC_URL (the Herald URL(s) browsers use, comma-separated for several nodes; default
 * HERALD_URL), PROXY_SECRET (Herald's proxy.static_headers x-herald-proxy value),
 * PROXY_BUDGET_MS (2000: a proxy call not done by then stores nothing).
 */
import { proxyHandler, proxyRefusal, tokenHandler } from '@herald/server';
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from './db.js';
import { decide } from './rules.js';

const PORT = Number(process.env.PORT ?? 3000);
const HERALD_URL = process.env.HERALD_URL ?? 'http://127.0.0.1:8080';
const NODES = (process.env.HERALD_PUBLIC_URL ?? HERALD_URL).split(',').map((u) => u.trim()).filter(Boolean);
const SECRET = process.env.HERALD_JWT_HMAC_SECRET ?? '';
const PROXY_SECRET = process.env.PROXY_SECRET ?? '';
// Well inside Herald's proxy.timeout (herald.yaml: 3 s): past it Herald may have told the referee
// that nothing happened, so nothing may be stored.
const BUDGET_MS = Number(process.env.PROXY_BUDGET_MS ?? 2_000);
const DIST = fileURLToPath(new URL('../web/dist', import.meta.url));
const MAX_BODY_BYTES = 16 * 1024;

if (!PROXY_SECRET) throw new Error('PROXY_SECRET is not set: the publish proxy would take calls from anyone');
const db = new Database(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/match_tracker');
await db.setUp();

/** Demo sign-in: session id → user id (a real app has its own login). */
const sessions = new Map();
const MAX_SESSIONS = 10_000;
/** A new session; the oldest goes beyond MAX_SESSIONS (a login flood must not grow memory without bound). @param {string} user */
function newSession(user) {
  const sid = randomBytes(16).toString('hex');
  sessions.set(sid, user);
  if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value);
  return sid;
}
/** For operators and the test: what the proxy decided, and REST reads of a match per user. */
const stats = { accepted: 0, refused: 0, reads: /** @type {Record<string, number>} */ ({}) };

/** @param {import('node:http').IncomingMessage} request @returns {string | undefined} */
function sessionUser(request) {
  const sid = /(?:^|;\s*)mt_sid=([0-9a-f]{32})/.exec(request.headers.cookie ?? '')?.[1];
  return sid === undefined ? undefined : sessions.get(sid);
}

/**
 * Which Herald node a user's devices use: a stable pick per user, standing in for a load balancer
 * that routes by user. All of a user's connections then meet on one node, where Herald's
 * limits.connections_per_user counts them.
 * @param {string} user
 */
function nodeFor(user) {
  let sum = 0;
  for (const ch of user) sum += ch.charCodeAt(0);
  return NODES[sum % NODES.length] ?? HERALD_URL;
}

/** @typedef {import('@herald/server').ProxyAnswer<import('@herald/server').ProxyPublishResult>} Answer */
/** The publish proxy: only the match's referee, only allowed actions, stored before it is published. */
const publishProxy = proxyHandler(
  'publish',
  async (call) => {
    const started = performance.now();
    const matchId = call.channel.slice(call.channel.indexOf(':') + 1);
    const role = await db.roleOf(matchId, call.user);
    if (role !== 'referee') {
      stats.refused += 1;
      return proxyRefusal('permission_denied', `only the referee of match ${matchId} may do that`);
    }
    return db.withMatch(matchId, BUDGET_MS, /** @returns {Promise<{ commit: boolean, value: Answer }>} */ async (match, client) => {
      if (!match) return { commit: false, value: proxyRefusal('not_found', `no match ${matchId}`) };
      const now = new Date();
      const next = decide(match, call.event, call.data, call.user, now);
      if ('error' in next) {
        stats.refused += 1;
        return { commit: false, value: proxyRefusal('bad_request', next.error) };
      }
      await Database.saveEvent(client, next.row, next.data, call.user, now);
      if (performance.now() - started > BUDGET_MS) {
        return { commit: false, value: proxyRefusal('not_available', 'the match database was too slow; try again', true) };
      }
      stats.accepted += 1;
      return { commit: true, value: { result: { data: { ...next.data, recorded_at: now.toISOString() } } } };
    });
  },
  { staticHeaders: { 'x-herald-proxy': PROXY_SECRET } },
);

/** Browser tokens: subscribe to the matches the user has a role in (publishing is the proxy's call); the name shows in presence. */
const heraldToken = tokenHandler(
  async (/** @type {import('node:http').IncomingMessage} */ request) => {
    const user = sessionUser(request);
    if (!user) return null;
    const [matches, name] = await Promise.all([db.matchesOf(user), db.userName(user)]);
    return { user, channels: matches.map((m) => `match:${m.id}`), info: { name }, ttl: 3600 };
  },
  SECRET,
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

const TYPES = /** @type {Record<string, string>} */ ({ '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' });
/** @param {string} path @param {import('node:http').ServerResponse} response */
function serveFile(path, response) {
  let file = normalize(join(DIST, path));
  if (!file.startsWith(DIST + sep) || !existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html');
  if (!existsSync(file)) return json(response, 404, { error: 'the frontend is not built: npm run build -w match-tracker/web' });
  response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(response);
}

/** @param {string} matchId @param {string} user */
async function matchView(matchId, user) {
  const [role, view] = await Promise.all([db.roleOf(matchId, user), db.matchWithEvents(matchId)]);
  if (!role || !view) return undefined;
  return { ...view, role };
}

const server = createServer(async (request, response) => {
  const path = new URL(request.url ?? '/', 'http://x').pathname;
  const route = `${request.method} ${path}`;
  try {
    if (route === 'GET /health') return json(response, 200, { ok: true });
    if (route === 'POST /herald/publish') return await publishProxy(request, response);
    if (route === 'GET /api/users') return json(response, 200, await db.users());
    if (route === 'POST /api/login') {
      const { user } = /** @type {{ user?: unknown }} */ (await body(request));
      if (typeof user !== 'string' || !(await db.userName(user))) return json(response, 400, { error: 'no such user' });
      const sid = newSession(user);
      return json(response, 200, { user }, { 'set-cookie': `mt_sid=${sid}; Path=/; HttpOnly; SameSite=Lax` });
    }
    // For operators and the test: what the proxy decided, reads per user, and a match's truth (not counted as a read).
    if (route === 'GET /api/stats') return json(response, 200, stats);
    const truth = /^GET \/api\/stats\/matches\/([\w-]{1,40})$/.exec(route);
    if (truth?.[1]) return json(response, 200, (await db.matchWithEvents(truth[1])) ?? null);

    const user = sessionUser(request);
    if (path.startsWith('/api/') && !user) return json(response, 401, { error: 'not signed in' });
    if (user) {
      if (route === 'GET /api/me') return json(response, 200, { user, name: await db.userName(user) });
      if (route === 'GET /api/config') return json(response, 200, { heraldUrl: nodeFor(user) });
      if (route === 'POST /api/herald-token') return await heraldToken(request, response);
      if (route === 'GET /api/matches') return json(response, 200, await db.matchesOf(user));
      const match = /^GET \/api\/matches\/([\w-]{1,40})$/.exec(route);
      if (match?.[1]) {
        stats.reads[user] = (stats.reads[user] ?? 0) + 1;
        const view = await matchView(match[1], user);
        return view ? json(response, 200, view) : json(response, 404, { error: `no match ${match[1]} of yours` });
      }
    }
    if (request.method === 'GET' && !path.startsWith('/api/')) return serveFile(path, response);
    return json(response, 404, { error: `no route ${route}` });
  } catch (error) {
    console.error(route, error);
    return json(response, 500, { error: 'internal error' });
  }
});
server.requestTimeout = 15_000;
server.headersTimeout = 10_000;
server.listen(PORT, '127.0.0.1', () => console.log(`match-tracker backend on http://127.0.0.1:${PORT} (Herald ${NODES.join(', ')})`));
