/**
 * The real Herald server (jar) with its backend proxy pointed at a real HTTP backend in this test
 * (node:http): the backend admits the cookie `sid=abc` as user 42, gives subscribes of `menu:*`
 * data (refusing `menu:secret`) and answers rpc methods. The client connects with no token at all,
 * on each transport.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  ClientErrorCode,
  CloseCode,
  HeraldClient,
  HeraldError,
  HeraldErrorCode,
  type ClientOptions,
  type FetchLike,
  type TransportKind,
  type WebSocketConstructor,
} from '../src/index.js';
import { HeraldServer, until } from '../../test-support/herald-server.js';

interface Call {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly cookie: string | undefined;
}

let server: HeraldServer;
let backend: Server;
const calls: Call[] = [];
const clients: HeraldClient[] = [];
let orders = 0;
let seq = 0;

function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => resolve(JSON.parse(text) as Record<string, unknown>));
    request.on('error', reject);
  });
}

/** The application's backend: what a session store and an order service would answer. */
async function answer(path: string, body: Record<string, unknown>, cookie: string | undefined): Promise<[number, unknown]> {
  switch (path) {
    case '/connect':
      if (cookie !== 'sid=abc') return [401, 'no session'];
      return [200, { result: { user: '42', data: { name: 'Ada', page: (body.data as { page?: string } | undefined)?.page ?? null } } }];
    case '/subscribe':
      if (body.channel === 'menu:secret') return [200, { error: { code: 'permission_denied', message: 'staff only' } }];
      return [200, { result: { data: { table: 7 } } }];
    case '/rpc': {
      const data = body.data as { dish?: string } | null;
      if (body.method === 'place_order') return [200, { result: { data: { order: `o-${++orders}`, dish: data?.dish ?? null, user: body.user } } }];
      if (body.method === 'refuse') return [200, { error: { code: 'permission_denied', message: 'kitchen closed' } }];
      if (body.method === 'slow') {
        await new Promise((r) => setTimeout(r, 2_500)); // past proxy.timeout (1s)
        return [200, { result: { data: 'too late' } }];
      }
      return [200, { result: {} }];
    }
    default:
      return [404, 'not found'];
  }
}

beforeAll(async () => {
  backend = createServer((request, response) => {
    void readBody(request).then(async (body) => {
      const path = request.url ?? '';
      calls.push({ path, body, cookie: request.headers.cookie });
      const [status, reply] = await answer(path, body, request.headers.cookie);
      const text = typeof reply === 'string' ? reply : JSON.stringify(reply);
      response.writeHead(status, { 'content-type': typeof reply === 'string' ? 'text/plain' : 'application/json' }).end(text);
    });
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const address = backend.address();
  if (typeof address !== 'object' || !address) throw new Error('no backend address');
  const base = `http://127.0.0.1:${address.port}`;
  server = await HeraldServer.start(`
allowed_origins: ["*"]
namespace_defaults:
  public: true
  history_size: 100
  history_ttl: 5m
namespaces:
  menu:
    subscribe_proxy: true
proxy:
  connect: {url: "${base}/connect"}
  subscribe: {url: "${base}/subscribe"}
  rpc: {url: "${base}/rpc"}
  headers: [cookie]
  timeout: 1s
`);
});
afterAll(async () => {
  for (const client of clients.splice(0)) client.close();
  await server?.stop();
  await new Promise((resolve) => backend?.close(resolve));
});

/** A `ws` WebSocket that sends the page's cookie with the upgrade, as a browser does. */
function cookieWebSocket(cookie: string): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { headers: { cookie } });
    }
  };
}

/** Node's fetch has no cookie jar: this one adds the page's cookie to every request. */
function cookieFetch(cookie: string): FetchLike {
  return (input, init) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), cookie } });
}

function newClient(kind: TransportKind, cookie = 'sid=abc', options: Partial<ClientOptions> = {}): HeraldClient {
  const client = new HeraldClient({
    url: server.url,
    transports: [kind],
    WebSocket: cookieWebSocket(cookie),
    fetch: cookieFetch(cookie),
    lifecycle: null,
    minReconnectDelay: 50,
    maxReconnectDelay: 200,
    pollTimeout: 2,
    ...options,
  });
  clients.push(client);
  return client;
}

function menu(): string {
  return `menu:p${process.pid}x${++seq}`;
}

async function rejection(promise: Promise<unknown>): Promise<HeraldError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HeraldError)) throw new Error(`expected a HeraldError, got ${String(error)}`);
  return error;
}

describe('connect proxy and rpc on the WebSocket, no token', () => {
  it('connects by cookie with connectData, gets connected.data and subscribed.data, receives, and calls rpc', async () => {
    const client = newClient('websocket', 'sid=abc', { connectData: { page: 'menu' } });
    const channel = menu();
    const sub = client.channel(channel);
    const seen: unknown[] = [];
    sub.onPublication((p) => seen.push(p.data));
    client.connect();
    await sub.ready();
    expect(client.connection).toMatchObject({ user: '42', transport: 'websocket', data: { name: 'Ada', page: 'menu' } });
    const connect = calls.filter((c) => c.path === '/connect').at(-1)!;
    expect(connect.body).toMatchObject({ client: client.connection?.client, transport: 'ws', headers: { cookie: 'sid=abc' }, data: { page: 'menu' } });
    expect(connect.cookie).toBe('sid=abc');
    expect(sub.data).toEqual({ table: 7 });

    await server.publish(channel, 'special', { dish: 'soup' });
    await until(() => seen.length === 1, 'the publication');
    expect(seen).toEqual([{ dish: 'soup' }]);

    const order = await client.rpc<{ order: string; dish: string; user: string }>('place_order', { dish: 'tea' });
    expect(order).toMatchObject({ dish: 'tea', user: '42' });
    expect(calls.filter((c) => c.path === '/rpc').at(-1)!.body).toEqual({ client: client.connection?.client, user: '42', method: 'place_order', data: { dish: 'tea' } });
  });

  it('rejects a refused rpc with the backend code, a slow backend with not_available, and a refused subscribe alone', async () => {
    const client = newClient('websocket');
    client.connect();
    await until(() => client.state === 'connected', 'connected');
    const refused = await rejection(client.rpc('refuse', {}));
    expect([refused.code, refused.message, refused.temporary]).toEqual([HeraldErrorCode.PermissionDenied, 'kitchen closed', false]);
    const slow = await rejection(client.rpc('slow'));
    expect([slow.code, slow.temporary]).toEqual([HeraldErrorCode.NotAvailable, true]);
    const secret = client.channel('menu:secret');
    const errors: HeraldError[] = [];
    secret.onError((e) => errors.push(e));
    await until(() => errors.length === 1, 'the refused subscribe');
    expect([errors[0]!.code, errors[0]!.message, secret.state]).toEqual([HeraldErrorCode.PermissionDenied, 'staff only', 'unsubscribed']);
    expect(client.state).toBe('connected');
    expect(await client.rpc('noop')).toBeNull();
  });

  it('times out on the client side when its own deadline is shorter than the proxy timeout', async () => {
    const client = newClient('websocket');
    client.connect();
    await until(() => client.state === 'connected', 'connected');
    const error = await rejection(client.rpc('slow', null, { timeout: 200 }));
    expect(error.code).toBe(ClientErrorCode.Timeout);
  });

  it('stays disconnected with 4003 unauthorized when the backend refuses the cookie', async () => {
    const client = newClient('websocket', 'sid=wrong');
    const errors: HeraldError[] = [];
    client.on('error', (e) => errors.push(e));
    client.connect();
    await until(() => client.state === 'disconnected', 'disconnected');
    expect(errors.map((e) => [e.code, e.closeCode])).toEqual([[HeraldErrorCode.Unauthorized, CloseCode.Unauthorized]]);
  });
});

describe.each<TransportKind>(['sse', 'polling'])('connect proxy and POST /rpc on %s, no token', (kind) => {
  it('connects by cookie, receives, and calls rpc over HTTP', async () => {
    const client = newClient(kind);
    const channel = menu();
    const sub = client.channel(channel);
    const seen: unknown[] = [];
    sub.onPublication((p) => seen.push(p.data));
    client.connect();
    await sub.ready();
    expect(client.transportKind).toBe(kind);
    if (kind === 'sse') expect(client.connection?.data).toEqual({ name: 'Ada', page: null });
    await server.publish(channel, 'special', { dish: 'soup' });
    await until(() => seen.length === 1, 'the publication');

    const before = calls.length;
    const order = await client.rpc<{ user: string; dish: string }>('place_order', { dish: 'tea' });
    expect(order).toMatchObject({ user: '42', dish: 'tea' });
    // Each HTTP request is admitted through the connect proxy by its cookie, then the rpc is asked.
    // (on polling the long-polls go on meanwhile, each asking /connect and /subscribe with transport poll).
    const made = calls.slice(before).filter((c) => c.path === '/rpc' || c.body.transport === 'http');
    expect(made.map((c) => c.path)).toEqual(['/connect', '/rpc']);
    expect(made[0]!.body).toMatchObject({ transport: 'http', headers: { cookie: 'sid=abc' } });
    expect(made[1]!.body).toMatchObject({ client: made[0]!.body.client, user: '42', method: 'place_order', data: { dish: 'tea' } });
    const refused = await rejection(client.rpc('refuse'));
    expect(refused.code).toBe(HeraldErrorCode.PermissionDenied);
  });

  it('rejects the rpc with unauthorized once the backend no longer knows the cookie (asked per request)', async () => {
    let cookie = 'sid=abc';
    const client = newClient(kind, 'sid=abc', { fetch: (input, init) => cookieFetch(cookie)(input, init) });
    const sub = client.channel(menu());
    client.connect();
    await sub.ready();
    cookie = 'sid=wrong'; // the session ended
    const error = await rejection(client.rpc('place_order'));
    expect(error.code).toBe(HeraldErrorCode.Unauthorized);
  });
});
