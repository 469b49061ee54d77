// @ts-check
/**
 * The F1 live-timing backend (Node, node:http): REST standings, a token endpoint, and every change
 * of the race applied to its state and then published to Herald (the seed's hand-written `ws`
 * server is gone). It also serves the built frontend (../web/dist).
 *
 * Environment: PORT (3000), HERALD_URL, HERALD_API_KEY, HERALD_JWT_HMAC_SECRET,
 * HERALD_PUBLIC_URL (the Herald URL the browser uses; default HERALD_URL), F1_SIMULATE (events per
 * second of a race that starts by itself 3 s after boot; unset: start it with POST /api/session/start),
 * WEB_DIST (the built frontend to serve; default ../web/dist).
 */
import { HeraldApi, createToken } from '@herald/server';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apply, newSession, nextEvent, random } from './race.js';

const PORT = Number(process.env.PORT ?? 3000);
const HERALD_URL = process.env.HERALD_URL ?? 'http://127.0.0.1:8080';
const SECRET = process.env.HERALD_JWT_HMAC_SECRET ?? '';
const DIST = resolve(process.env.WEB_DIST ?? fileURLToPath(new URL('../web/dist', import.meta.url)));
const MAX_BODY_BYTES = 16 * 1024;
const MAX_RATE = 200;
const MAX_BURST_SECONDS = 30;

const herald = new HeraldApi({ url: HERALD_URL, apiKey: process.env.HERALD_API_KEY ?? '' });
const session = newSession();
const channel = `race:${session.id}`;
const rnd = random(2026);
const stats = { published: 0, failed: 0, sessionReads: 0 };

/**
 * Every change goes through here, one at a time: applied to the state (the "database write"),
 * then published under an idempotency key, so Herald's offsets follow `seq` and a retry after a
 * lost answer publishes once. The publish retries while Herald is down (the SDK's deadline, 30 s).
 */
let changes = Promise.resolve();
/** @param {() => import('./race.js').RaceEvent} make */
function change(make) {
  const done = changes.then(async () => {
    const event = make();
    apply(session, event);
    try {
      await herald.publish(channel, event.type, event.data, { idempotencyKey: `${session.id}-${event.data.seq}` });
      stats.published += 1;
    } catch (error) {
      stats.failed += 1;
      console.error(`publish of change ${event.data.seq} (${event.type}) failed:`, error);
    }
  });
  changes = done.catch((error) => console.error('change failed:', error));
  return done;
}

/** @param {import('./race.js').SessionStatus} status */
const setStatus = (status) => change(() => ({ type: 'session_update', data: { seq: session.seq + 1, status } }));

let bursting = false;
/** `rate` events per second for `seconds`; a publish that waits for Herald delays the ones after it, none is skipped. @param {number} rate @param {number} seconds */
async function burst(rate, seconds) {
  const count = Math.round(rate * seconds);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await change(() => nextEvent(session, rnd));
  }
  return count;
}

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

/** @param {import('node:http').ServerResponse} response @param {number} status @param {unknown} value */
function json(response, status, value) {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(value));
}

const TYPES = /** @type {Record<string, string>} */ ({ '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' });
/** @param {string} path @param {import('node:http').ServerResponse} response */
function serveFile(path, response) {
  let file = normalize(join(DIST, path));
  if (!file.startsWith(DIST + sep) || !existsSync(file) || statSync(file).isDirectory()) file = join(DIST, 'index.html');
  if (!existsSync(file)) return json(response, 404, { error: 'the frontend is not built: npm run build -w f1-live-timing/web' });
  response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(response);
}

const server = createServer(async (request, response) => {
  const path = new URL(request.url ?? '/', 'http://x').pathname;
  const route = `${request.method} ${path}`;
  try {
    if (route === 'GET /health') return json(response, 200, { ok: true });
    if (route === 'GET /api/config') return json(response, 200, { heraldUrl: process.env.HERALD_PUBLIC_URL ?? HERALD_URL, channel });
    if (route === 'GET /api/session') {
      stats.sessionReads += 1;
      return json(response, 200, session);
    }
    // Your session check goes here; live timing is public, so every visitor may read the race channel.
    if (route === 'POST /api/herald-token') return json(response, 200, { token: createToken({ user: '', channels: ['race:*'], ttl: 3600 }, SECRET) });
    // For operators (and the test): the counters and the current state, without counting as a read.
    if (route === 'GET /api/stats') return json(response, 200, { ...stats, session });
    if (route === 'POST /api/session/start') return (await setStatus('live'), json(response, 200, { seq: session.seq }));
    if (route === 'POST /api/session/finish') return (await setStatus('finished'), json(response, 200, { seq: session.seq }));
    if (route === 'POST /api/burst') {
      const { rate = 50, seconds = 3 } = /** @type {{ rate?: number, seconds?: number }} */ (await body(request));
      if (!(rate > 0 && rate <= MAX_RATE && seconds > 0 && seconds <= MAX_BURST_SECONDS)) return json(response, 400, { error: `rate 1..${MAX_RATE}, seconds 1..${MAX_BURST_SECONDS}` });
      if (bursting) return json(response, 409, { error: 'a burst is running' });
      bursting = true;
      try {
        const count = await burst(rate, seconds);
        await changes;
        return json(response, 200, { count, seq: session.seq, ...stats });
      } finally {
        bursting = false;
      }
    }
    if (request.method === 'GET' && !path.startsWith('/api/')) return serveFile(path, response);
    return json(response, 404, { error: `no route ${route}` });
  } catch (error) {
    console.error(route, error);
    return json(response, 400, { error: String(error) });
  }
});
server.requestTimeout = 60_000;
server.listen(PORT, '127.0.0.1', () => console.log(`f1-live-timing backend on http://127.0.0.1:${PORT} (Herald ${HERALD_URL})`));

const simulate = Number(process.env.F1_SIMULATE ?? 0);
if (simulate > 0) {
  setTimeout(async () => {
    await setStatus('live');
    for (;;) await burst(Math.min(simulate, MAX_RATE), 60);
  }, 3_000);
}
