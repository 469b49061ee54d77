/**
 * pusher-js bundled into a page (esbuild, as a web app does) in Debian's headless Chromium against
 * Herald: a public channel fed by the server API, a presence channel authorized by the backend's
 * `pusher` SDK, and client events both ways with a pusher-js client in Node.
 */
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { PresenceChannel } from 'pusher-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, launchChromium } from '../react/test/browser/harness.js';
import { HeraldServer, freePort, until } from '../test-support/herald-server.js';
import { APP, Backend, PUSHER_CONFIG, pusherClient } from './pusher-support.js';

let herald: HeraldServer;
let backend: Backend;
let web: Server;
let webUrl: string;
let browser: Browser;
const channel = `browser${process.pid}`;

beforeAll(async () => {
  const [h, b, script, port] = await Promise.all([HeraldServer.start(PUSHER_CONFIG), Backend.start(),
    bundle(fileURLToPath(new URL('./pusher-page.ts', import.meta.url))), freePort()]);
  herald = h;
  backend = b;
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
  await Promise.all([herald?.stop(), backend?.close()]);
});

type Seen = Array<[string, unknown]>;
const seen = (page: Page) => page.evaluate(() => (window as unknown as { seen: Seen }).seen);
const has = async (page: Page, kind: string, value?: unknown) =>
  (await seen(page)).some(([k, v]) => k === kind && (value === undefined || JSON.stringify(v) === JSON.stringify(value)));

describe('pusher-js in Chromium', () => {
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
