/**
 * Herald's Pusher Channels endpoint (`/app/{key}`) with the real, unmodified clients from npm:
 * pusher-js in Node and in Debian's headless Chromium (bundled into a page with esbuild, as a web app
 * does), and Laravel Echo with its Pusher connector, authorized by a backend that signs with the
 * official `pusher` server SDK, beside a native @herald/client on the same channels. One server for
 * the file.
 */
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import Echo from 'laravel-echo';
import type { Browser, Page } from 'playwright-core';
import Pusher, { type Channel, type Members, type PresenceChannel } from 'pusher-js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { HeraldClient } from '../js/src/index.js';
import { bundle, launchChromium } from '../react/test/browser/harness.js';
import { HeraldServer, freePort, until } from '../test-support/herald-server.js';
import { APP, Backend, PUSHER_CONFIG, pusherClient, pusherOptions } from './pusher-support.js';

let herald: HeraldServer;
let backend: Backend;
const closers: Array<() => void> = [];
let seq = 0;

beforeAll(async () => {
  [herald, backend] = await Promise.all([HeraldServer.start(PUSHER_CONFIG), Backend.start()]);
});
afterAll(async () => {
  await Promise.all([herald?.stop(), backend?.close()]);
});
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

function pusher(user: string, extra: Parameters<typeof pusherClient>[3] = {}): Pusher {
  const p = pusherClient(herald.port, backend, user, extra);
  closers.push(() => p.disconnect());
  return p;
}

function unique(prefix: string): string {
  return `${prefix}${process.pid}x${++seq}`;
}

/** Resolves once the channel's subscription succeeded, rejects on its subscription error. */
function subscribed(channel: Channel): Promise<unknown> {
  return new Promise((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', resolve);
    channel.bind('pusher:subscription_error', reject);
  });
}

/** Resolves with the next `event` on the channel (bind before causing it). */
function next(channel: Channel, event: string): Promise<unknown> {
  return new Promise((resolve) => channel.bind(event, resolve));
}

function echo(user: string): Echo<'pusher'> {
  // Laravel's own style of options: an auth endpoint and its headers
  const e = new Echo({
    broadcaster: 'pusher',
    key: APP.key,
    Pusher,
    cluster: 'mt1',
    wsHost: '127.0.0.1',
    wsPort: herald.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    authEndpoint: `${backend.url}/auth`,
    auth: { headers: { 'x-user': user } },
  });
  closers.push(() => e.disconnect());
  return e;
}

describe('pusher-js against Herald', () => {
  it('gets a socket id and public events, the same ones a native Herald client on the channel gets', async () => {
    const p = pusher('alice');
    const channelName = unique('news-');
    const pusherEvents: unknown[] = [];
    const channel = p.subscribe(channelName);
    channel.bind('score', (data: unknown) => pusherEvents.push(data));
    await subscribed(channel);
    expect(p.connection.socket_id).toMatch(/^\d+\.\d+$/);

    const native = new HeraldClient({ url: herald.url, WebSocket, token: herald.token(), lifecycle: null });
    closers.push(() => native.close());
    const nativeEvents: unknown[] = [];
    const sub = native.channel(channelName);
    sub.on('score', (data: unknown) => nativeEvents.push(data));
    native.connect();
    await sub.ready();

    const sent = [{ home: 1, away: 0 }, 'a string', 42, [1, { deep: true }], null];
    for (const data of sent) await herald.publish(channelName, 'score', data);
    await until(() => pusherEvents.length === sent.length && nativeEvents.length === sent.length, 'both clients got every event');
    expect(pusherEvents).toEqual(sent);
    expect(nativeEvents).toEqual(sent);
  });

  it('subscribes to a private channel with the SDK signature and is refused one signed with another secret', async () => {
    const p = pusher('alice');
    const name = unique('private-orders-');
    const got: unknown[] = [];
    const channel = p.subscribe(name);
    channel.bind('shipped', (d: unknown) => got.push(d));
    await subscribed(channel);
    await herald.publish(name, 'shipped', { id: 7 });
    await until(() => got.length === 1, 'the private event');
    expect(got).toEqual([{ id: 7 }]);

    const bad = pusher('mallory', { channelAuthorization: { endpoint: `${backend.url}/bad-auth`, transport: 'ajax' } });
    const refused = bad.subscribe(unique('private-orders-'));
    const error = (await subscribed(refused).then(() => null, (e: unknown) => e)) as Record<string, unknown> | null;
    expect(error).toMatchObject({ type: 'AuthError', status: 401 });
    expect(String(error?.error)).toContain('Invalid signature');
  });

  it('lists presence members once per user across tabs and tells joining and leaving once', async () => {
    const name = unique('presence-room-');
    const bob = pusher('bob').subscribe(name) as PresenceChannel;
    const added: string[] = [];
    const removed: string[] = [];
    bob.bind('pusher:member_added', (m: { id: string }) => added.push(m.id));
    bob.bind('pusher:member_removed', (m: { id: string }) => removed.push(m.id));
    await subscribed(bob);

    const tab1 = pusher('alice');
    const tab2 = pusher('alice');
    await subscribed(tab1.subscribe(name));
    const members = (await subscribed(tab2.subscribe(name))) as Members;
    expect(members.count).toBe(2);
    expect(members.me).toEqual({ id: 'alice', info: { name: 'ALICE' } });
    await until(() => bob.members.count === 2, 'bob sees alice');
    expect(bob.members.get('alice')).toEqual({ id: 'alice', info: { name: 'ALICE' } });

    const presence = async () => (await herald.api('GET', `/api/presence/${encodeURIComponent(name)}`)) as { clients: unknown[]; users: number };
    expect(await presence()).toMatchObject({ users: 2 });
    expect((await presence()).clients).toHaveLength(3);
    tab1.disconnect();
    await until(async () => (await presence()).clients.length === 2, 'the server saw tab 1 go');
    const synced = next(bob, 'sync');
    await herald.publish(name, 'sync', {});
    await synced;
    expect(removed).toEqual([]);
    tab2.disconnect();
    await until(() => removed.length === 1, 'alice left');
    expect(added).toEqual(['alice']);
    expect(removed).toEqual(['alice']);
    expect(bob.members.count).toBe(1);
  });

  it('sends client events to the other subscribers only', async () => {
    const name = unique('private-chat-');
    const a = pusher('a').subscribe(name);
    const b = pusher('b').subscribe(name);
    await Promise.all([subscribed(a), subscribed(b)]);
    const atA: unknown[] = [];
    const atB: unknown[] = [];
    a.bind('client-typing', (d: unknown) => atA.push(d));
    b.bind('client-typing', (d: unknown) => atB.push(d));
    expect(a.trigger('client-typing', { who: 'a' })).toBe(true);
    await until(() => atB.length === 1, 'b got the client event');
    const marked = next(a, 'marker');
    await herald.publish(name, 'marker', {});
    await marked;
    expect(atB).toEqual([{ who: 'a' }]);
    expect(atA).toEqual([]);
  });

  it('signs in and receives what is sent to the user channel', async () => {
    const p = pusher('u-5');
    const notices: unknown[] = [];
    p.user.bind('notice', (d: unknown) => notices.push(d));
    p.signin();
    await until(() => p.user.user_data !== null && p.user.serverToUserChannel?.subscribed === true, 'signed in with the user channel');
    await herald.publish('server-to-user#u-5', 'notice', { text: 'hello' });
    await until(() => notices.length === 1, 'the user event');
    expect(notices).toEqual([{ text: 'hello' }]);
  });

  it('is refused with 4001 for an unknown key and does not come back', async () => {
    const p = new Pusher('no-such-key', { ...pusherOptions(herald.port, backend, 'x') });
    closers.push(() => p.disconnect());
    // pusher-js reports the handshake's pusher:error as {type: 'WebSocketError', error: {type: 'PusherError', data}}
    type HandshakeError = { error?: { type?: string; data?: { code?: number } } };
    const errors: HandshakeError[] = [];
    p.connection.bind('error', (e: HandshakeError) => errors.push(e));
    await until(() => errors.some((e) => e.error?.type === 'PusherError' && e.error.data?.code === 4001), 'the 4001 error');
    await until(() => p.connection.state === 'disconnected' || p.connection.state === 'failed', 'the connection given up');
    const opened = await herald.connectionsOpened();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await herald.connectionsOpened()).toBe(opened);
  });

  it('answers malformed frames with pusher:error and keeps the connection', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${herald.port}/app/${APP.key}?protocol=7&client=js&version=8.4.0`);
    closers.push(() => ws.terminate());
    const frames: Array<{ event: string; data: unknown }> = [];
    ws.on('message', (m) => frames.push(JSON.parse(String(m)) as { event: string; data: unknown }));
    await until(() => frames.length === 1, 'connection_established');
    for (const bad of ['nope', '{"event":3}', '[]', '{"event":"pusher:subscribe","data":"x"}']) ws.send(bad);
    ws.send(Buffer.from([0xff, 0xfe]), { binary: true });
    ws.send('{"event":"pusher:ping","data":{}}');
    await until(() => frames.some((f) => f.event === 'pusher:pong'), 'the pong after the errors');
    expect(frames.slice(1).map((f) => f.event)).toEqual([...Array(5).fill('pusher:error'), 'pusher:pong']);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe('Laravel Echo with the Pusher connector against Herald', () => {
  it('listens on public and private channels, joins presence and whispers', async () => {
    const room = unique('room-');
    const alice = echo('alice');
    const bob = echo('bob');
    const news: unknown[] = [];
    const orders: unknown[] = [];
    alice.channel(`${room}-news`).listen('.article', (e: unknown) => news.push(e));
    // Laravel's broadcastAs() names: its default ones (App\\Events\\OrderShipped) have a backslash,
    // which Herald's event names do not allow
    alice.private(`${room}-orders`).listen('.order.shipped', (e: unknown) => orders.push(e));

    const here: string[][] = [];
    const joining: string[] = [];
    const leaving: string[] = [];
    const typing: unknown[] = [];
    alice.join(room)
      .here((users: Array<{ name: string }>) => here.push(users.map((u) => u.name).sort()))
      .joining((u: { name: string }) => joining.push(u.name))
      .leaving((u: { name: string }) => leaving.push(u.name))
      .listenForWhisper('typing', (e: unknown) => typing.push(e));
    await until(() => here.length === 1, 'alice here');
    expect(here[0]).toEqual(['ALICE']);

    const bobRoom = bob.join(room);
    const bobHere: string[][] = [];
    bobRoom.here((users: Array<{ name: string }>) => bobHere.push(users.map((u) => u.name).sort()));
    await until(() => bobHere.length === 1 && joining.length === 1, 'bob joined');
    expect(bobHere[0]).toEqual(['ALICE', 'BOB']);
    expect(joining).toEqual(['BOB']);

    bobRoom.whisper('typing', { by: 'bob' });
    await until(() => typing.length === 1, 'the whisper');
    expect(typing).toEqual([{ by: 'bob' }]);

    await until(async () => {
      await herald.publish(`${room}-news`, 'article', { n: 1 });
      await herald.publish(`private-${room}-orders`, 'order.shipped', { id: 3 });
      return news.length > 0 && orders.length > 0;
    }, 'the public and private events');
    expect(news[0]).toEqual({ n: 1 });
    expect(orders[0]).toEqual({ id: 3 });

    bob.leave(room);
    await until(() => leaving.length === 1, 'bob left');
    expect(leaving).toEqual(['BOB']);
  });
});

type Seen = Array<[string, unknown]>;
const seen = (page: Page) => page.evaluate(() => (window as unknown as { seen: Seen }).seen);
const has = async (page: Page, kind: string, value?: unknown) =>
  (await seen(page)).some(([k, v]) => k === kind && (value === undefined || JSON.stringify(v) === JSON.stringify(value)));

describe('pusher-js in Chromium', () => {
  let web: Server;
  let webUrl: string;
  let browser: Browser;
  const channel = `browser${process.pid}`;

  beforeAll(async () => {
    const [script, port] = await Promise.all([bundle(fileURLToPath(new URL('./pusher-page.ts', import.meta.url))), freePort()]);
    webUrl = `http://127.0.0.1:${port}`;
    const settings = { key: APP.key, port: herald.port, backend: backend.url, channel, user: 'carol' };
    const html = `<!doctype html><meta charset="utf-8"><title>pusher-js on Herald</title>
<script>window.PUSHER_TEST = ${JSON.stringify(settings)}</script><script type="module" src="/page.js"></script>`;
    web = createServer((request, response) => {
      const type = request.url === '/page.js' ? 'text/javascript' : 'text/html';
      response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(request.url === '/page.js' ? script : html);
    });
    await new Promise<void>((resolve) => web.listen(port, '127.0.0.1', resolve));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => web?.close(resolve));
  });

  it('receives public events, lists presence and exchanges client events with a Node client', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(webUrl);
    await until(async () => (await has(page, 'subscribed')) && (await has(page, 'here', 1)), 'the page subscribed and present');
    expect(await page.evaluate(() => (window as unknown as { socketId: () => string }).socketId())).toMatch(/^\d+\.\d+$/);

    await herald.publish(channel, 'score', { home: 2, away: 1 });
    await until(() => has(page, 'score', { home: 2, away: 1 }), 'the score on the page');

    const dave = pusherClient(herald.port, backend, 'dave');
    try {
      const room = dave.subscribe(`presence-${channel}`) as PresenceChannel;
      const waves: unknown[] = [];
      room.bind('client-wave', (d: unknown) => waves.push(d));
      await new Promise((resolve) => room.bind('pusher:subscription_succeeded', resolve));
      expect(room.members.count).toBe(2);
      await until(() => has(page, 'joined', 'dave'), 'dave joining on the page');

      room.trigger('client-hello', { from: 'dave' });
      await until(() => has(page, 'hello', { from: 'dave' }), 'the client event on the page');
      expect(await page.evaluate(() => (window as unknown as { wave: (d: unknown) => boolean }).wave({ from: 'carol' }))).toBe(true);
      await until(() => waves.length === 1, 'the page\'s client event in Node');
      expect(waves).toEqual([{ from: 'carol' }]);
    } finally {
      dave.disconnect();
    }
    await until(() => has(page, 'left', 'dave'), 'dave leaving on the page');
    expect(errors).toEqual([]);
    await page.close();
  });
});
