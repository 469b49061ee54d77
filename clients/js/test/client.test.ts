import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import {
  ClientReason,
  HeraldClient,
  HeraldErrorCode,
  tokenExpiresAt,
  type ClientOptions,
  type ClientState,
  type Gap,
  type HeraldError,
  type ReconnectAttempt,
  type StateChange,
} from '../src/index.js';
import { FakePage, ScriptedServer, publication, until } from './scripted-server.js';

let server: ScriptedServer;
const clients: HeraldClient[] = [];

beforeEach(async () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  server = await ScriptedServer.start();
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

async function connected(client: HeraldClient): Promise<void> {
  client.connect();
  await until(() => client.state === 'connected', 'connected');
}

function recordStates(client: HeraldClient): Array<StateChange<ClientState>> {
  const changes: Array<StateChange<ClientState>> = [];
  client.on('state', (change) => changes.push(change));
  return changes;
}

describe('client state machine', () => {
  it('goes connecting then connected, and reports a reconnectable close with its code and reason', async () => {
    const client = newClient();
    const states = recordStates(client);
    await connected(client);
    expect(server.last.received[0]).toMatchObject({ type: 'connect', token: 'token-1' });
    server.last.disconnect(4000, 'server shutting down; reconnect', true);
    await until(() => client.state === 'reconnecting', 'reconnecting');
    expect(states).toEqual([
      { old: 'disconnected', new: 'connecting' },
      { old: 'connecting', new: 'connected' },
      { old: 'connected', new: 'reconnecting', code: 4000, reason: 'server shutting down; reconnect' },
    ]);
  });

  it('waits the backoff delay before reconnecting, then connects again', async () => {
    const client = newClient();
    await connected(client);
    server.last.disconnect(4000, 'restart', true);
    await until(() => client.state === 'reconnecting', 'reconnecting');
    expect(client.nextReconnectAt).toBe(Date.now() + 1000);
    vi.advanceTimersByTime(999);
    await new Promise((r) => setImmediate(r));
    expect(server.connections).toHaveLength(1);
    vi.advanceTimersByTime(1);
    await until(() => client.state === 'connected', 'connected again');
    expect(server.connections).toHaveLength(2);
  });

  it('stops on 4003 without getToken: disconnected, and no reconnect however long it waits', async () => {
    const client = newClient();
    const states = recordStates(client);
    await connected(client);
    server.last.disconnect(4003, 'token expired', false);
    await until(() => client.state === 'disconnected', 'disconnected');
    vi.advanceTimersByTime(120_000);
    await new Promise((r) => setImmediate(r));
    expect(server.connections).toHaveLength(1);
    expect(states.at(-1)).toEqual({ old: 'connected', new: 'disconnected', code: 4003, reason: 'token expired' });
    expect(client.lastError?.code).toBe('unauthorized');
  });

  it('on 4003 asks getToken for a new token and connects with it', async () => {
    let n = 1;
    const getToken = vi.fn(async () => `token-${++n}`);
    const client = newClient({ getToken });
    await connected(client);
    server.last.disconnect(4003, 'disconnected by the server', false);
    await until(() => server.connections.length === 2 && client.state === 'connected', 'reconnected with a new token');
    expect(getToken).toHaveBeenCalledTimes(1);
    expect(server.last.received[0]).toMatchObject({ type: 'connect', token: 'token-2' });
  });

  it('does not reconnect after a close whose disconnect says reconnect:false (4001)', async () => {
    const client = newClient();
    await connected(client);
    server.last.disconnect(4001, 'command flood', false);
    await until(() => client.state === 'disconnected', 'disconnected');
    vi.advanceTimersByTime(60_000);
    expect(server.connections).toHaveLength(1);
  });

  it('reconnects after a dropped connection (1006) and disconnect() stops that', async () => {
    const client = newClient();
    await connected(client);
    server.last.drop();
    await until(() => client.state === 'reconnecting', 'reconnecting');
    client.disconnect();
    vi.advanceTimersByTime(60_000);
    expect(client.state).toBe('disconnected');
    expect(server.connections).toHaveLength(1);
  });

  it('gives up after maxReconnectAttempts failed reconnects, stays disconnected, and reconnectNow starts a new count', async () => {
    const client = newClient({ maxReconnectAttempts: 2 });
    const errors: string[] = [];
    client.on('error', (error) => errors.push(error.code));
    await connected(client);
    server.script.answerConnect = false;
    server.last.drop();
    for (let attempt = 1; attempt <= 2; attempt++) {
      // (the state stays `reconnecting` while an attempt is under way: wait for the next wait)
      await until(() => client.state === 'reconnecting' && client.nextReconnectAt === Date.now() + 1000, `attempt ${attempt} scheduled`);
      vi.advanceTimersByTime(1000);
      await until(() => server.connections.length === attempt + 1, `reconnect attempt ${attempt}`);
      server.last.drop();
    }
    await until(() => client.state === 'disconnected', 'disconnected after the second failed attempt');
    expect(client.lastError?.code).toBe('reconnect_limit');
    expect(client.lastError?.message).toMatch(/^gave up after 2 reconnect attempts/);
    expect(errors).toEqual(['reconnect_limit']);
    vi.advanceTimersByTime(60_000);
    expect(server.connections).toHaveLength(3);
    // The app's retry: a fresh count of attempts, and connected once the server answers again.
    server.script.answerConnect = true;
    client.reconnectNow();
    await until(() => client.state === 'connected', 'connected after reconnectNow');
    expect(server.connections).toHaveLength(4);
    server.script.answerConnect = false;
    server.last.drop();
    await until(() => client.state === 'reconnecting', 'reconnecting again: the count started over');
  });

  it('reconnects at once on the online event instead of waiting out the backoff', async () => {
    const page = new FakePage();
    const client = newClient({ lifecycle: page, minReconnectDelay: 60_000, maxReconnectDelay: 60_000 });
    await connected(client);
    server.last.drop();
    await until(() => client.state === 'reconnecting', 'reconnecting');
    page.goOnline();
    await until(() => client.state === 'connected', 'connected without advancing time');
    expect(server.connections).toHaveLength(2);
  });

  it('gives up after maxReconnectAttempts failed reconnects and stays disconnected until reconnectNow, which counts again', async () => {
    const page = new FakePage();
    const client = newClient({ lifecycle: page, maxReconnectAttempts: 2 });
    const states = recordStates(client);
    await connected(client);
    server.script.answerConnect = false; // every attempt now opens a socket that we drop unanswered
    server.last.drop();
    for (let attempt = 1; attempt <= 2; attempt++) {
      await until(() => client.state === 'reconnecting' && client.nextReconnectAt === Date.now() + 1000, `attempt ${attempt} scheduled`);
      vi.advanceTimersByTime(1000);
      await until(() => server.connections.length === attempt + 1 && server.last.received.length > 0, `attempt ${attempt} made`);
      server.last.drop();
    }
    await until(() => client.state === 'disconnected', 'disconnected after the second failed attempt');
    expect(states.at(-1)).toMatchObject({ old: 'reconnecting', new: 'disconnected', code: 1006 });
    expect(client.lastError?.message).toMatch(/^gave up after 2 reconnect attempts/);
    expect(client.lastError?.temporary).toBe(true);
    expect(client.nextReconnectAt).toBeUndefined();
    page.goOnline();
    page.setHidden(true);
    page.setHidden(false);
    vi.advanceTimersByTime(120_000);
    await new Promise((r) => setImmediate(r));
    expect(server.connections).toHaveLength(3);

    server.script.answerConnect = true;
    client.reconnectNow();
    await until(() => client.state === 'connected', 'connected by reconnectNow');
    server.script.answerConnect = false;
    server.last.drop();
    for (let attempt = 1; attempt <= 2; attempt++) {
      await until(() => client.state === 'reconnecting' && client.nextReconnectAt === Date.now() + 1000, `again attempt ${attempt} scheduled`);
      vi.advanceTimersByTime(1000);
      await until(() => server.connections.length === attempt + 4 && server.last.received.length > 0, `again attempt ${attempt} made`);
      server.last.drop();
    }
    await until(() => client.state === 'disconnected', 'disconnected again after two more');
  });

  it('refuses a maxReconnectAttempts that is not a whole number >= 0', () => {
    expect(() => newClient({ maxReconnectAttempts: -1 })).toThrow(RangeError);
    expect(() => newClient({ maxReconnectAttempts: 1.5 })).toThrow(RangeError);
  });

  it('ignores a late frame from a connection it has already replaced', async () => {
    const client = newClient({ pingInterval: 1000, pongTimeout: 500 });
    server.script.answerPing = false;
    const sub = client.channel('match:1');
    const seen: number[] = [];
    sub.onPublication((p) => seen.push(p.offset));
    await connected(client);
    await until(() => sub.state === 'subscribed', 'subscribed');
    const first = server.last;
    vi.advanceTimersByTime(1500);
    await until(() => client.state === 'reconnecting', 'heartbeat timeout');
    first.send(publication('match:1', 1));
    // The old socket is closing, not closed: a frame it still delivers must not reach the app.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([]);
  });
});

describe('heartbeat', () => {
  it('declares the connection dead when no frame arrives within ping interval + pong timeout', async () => {
    server.script.answerPing = false;
    const client = newClient({ pingInterval: 1000, pongTimeout: 500 });
    const states = recordStates(client);
    await connected(client);
    vi.advanceTimersByTime(1000);
    await until(() => server.last.received.some((f) => f.type === 'ping'), 'the client ping');
    vi.advanceTimersByTime(499);
    expect(client.state).toBe('connected');
    vi.advanceTimersByTime(1);
    expect(client.state).toBe('reconnecting');
    expect(states.at(-1)).toMatchObject({ new: 'reconnecting', code: 4901 });
  });

  it('stays connected while every ping gets its pong', async () => {
    const client = newClient({ pingInterval: 1000, pongTimeout: 500 });
    await connected(client);
    for (let i = 1; i <= 5; i++) {
      vi.advanceTimersByTime(1000);
      await until(() => server.last.received.filter((f) => f.type === 'ping').length === i, `ping ${i}`);
      await new Promise((r) => setImmediate(r));
      await until(() => pongsSeen(client) >= i, `pong ${i}`);
      vi.advanceTimersByTime(0);
    }
    expect(client.state).toBe('connected');
    expect(server.connections).toHaveLength(1);
  });

  it('sends no pings while the tab is hidden and resumes when it is visible again', async () => {
    const page = new FakePage();
    server.script.answerPing = false;
    const client = newClient({ lifecycle: page, pingInterval: 1000, pongTimeout: 500 });
    await connected(client);
    page.setHidden(true);
    vi.advanceTimersByTime(10_000);
    expect(client.state).toBe('connected');
    expect(server.last.received.filter((f) => f.type === 'ping')).toHaveLength(0);
    page.setHidden(false);
    vi.advanceTimersByTime(1000);
    await until(() => server.last.received.some((f) => f.type === 'ping'), 'a ping after becoming visible');
  });
});

/** Counts pongs through the frames the client has handled: a pong has no listener, so count socket messages. */
function pongsSeen(client: HeraldClient): number {
  return (client as unknown as { heartbeat: { received: number } }).heartbeat.received;
}

describe('subscriptions', () => {
  it('goes unsubscribed, subscribing, subscribed, back to subscribing on a drop, and resubscribes with since', async () => {
    const client = newClient();
    const sub = client.channel('match:1', { subscribe: false });
    const states: string[] = [];
    sub.onState((change) => states.push(change.new));
    sub.subscribe();
    await connected(client);
    await until(() => sub.state === 'subscribed', 'subscribed');
    server.last.send(publication('match:1', 1));
    await until(() => sub.position?.offset === 1, 'the publication');
    server.last.drop();
    await until(() => sub.state === 'subscribing', 'subscribing after the drop');
    vi.advanceTimersByTime(1000);
    await until(() => sub.state === 'subscribed', 'subscribed again');
    expect(server.last.received.find((f) => f.type === 'subscribe')).toMatchObject({ channel: 'match:1', since: { offset: 1, epoch: 'e1' } });
    expect(states).toEqual(['subscribing', 'subscribed', 'subscribing', 'subscribed']);
    sub.unsubscribe();
    expect(sub.state).toBe('unsubscribed');
    await until(() => server.last.received.some((f) => f.type === 'unsubscribe'), 'the unsubscribe command');
  });

  it('never delivers a duplicate or an older publication, and reports a jump in offsets as a gap', async () => {
    const client = newClient();
    const sub = client.channel('match:1');
    const seen: number[] = [];
    const gaps: Gap[] = [];
    sub.onPublication((p) => seen.push(p.offset));
    sub.onGap((gap) => gaps.push(gap));
    await connected(client);
    await until(() => sub.state === 'subscribed', 'subscribed');
    for (const offset of [1, 2, 2, 1, 3, 5, 4, 6]) server.last.send(publication('match:1', offset));
    await until(() => seen.at(-1) === 6, 'offset 6');
    expect(seen).toEqual([1, 2, 3, 5, 6]);
    expect(gaps).toEqual([{ channel: 'match:1', reason: 'offset_jump', from: { offset: 3, epoch: 'e1' }, to: { offset: 5, epoch: 'e1' } }]);
  });

  it('drops what the replay repeats after a recovered resubscribe', async () => {
    const client = newClient();
    const sub = client.channel('match:1');
    const seen: number[] = [];
    sub.onPublication((p) => seen.push(p.offset));
    await connected(client);
    await until(() => sub.state === 'subscribed', 'subscribed');
    server.last.send(publication('match:1', 1));
    server.last.send(publication('match:1', 2));
    await until(() => seen.length === 2, 'two publications');
    server.last.drop();
    await until(() => client.state === 'reconnecting', 'reconnecting');
    vi.advanceTimersByTime(1000);
    await until(() => sub.state === 'subscribed', 'subscribed again');
    for (const offset of [1, 2, 3]) server.last.send(publication('match:1', offset));
    await until(() => seen.length === 3, 'offset 3');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('emits gap when the server answers recovered:false, and continues from the new position', async () => {
    server.script.recover = () => false;
    const client = newClient();
    const sub = client.channel('match:1');
    const gaps: Gap[] = [];
    sub.onGap((gap) => gaps.push(gap));
    await connected(client);
    await until(() => sub.state === 'subscribed', 'subscribed');
    server.last.send(publication('match:1', 1));
    await until(() => sub.position?.offset === 1, 'offset 1');
    server.last.drop();
    await until(() => client.state === 'reconnecting', 'reconnecting');
    vi.advanceTimersByTime(1000);
    await until(() => gaps.length === 1, 'the gap');
    expect(gaps[0]).toEqual({ channel: 'match:1', reason: 'not_recovered', from: { offset: 1, epoch: 'e1' }, to: { offset: 0, epoch: 'e1' } });
  });
});

describe('publish queue', () => {
  it('rejects a queued publish with timeout once publishTimeout passes without a connection', async () => {
    const client = newClient({ publishTimeout: 1000 });
    const result = client.publish('match:1', 'note', {});
    const rejected = expect(result).rejects.toMatchObject({ code: 'timeout', temporary: true });
    vi.advanceTimersByTime(1000);
    await rejected;
  });

  it('rejects at once when the queue is full', async () => {
    const client = newClient({ maxQueuedPublishes: 2 });
    const first = client.publish('match:1', 'note', 1);
    const second = client.publish('match:1', 'note', 2);
    await expect(client.publish('match:1', 'note', 3)).rejects.toMatchObject({ code: 'queue_full' });
    client.close();
    await expect(first).rejects.toMatchObject({ code: 'client_closed' });
    await expect(second).rejects.toMatchObject({ code: 'client_closed' });
  });

  it('sends queued publishes in call order once connected and resolves each with its offset', async () => {
    const client = newClient();
    const results = [1, 2, 3].map((n) => client.publish('match:1', 'note', { n }));
    client.connect();
    const offsets = (await Promise.all(results)).map((r) => r.offset);
    expect(offsets).toEqual([1, 2, 3]);
    expect(server.last.received.filter((f) => f.type === 'publish').map((f) => f.data)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('rejects a publish whose connection drops before the reply with connection_lost', async () => {
    server.script.answerPublish = false;
    const client = newClient();
    await connected(client);
    const result = client.publish('match:1', 'note', {});
    const rejected = expect(result).rejects.toMatchObject({ code: 'connection_lost' });
    await until(() => server.last.received.some((f) => f.type === 'publish'), 'the publish frame');
    server.last.drop();
    await rejected;
  });
});

describe('token refresh', () => {
  it('answers refresh_required with a refresh carrying the token from getToken', async () => {
    const client = newClient({ getToken: async () => 'token-fresh' });
    await connected(client);
    server.last.send({ type: 'refresh_required', expires: 1 });
    await until(() => server.last.received.some((f) => f.type === 'refresh'), 'the refresh command');
    expect(server.last.received.find((f) => f.type === 'refresh')).toMatchObject({ token: 'token-fresh' });
  });
});

describe('reconnect schedule', () => {
  it('reports every reconnect it schedules and starts while already reconnecting, with the attempt number and start time', async () => {
    const client = newClient({ url: 'http://127.0.0.1:1', transports: ['websocket'] });
    const states = recordStates(client);
    const attempts: ReconnectAttempt[] = [];
    client.on('reconnect', (attempt) => attempts.push(attempt));
    client.connect();
    await until(() => attempts.length === 1, 'the first reconnect scheduled');
    expect(attempts).toEqual([{ attempt: 1, at: Date.now() + 1000 }]);
    expect(client.reconnectAttempt).toBe(1);
    expect(client.nextReconnectAt).toBe(Date.now() + 1000);

    vi.advanceTimersByTime(1000);
    expect(attempts[1]).toEqual({ attempt: 1 });
    expect(client.nextReconnectAt).toBeUndefined();
    await until(() => attempts.length === 3, 'the second reconnect scheduled');
    expect(attempts[2]).toEqual({ attempt: 2, at: Date.now() + 1000 });
    expect(client.nextReconnectAt).toBe(Date.now() + 1000);

    client.reconnectNow();
    expect(attempts[3]).toEqual({ attempt: 2 });
    await until(() => attempts.length === 5, 'the third reconnect scheduled');
    expect(attempts[4]).toEqual({ attempt: 3, at: Date.now() + 1000 });
    expect(states.map((s) => s.new)).toEqual(['connecting', 'reconnecting']);
  });

  it('counts attempts from 1 again after a successful connection, and reports 0 outside reconnecting', async () => {
    const client = newClient();
    await connected(client);
    expect(client.reconnectAttempt).toBe(0);
    server.last.disconnect(4000, 'restart', true);
    await until(() => client.reconnectAttempt === 1, 'attempt 1');
    vi.advanceTimersByTime(1000);
    await until(() => client.state === 'connected', 'connected again');
    expect(client.reconnectAttempt).toBe(0);
    const attempts: ReconnectAttempt[] = [];
    client.on('reconnect', (attempt) => attempts.push(attempt));
    server.last.disconnect(4000, 'restart', true);
    await until(() => attempts.length === 1, 'the next reconnect scheduled');
    expect(attempts[0]?.attempt).toBe(1);
  });
});

/** A JWT-shaped token (the scripted server does not check signatures) that expires at `exp` (seconds). */
function jwt(claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}.c2lnbmF0dXJl`;
}

describe('an expired token without getToken', () => {
  it('says the app must supply a new token, sends it no more, and connects with the one setToken gives', async () => {
    const expired = jwt({ sub: '42', exp: Math.floor(Date.now() / 1000) - 60 });
    const client = newClient({ token: expired });
    const states = recordStates(client);
    const errors: HeraldError[] = [];
    client.on('error', (error) => errors.push(error));
    await connected(client);
    server.last.disconnect(4003, 'token expired', false);
    await until(() => client.state === 'disconnected', 'disconnected');
    expect(states.at(-1)).toEqual({ old: 'connected', new: 'disconnected', code: 4003, reason: ClientReason.TokenExpired });
    expect(ClientReason.TokenExpired).toBe('token expired: the app must supply a new token');
    expect(client.lastError).toMatchObject({ code: HeraldErrorCode.TokenExpired, message: ClientReason.TokenExpired, closeCode: 4003 });
    expect(client.needsNewToken).toBe(true);

    client.reconnectNow();
    client.connect();
    vi.advanceTimersByTime(120_000);
    await new Promise((r) => setImmediate(r));
    expect(server.connections).toHaveLength(1);
    expect(client.state).toBe('disconnected');
    expect(errors.map((e) => e.code)).toEqual(['token_expired', 'token_expired', 'token_expired']);

    const fresh = jwt({ sub: '42', exp: Math.floor(Date.now() / 1000) + 3600 });
    client.setToken(fresh);
    expect(client.needsNewToken).toBe(false);
    client.connect();
    await until(() => client.state === 'connected', 'connected with the new token');
    expect(server.last.received[0]).toMatchObject({ type: 'connect', token: fresh });
  });

  it('keeps the server reason and lets a retry send a refused token that has not expired', async () => {
    const valid = jwt({ sub: '42', exp: Math.floor(Date.now() / 1000) + 3600 });
    const client = newClient({ token: valid });
    await connected(client);
    server.last.disconnect(4003, 'token signature is invalid', false);
    await until(() => client.state === 'disconnected', 'disconnected');
    expect(client.lastError).toMatchObject({ code: HeraldErrorCode.Unauthorized, message: 'token signature is invalid' });
    expect(client.needsNewToken).toBe(false);
    client.reconnectNow();
    await until(() => client.state === 'connected' && server.connections.length === 2, 'connected by the retry');
  });

  it('reads exp from a JWT without verifying it, and nothing from what is not one', () => {
    expect(tokenExpiresAt(jwt({ exp: 1_700_000_000, name: 'Zoë ☃' }))).toBe(1_700_000_000_000);
    expect(tokenExpiresAt(jwt({ sub: '1' }))).toBeUndefined();
    expect(tokenExpiresAt(jwt({ exp: '1700000000' }))).toBeUndefined();
    expect(tokenExpiresAt('token-1')).toBeUndefined();
    expect(tokenExpiresAt('a.%%%.c')).toBeUndefined();
    expect(tokenExpiresAt(`a.${Buffer.from('[1]').toString('base64url')}.c`)).toBeUndefined();
  });
});
