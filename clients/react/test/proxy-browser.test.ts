/**
 * Real browser, cookie login: Debian's Chromium opens a page on http://127.0.0.1:<page port>
 * whose server sets the session cookie `sid=abc` and also is the application backend that
 * Herald's connect and rpc proxies call. The page's client has no token and no getToken; the
 * browser sends the cookie with the WebSocket upgrade to Herald on another port of the same host
 * (cookies are not port-scoped), Herald asks the backend, and the page shows the user the backend
 * named, a published event, and the answer of an rpc call.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldServer, freePort, until } from '../../test-support/herald-server.js';
import { bundle, launchChromium } from './browser/harness.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const SCREENSHOTS = here('../../test-output');

let herald: HeraldServer;
let web: Server;
let webUrl: string;
let browser: Browser | undefined;
const channel = `menu:cookie${process.pid}`;
/** What Herald's proxy calls brought to the backend. */
const calls: Array<{ path: string; cookie: string | undefined; body: Record<string, unknown> }> = [];

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

beforeAll(async () => {
  const script = await bundle('cookie-app.tsx');
  const port = await freePort();
  webUrl = `http://127.0.0.1:${port}`;
  let heraldUrl = '';
  web = createServer((request, response) => {
    void readBody(request).then((text) => {
      const path = request.url ?? '/';
      const sendJson = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (path.startsWith('/herald/')) {
        const body = JSON.parse(text) as Record<string, unknown>;
        calls.push({ path, cookie: request.headers.cookie, body });
        if (path === '/herald/connect') {
          if (request.headers.cookie !== 'sid=abc') return response.writeHead(401, { 'content-type': 'text/plain' }).end('no session');
          return sendJson({ result: { user: '42', data: { name: 'Ada' } } });
        }
        if (path === '/herald/rpc') return sendJson({ result: { data: { order: 'o-1', user: body.user, dish: (body.data as { dish?: string }).dish } } });
        return response.writeHead(404).end();
      }
      if (path === '/app.js') return response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      // The login happened earlier: the page comes with its session cookie (HttpOnly: no script sees it).
      response
        .writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store', 'set-cookie': 'sid=abc; Path=/; HttpOnly; SameSite=Lax' })
        .end(`<!doctype html><meta charset="utf-8"><title>Herald cookie login</title>
<script>window.HERALD = ${JSON.stringify({ url: heraldUrl, channel })}</script>
<div id="root"></div><script type="module" src="/app.js"></script>`);
    });
  });
  await new Promise<void>((resolve) => web.listen(port, '127.0.0.1', resolve));
  herald = await HeraldServer.start(`
allowed_origins: ["${webUrl}"]
namespace_defaults:
  public: true
proxy:
  connect: {url: "${webUrl}/herald/connect"}
  rpc: {url: "${webUrl}/herald/rpc"}
  headers: [cookie]
`);
  heraldUrl = herald.url;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => web?.close(resolve));
  await herald?.stop();
});

async function textOf(page: Page, selector: string): Promise<string | null> {
  return page.textContent(selector);
}

describe('real browser, cookie login through the connect proxy', () => {
  it('connects with only the session cookie, receives a published event and makes an rpc call', async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(webUrl);
    await until(async () => (await textOf(page, '#name')) === 'Ada', 'the page signed in by its cookie', 30_000);
    expect(await page.getAttribute('[data-herald-state]', 'data-herald-state')).toBe('connected');
    const connect = calls.find((c) => c.path === '/herald/connect')!;
    expect(connect.cookie).toBe('sid=abc');
    expect(connect.body).toMatchObject({ transport: 'ws', headers: { cookie: 'sid=abc' }, data: { page: 'menu' } });

    // The subscribe follows the connect: publish until the page shows it (the first may precede the subscription).
    await until(async () => {
      await herald.publish(channel, 'special', { dish: 'soup' });
      return (await textOf(page, '#special')) === 'soup';
    }, 'the published special on the page', 30_000);

    await page.click('#order');
    await until(async () => (await textOf(page, '#result')) === 'o-1 for user 42', 'the rpc answer on the page', 30_000);
    expect(calls.filter((c) => c.path === '/herald/rpc').map((c) => c.body)).toEqual([
      { client: connect.body.client, user: '42', method: 'place_order', data: { dish: 'soup' } },
    ]);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}/browser-cookie-login.png` });
    expect(errors).toEqual([]);
  });
});
