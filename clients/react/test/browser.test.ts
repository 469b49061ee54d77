/**
 * Real browser: Debian's Chromium, driven by playwright-core, opens a page built with
 * @herald/react + useLiveQuery. A publish changes the page; the Herald server is restarted
 * (memory engine: new epoch), the page shows reconnecting, then live again with the state it
 * missed, fetched again from the page's REST source after the `gap`.
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
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
const channel = `match:browser${process.pid}`;
/** The app's REST source: what a backend's database would say. */
let score = { home: 0, away: 0 };

beforeAll(async () => {
  herald = await HeraldServer.start();
  const script = await bundle('app.tsx');
  const port = await freePort();
  webUrl = `http://127.0.0.1:${port}`;
  const html = `<!doctype html><meta charset="utf-8"><title>Herald live score</title>
<script>window.HERALD = ${JSON.stringify({ url: herald.url, channel })}</script>
<div id="root"></div><script type="module" src="/app.js"></script>`;
  web = createServer((request, response) => {
    const send = (type: string, body: string) => response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    if (request.url === '/app.js') return send('text/javascript', script);
    if (request.url === '/api/score') return send('application/json', JSON.stringify(score));
    if (request.url === '/token') return send('text/plain', herald.token());
    return send('text/html', html);
  });
  await new Promise<void>((resolve) => web.listen(port, '127.0.0.1', resolve));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => web?.close(resolve));
  await herald?.stop();
});

async function shows(page: Page, expected: { state: string; score?: string }, what: string): Promise<void> {
  await until(async () => {
    const state = await page.getAttribute('[data-herald-state]', 'data-herald-state');
    const text = expected.score === undefined ? undefined : (await page.textContent('#score'))?.replace(/\s+/g, ' ');
    return state === expected.state && (expected.score === undefined || text === expected.score);
  }, what, 30_000);
}

/** The REST source changes first, then the backend publishes, as a real backend does. */
async function changeScore(home: number, away: number, publish: boolean): Promise<void> {
  score = { home, away };
  if (publish) await herald.publish(channel, 'score_update', score);
}

describe('real browser', () => {
  it('shows live updates, reconnecting during a server restart, then the state it missed', async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(webUrl);
    await shows(page, { state: 'connected', score: '0 – 0' }, 'the page live with the REST score');
    await until(async () => (await page.getAttribute('#score', 'data-live')) === 'true', 'the channel live');

    await changeScore(1, 0, true);
    await shows(page, { state: 'connected', score: '1 – 0' }, 'the pushed score');

    await herald.stop();
    await shows(page, { state: 'reconnecting' }, 'the reconnecting state while the server is down');
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: `${SCREENSHOTS}/browser-reconnecting.png` });
    await changeScore(2, 0, false); // happens while Herald is down: only the REST source knows

    await herald.restart();
    await shows(page, { state: 'connected', score: '2 – 0' }, 'live again with the missed state refetched after the gap');
    expect(await page.evaluate(() => (window as unknown as { HERALD_STATS: { gaps: number } }).HERALD_STATS.gaps)).toBe(1);
    await changeScore(3, 0, true);
    await shows(page, { state: 'connected', score: '3 – 0' }, 'live updates after the restart');
    await page.screenshot({ path: `${SCREENSHOTS}/browser-live.png` });
    expect(errors).toEqual([]);
  });
});
