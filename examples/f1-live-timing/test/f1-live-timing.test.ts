/**
 * F1 live timing in Chromium against a real Herald and the example's backend: standings over
 * REST, a connection only while the session is live, a 50 updates/s burst rendered without
 * dropping one, and a Herald crash mid-burst after which the page ends equal to the backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFrontend, exampleHeraldConfig, freePort, openPage, releaseBrowser, until, Backend, Herald, type ExamplePage } from '../../test-support/index.js';
import type { Driver, Session } from '../web/src/race.js';

const EXAMPLE = 'f1-live-timing';
const RATE = 50;

interface Stats { published: number; failed: number; sessionReads: number; session: Session }
interface PageState { seq: number; received: number; live: boolean; status: string; connection: string | null; fetching: boolean; drivers: Driver[] }

let herald: Herald;
let backend: Backend;
let view: ExamplePage;

const stats = () => backend.json<Stats>('/api/stats');
const byPosition = (drivers: readonly Driver[]) => [...drivers].sort((a, b) => a.position - b.position);

async function pageState(): Promise<PageState | undefined> {
  return view.page.evaluate(() => {
    const main = document.querySelector('main');
    if (!main) return undefined;
    return {
      seq: Number(main.dataset.seq),
      received: Number(main.dataset.received),
      live: main.dataset.live === 'true',
      status: main.dataset.status ?? '',
      connection: document.querySelector('[data-herald-state]')?.getAttribute('data-herald-state') ?? null,
      fetching: main.dataset.fetching === 'true',
      drivers: [...main.querySelectorAll<HTMLElement>('tbody tr')].map((row) => JSON.parse(row.dataset.driver ?? '{}') as Driver),
    };
  });
}

/** Waits until the page shows the backend's current state (the same change number), then compares the whole table. */
async function expectPageEqualsBackend(timeoutMs = 15_000): Promise<{ page: PageState; truth: Stats }> {
  let page: PageState | undefined;
  let truth = await stats();
  await until(
    async () => {
      [page, truth] = await Promise.all([pageState(), stats()]);
      return page?.seq === truth.session.seq && !page.fetching;
    },
    () => `the page at change ${truth.session.seq} (it is at ${page?.seq})`,
    timeoutMs,
  );
  if (!page) throw new Error('no page state');
  expect(page.drivers).toEqual(byPosition(truth.session.drivers));
  expect(page.status).toBe(truth.session.status);
  return { page, truth };
}

beforeAll(async () => {
  const backendPort = await freePort();
  // The example's own config, with the test backend's origin allowed instead of port 3000.
  const config = exampleHeraldConfig(EXAMPLE, { allowedOrigins: [`http://127.0.0.1:${backendPort}`] });
  herald = new Herald(await freePort(), { config });
  backend = new Backend(backendPort, { example: EXAMPLE, herald });
  // All three at once: the backend needs Herald only for its first publish.
  await Promise.all([buildFrontend(EXAMPLE), herald.start(), backend.start()]);
});

afterAll(async () => {
  await view?.close();
  await releaseBrowser();
  await backend?.stop();
  await herald?.stop();
  if (view?.pageErrors.length) console.error('page errors:', view.pageErrors);
});

describe('F1 live timing', () => {
  it('loads the standings over REST and does not connect to Herald before the session is live', async () => {
    view = await openPage(EXAMPLE, backend.url);
    const { page } = await expectPageEqualsBackend();
    expect(page.status).toBe('scheduled');
    expect(page.drivers).toHaveLength(20);
    expect(await view.page.textContent('.badge')).toBe('Not started');
    expect(await herald.metric('herald_connections_opened_total')).toBe(0);
    await view.screenshot('1-not-started');
  });

  it('connects when the session goes live and renders a burst of 50 updates/s without dropping one', async () => {
    await backend.json('/api/session/start', { method: 'POST' });
    await until(async () => (await pageState())?.live === true, 'the LIVE indicator (the page polls every 2 s until the session is live)');
    expect(await view.page.textContent('.badge')).toBe('● LIVE');
    const before = await expectPageEqualsBackend(); // the first subscribe's refetch has landed

    const burst = await backend.json<Stats & { count: number }>('/api/burst', { body: { rate: RATE, seconds: 3 } });
    expect(burst.count).toBe(3 * RATE);
    expect(burst.published - before.truth.published).toBe(burst.count);
    const after = await expectPageEqualsBackend();
    // Every published event reached the page and was applied live: none was made up by a refetch.
    expect(after.page.received - before.page.received).toBe(burst.count);
    expect(after.truth.sessionReads, 'GET /api/session while connected (polling or refetch)').toBe(before.truth.sessionReads);
    expect(await view.page.textContent('footer')).toContain(`${after.page.received} live updates applied`);
    await view.screenshot('2-after-burst');
  });

  it('recovers from a Herald crash mid-burst: reconnects, refetches what it missed and ends equal to the backend', async () => {
    const start = (await stats()).session.seq;
    // It outlasts the crash: the backend's publishes wait for Herald (the SDK retries for up to 30 s).
    const burst = backend.json<Stats & { count: number }>('/api/burst', { body: { rate: RATE, seconds: 4 }, timeoutMs: 45_000 });
    await until(async () => ((await pageState())?.seq ?? 0) >= start + RATE, 'one second of the burst on the page');
    await herald.kill();
    await until(async () => (await pageState())?.connection === 'reconnecting', 'the page to show it is reconnecting');
    expect((await pageState())?.live).toBe(false);
    await view.screenshot('3-herald-down');
    await herald.start();
    const result = await burst;
    expect(result.failed).toBe(0); // the SDK's publish retried until Herald was back
    const { page } = await expectPageEqualsBackend(30_000);
    await until(async () => (await pageState())?.live === true, 'the LIVE indicator again');
    expect(page.seq).toBe(start + result.count);
    // And the live stream carries on: the next second of updates arrives event by event again.
    const next = await backend.json<Stats & { count: number }>('/api/burst', { body: { rate: RATE, seconds: 1 } });
    const after = await expectPageEqualsBackend();
    expect(after.page.received - page.received).toBe(next.count);
    await view.screenshot('4-recovered');
  });

  it('disconnects from Herald when the session finishes', async () => {
    await backend.json('/api/session/finish', { method: 'POST' });
    await expectPageEqualsBackend();
    await until(async () => {
      const { channels } = await herald.api<{ channels: { channel: string; subscribers: number }[] }>('GET', '/api/channels?pattern=race:*');
      return channels.every((c) => c.subscribers === 0);
    }, 'the page to leave the race channel');
    expect(await view.page.textContent('.badge')).toBe('Finished');
    expect(view.pageErrors).toEqual([]);
    await view.screenshot('5-finished');
  });
});
