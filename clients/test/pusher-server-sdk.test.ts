/**
 * The official Pusher server SDK for Node (`pusher` from npm, unmodified) against the real Herald jar:
 * trigger (with socket_id and info), triggerBatch, channel queries, presence users,
 * terminateUserConnections, Pusher's errors, and webhooks that the SDK's own `webhook(...).isValid()`
 * accepts. Native `/ws` clients stand on the channels, so what the SDK publishes is seen arriving
 * through the hub.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Pusher from 'pusher';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { HeraldServer, until } from '../test-support/herald-server.js';

type Frame = Record<string, unknown>;
const SECRET = 'node-sdk-secret-0123456789';
let server: HeraldServer;
let hooks: Server;
const received: Frame[] = [];
let invalidHooks = 0;
let pusher: Pusher;
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
    - id: "1001"
      key: node-key
      secret: ${SECRET}
      webhooks:
        - url: ${hookUrl}
          events: [channel_occupied, channel_vacated, member_added, member_removed]
`;
}

beforeAll(async () => {
  const validator = new Pusher({ appId: '1001', key: 'node-key', secret: SECRET, host: '127.0.0.1' });
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
  server = await HeraldServer.start(config(hookUrl));
  pusher = new Pusher({ appId: '1001', key: 'node-key', secret: SECRET, host: '127.0.0.1', port: String(server.port), useTLS: false });
});

afterAll(async () => {
  await server?.stop();
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
    const wrong = new Pusher({ appId: '1001', key: 'node-key', secret: 'wrong-secret-0123456789', host: '127.0.0.1',
      port: String(server.port) });
    const refused = await wrong.trigger('x', 'y', {}).then(() => undefined, (e: unknown) => e as Pusher.RequestError);
    expect(refused?.status).toBe(401);
    expect(refused?.body).toMatch(/^Invalid signature: you should have sent HmacSHA256Hex\("POST\\n\/apps\/1001\/events\\nauth_key=node-key&/);
    const noApp = new Pusher({ appId: '4040', key: 'node-key', secret: SECRET, host: '127.0.0.1', port: String(server.port) });
    const missing = await noApp.get({ path: '/channels' }).then(() => undefined, (e: unknown) => e as Pusher.RequestError);
    expect(missing?.status).toBe(404);
    const big = await pusher.trigger('x', 'y', 'z'.repeat(10_241)).then(() => undefined, (e: unknown) => e as Pusher.RequestError);
    expect(big?.status).toBe(413);
  });
});
