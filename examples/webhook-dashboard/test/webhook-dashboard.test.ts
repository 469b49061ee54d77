/**
 * The webhook-delivery dashboard in Chromium against a real Herald and the example's Python
 * backend: deliveries and metrics live from `?token=`; Herald killed: the countdown, the attempt
 * count, giving up after 3 attempts, polling meanwhile, and the retry button once Herald is back;
 * a hidden tab lets go of its connection, does not poll, and catches up on every missed event when
 * shown again. The page ends equal to the backend with every event published while it was
 * connected in its live log.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES, Herald, buildFrontend, exampleHeraldConfig, freePort, openPage, releaseBrowser, startBackend, until, type Backend, type ExamplePage } from '../../test-support/index.js';
import type { Dashboard, Delivery, Metrics } from '../web/src/live.js';

const EXAMPLE = 'webhook-dashboard';
const ACCOUNT = 'acme';
const POLL_MS = 500;
const ATTEMPTS = 3;
// Short test settings: 1.2 s doubling to 2.4 s (the example runs 1 s to 30 s), 3 attempts (10).
const RECONNECT = { DASHBOARD_MIN_RECONNECT_MS: '1200', DASHBOARD_MAX_RECONNECT_MS: '2400', DASHBOARD_MAX_RECONNECT_ATTEMPTS: String(ATTEMPTS) };

interface Published { seq: number; type: string; offset: number; epoch: string }
interface Stats { published: Published[]; publish_failures: number }
interface PageState { seq: number; live: boolean; awake: boolean; metrics: Metrics | null; events: Delivery[]; received: number[]; state: string | null; countdown: number | null; attempt: number | null; error: string }

let herald: Herald;
let backend: Backend;
let view: ExamplePage;
let token = '';
/** GET /api/dashboard requests the page made (polls, refetches): counted in the browser, so the test's own reads do not count. */
let pageReads = 0;

const api = <T,>(path: string, method = 'GET', body?: unknown) => backend.json<T>(path, { method, headers: { authorization: `Bearer ${token}` }, ...(body === undefined ? {} : { body }) });
const stats = () => api<Stats>('/api/stats');
const send = (status: number) => api<Delivery>('/api/events', 'POST', { target_url: `${backend.url}/sink/${status}`, payload: { order: 7 } });

async function pageState(): Promise<PageState> {
  return view.page.evaluate(() => {
    const main = document.querySelector('main');
    const number = (selector: string, attribute?: string) => {
      const element = document.querySelector(selector);
      const text = attribute ? element?.getAttribute(attribute) : element?.textContent;
      const match = /\d+/.exec(text ?? '');
      return match ? Number(match[0]) : null;
    };
    return {
      seq: Number(main?.dataset.seq ?? -1),
      live: main?.dataset.live === 'true',
      awake: main?.dataset.awake === 'true',
      metrics: JSON.parse(document.querySelector('[data-metrics]')?.getAttribute('data-metrics') ?? 'null') as Metrics | null,
      events: [...document.querySelectorAll<HTMLElement>('tr[data-event]')].map((tr) => JSON.parse(tr.dataset.event ?? '{}') as Delivery),
      // Every seq received over Herald (the panel shows the last 12).
      received: (main?.dataset.receivedSeqs ?? '').split(',').filter(Boolean).map(Number),
      state: document.querySelector('[data-herald-state]')?.getAttribute('data-herald-state') ?? null,
      countdown: number('[data-herald-part="countdown"]'),
      attempt: number('[data-attempt]', 'data-attempt'),
      error: document.querySelector('[data-herald-part="error"]')?.textContent ?? '',
    };
  });
}

/** Waits until the page shows the backend's dashboard: the same seq, metrics and events. */
async function expectPageEqualsBackend(timeoutMs = 15_000): Promise<PageState> {
  let page: PageState | undefined;
  let truth: Dashboard | undefined;
  await until(
    async () => {
      [page, truth] = await Promise.all([pageState(), api<Dashboard>('/api/dashboard')]);
      return page.seq === truth.seq && JSON.stringify([page.metrics, page.events]) === JSON.stringify([truth.metrics, truth.events]);
    },
    () => `the page to equal the backend:\n page ${JSON.stringify(page)}\n backend ${JSON.stringify(truth)}`,
    timeoutMs,
  );
  return page as PageState;
}

const receivedSeqs = async () => (await pageState()).received;
/** Waits until every one of `seqs` is in the page's live log. */
const received = (seqs: readonly number[], what: string) => until(async () => {
  const log = await receivedSeqs();
  return seqs.every((s) => log.includes(s));
}, () => `${what}: ${JSON.stringify(seqs)}`);

/** Emulates the tab going to the background or coming back (the Page Visibility API, as a browser fires it). */
async function setHidden(hidden: boolean): Promise<void> {
  await view.page.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  }, hidden);
}

/** The backend's publishes caught up with its changes: every seq up to the current one was published. */
async function allPublished(): Promise<Published[]> {
  let published: Published[] = [];
  await until(async () => {
    const [{ seq }, stats_] = await Promise.all([api<Dashboard>('/api/dashboard'), stats()]);
    published = stats_.published;
    return published.at(-1)?.seq === seq;
  }, () => `the backend to publish up to its seq (published up to ${published.at(-1)?.seq})`);
  return published;
}

const settledDeliveries = () => until(async () => (await api<Dashboard>('/api/dashboard')).metrics.pending_events === 0, 'every delivery to finish');

beforeAll(async () => {
  const [, backendPort] = await Promise.all([buildFrontend(EXAMPLE), freePort()]);
  const config = exampleHeraldConfig(EXAMPLE, { allowedOrigins: [`http://127.0.0.1:${backendPort}`] });
  herald = new Herald(await freePort(), { config });
  // Both at once: the backend publishes only when something changes.
  [backend] = await Promise.all([
    startBackend({
      example: EXAMPLE,
      herald,
      port: backendPort,
      command: join(EXAMPLES, EXAMPLE, 'backend', 'start'),
      args: [],
      env: { DASHBOARD_DEV_LOGIN: '1', DASHBOARD_POLL_MS: String(POLL_MS), DASHBOARD_HIDDEN_DISCONNECT_MS: '300', ...RECONNECT },
    }),
    herald.start(),
  ]);
});

afterAll(async () => {
  if (view?.pageErrors.length) console.error('page errors:', view.pageErrors);
  await view?.close();
  await releaseBrowser();
  await Promise.all([backend?.stop(), herald?.stop()]);
});

describe('webhook-delivery dashboard', () => {
  let seqBeforeKill = 0;
  let seqBackLive = 0;

  it('opens from ?token= and shows deliveries and metrics as they happen', async () => {
    view = await openPage(EXAMPLE, `${backend.url}/dev-login?user=${ACCOUNT}`);
    view.page.on('request', (request) => void (new URL(request.url()).pathname === '/api/dashboard' && pageReads++));
    token = new URL(view.page.url()).searchParams.get('token') ?? '';
    expect(token).not.toBe('');
    await until(async () => (await pageState()).live, 'the page to be live');

    await view.page.selectOption('select[aria-label="receiver answer"]', '500');
    await view.page.click('form.send button');
    await send(200);
    await send(200);
    await settledDeliveries();
    const page = await expectPageEqualsBackend();
    expect(page.metrics).toEqual({ total_events: 3, pending_events: 0, delivered_events: 2, failed_events: 1 });
    const published = await allPublished();
    // Three created and three delivered or failed, each followed by its metrics_update: 12 events, all received.
    expect(published.map((p) => p.seq)).toEqual([...Array(12).keys()].map((i) => i + 1));
    await until(async () => (await receivedSeqs()).length === 12, 'all 12 events in the live log');
    expect(await receivedSeqs()).toEqual(published.map((p) => p.seq));
    seqBeforeKill = page.seq;
    await view.screenshot('1-live');
  });

  it('refuses a missing, forged or expired token, targets off the allowed hosts, huge bodies, and other accounts', async () => {
    const status = async (path: string, init: RequestInit = {}, bearer?: string) =>
      (await fetch(`${backend.url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) } })).status;
    expect(await status('/api/dashboard')).toBe(401);
    expect(await status('/api/dashboard', {}, `${token.slice(0, -4)}AAAA`)).toBe(401);
    expect(await status('/api/dashboard', {}, herald.token({ sub: ACCOUNT }, -60))).toBe(401);
    const post = (body: unknown, bearer = token) => status('/api/events', { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) }, bearer);
    expect(await post({ target_url: 'http://10.0.0.1/hook' })).toBe(400);
    expect(await post({ target_url: 'file:///etc/passwd' })).toBe(400);
    expect(await post({ target_url: `${backend.url}/sink/200`, payload: 'x'.repeat(40_000) })).toBe(413);
    expect(await post('{"target_url":')).toBe(400);
    // Another account's event is not this account's to delete.
    const other = herald.token({ sub: 'other' });
    const theirs = await backend.json<Delivery>('/api/events', { body: { target_url: `${backend.url}/sink/200` }, headers: { authorization: `Bearer ${other}` } });
    expect(await status(`/api/events/${theirs.id}`, { method: 'DELETE' })).toBe(401);
    expect(await status(`/api/events/${theirs.id}`, { method: 'DELETE' }, token)).toBe(404);
    await settledDeliveries();
  });

  it('counts down, numbers its attempts, gives up after 3, polls meanwhile, and reconnects with the retry button', async () => {
    const readsBefore = pageReads;
    await herald.kill();
    await until(async () => (await pageState()).state === 'reconnecting', 'the page to be reconnecting');
    // Changes while it reconnects: a new event and a deletion (the page can only poll for them).
    const changes = (async () => {
      await send(200);
      const [doomed] = (await api<Dashboard>('/api/dashboard')).events.filter((e) => e.status === 'failed');
      await api(`/api/events/${doomed?.id}`, 'DELETE');
      await settledDeliveries();
    })();
    // The countdown: a number of seconds that goes down.
    const seen: number[] = [];
    await until(async () => {
      const { countdown } = await pageState();
      if (countdown !== null && seen.at(-1) !== countdown) seen.push(countdown);
      return seen.some((n, i) => i > 0 && n < (seen[i - 1] as number));
    }, () => `the countdown to go down (seen ${seen.join(', ')})`);
    // Attempts 1, 2 and 3 of 3, then it gives up: disconnected, a retry button, and why.
    for (let n = 1; n <= ATTEMPTS; n++) await until(async () => (await pageState()).attempt === n, `attempt ${n} of ${ATTEMPTS}`);
    await until(async () => (await pageState()).state === 'disconnected', 'the page to give up', 15_000);
    const gaveUp = await pageState();
    expect(gaveUp.error).toContain(`gave up after ${ATTEMPTS} reconnect attempts`);
    expect(await view.page.textContent('[data-attempt]')).toBe(`attempt ${ATTEMPTS} of ${ATTEMPTS}`);
    expect(await view.page.isVisible('[data-herald-part="retry"]')).toBe(true);

    // Still current without Herald: it polled.
    await changes;
    const polled = await expectPageEqualsBackend();
    expect(polled.live).toBe(false);
    expect(pageReads).toBeGreaterThan(readsBefore);
    expect(await view.page.textContent('.badge')).toBe(`Polling every ${POLL_MS / 1000}s`);
    await view.screenshot('2-gave-up-polling');

    // Herald back: a client that gave up stays down until the user retries.
    await herald.start();
    expect((await pageState()).state).toBe('disconnected');
    await view.page.click('[data-herald-part="retry"]');
    await until(async () => (await pageState()).live, 'live again after Retry');
    const back = await expectPageEqualsBackend();
    seqBackLive = back.seq;
    await send(404);
    await settledDeliveries();
    await expectPageEqualsBackend();
    const after = (await allPublished()).filter((p) => p.seq > seqBackLive).map((p) => p.seq);
    expect(after).toHaveLength(4);
    await received(after, 'the new events live');
    await view.screenshot('3-back-after-retry');
  });

  it('lets go of Herald in a hidden tab, does not poll there, and replays what it missed when shown', async () => {
    await setHidden(true);
    await until(async () => !(await pageState()).awake, 'the hidden tab to pause');
    await until(async () => {
      const { channels } = await herald.api<{ channels: { channel: string; subscribers: number }[] }>('GET', `/api/channels?pattern=dashboard*`);
      return channels.every((c) => c.subscribers === 0);
    }, 'the hidden page to leave its channel');
    const reads = pageReads;
    const shown = (await pageState()).seq;
    const started = performance.now();
    await send(200);
    await send(500);
    await settledDeliveries();
    // Longer than a poll interval: a hidden tab neither listens nor polls.
    await until(() => performance.now() - started > 1.5 * POLL_MS, 'one and a half poll intervals');
    expect(pageReads).toBe(reads);
    expect((await pageState()).seq).toBe(shown);
    await view.screenshot('4-hidden');

    await setHidden(false);
    await until(async () => (await pageState()).live, 'live again once shown');
    const page = await expectPageEqualsBackend();
    expect(page.metrics?.total_events).toBe(6);
    // Every event published while the page was connected is in its live log; the 8 missed while
    // hidden were replayed from Herald's history when it resubscribed.
    const published = await allPublished();
    expect((await stats()).publish_failures).toBe(0);
    const wanted = published.filter((p) => p.seq <= seqBeforeKill || p.seq > seqBackLive).map((p) => p.seq);
    await received(wanted, 'every event of the connected time in the live log');
    const log = await receivedSeqs();
    expect(new Set(log).size).toBe(log.length); // and none twice
    expect(view.pageErrors).toEqual([]);
    await view.screenshot('5-shown-again');
  });
});
