/**
 * The client's side of the server's backend proxy: `rpc` (WebSocket command and `POST /rpc`),
 * `connected.data`, `subscribed.data`, connecting with no token, and the `credentials` mode of the
 * HTTP requests. Against the scripted WebSocket server and the in-memory fetch; the real server
 * and backend are in integration.proxy.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ClientErrorCode, HeraldClient, HeraldError, HeraldErrorCode, type ClientOptions, type ConnectedInfo, type FetchLike } from '../src/index.js';
import { FakeHttp, json } from './fake-http.js';
import { ScriptedServer, until } from './scripted-server.js';

let server: ScriptedServer;
const clients: HeraldClient[] = [];

beforeEach(async () => {
  server = await ScriptedServer.start();
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await server.stop();
});

function newClient(options: Partial<ClientOptions> = {}): HeraldClient {
  const client = new HeraldClient({ url: server.url, WebSocket, lifecycle: null, pingInterval: 0, ...options });
  clients.push(client);
  return client;
}

async function connected(client: HeraldClient): Promise<void> {
  client.connect();
  await until(() => client.state === 'connected', 'connected');
}

async function rejection(promise: Promise<unknown>): Promise<HeraldError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof HeraldError)) throw new Error(`expected a HeraldError, got ${String(error)}`);
  return error;
}

describe('connect proxy', () => {
  it('connects with no token and no getToken, sending connectData, and exposes connected.data', async () => {
    server.script = { connected: { data: { name: 'Ada' } } };
    const client = newClient({ connectData: { page: 'menu' } });
    const events: ConnectedInfo[] = [];
    client.on('connected', (info) => events.push(info));
    await connected(client);
    const connect = server.last.received[0];
    expect(connect).toEqual({ type: 'connect', data: { page: 'menu' } });
    expect(client.connection).toEqual({ client: 'c_1', user: '42', transport: 'websocket', data: { name: 'Ada' } });
    expect(events).toEqual([client.connection]);
  });

  it('leaves connection.data out when the server sent none', async () => {
    const client = newClient();
    await connected(client);
    expect(server.last.received[0]).toEqual({ type: 'connect' });
    expect(client.connection).not.toHaveProperty('data');
  });
});

describe('subscribed.data', () => {
  it('is the data of the subscribe reply', async () => {
    server.script = { subscribed: { data: { table: 7 } } };
    const client = newClient();
    await connected(client);
    const sub = client.channel('menu:today', { subscribe: false });
    expect(sub.data).toBeUndefined();
    await sub.subscribe().ready();
    expect(sub.data).toEqual({ table: 7 });
  });

  it('follows a server-made subscribed, and a later one without data clears it', async () => {
    const client = newClient();
    await connected(client);
    // A server-made subscription (no id) with data: the same path a reply takes.
    server.last.send({ type: 'subscribed', channel: 'menu:today', offset: 3, epoch: 'e1', data: { table: 7 } });
    const sub = client.channel('menu:today', { subscribe: false });
    await until(() => sub.state === 'subscribed', 'subscribed');
    expect(sub.data).toEqual({ table: 7 });
    server.last.send({ type: 'subscribed', channel: 'menu:today', offset: 3, epoch: 'e1', recovered: true });
    await until(() => sub.data === undefined, 'the data of the later subscribed');
  });
});

describe('rpc over the WebSocket', () => {
  it('sends the rpc command and resolves with the reply data', async () => {
    const client = newClient({ token: 't' });
    await connected(client);
    const answer = client.rpc('place_order', { dish: 'soup' });
    await until(() => server.last.received.some((f) => f.type === 'rpc'), 'the rpc command');
    const command = server.last.received.find((f) => f.type === 'rpc')!;
    expect(command).toEqual({ type: 'rpc', id: command.id, method: 'place_order', data: { dish: 'soup' } });
    server.last.send({ type: 'rpc', id: command.id, data: { order: 'o-1' } });
    expect(await answer).toEqual({ order: 'o-1' });
  });

  it('resolves null for a reply without data and leaves data out of a call without it', async () => {
    const client = newClient();
    await connected(client);
    const answer = client.rpc('ping_backend');
    await until(() => server.last.received.some((f) => f.type === 'rpc'), 'the rpc command');
    const command = server.last.received.find((f) => f.type === 'rpc')!;
    expect(command).not.toHaveProperty('data');
    server.last.send({ type: 'rpc', id: command.id });
    expect(await answer).toBeNull();
  });

  it('rejects with the error frame code and temporary flag', async () => {
    const client = newClient();
    await connected(client);
    const answer = client.rpc('place_order', {});
    await until(() => server.last.received.some((f) => f.type === 'rpc'), 'the rpc command');
    const { id } = server.last.received.find((f) => f.type === 'rpc')!;
    server.last.send({ type: 'error', id, code: 'permission_denied', message: 'closed today', temporary: false });
    const error = await rejection(answer);
    expect([error.code, error.message, error.temporary]).toEqual([HeraldErrorCode.PermissionDenied, 'closed today', false]);
  });

  it('rejects with timeout when no reply comes in time, and ignores the late reply', async () => {
    const client = newClient();
    await connected(client);
    const error = await rejection(client.rpc('slow', null, { timeout: 50 }));
    expect([error.code, error.temporary]).toEqual([ClientErrorCode.Timeout, true]);
    const { id } = server.last.received.find((f) => f.type === 'rpc')!;
    server.last.send({ type: 'rpc', id, data: 'late' });
    await new Promise((r) => setTimeout(r, 20));
    expect(client.state).toBe('connected');
  });

  it('rejects with connection_lost when the connection drops before the reply', async () => {
    const client = newClient({ minReconnectDelay: 10_000, maxReconnectDelay: 10_000 });
    await connected(client);
    const answer = client.rpc('place_order');
    await until(() => server.last.received.some((f) => f.type === 'rpc'), 'the rpc command');
    server.last.drop();
    expect((await rejection(answer)).code).toBe(ClientErrorCode.ConnectionLost);
  });

  it('refuses a bad method name and a call while not connected, sending nothing', async () => {
    const client = newClient();
    expect((await rejection(client.rpc('place_order'))).code).toBe(ClientErrorCode.ConnectionLost);
    await connected(client);
    for (const method of ['', 'has space', 'x'.repeat(65)]) {
      expect((await rejection(client.rpc(method))).code).toBe(HeraldErrorCode.BadRequest);
    }
    expect(server.last.received.filter((f) => f.type === 'rpc')).toEqual([]);
  });

  it('still delivers a publication whose event is named rpc', async () => {
    const client = newClient();
    await connected(client);
    const sub = client.channel('menu:today');
    await sub.ready();
    const seen: unknown[] = [];
    sub.on('rpc', (data) => seen.push(data));
    server.last.send({ type: 'rpc', channel: 'menu:today', data: 'x', offset: 1, epoch: 'e1', timestamp: new Date(0).toISOString() });
    await until(() => seen.length === 1, 'the publication');
    expect(seen).toEqual(['x']);
  });
});

describe('rpc and credentials over HTTP (SSE transport)', () => {
  function httpClient(rpcAnswer: (body: Record<string, unknown>, init: RequestInit | undefined) => Promise<Response> | Response, options: Partial<ClientOptions> = {}) {
    const http = new FakeHttp();
    const seen: Array<{ path: string; init: RequestInit | undefined }> = [];
    const fetch: FetchLike = async (input, init) => {
      const url = new URL(input);
      seen.push({ path: url.pathname, init });
      if (url.pathname === '/rpc') return rpcAnswer(JSON.parse(String(init?.body)) as Record<string, unknown>, init);
      return http.fetch(input, init);
    };
    const client = newClient({ transports: ['sse'], fetch, ...options });
    return { client, http, seen };
  }

  async function sseConnected(client: HeraldClient, http: FakeHttp, frame: Record<string, unknown> = {}): Promise<void> {
    client.connect();
    await until(() => http.streams.length === 1, 'the /sse request');
    http.lastStream.send({ type: 'connected', client: 'c_9', user: '42', ...frame });
    await until(() => client.state === 'connected', 'connected');
  }

  it('POSTs /rpc with the page credentials and no Authorization without a token, and reads connected.data from the stream', async () => {
    const { client, http, seen } = httpClient(() => json(200, { type: 'rpc', id: 1, data: { order: 'o-2' } }), { credentials: 'include' });
    await sseConnected(client, http, { data: { name: 'Ada' } });
    expect(client.connection?.data).toEqual({ name: 'Ada' });
    expect(await client.rpc('place_order', { dish: 'tea' })).toEqual({ order: 'o-2' });
    const rpc = seen.find((s) => s.path === '/rpc')!;
    expect(JSON.parse(String(rpc.init?.body))).toEqual({ type: 'rpc', id: 1, method: 'place_order', data: { dish: 'tea' } });
    expect(rpc.init?.method).toBe('POST');
    expect(rpc.init?.headers).toEqual({ 'content-type': 'application/json' });
    expect(seen.map((s) => [s.path, s.init?.credentials])).toEqual([
      ['/sse', 'include'],
      ['/rpc', 'include'],
    ]);
    expect(http.streams[0]!.url.searchParams.has('token')).toBe(false);
  });

  it('sends the bearer token when there is one and no credentials mode unless configured', async () => {
    const { client, http, seen } = httpClient(() => json(200, { type: 'rpc', id: 1, data: 1 }), { token: 'jwt-1' });
    await sseConnected(client, http);
    expect(await client.rpc('count')).toBe(1);
    const rpc = seen.find((s) => s.path === '/rpc')!;
    expect(rpc.init?.headers).toEqual({ 'content-type': 'application/json', authorization: 'Bearer jwt-1' });
    expect(rpc.init).not.toHaveProperty('credentials');
  });

  it('rejects with the code of the error frame and its HTTP status', async () => {
    const { client, http } = httpClient(() => json(403, { type: 'error', id: 1, code: 'permission_denied', message: 'staff only', temporary: false }));
    await sseConnected(client, http);
    const error = await rejection(client.rpc('place_order'));
    expect([error.code, error.message]).toEqual([HeraldErrorCode.PermissionDenied, 'staff only']);
  });

  it('rejects a 503 without a Herald body as not_available, temporary', async () => {
    const { client, http } = httpClient(() => new Response('<html>bad gateway</html>', { status: 503 }));
    await sseConnected(client, http);
    const error = await rejection(client.rpc('place_order'));
    expect([error.code, error.temporary]).toEqual([HeraldErrorCode.NotAvailable, true]);
  });

  it('aborts the request and rejects with timeout when the answer is late', async () => {
    let aborted = false;
    const { client, http } = httpClient(
      (_body, init) =>
        new Promise<Response>((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new DOMException('aborted', 'AbortError'));
          }),
        ),
    );
    await sseConnected(client, http);
    const error = await rejection(client.rpc('slow', null, { timeout: 50 }));
    expect([error.code, aborted]).toEqual([ClientErrorCode.Timeout, true]);
  });

  it('rejects a 200 that is not an rpc frame as bad_response', async () => {
    const { client, http } = httpClient(() => json(200, { hello: 1 }));
    await sseConnected(client, http);
    expect((await rejection(client.rpc('place_order'))).code).toBe(ClientErrorCode.BadResponse);
  });
});
