// What the client does after each close code of the protocol (1.1, "Close codes, one per
// cause"), on every transport: WebSocket against the scripted server, SSE and polling through an
// in-memory fetch. Fake timers stand for the long waits.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import {
  ClientErrorCode,
  CloseCode,
  HeraldClient,
  HeraldErrorCode,
  LocalCloseCode,
  type ClientOptions,
  type ClientState,
  type StateChange,
} from '../src/index.js';
import { FakeHttp, held, json } from './fake-http.js';
import { FakePage, ScriptedServer, publication, until } from './scripted-server.js';

let server: ScriptedServer;
let http: FakeHttp;
const clients: HeraldClient[] = [];

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  server = await ScriptedServer.start();
  http = new FakeHttp();
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  vi.useRealTimers();
  await server.stop();
});

function newClient(options: Partial<ClientOptions> = {}): HeraldClient {
  const client = new HeraldClient({
    url: server.url,
    WebSocket,
    fetch: http.fetch,
    token: 'token-1',
    lifecycle: null,
    minReconnectDelay: 1000,
    maxReconnectDelay: 8000,
    random: () => 0,
    pingInterval: 0,
    ...options,
  });
  clients.push(client);
  return client;
}

function recordStates(client: HeraldClient): Array<StateChange<ClientState>> {
  const changes: Array<StateChange<ClientState>> = [];
  client.on('state', (change) => changes.push(change));
  return changes;
}

async function connected(client: HeraldClient): Promise<void> {
  client.connect();
  await until(() => client.state === 'connected', 'connected');
}

/** Lets sockets and promises settle without moving the fake clock. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/**
 * Ten minutes of fake time in steps, with the page going hidden, visible and online in between:
 * everything that could bring a client back by itself gets its chance.
 */
async function waitOutEveryRetry(page: FakePage): Promise<void> {
  for (let step = 0; step < 20; step++) {
    vi.advanceTimersByTime(30_000);
    page.setHidden(step % 2 === 0);
    page.goOnline();
    await settle();
  }
  page.setHidden(false);
}

describe('close 4010 (disconnected by the application) on the WebSocket', () => {
  it('stays disconnected after reconnect:false: no getToken, no retry, until the app calls connect()', async () => {
    const page = new FakePage();
    const getToken = vi.fn(async () => 'token-from-getToken');
    const client = newClient({ getToken, lifecycle: page });
    const states = recordStates(client);
    await connected(client);
    server.last.disconnect(CloseCode.ApplicationDisconnect, 'banned by the moderator', false);
    await until(() => client.state === 'disconnected', 'disconnected');
    expect(states.at(-1)).toEqual({ old: 'connected', new: 'disconnected', code: 4010, reason: 'banned by the moderator' });
    expect(client.lastError).toMatchObject({ code: ClientErrorCode.ConnectionClosed, closeCode: 4010, message: 'banned by the moderator', temporary: false });

    await waitOutEveryRetry(page);
    expect(client.state).toBe('disconnected');
    expect(server.connections).toHaveLength(1);
    expect(getToken).not.toHaveBeenCalled();
    expect(client.nextReconnectAt).toBeUndefined();

    await connected(client);
    expect(server.connections).toHaveLength(2);
    expect(server.last.received[0]).toMatchObject({ type: 'connect', token: 'token-1' });
    expect(getToken).not.toHaveBeenCalled();
  });

  it('stays disconnected after a 4010 close that came without its disconnect push (the default is reconnect:false)', async () => {
    const getToken = vi.fn(async () => 'token-from-getToken');
    const client = newClient({ getToken });
    const states = recordStates(client);
    await connected(client);
    server.last.close(CloseCode.ApplicationDisconnect, 'kicked');
    await until(() => client.state === 'disconnected', 'disconnected');
    expect(states.at(-1)).toEqual({ old: 'connected', new: 'disconnected', code: 4010, reason: 'kicked' });
    vi.advanceTimersByTime(600_000);
    await settle();
    expect(server.connections).toHaveLength(1);
    expect(getToken).not.toHaveBeenCalled();
  });

  it('reconnects with backoff after reconnect:true, with the same token and no getToken call', async () => {
    const getToken = vi.fn(async () => 'token-from-getToken');
    const client = newClient({ getToken });
    const states = recordStates(client);
    const sub = client.channel('match:1');
    await connected(client);
    await until(() => sub.state === 'subscribed', 'subscribed');
    server.last.send(publication('match:1', 1));
    await until(() => sub.position?.offset === 1, 'offset 1');
    server.last.disconnect(CloseCode.ApplicationDisconnect, 'moved to another node', true);
    await until(() => client.state === 'reconnecting', 'reconnecting');
    expect(states.at(-1)).toEqual({ old: 'connected', new: 'reconnecting', code: 4010, reason: 'moved to another node' });
    expect(client.nextReconnectAt).toBe(Date.now() + 1000);
    vi.advanceTimersByTime(999);
    await settle();
    expect(server.connections).toHaveLength(1);
    vi.advanceTimersByTime(1);
    await until(() => client.state === 'connected' && sub.state === 'subscribed', 'connected and subscribed again');
    expect(server.last.received[0]).toMatchObject({ type: 'connect', token: 'token-1' });
    expect(server.last.received.find((f) => f.type === 'subscribe')).toMatchObject({ since: { offset: 1, epoch: 'e1' } });
    expect(getToken).not.toHaveBeenCalled();
  });
});

describe('the other close codes on the WebSocket', () => {
  it.each([
    [CloseCode.Shutdown, 'server shutting down; reconnect'],
    [CloseCode.Internal, 'internal error'],
    [CloseCode.SlowConsumer, 'slow consumer'],
    [CloseCode.ContinuityLost, 'stream lost continuity'],
    [CloseCode.ConnectionLimit, 'server connection limit reached; retry later'],
    [CloseCode.FrameTooLarge, 'frame larger than max_frame_size'],
  ])('reconnects with backoff after %i with reconnect:true, the state event carrying code and reason', async (code, reason) => {
    const getToken = vi.fn(async () => 'token-from-getToken');
    const client = newClient({ getToken });
    const states = recordStates(client);
    await connected(client);
    server.last.disconnect(code, reason, true);
    await until(() => client.state === 'reconnecting', 'reconnecting');
    expect(states.at(-1)).toEqual({ old: 'connected', new: 'reconnecting', code, reason });
    vi.advanceTimersByTime(1000);
    await until(() => client.state === 'connected', 'connected again');
    expect(server.connections).toHaveLength(2);
    expect(server.last.received[0]).toMatchObject({ type: 'connect', token: 'token-1' });
    expect(getToken).not.toHaveBeenCalled();
  });

  it.each([CloseCode.Internal, CloseCode.ContinuityLost, CloseCode.FrameTooLarge])(
    'reconnects after %i even when the close came without its disconnect push',
    async (code) => {
      const client = newClient();
      await connected(client);
      server.last.close(code, 'closed');
      await until(() => client.state === 'reconnecting', 'reconnecting');
      vi.advanceTimersByTime(1000);
      await until(() => client.state === 'connected', 'connected again');
      expect(server.connections).toHaveLength(2);
    },
  );

  it('asks getToken for a new token after 4003 and connects with it', async () => {
    const getToken = vi.fn(async () => 'token-2');
    const client = newClient({ getToken });
    const states = recordStates(client);
    await connected(client);
    server.last.disconnect(CloseCode.Unauthorized, 'token expired', false);
    await until(() => server.connections.length === 2 && client.state === 'connected', 'connected with the new token');
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(server.last.received[0]).toMatchObject({ type: 'connect', token: 'token-2' });
    expect(states.map((s) => [s.new, s.code])).toEqual([
      ['connecting', undefined],
      ['connected', undefined],
      ['disconnected', 4003],
      ['connecting', undefined],
      ['connected', undefined],
    ]);
  });

  it('does not undo the app\'s disconnect() on the page\'s online and visibility events', async () => {
    const page = new FakePage();
    const client = newClient({ lifecycle: page });
    await connected(client);
    client.disconnect();
    await waitOutEveryRetry(page);
    expect(client.state).toBe('disconnected');
    expect(server.connections).toHaveLength(1);
  });

  it('still skips the backoff wait on the online event while reconnecting', async () => {
    const page = new FakePage();
    const client = newClient({ lifecycle: page, minReconnectDelay: 60_000, maxReconnectDelay: 60_000 });
    await connected(client);
    server.last.disconnect(CloseCode.Shutdown, 'restart', true);
    await until(() => client.state === 'reconnecting', 'reconnecting');
    page.goOnline();
    await until(() => client.state === 'connected', 'connected without advancing time');
  });
});

describe('refusals of one channel', () => {
  it('ends a subscription the token claim could not join with the server code, and keeps the rest', async () => {
    server.script.connected = {
      subscriptions: [
        { channel: 'orders#99', error: { code: 'permission_denied', message: 'orders#99 is not allowed' } },
        { channel: 'news', offset: 3, epoch: 'e1' },
      ],
    };
    const client = newClient();
    const refused = client.channel('orders#99');
    const errors: string[] = [];
    refused.onError((error) => errors.push(error.code));
    const states: Array<StateChange<string>> = [];
    refused.onState((change) => states.push(change));
    await connected(client);
    expect(refused.state).toBe('unsubscribed');
    expect(states.at(-1)).toMatchObject({ new: 'unsubscribed', code: HeraldErrorCode.PermissionDenied, reason: 'orders#99 is not allowed' });
    expect(errors).toEqual(['permission_denied']);
    expect(client.channel('news', { subscribe: false }).state).toBe('subscribed');
  });
});

describe('close codes on SSE', () => {
  const connectedFrame = { type: 'connected', client: 'c_1', user: '42' };

  it('stays disconnected after the disconnect event 4010 with reconnect:false, with no new request', async () => {
    const page = new FakePage();
    const getToken = vi.fn(async () => 'token-from-getToken');
    const client = newClient({ transports: ['sse'], getToken, lifecycle: page });
    const states = recordStates(client);
    client.channel('match:1');
    client.connect();
    await until(() => http.streams.length === 1, 'the /sse request');
    http.lastStream.send(connectedFrame);
    await until(() => client.state === 'connected', 'connected');
    http.lastStream.send({ type: 'disconnect', code: 4010, reason: 'banned', reconnect: false });
    http.lastStream.end();
    await until(() => client.state === 'disconnected', 'disconnected');
    expect(states.at(-1)).toEqual({ old: 'connected', new: 'disconnected', code: 4010, reason: 'banned' });
    await waitOutEveryRetry(page);
    expect(http.requests).toHaveLength(1);
    expect(getToken).not.toHaveBeenCalled();
  });

  it('reconnects after 4005 with the cursors of what it delivered', async () => {
    const client = newClient({ transports: ['sse'] });
    const states = recordStates(client);
    const sub = client.channel('match:1');
    client.connect();
    await until(() => http.streams.length === 1, 'the /sse request');
    http.lastStream.send({ ...connectedFrame, subscriptions: [{ channel: 'match:1', offset: 0, epoch: 'e1' }] });
    await until(() => sub.state === 'subscribed', 'subscribed');
    http.lastStream.send(publication('match:1', 1));
    http.lastStream.send(publication('match:1', 2));
    await until(() => sub.position?.offset === 2, 'offset 2');
    http.lastStream.send({ type: 'disconnect', code: 4005, reason: 'stream lost continuity', reconnect: true });
    http.lastStream.end();
    await until(() => client.state === 'reconnecting', 'reconnecting');
    expect(states.at(-1)).toEqual({ old: 'connected', new: 'reconnecting', code: 4005, reason: 'stream lost continuity' });
    vi.advanceTimersByTime(1000);
    await until(() => http.streams.length === 2, 'the second /sse request');
    expect(http.lastStream.url.searchParams.get('since')).toBe('e1:2');
    expect(http.lastStream.url.searchParams.getAll('channel')).toEqual(['match:1']);
  });

  it('ends one subscription on an error event naming its channel, and keeps the stream', async () => {
    const client = newClient({ transports: ['sse'] });
    const allowed = client.channel('match:1');
    const refused = client.channel('orders#99');
    client.connect();
    await until(() => http.streams.length === 1, 'the /sse request');
    http.lastStream.send({ ...connectedFrame, subscriptions: [{ channel: 'match:1', offset: 0, epoch: 'e1' }] });
    http.lastStream.send({ type: 'error', channel: 'orders#99', code: 'permission_denied', message: 'not allowed', temporary: false });
    await until(() => refused.state === 'unsubscribed' && allowed.state === 'subscribed', 'one refused, one subscribed');
    http.lastStream.send(publication('match:1', 1));
    await until(() => allowed.position?.offset === 1, 'the publication on the allowed channel');
    expect(client.state).toBe('connected');
  });
});

describe('HTTP refusals on polling (no close codes: the answer status stands for them)', () => {
  const answer = { publications: [], cursors: 'e1:0' };

  it('handles 401 as 4003: a new token from getToken, and polls with it', async () => {
    const getToken = vi.fn(async () => 'token-2');
    const tokens: Array<string | null> = [];
    http.poll = async (url, signal) => {
      tokens.push(url.searchParams.get('token'));
      if (tokens.length === 1) return json(401, { error: { code: 'token_expired', message: 'token expired' } });
      return tokens.length === 2 ? json(200, answer) : held(signal);
    };
    const client = newClient({ transports: ['polling'], getToken });
    const states = recordStates(client);
    client.channel('match:1');
    client.connect();
    await until(() => client.state === 'connected', 'connected after the new token');
    expect(tokens.slice(0, 2)).toEqual(['token-1', 'token-2']);
    expect(states.find((s) => s.new === 'disconnected')).toMatchObject({ code: 4003, reason: 'token_expired: token expired' });
  });

  it('handles 403 (no channel allowed) as 4003: without getToken it stops and polls no more', async () => {
    http.poll = async () => json(403, { error: { code: 'permission_denied', message: 'no channel allowed' } });
    const client = newClient({ transports: ['polling'] });
    const states = recordStates(client);
    client.channel('orders#99');
    client.connect();
    await until(() => client.state === 'disconnected', 'disconnected');
    expect(states.at(-1)).toMatchObject({ new: 'disconnected', code: 4003 });
    expect(client.lastError?.code).toBe(HeraldErrorCode.Unauthorized);
    vi.advanceTimersByTime(600_000);
    await settle();
    expect(http.count('/poll')).toBe(1);
  });

  it('retries with backoff after another refusal (503), reporting 4900', async () => {
    let polls = 0;
    http.poll = async (_url, signal) =>
      ++polls === 1 ? json(503, { error: { code: 'not_available', message: 'engine unreachable' } }) : polls === 2 ? json(200, answer) : held(signal);
    const client = newClient({ transports: ['polling'] });
    const states = recordStates(client);
    client.channel('match:1');
    client.connect();
    await until(() => client.state === 'reconnecting', 'reconnecting');
    expect(states.at(-1)).toMatchObject({ code: LocalCloseCode.HttpRefused, reason: 'not_available: engine unreachable' });
    vi.advanceTimersByTime(1000);
    await until(() => client.state === 'connected', 'connected on the second poll');
  });

  it('ends the subscription of a channel the answer lists as refused, and keeps the others', async () => {
    let polls = 0;
    http.poll = async (_url, signal) =>
      ++polls === 1
        ? json(200, { publications: [], cursors: 'e1:0,-', refused: [{ channel: 'orders#99', code: 'permission_denied' }] })
        : held(signal);
    const client = newClient({ transports: ['polling'] });
    const allowed = client.channel('match:1');
    const refused = client.channel('orders#99');
    const codes: string[] = [];
    refused.onError((error) => codes.push(error.code));
    client.connect();
    await until(() => allowed.state === 'subscribed' && refused.state === 'unsubscribed', 'one subscribed, one refused');
    expect(codes).toEqual(['permission_denied']);
    expect(client.state).toBe('connected');
  });
});
