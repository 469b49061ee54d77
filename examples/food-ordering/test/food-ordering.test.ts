/**
 * Food ordering in Chromium against a real Herald and the example's backend: the page connects
 * with only its session cookie (the connect proxy says who it is), each event invalidates exactly
 * the queries of the map, nothing polls while connected; with Herald killed the page polls, gives
 * up after its 5 reconnect attempts, and after Retry ends equal to the backend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Backend, Herald, buildFrontend, exampleHeraldConfig, freePort, openPage, releaseBrowser, until, type ExamplePage } from '../../test-support/index.js';
import type { Order, Product, Store } from '../web/src/api.js';

const EXAMPLE = 'food-ordering';
const KITCHEN_KEY = 'kitchen-key-for-the-test';

interface FeedEntry {
  channel: string;
  type: string;
  data: unknown;
  offset: number;
  epoch: string;
}
type Published = FeedEntry;
interface State {
  stores: Store[];
  products: Product[];
  orders: (Order & { customerId: string })[];
  stats: { reads: Record<string, number>; connects: { user: string | null; cookie: boolean; transport: string }[]; published: Published[]; pending: number; failed: number };
}
interface PageState {
  connection: string | null;
  fetching: number;
  /** Every query's channel subscribed (useLiveQuery's `live`). */
  live: boolean;
  stores: Store[];
  storeHeader: Store | null;
  products: Product[];
  orders: { id: string; status: string }[];
  detail: { id: string; status: string } | null;
  feed: FeedEntry[];
}

let herald: Herald;
let backend: Backend;
let view: ExamplePage;
const sockets: string[] = [];

const state = () => backend.json<State>('/api/kitchen/state', { headers: { 'x-kitchen-key': KITCHEN_KEY } });
const kitchen = (path: string, body: unknown = {}) => backend.json(`/api/kitchen/${path}`, { body, headers: { 'x-kitchen-key': KITCHEN_KEY } });

function pageState(): Promise<PageState> {
  return view.page.evaluate(() => {
    const all = (selector: string, attribute: string) => [...document.querySelectorAll<HTMLElement>(selector)].map((e) => JSON.parse(e.getAttribute(attribute) ?? 'null') as unknown);
    const header = document.querySelector('[data-store-header]');
    const detail = document.querySelector<HTMLElement>('[data-order-detail]');
    return {
      connection: document.querySelector('[data-herald-state]')?.getAttribute('data-herald-state') ?? null,
      fetching: Number(document.querySelector<HTMLElement>('[data-fetching]')?.dataset.fetching ?? 0),
      live: [...document.querySelectorAll<HTMLElement>('[data-live]')].every((e) => e.dataset.live === 'true'),
      stores: all('[data-store]', 'data-store') as Store[],
      storeHeader: header ? (JSON.parse(header.getAttribute('data-store-header') ?? 'null') as Store) : null,
      products: all('[data-product]', 'data-product') as Product[],
      orders: [...document.querySelectorAll<HTMLElement>('[data-order]')].map((e) => ({ id: e.dataset.order ?? '', status: e.dataset.status ?? '' })),
      detail: detail ? { id: detail.dataset.orderDetail ?? '', status: detail.dataset.status ?? '' } : null,
      // Oldest first, as published.
      feed: (all('[data-feed]', 'data-feed') as FeedEntry[]).reverse(),
    };
  });
}

/** The page showing exactly the backend's stores, the selected store's menu and the customer's orders. */
async function expectPageEqualsBackend(what: string, timeoutMs = 15_000): Promise<PageState> {
  let page: PageState | undefined;
  let truth: State | undefined;
  const expected = (t: State, detail: PageState['detail']) => ({
    stores: t.stores,
    storeHeader: t.stores.find((s) => s.id === 's1'),
    products: t.products.filter((p) => p.storeId === 's1'),
    orders: t.orders.filter((o) => o.customerId === 'dana').reverse().map((o) => ({ id: o.id, status: o.status })),
    // The open order's detail, when one is open.
    detail: detail && { id: detail.id, status: t.orders.find((o) => o.id === detail.id)?.status },
  });
  await until(
    async () => {
      [page, truth] = await Promise.all([pageState(), state()]);
      const { stores, storeHeader, products, orders, detail } = page;
      return page.fetching === 0 && JSON.stringify({ stores, storeHeader, products, orders, detail }) === JSON.stringify(expected(truth, detail));
    },
    () => `${what}: the page ${JSON.stringify(page?.orders)} / ${JSON.stringify(page?.stores.map((s) => s.isActive))} to equal the backend ${truth && page ? JSON.stringify(expected(truth, page.detail).orders) : ''}`,
    timeoutMs,
  );
  if (!page) throw new Error('no page state');
  return page;
}

/** Every query live (each subscription's first refetch done) and none loading. */
async function waitLive(what: string): Promise<void> {
  await until(async () => {
    const page = await pageState();
    return page.connection === 'connected' && page.live && page.fetching === 0;
  }, `${what}: every query live`);
}

/** The channels this page follows (store s1 is the one open). */
const MINE = new Set(['orders#dana', 'stores', 'store:s1']);
/** Events published while the page was not connected: never in its feed. */
let feedGap = 0;

/** Runs `change` and returns how the REST reads moved once the page has settled to the backend's state. */
async function readsCausedBy(what: string, change: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = (await state()).stats.reads;
  await change();
  await until(async () => (await state()).stats.pending === 0, `${what}: published`);
  // Every event of the page's channels arrived (the invalidations ran), then no query is loading.
  const published = (await state()).stats.published.filter((p) => MINE.has(p.channel)).length;
  await until(async () => (await pageState()).feed.length === published - feedGap, `${what}: its events on the page`);
  await expectPageEqualsBackend(what);
  const after = (await state()).stats.reads;
  return Object.fromEntries(Object.keys(after).map((k) => [k, (after[k] ?? 0) - (before[k] ?? 0)]).filter(([, n]) => n !== 0));
}

/** The live feed lists exactly these publications, in order. */
async function expectFeedToBe(published: Published[]): Promise<void> {
  const expected = published.map(({ channel, type, data, offset, epoch }) => ({ channel, type, data, offset, epoch }));
  await until(async () => JSON.stringify((await pageState()).feed) === JSON.stringify(expected), () => 'the live feed to list every event published to the page');
}

beforeAll(async () => {
  const [backendPort, heraldPort] = await Promise.all([freePort(), freePort()]);
  // The example's own config, with the test backend's origin allowed and its connect proxy.
  const config = exampleHeraldConfig(EXAMPLE, { allowedOrigins: [`http://127.0.0.1:${backendPort}`] });
  herald = new Herald(heraldPort, { config, env: { HERALD_PROXY_CONNECT_URL: `http://127.0.0.1:${backendPort}/herald/connect` } });
  backend = new Backend(backendPort, { example: EXAMPLE, herald, env: { PROXY_SECRET: /x-herald-proxy: "([^"]+)"/.exec(config)?.[1] ?? '', KITCHEN_KEY } });
  // All three at once: the backend needs Herald only for its first publish.
  await Promise.all([buildFrontend(EXAMPLE), herald.start(), backend.start()]);
});

afterAll(async () => {
  await view?.close();
  await releaseBrowser();
  await backend?.stop();
  await herald?.stop();
});

describe('food ordering', () => {
  it('connects to Herald with only the session cookie: no token in the page, the connect proxy names the customer', async () => {
    view = await openPage(EXAMPLE, backend.url);
    view.page.on('websocket', (ws) => sockets.push(ws.url()));
    await view.page.click('[data-customer=dana]');
    await view.page.waitForSelector('.layout'); // signed in: the page reloaded with its session cookie
    await waitLive('the first load');
    await expectPageEqualsBackend('the first load');
    const { stats } = await state();
    expect(stats.connects).toEqual([{ user: 'dana', cookie: true, transport: 'ws' }]);
    expect(sockets).toEqual([`${herald.url.replace('http', 'ws')}/ws`]); // no ?token=
    expect(await view.page.evaluate(() => document.cookie)).toBe(''); // HttpOnly: no script sees the session
    expect((await pageState()).orders).toEqual([]);
    // The cookie is all a page has: with it, another customer's orders channel is refused (user-limited)...
    const refused = await view.page.evaluate(async (url) => {
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`);
      return new Promise<Record<string, unknown>>((resolve, reject) => {
        setTimeout(() => reject(new Error('no answer to the subscribe')), 10_000);
        ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe', id: 1, channel: 'orders#eli' }));
        ws.onmessage = (message) => {
          const frame = JSON.parse(String(message.data)) as Record<string, unknown>;
          if (frame.id === 1) resolve(frame);
        };
      });
    }, herald.url);
    expect(refused).toMatchObject({ type: 'error', code: 'permission_denied' });
    // ...and the connect proxy answers only Herald (its static header), never a caller asking whose a cookie is.
    const direct = await fetch(`${backend.url}/herald/connect`, { method: 'POST', body: JSON.stringify({ client: 'c', transport: 'ws', headers: {}, query: {} }) });
    expect(direct.status).toBe(403);
  });

  it('places an order and follows it: each order_updated refetches the orders and that order, nothing else', async () => {
    await view.page.click('[data-add=p1]');
    await view.page.click('[data-add=p1]');
    await view.page.click('[data-add=p3]');
    const placed = await readsCausedBy('the order placed', () => view.page.click('[data-action=order]'));
    // The list, from the event; the detail, opened by the click, loads once (the event finds it either loading or loaded).
    expect(placed.orders).toBe(1);
    await until(async () => (await pageState()).detail?.status === 'placed', 'the order detail');
    for (const status of ['accepted', 'preparing', 'on_the_way']) {
      const reads = await readsCausedBy(`order ${status}`, () => kitchen('orders/o1/advance'));
      expect(reads, `the reads caused by order_updated (${status})`).toEqual({ orders: 1, order: 1 });
      expect((await pageState()).detail).toEqual({ id: 'o1', status });
    }
    await view.screenshot('1-order-on-the-way');
  });

  it('refetches the products of a store when one sells out, and stores, store and products when a store closes', async () => {
    const soldOut = await readsCausedBy('spring rolls sold out', () => kitchen('products/p2', { available: false }));
    expect(soldOut).toEqual({ products: 1 });
    expect((await pageState()).products.find((p) => p.id === 'p2')?.available).toBe(false);
    expect(await view.page.isVisible('[data-add=p2]')).toBe(false);
    const closed = await readsCausedBy('Pho Saigon closed', () => kitchen('stores/s1', { isActive: false }));
    expect(closed).toEqual({ stores: 1, store: 1, products: 1 });
    expect(await view.page.textContent('.notice')).toBe('This restaurant is closed right now.');
    expect(await view.page.isDisabled('[data-add=p1]')).toBe(true);
    const eta = await readsCausedBy('Napoli Pizza busier', () => kitchen('stores/s2', { eta: '45–60 min' }));
    expect(eta).toEqual({ stores: 1 }); // store:s2 is not followed by this page; its list entry is
    await view.screenshot('2-store-closed');
    // Every event published to this page's channels was shown live, in order.
    const { stats } = await state();
    await expectFeedToBe(stats.published.filter((p) => MINE.has(p.channel)));
    expect(stats.published.filter((p) => p.channel === 'store:s2')).toHaveLength(1);
  });

  it('polls while Herald is down, gives up after 5 reconnect attempts, and after Retry ends equal to the backend', async () => {
    const before = await state();
    await herald.kill();
    await until(async () => (await pageState()).connection === 'reconnecting', 'the page reconnecting');
    // Changes while Herald is down reach the page by polling (every 3 s while not live).
    await kitchen('orders/o1/advance');
    await kitchen('stores/s1', { isActive: true });
    const polled = await expectPageEqualsBackend('the changes made while Herald is down, by polling', 20_000);
    expect(polled.orders).toEqual([{ id: 'o1', status: 'delivered' }]);
    await until(async () => (await pageState()).connection === 'disconnected', 'the client to give up', 20_000);
    expect(await view.page.textContent('[data-herald-part=error]')).toMatch(/^gave up after 5 reconnect attempts/);
    expect(await view.page.isVisible('[data-herald-part=retry]')).toBe(true);
    await view.screenshot('3-gave-up-polling');

    await herald.start();
    // The backend's publishes that waited for Herald went out; the page, having given up, stays
    // disconnected (and keeps polling) until the customer clicks Retry.
    await until(async () => (await state()).stats.pending === 0, 'the waiting publishes to go out', 30_000);
    const reads = (await state()).stats.reads.orders ?? 0;
    await until(async () => ((await state()).stats.reads.orders ?? 0) > reads, 'one more poll after Herald is back');
    expect((await pageState()).connection).toBe('disconnected');
    expect((await state()).stats.connects).toHaveLength(before.stats.connects.length);
    await view.page.click('[data-herald-part=retry]');
    await waitLive('after Retry');
    const after = await state();
    expect(after.stats.connects.slice(before.stats.connects.length)).toEqual([{ user: 'dana', cookie: true, transport: 'ws' }]);
    expect(after.stats.failed).toBe(0);
    await expectPageEqualsBackend('after the reconnect');

    // Live again: the next order is followed by events, without polling.
    const livePublished = after.stats.published.length;
    feedGap = after.stats.published.filter((p) => MINE.has(p.channel)).length - before.stats.published.filter((p) => MINE.has(p.channel)).length;
    await view.page.click('[data-add=p4]');
    const placed = await readsCausedBy('a second order', () => view.page.click('[data-action=order]'));
    expect(placed.orders).toBe(1);
    const reads2 = await readsCausedBy('the second order accepted', () => kitchen('orders/o2/advance'));
    expect(reads2).toEqual({ orders: 1, order: 1 });
    const { stats } = await state();
    const shownBefore = before.stats.published.filter((p) => MINE.has(p.channel));
    const shownAfter = stats.published.slice(livePublished).filter((p) => MINE.has(p.channel));
    // Every event published while the page was connected is in the feed; those of the outage are not (the refetch covered them).
    await expectFeedToBe([...shownBefore, ...shownAfter]);
    expect(view.pageErrors).toEqual([]);
    await view.screenshot('4-live-again');
  });
});
