/**
 * The official Pusher server SDK for Node (`pusher` from npm, unmodified) against the real Herald jar:
 * trigger (with socket_id and info), triggerBatch, sendToUser, channel queries, presence users,
 * terminateUserConnections, Pusher's errors, and webhooks that the SDK's own `webhook(...).isValid()`
 * accepts. Native `/ws` clients and pusher-js clients (authorized by the SDK in a tiny backend) stand
 * on the channels, so what the SDK publishes is seen arriving through the hub.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Pusher from 'pusher';
import type PusherJs from 'pusher-js';
import type { Channel } from 'pusher-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { HeraldServer, until } from '../test-support/herald-server.js';
import { APP, Backend, pusherClient } from './pusher-support.js';

type Frame = Record<string, unknown>;
const SECRET = APP.secret;
let server: HeraldServer;
let hooks: Server;
const received: Frame[] = [];
let invalidHooks = 0;
let pusher: Pusher;
let backend: Backend;
const closers: Array<() => void> = [];
let seq = 0;
const unique = (prefix: string) => `${prefix}${process.pid}x${++seq}`;

function config(hookUrl: string): string {
  return `
allowed_origins: ["*"]
namespace_defaults:
  public: true
  presence: true
  history_size: 10
  history_ttl: 5m
pusher:
  apps:
    - id: "${APP.id}"
      key: ${APP.key}
      secret: ${SECRET}
      client_events: true
      webhooks:
        - url: ${hookUrl}
          events: [channel_occupied, channel_vacated, member_added, member_removed, client_event]
`;
}

beforeAll(async () => {
  const validator = new Pusher({ appId: APP.id, key: APP.key, secret: SECRET, host: '127.0.0.1' });
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const hook = validator.webhook({ headers: req.headers as Record<string, string>, rawBody: body });
      if (!hook.isValid()) {
        invalidHooks++;
        res.writeHead(401).end();
        return;
      }
      received.push(...(hook.getEvents() as unknown as Frame[]));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  const hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/pusher`;
  [server, backend] = await Promise.all([HeraldServer.start(config(hookUrl)), Backend.start()]);
  pusher = new Pusher({ appId: APP.id, key: APP.key, secret: SECRET, host: '127.0.0.1', port: String(server.port), useTLS: false });
});

afterAll(async () => {
  for (const close of closers.splice(0)) close();
  await Promise.all([server?.stop(), backend?.close()]);
  await new Promise<void>((r) => (hooks ? hooks.close(() => r()) : r()));
});

/** A native `/ws` client of `user`, subscribed to `channel`. */
async function subscriber(user: string, channel: string): Promise<{ frames: Frame[]; socket: WebSocket }> {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${server.token({ sub: user })}`);
  const frames: Frame[] = [];
  socket.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString()) as Frame));
  await until(() => frames.some((f) => f['type'] === 'connected'), 'connected');
  socket.send(JSON.stringify({ type: 'subscribe', id: 1, channel }));
  await until(() => frames.some((f) => f['type'] === 'subscribed'), 'subscribed');
  return { frames, socket };
}

async function json(response: Promise<Response> | Promise<unknown>): Promise<Frame> {
  return ((await response) as Response).json() as Promise<Frame>;
}

describe('the pusher npm SDK against Herald', () => {
  it('triggerReachesANativeSubscriberWithJsonDataAndAnswersTheInfoItAskedFor', async () => {
    const channel = unique('orders-');
    const ws = await subscriber('ada', channel);
    const answer = await json(pusher.trigger(channel, 'order-shipped', { id: 7 }, { info: 'subscription_count' }));
    expect(answer).toEqual({ channels: { [channel]: { subscription_count: 1 } } });
    await until(() => ws.frames.some((f) => f['type'] === 'order-shipped'), 'the event');
    const push = ws.frames.find((f) => f['type'] === 'order-shipped') ?? {};
    expect(push['channel']).toBe(channel);
    expect(push['data']).toEqual({ id: 7 });
    // a socket_id names a Pusher connection: a /ws client has none and still receives
    await pusher.trigger(channel, 'plain', 'just text', { socket_id: '123.456' });
    await until(() => ws.frames.some((f) => f['type'] === 'plain'), 'the plain event');
    expect(ws.frames.find((f) => f['type'] === 'plain')?.['data']).toBe('just text');
    ws.socket.close();
  });

  it('triggerBatchArrivesInOrder', async () => {
    const channel = unique('batch-');
    const ws = await subscriber('ada', channel);
    await pusher.triggerBatch([
      { channel, name: 'one', data: { n: 1 } },
      { channel, name: 'two', data: { n: 2 } },
    ]);
    const events = () => ws.frames.filter((f) => f['type'] === 'one' || f['type'] === 'two');
    await until(() => events().length === 2, 'both events');
    expect(events().map((f) => f['data'])).toEqual([{ n: 1 }, { n: 2 }]);
    ws.socket.close();
  });

  it('channelQueriesAndUsersCountAUsersTwoTabsOnce', async () => {
    const room = unique('presence-room-');
    const tabs = [await subscriber('ada', room), await subscriber('ada', room), await subscriber('bob', room)];
    const list = await json(pusher.get({ path: '/channels', params: { filter_by_prefix: 'presence-', info: 'user_count' } }));
    expect((list['channels'] as Record<string, Frame>)[room]).toEqual({ user_count: 2 });
    const info = await json(pusher.get({ path: `/channels/${room}`, params: { info: 'user_count,subscription_count' } }));
    expect(info).toEqual({ occupied: true, user_count: 2, subscription_count: 3 });
    const users = await json(pusher.get({ path: `/channels/${room}/users` }));
    expect((users['users'] as Frame[]).map((u) => u['id']).sort()).toEqual(['ada', 'bob']);
    await until(() => received.filter((e) => e['channel'] === room && e['name'] === 'member_added').length === 2,
      'member_added once per user');
    expect(received.filter((e) => e['channel'] === room && e['name'] === 'channel_occupied')).toHaveLength(1);
    for (const t of tabs) t.socket.close();
    await until(() => received.some((e) => e['channel'] === room && e['name'] === 'channel_vacated'), 'channel_vacated');
    expect(received.filter((e) => e['channel'] === room && e['name'] === 'member_removed').map((e) => e['user_id']).sort())
      .toEqual(['ada', 'bob']);
    expect(invalidHooks).toBe(0);
  });

  it('terminateUserConnectionsEndsThatUsersConnections', async () => {
    const ada = await subscriber('ada-t', unique('t-'));
    const bob = await subscriber('bob-t', unique('t-'));
    const closed = new Promise<number>((r) => ada.socket.once('close', (code: number) => r(code)));
    await pusher.terminateUserConnections('ada-t');
    expect(await closed).toBeGreaterThanOrEqual(4000);
    expect(bob.socket.readyState).toBe(WebSocket.OPEN);
    bob.socket.close();
  });

  it('badCredentialsAndUnknownAppsGetPushersStatusAndText', async () => {
    const wrong = new Pusher({ appId: APP.id, key: APP.key, secret: 'wrong-secret-0123456789', host: '127.0.0.1',
      port: String(server.port) });
    const refused = await wrong.trigger('x', 'y', {}).then(() => undefined, (e: unknown) => e as Pusher.RequestError);
    expect(refused?.status).toBe(401);
    expect(refused?.body).toMatch(new RegExp(`^Invalid signature: you should have sent HmacSHA256Hex\\("POST\\\\n/apps/${APP.id}/events\\\\nauth_key=${APP.key}&`));
    const noApp = new Pusher({ appId: '4040', key: APP.key, secret: SECRET, host: '127.0.0.1', port: String(server.port) });
    const missing = await noApp.get({ path: '/channels' }).then(() => undefined, (e: unknown) => e as Pusher.RequestError);
    expect(missing?.status).toBe(404);
    const big = await pusher.trigger('x', 'y', 'z'.repeat(10_241)).then(() => undefined, (e: unknown) => e as Pusher.RequestError);
    expect(big?.status).toBe(413);
  });

  it('aTriggerWithASocketIdSkipsThatPusherConnectionOnlyAndSendToUserReachesTheSignedInUser', async () => {
    const a = js('ada');
    const b = js('bob');
    const channel = unique('news-');
    const [ca, cb] = [a.subscribe(channel), b.subscribe(channel)];
    await Promise.all([subscribed(ca), subscribed(cb)]);
    const gotA: unknown[] = [];
    const gotB: unknown[] = [];
    ca.bind('ev', (d: unknown) => gotA.push(d));
    cb.bind('ev', (d: unknown) => gotB.push(d));
    await pusher.trigger(channel, 'ev', { n: 1 }, { socket_id: a.connection.socket_id });
    await pusher.trigger(channel, 'ev', { n: 2 });
    await until(() => gotA.length === 1 && gotB.length === 2, 'the events');
    expect(gotA).toEqual([{ n: 2 }]);
    expect(gotB).toEqual([{ n: 1 }, { n: 2 }]);

    a.signin();
    await until(() => a.user.serverToUserChannel?.subscribed === true, 'signed in with the user channel');
    const personal = new Promise((r) => a.user.bind('note', r));
    await pusher.sendToUser('ada', 'note', { hi: 'ada' });
    expect(await personal).toEqual({ hi: 'ada' });
  });

  it('aPusherClientEventIsAClientEventWebhookWithItsSocketId', async () => {
    const a = js('ada');
    const b = js('bob');
    const channel = unique('private-chat-');
    const [ca, cb] = [a.subscribe(channel), b.subscribe(channel)];
    await Promise.all([subscribed(ca), subscribed(cb)]);
    const got = new Promise((r) => cb.bind('client-typing', r));
    ca.trigger('client-typing', { typing: true });
    expect(await got).toEqual({ typing: true });
    await until(() => received.some((e) => e['name'] === 'client_event' && e['channel'] === channel), 'the client_event webhook');
    const hook = received.find((e) => e['name'] === 'client_event' && e['channel'] === channel) ?? {};
    expect(hook['event']).toBe('client-typing');
    expect(JSON.parse(String(hook['data']))).toEqual({ typing: true });
    expect(hook['socket_id']).toBe(a.connection.socket_id);
  });

  it('terminateUserConnectionsEndsASignedInPusherClientForGood', async () => {
    const a = js('carol');
    a.signin();
    await until(() => a.user.serverToUserChannel?.subscribed === true, 'signed in');
    const states: string[] = [];
    a.connection.bind('state_change', (s: { current: string }) => states.push(s.current));
    await pusher.terminateUserConnections('carol');
    await until(() => a.connection.state === 'disconnected' || a.connection.state === 'failed', 'the connection ended');
    // 4009 is not retried: pusher-js went straight to its end state, never connecting again
    expect(states).not.toContain('connecting');
  });
});

function js(user: string): PusherJs {
  const p = pusherClient(server.port, backend, user);
  closers.push(() => p.disconnect());
  return p;
}

function subscribed(channel: Channel): Promise<unknown> {
  return new Promise((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', resolve);
    channel.bind('pusher:subscription_error', reject);
  });
}
