/**
 * The plain-WebSocket page (no Herald package: the browser's WebSocket routing on message.type)
 * against a real Herald and the F1 backend: token in the URL, subscribe, every event of a burst,
 * a kicked connection that comes back with `since` and gets exactly what it missed, and a Herald
 * restart after which it refetches (recovered: false) and ends equal to the backend.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFrontend, exampleHeraldConfig, freePort, openPage, releaseBrowser, until, Backend, Herald, type ExamplePage } from '../../test-support/index.js';
import type { Driver, Session } from '../../f1-live-timing/web/src/race.js';

const EXAMPLE = 'plain-websocket';

interface Stats { published: number; failed: number; sessionReads: number; session: Session }
interface PageState { seq: number; received: number; socket: string; client: string; fetching: boolean; drivers: Driver[] }

let herald: Herald;
let backend: Backend;
let view: ExamplePage;
let dist: string;

const stats = () => backend.json<Stats>('/api/stats');
const burst = (seconds: number) => backend.json<Stats & { count: number }>('/api/burst', { body: { rate: 50, seconds } });

function pageState(): Promise<PageState | undefined> {
  return view.page.evaluate(() => {
    const main = document.querySelector('main');
    if (!main) return undefined;
    return {
      seq: Number(main.dataset.seq),
      received: Number(main.dataset.received),
      socket: main.dataset.socket ?? '',
      client: main.dataset.client ?? '',
      fetching: main.dataset.fetching === 'true',
      drivers: [...main.querySelectorAll<HTMLElement>('tbody tr')].map((row) => JSON.parse(row.dataset.driver ?? '{}') as Driver),
    };
  });
}

async function expectPageEqualsBackend(): Promise<{ page: PageState; truth: Stats }> {
  let page: PageState | undefined;
  let truth = await stats();
  await until(async () => {
    [page, truth] = await Promise.all([pageState(), stats()]);
    return page?.seq === truth.session.seq && page.socket === 'live' && !page.fetching;
  }, () => `the live page at change ${truth.session.seq} (it is at ${page?.seq}, ${page?.socket})`);
  if (!page) throw new Error('no page state');
  expect(page.drivers).toEqual([...truth.session.drivers].sort((a, b) => a.position - b.position));
  return { page, truth };
}

beforeAll(async () => {
  let backendPort: number;
  [dist, backendPort] = await Promise.all([buildFrontend(EXAMPLE), freePort()]);
  const config = exampleHeraldConfig(EXAMPLE, { allowedOrigins: [`http://127.0.0.1:${backendPort}`] });
  herald = new Herald(await freePort(), { config });
  backend = new Backend(backendPort, { example: 'f1-live-timing', herald, env: { WEB_DIST: dist } });
  await Promise.all([herald.start(), backend.start()]); // the backend needs Herald only for its first publish
  await backend.json('/api/session/start', { method: 'POST' });
});

afterAll(async () => {
  await view?.close();
  await releaseBrowser();
  await backend?.stop();
  await herald?.stop();
});

describe('the plain-WebSocket page', () => {
  it('bundles no Herald package: only the browser WebSocket', () => {
    const code = readdirSync(join(dist, 'assets')).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(dist, 'assets', f), 'utf8')).join('\n');
    expect(code).toContain('new WebSocket(');
    expect(code).not.toContain('HeraldClient');
    expect(code).not.toContain('EventSource');
  });

  it('subscribes with the token in the URL and applies every event of a burst, routed on message.type', async () => {
    view = await openPage(EXAMPLE, backend.url);
    // Two reads by design: the page's load, and the refetch after its first `subscribed`.
    await until(async () => (await stats()).sessionReads >= 2, 'the load and the refetch after the first subscribe');
    const before = await expectPageEqualsBackend();
    const result = await burst(1);
    const after = await expectPageEqualsBackend();
    expect(after.page.received - before.page.received).toBe(result.count);
    expect(after.truth.sessionReads).toBe(before.truth.sessionReads);
    await view.screenshot('1-live');
  });

  it('comes back after a server-side kick with since and receives exactly what it missed (no refetch)', async () => {
    const before = await expectPageEqualsBackend();
    // 4010 with reconnect:true: the page must reconnect; events published meanwhile wait in history.
    await herald.api('POST', '/api/disconnect', { client: before.page.client, reconnect: true, reason: 'test kick' });
    const missed = await burst(1);
    const after = await expectPageEqualsBackend();
    expect(after.page.client).not.toBe(before.page.client);
    expect(after.page.received - before.page.received).toBe(missed.count);
    expect(after.truth.sessionReads, 'recovered from history, not refetched').toBe(before.truth.sessionReads);
  });

  it('refetches after a Herald restart (a new epoch: recovered false) and ends equal to the backend', async () => {
    const before = await expectPageEqualsBackend();
    await herald.stop(); // close 4000: reconnect
    await until(async () => (await pageState())?.socket === 'reconnecting', 'the page to reconnect');
    await view.screenshot('2-reconnecting');
    await herald.start();
    await burst(1);
    // the refetch starts on the new `subscribed` (recovered false) and may still be on its way while
    // the burst's events already make the page equal: wait for the backend to count it, then compare
    await until(async () => (await stats()).sessionReads > before.truth.sessionReads, 'the refetch after the new epoch');
    const after = await expectPageEqualsBackend();
    expect(after.truth.sessionReads).toBeGreaterThan(before.truth.sessionReads);
    expect(view.pageErrors).toEqual([]);
    await view.screenshot('3-recovered');
  });
});
