/**
 * The admin UI (clients/admin, bundled in the jar) in headless Chromium against real Herald servers:
 * the memory engine for the pages and actions, then two nodes on the local Redis. Screenshots of
 * every page go to clients/test-output/admin/.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { HeraldServer, TEST_CONFIG, until } from '../test-support/herald-server.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, '..', 'test-output', 'admin');
const PASSWORD = 'admin-password-for-tests';
const ADMIN = `
admin:
  enabled: true
  password: "${PASSWORD}"
`;

/** A raw WebSocket client of the Herald protocol: its frames, its close code. */
class Client {
  readonly frames: Record<string, unknown>[] = [];
  closeCode: number | undefined;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data)) as Record<string, unknown>));
    ws.on('close', (code) => (this.closeCode = code));
  }

  static async open(server: HeraldServer, user: string): Promise<Client> {
    const c = new Client(new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${server.token({ sub: user })}`));
    await until(() => c.frames.some((f) => f.type === 'connected'), `${user} connected`);
    return c;
  }

  async subscribe(channel: string): Promise<void> {
    this.ws.send(JSON.stringify({ type: 'subscribe', channel, id: 7 }));
    await until(() => this.frames.some((f) => f.type === 'subscribed' && f.channel === channel), `subscribed to ${channel}`);
  }

  close(): void {
    this.ws.terminate();
  }
}

async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does it)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-sync'],
  });
}

async function login(page: Page, server: HeraldServer, password = PASSWORD): Promise<void> {
  await page.goto(`${server.url}/admin/`);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
}

const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

describe('admin UI in Chromium (memory engine)', () => {
  let herald: HeraldServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const clients: Client[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    herald = await HeraldServer.start(TEST_CONFIG + ADMIN);
    browser = await launch();
    context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
  }, 180_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await browser?.close();
    await herald?.stop();
  });

  it('serves the bundled page and logs in', async () => {
    const html = await (await fetch(`${herald.url}/admin`)).text();
    expect(html, 'the jar holds the admin UI (./herald build with Node.js)').toContain('<div id="root">');
    await login(page, herald);
    await page.waitForSelector('[data-card=connections]');
    expect(await text(page, 'header')).toContain('Herald admin');
    const cookies = await context.cookies(`${herald.url}/admin/`);
    const session = cookies.find((c) => c.name === 'herald_admin');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Strict');
    expect(await page.evaluate(() => document.cookie)).toBe(''); // invisible to scripts
  });

  it('the overview counts 25 WebSocket clients and its chart updates', async () => {
    for (let i = 0; i < 25; i++) clients.push(await Client.open(herald, `u${i}`));
    await until(async () => (await text(page, '[data-card=connections] .big')) === '25', 'the overview to show 25 connections', 20_000);
    expect(await text(page, '[data-node] [data-field=connections]')).toBe('25');
    await until(async () => (await text(page, '[data-node] [data-field=users]')) === '25', 'the overview to show 25 users');
    const points = async () => Number(await page.getAttribute('[data-chart=Connections]', 'data-points'));
    const before = await points();
    await until(async () => (await points()) > before, 'the connections chart to gain a sample', 15_000);
    await shot(page, 'overview');
  });

  it("a channel's presence and history on the page match the server API", async () => {
    const channel = 'chat:lobby';
    for (const c of clients.slice(0, 4)) await c.subscribe(channel);
    for (let i = 1; i <= 3; i++) await herald.publish(channel, 'note', { n: i });
    await page.goto(`${herald.url}/admin/#/channels`);
    await page.waitForSelector(`[data-channel="${channel}"]`);
    expect(await text(page, `[data-channel="${channel}"] td.num`)).toBe('4');
    await shot(page, 'channels');
    await page.click(`[data-channel="${channel}"] a`);
    await page.waitForSelector('[data-field=presence-summary]');
    const presence = (await herald.api('GET', `/api/presence/${encodeURIComponent(channel)}`)) as { clients: { client: string }[]; users: number };
    expect(await text(page, '[data-field=presence-summary]')).toBe(`${presence.clients.length} clients, ${presence.users} users`);
    const shownClients = await page.$$eval('[data-table=presence] [data-client]', (rows) => rows.map((r) => r.getAttribute('data-client')));
    expect(shownClients.sort()).toEqual(presence.clients.map((c) => c.client).sort());
    const history = (await herald.api('GET', `/api/history/${encodeURIComponent(channel)}`)) as { publications: { offset: number }[] };
    await until(async () => (await page.$$('[data-table=history] [data-offset]')).length === history.publications.length, 'the history rows');
    const offsets = await page.$$eval('[data-table=history] [data-offset]', (rows) => rows.map((r) => Number(r.getAttribute('data-offset'))));
    expect(offsets).toEqual(history.publications.map((p) => p.offset).sort((a, b) => b - a));
    // the live tail: a publication made elsewhere appears without a reload
    await herald.publish(channel, 'note', { n: 4 });
    await until(async () => (await page.$$('[data-table=history] [data-offset="4"]')).length === 1, 'the live tail to show offset 4', 10_000);
  });

  it('publishing from the page reaches a real subscriber', async () => {
    const subscriber = clients[0];
    if (!subscriber) throw new Error('no client');
    await page.fill('input[name=type]', 'from_admin');
    await page.fill('textarea[name=data]', '{"greeting":"hello operators"}');
    await page.click('form.publish button[type=submit]');
    await until(
      () => subscriber.frames.some((f) => f.type === 'from_admin' && JSON.stringify(f.data) === '{"greeting":"hello operators"}'),
      'the subscriber to receive the publication',
    );
    expect(await text(page, '[data-field=publish-result]')).toMatch(/^published at offset 5$/);
    await shot(page, 'channel');
  });

  it('disconnecting a user from the page closes its socket with 4010', async () => {
    const victim = clients[3];
    if (!victim) throw new Error('no client');
    await page.goto(`${herald.url}/admin/#/connections/user=u3`);
    await page.waitForSelector('[data-table=connections] [data-client]');
    expect(await text(page, '[data-field=lookup-summary]')).toBe('1 connection on 1 of 1 node');
    expect(await text(page, '[data-table=connections] tbody tr')).toContain('chat:lobby');
    await shot(page, 'connections');
    // unsubscribe it from one channel: the server ends that subscription only
    await page.click('[data-table=connections] [data-action=unsubscribe]');
    await until(() => victim.frames.some((f) => f.type === 'unsubscribed' && f.channel === 'chat:lobby'), 'the unsubscribed push');
    await until(async () => (await text(page, '[data-table=connections] tbody tr')).includes('none'), 'the lookup to show no subscription');
    expect(victim.closeCode).toBeUndefined();
    await page.click('[data-action=disconnect-all]');
    await until(() => victim.closeCode !== undefined, 'the socket to close');
    expect(victim.closeCode).toBe(4010);
    await page.goto(`${herald.url}/admin/#/problems`);
    await page.waitForSelector('[data-table=closes] tr');
    expect(await text(page, '[data-table=closes]')).toContain('application');
    await shot(page, 'problems');
  });

  it('every admin API call without the session cookie is 401', async () => {
    const calls: [string, string][] = [
      ['GET', 'session'], ['GET', 'overview'], ['GET', 'problems'], ['GET', 'channels'], ['GET', 'presence/chat%3Alobby'],
      ['GET', 'history/chat%3Alobby'], ['GET', 'lookup?user=u1'], ['POST', 'publish'], ['POST', 'disconnect'],
      ['POST', 'unsubscribe'], ['POST', 'logout'],
    ];
    for (const [method, path] of calls) {
      const res = await fetch(`${herald.url}/admin/api/${path}`, {
        method,
        headers: { 'x-herald-admin': '1', 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: '{"user":"u1","channel":"chat:lobby","type":"x","data":{}}' } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
    expect(clients[1]?.closeCode).toBeUndefined();
  });

  it('a cross-site POST is refused', async () => {
    // a page on another site (localhost is not 127.0.0.1) posts to the admin API with the browser's credentials
    const evil: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>evil</p>'));
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    const address = evil.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    const other = await context.newPage();
    await other.goto(`http://localhost:${address.port}/`);
    await other.evaluate(async (target) => {
      await fetch(`${target}/admin/api/disconnect`, { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body: '{"user":"u1"}' });
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = `${target}/admin/api/disconnect`;
      form.enctype = 'text/plain';
      const input = document.createElement('input');
      input.name = '{"user":"u1","x":"';
      input.value = '"}';
      form.appendChild(input);
      document.body.appendChild(form);
      form.submit();
    }, herald.url);
    await other.waitForLoadState();
    const formAnswer = await other.textContent('body');
    await other.close();
    evil.close();
    expect(formAnswer ?? '').toMatch(/unauthorized|permission_denied/);
    // and with the real session cookie, from another origin or without the page's header
    const cookie = (await context.cookies(`${herald.url}/admin/`)).find((c) => c.name === 'herald_admin');
    const forged = await fetch(`${herald.url}/admin/api/disconnect`, {
      method: 'POST',
      headers: { cookie: `herald_admin=${cookie?.value}`, origin: 'https://evil.example', 'x-herald-admin': '1' },
      body: '{"user":"u1"}',
    });
    expect(forged.status).toBe(403);
    const noHeader = await fetch(`${herald.url}/admin/api/disconnect`, { method: 'POST', headers: { cookie: `herald_admin=${cookie?.value}` }, body: '{"user":"u1"}' });
    expect(noHeader.status).toBe(403);
    const lookup = await fetch(`${herald.url}/admin/api/lookup?user=u1`, { headers: { cookie: `herald_admin=${cookie?.value}` } });
    expect(((await lookup.json()) as { nodes: Record<string, { connections: unknown[] }> }).nodes).toSatisfy((nodes: Record<string, { connections: unknown[] }>) =>
      Object.values(nodes).some((n) => n.connections.length === 1),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(clients[1]?.closeCode).toBeUndefined();
  });

  it('a wrong password is refused, then logins are rate limited', async () => {
    const fresh = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    const p = await fresh.newPage();
    await login(p, herald, 'not the password');
    await p.waitForSelector('[role=alert]');
    expect(await text(p, '[role=alert]')).toBe('wrong password');
    await shot(p, 'login-wrong-password');
    let last = '';
    for (let i = 0; i < 6 && !last.includes('too many login attempts'); i++) {
      await p.fill('input[name=password]', `still wrong ${i}`);
      await p.click('button[type=submit]');
      await until(async () => !(await p.isDisabled('button[type=submit]')), 'the login answer');
      last = await text(p, '[role=alert]');
    }
    expect(last).toMatch(/^too many login attempts from this address; retry in \d+s$/);
    await p.fill('input[name=password]', PASSWORD);
    await p.click('button[type=submit]');
    await until(async () => !(await p.isDisabled('button[type=submit]')), 'the login answer');
    expect(await text(p, '[role=alert]')).toContain('too many login attempts');
    await shot(p, 'login-rate-limited');
    await fresh.close();
    expect(errors).toEqual([]);
  });
});

describe('admin UI in Chromium (two nodes on Redis)', () => {
  const prefix = `herald-admin-ui-${process.pid}-${Date.now()}`;
  const REDIS = `
engine: redis
redis:
  url: redis://127.0.0.1:6379
  prefix: "${prefix}"
`;
  let a: HeraldServer;
  let b: HeraldServer;
  let browser: Browser;
  const clients: Client[] = [];

  beforeAll(async () => {
    [a, b] = await Promise.all([HeraldServer.start(TEST_CONFIG + ADMIN + REDIS), HeraldServer.start(TEST_CONFIG + ADMIN + REDIS)]);
    browser = await launch();
  }, 180_000);

  afterAll(async () => {
    for (const c of clients) c.close();
    await browser?.close();
    await Promise.all([a?.stop(), b?.stop()]);
    // the nodes withdrew themselves; what remains under the prefix is removed by key pattern
    const { execFileSync } = await import('node:child_process');
    try {
      const keys = execFileSync('redis-cli', ['-h', '127.0.0.1', '--scan', '--pattern', `${prefix}*`]).toString().split('\n').filter(Boolean);
      if (keys.length) execFileSync('redis-cli', ['-h', '127.0.0.1', 'del', ...keys]);
    } catch {
      // redis-cli missing: the keys expire or stay under a unique prefix
    }
  });

  it('the page on node A shows node B, its connections, and cuts off a user on B', async () => {
    for (let i = 0; i < 2; i++) clients.push(await Client.open(a, `a${i}`));
    for (let i = 0; i < 3; i++) clients.push(await Client.open(b, `b${i}`));
    const page = await (await browser.newContext({ viewport: { width: 1360, height: 900 } })).newPage();
    await login(page, a);
    await page.waitForSelector('[data-card=connections]');
    await until(async () => (await page.$$('[data-node]')).length === 2 && (await text(page, '[data-card=connections] .big')) === '5', 'two nodes with 5 connections', 20_000);
    const rows = await page.$$eval('tr[data-node]', (trs) => trs.map((tr) => ({ node: tr.getAttribute('data-node'), text: tr.textContent ?? '', connections: tr.querySelector('[data-field=connections]')?.textContent })));
    const self = rows.find((r) => r.text.includes('this node'));
    const other = rows.find((r) => !r.text.includes('this node'));
    expect(self?.connections).toBe('2');
    expect(other?.connections).toBe('3');
    expect(other?.text).toContain('serving');
    await until(async () => Number(await page.getAttribute('[data-chart=Connections]', 'data-points')) >= 2, 'chart samples', 15_000);
    await shot(page, 'overview-two-nodes');
    await page.goto(`${a.url}/admin/#/connections/user=b1`);
    await page.waitForSelector('[data-table=connections] [data-client]');
    expect(await text(page, '[data-field=lookup-summary]')).toBe('1 connection on 1 of 2 nodes');
    expect(await text(page, '[data-table=connections] tbody')).toContain(other?.node ?? '?');
    await shot(page, 'connections-two-nodes');
    await page.click('[data-action=disconnect-all]');
    const victim = clients[3];
    await until(() => victim?.closeCode !== undefined, 'b1 to be cut off');
    expect(victim?.closeCode).toBe(4010);
  });
});
