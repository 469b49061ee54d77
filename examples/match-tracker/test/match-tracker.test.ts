/**
 * The match tracker in Chromium: two Herald nodes on the local Redis, the backend on a fresh
 * PostgreSQL database, the referee's device on node A and a spectator's on node B. Only the
 * referee's actions are published (the publish proxy asks the backend, which stores them); the
 * spectator's node is killed mid-match and its page gets every event it missed; a fourth device of
 * one user is refused; a device opened late replays the match from the database; the admin page
 * shows the match channel on both nodes.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Backend,
  Herald,
  REDIS_URL,
  buildFrontend,
  deleteRedisKeys,
  exampleHeraldConfig,
  freePort,
  freshDatabase,
  openPage,
  redisPrefix,
  releaseBrowser,
  screenshot,
  until,
  type ExamplePage,
  type FreshDatabase,
} from '../../test-support/index.js';
import type { MatchEvent, MatchView } from '../web/src/match.js';

const EXAMPLE = 'match-tracker';
const MATCH = 'm1';
const ADMIN_PASSWORD = 'admin-password-for-the-match-test';

interface Truth {
  match: MatchView['match'];
  events: MatchEvent[];
}
interface PageState {
  seq: number;
  status: string;
  score: string;
  live: boolean;
  connection: string | null;
  events: MatchEvent[];
}

let database: FreshDatabase;
let prefix: string;
let nodeA: Herald;
let nodeB: Herald;
let backend: Backend;
let referee: ExamplePage;
let fan: ExamplePage;
const others: ExamplePage[] = [];

const truth = () => backend.json<Truth>(`/api/stats/matches/${MATCH}`);
const stats = () => backend.json<{ accepted: number; refused: number; reads: Record<string, number> }>('/api/stats');

function pageState(page: Page): Promise<PageState | undefined> {
  return page.evaluate(() => {
    const main = document.querySelector<HTMLElement>('main[data-match]');
    if (!main) return undefined;
    return {
      seq: Number(main.dataset.seq),
      status: main.dataset.status ?? '',
      score: main.dataset.score ?? '',
      live: main.dataset.live === 'true',
      connection: document.querySelector('[data-herald-state]')?.getAttribute('data-herald-state') ?? null,
      events: [...document.querySelectorAll<HTMLElement>('.timeline li')].map((li) => JSON.parse(li.dataset.event ?? '{}') as MatchEvent),
    };
  });
}

/** Waits until the page is at the backend's last event, then compares every event, the score and the status. */
async function expectPageEqualsDatabase(view: ExamplePage, timeoutMs = 15_000): Promise<PageState> {
  // Nothing acts meanwhile: the stored match is read once, the page is polled.
  const stored = await truth();
  let page: PageState | undefined;
  await until(
    async () => {
      page = await pageState(view.page);
      return page?.seq === stored.match.last_seq && page.live;
    },
    () => `the page live at event ${stored.match.last_seq} (it is at ${page?.seq}, live ${page?.live})`,
    timeoutMs,
  );
  if (!page) throw new Error('no page state');
  expect(page.events).toEqual(stored.events);
  expect(page.status).toBe(stored.match.status);
  expect(page.score).toBe(`${stored.match.home_score}-${stored.match.away_score}`);
  return page;
}

/** A device of `user`: the sign-in page, then the match. */
async function signIn(user: string): Promise<ExamplePage> {
  const view = await openPage(EXAMPLE, `${backend.url}/match/${MATCH}`);
  await view.page.click(`[data-user=${user}]`);
  await view.page.waitForSelector('main[data-match]');
  return view;
}

/** What the referee does on the page: a click, then the event on the referee's page, and stored. */
async function act(action: string): Promise<void> {
  const before = (await pageState(referee.page))?.seq ?? -1;
  await referee.page.click(`[data-action=${action}]`);
  await until(async () => (await pageState(referee.page))?.seq === before + 1, `${action} on the referee's page`);
  expect((await truth()).match.last_seq).toBe(before + 1);
}

/** A hand-made publish from inside a signed-in page (what a user could type in the devtools), with that user's token. */
function forgedPublish(view: ExamplePage, event: string, data: unknown): Promise<Record<string, unknown>> {
  return view.page.evaluate(
    async ({ channel, event, data }) => {
      const { heraldUrl } = (await (await fetch('/api/config')).json()) as { heraldUrl: string };
      const { token } = (await (await fetch('/api/herald-token', { method: 'POST' })).json()) as { token: string };
      const ws = new WebSocket(`${heraldUrl.replace(/^http/, 'ws')}/ws?token=${token}`);
      return new Promise<Record<string, unknown>>((resolve, reject) => {
        setTimeout(() => reject(new Error('no answer to the publish')), 10_000);
        ws.onmessage = (message) => {
          const frame = JSON.parse(String(message.data)) as Record<string, unknown>;
          if (frame.type === 'connected') ws.send(JSON.stringify({ type: 'publish', id: 1, channel, event, data }));
          if (frame.id === 1) {
            ws.close();
            resolve(frame);
          }
        };
      });
    },
    { channel: `match:${MATCH}`, event, data },
  );
}

beforeAll(async () => {
  const [backendPort, portA, portB, db] = await Promise.all([freePort(), freePort(), freePort(), freshDatabase('match')]);
  database = db;
  prefix = redisPrefix('match');
  // The example's own config, with the test backend's origin allowed and its proxy URL.
  const config = exampleHeraldConfig(EXAMPLE, { allowedOrigins: [`http://127.0.0.1:${backendPort}`] });
  const proxySecret = /x-herald-proxy: "([^"]+)"/.exec(config)?.[1] ?? '';
  const env = {
    HERALD_REDIS_URL: REDIS_URL,
    HERALD_REDIS_PREFIX: prefix,
    HERALD_PROXY_PUBLISH_URL: `http://127.0.0.1:${backendPort}/herald/publish`,
    HERALD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    // One cluster: both nodes take the same API key and token secret.
    HERALD_API_KEY: `match-test-key-${prefix}`,
    HERALD_JWT_HMAC_SECRET: `match-test-secret-${prefix}-0123456789abcdef`,
  };
  nodeA = new Herald(portA, { config, env, name: 'herald A' });
  nodeB = new Herald(portB, { config, env, name: 'herald B' });
  backend = new Backend(backendPort, {
    example: EXAMPLE,
    herald: nodeA,
    env: { DATABASE_URL: database.url, HERALD_PUBLIC_URL: `${nodeA.url},${nodeB.url}`, PROXY_SECRET: proxySecret },
  });
  // All at once: the backend needs Herald only when a page connects.
  await Promise.all([buildFrontend(EXAMPLE), nodeA.start(), nodeB.start(), backend.start()]);
});

afterAll(async () => {
  for (const view of [referee, fan, ...others]) await view?.close();
  await releaseBrowser();
  await backend?.stop();
  await Promise.all([nodeA?.stop(), nodeB?.stop()]);
  if (prefix) await deleteRedisKeys(prefix);
  await database?.drop();
});

describe('match tracker', () => {
  it('signs in the referee and a spectator on two devices, each on its own Herald node', async () => {
    [referee, fan] = await Promise.all([signIn('ana'), signIn('ben')]);
    expect(await referee.page.textContent('.top .who')).toBe(`Ana Ortiz · Herald node ${nodeA.url.replace('http://', '')}`);
    expect(await fan.page.textContent('.top .who')).toBe(`Ben Okafor · Herald node ${nodeB.url.replace('http://', '')}`);
    await expectPageEqualsDatabase(referee);
    await expectPageEqualsDatabase(fan);
    expect(await referee.page.isVisible('[data-action=match_start]')).toBe(true);
    expect(await fan.page.locator('.controls').count()).toBe(0); // a spectator has no buttons
    // Presence across the two nodes: each device sees both users.
    for (const view of [referee, fan]) await until(async () => (await view.page.getAttribute('.watching', 'data-watching')) === 'ana,ben', 'both users watching');
    expect(await referee.page.textContent('.watching')).toBe('Watching now: Ana Ortiz, Ben Okafor');
  });

  it("publishes only the referee's actions: each stored by the backend, then shown on both devices in order", async () => {
    for (const action of ['match_start', 'goal-home', 'card-away', 'goal-away', 'goal-home']) await act(action);
    const page = await expectPageEqualsDatabase(fan);
    expect(page.events.map((e) => e.event)).toEqual(['match_start', 'score_update', 'event_added', 'score_update', 'score_update']);
    expect(page.score).toBe('2-1');
    expect(page.events.every((e) => e.by === 'ana')).toBe(true);
    await expectPageEqualsDatabase(referee);

    // A spectator's own publish, with its own valid token: the backend refuses it and nothing happens.
    const before = await stats();
    const refused = await forgedPublish(fan, 'score_update', { team: 'away' });
    expect(refused).toMatchObject({ type: 'error', code: 'permission_denied', message: `only the referee of match ${MATCH} may do that`, temporary: false });
    // The referee cannot break the rules either: a second kick-off is refused by the backend's rules.
    const again = await forgedPublish(referee, 'match_start', {});
    expect(again).toMatchObject({ type: 'error', code: 'bad_request', message: 'not while the match is live' });
    expect((await stats()).refused).toBe(before.refused + 2);
    // And the proxy endpoint itself takes calls only from Herald (its static header).
    const direct = await fetch(`${backend.url}/herald/publish`, {
      method: 'POST',
      body: JSON.stringify({ client: 'c_forged', user: 'ana', channel: `match:${MATCH}`, event: 'score_update', data: { team: 'away' } }),
    });
    expect(direct.status).toBe(403);
    expect((await truth()).match.last_seq).toBe(5);
    expect((await pageState(fan.page))?.events).toHaveLength(5);
    await referee.screenshot('1-referee');
    await fan.screenshot('2-spectator');
  });

  it("gives a spectator whose Herald node was killed every event it missed, from the cluster's history, without a refetch", async () => {
    const readsBefore = (await stats()).reads['ben'] ?? 0;
    await nodeB.kill();
    await until(async () => (await pageState(fan.page))?.connection === 'reconnecting', 'the spectator to see its node is gone');
    for (const action of ['goal-away', 'card-home', 'match_pause']) await act(action);
    await fan.screenshot('3-spectator-node-down');
    expect((await pageState(fan.page))?.seq).toBe(5);
    await nodeB.start();
    const page = await expectPageEqualsDatabase(fan, 20_000);
    expect(page.events.slice(5).map((e) => e.event)).toEqual(['score_update', 'event_added', 'match_pause']);
    expect(page.status).toBe('paused');
    // Recovered from Redis history on resubscribe: the page did not reload the match over REST.
    expect((await stats()).reads['ben'] ?? 0).toBe(readsBefore);
    await fan.screenshot('4-spectator-recovered');
  });

  it("refuses a user's fourth device at the limit of 3 connections", async () => {
    // Ben's second and third tabs (his session cookie, so his node): fine. The fourth: close 4008.
    for (let i = 0; i < 2; i++) {
      const tab = await fan.context.newPage();
      await tab.goto(`${backend.url}/match/${MATCH}`);
      await until(async () => (await pageState(tab))?.connection === 'connected', `ben's tab ${i + 2} connected`);
      others.push({ ...fan, page: tab, close: () => tab.close() });
    }
    const fourth = await fan.context.newPage();
    others.push({ ...fan, page: fourth, close: () => fourth.close() });
    await fourth.goto(`${backend.url}/match/${MATCH}`);
    await until(async () => ((await fourth.textContent('.connection [data-herald-part=error]')) ?? '').includes('limit of 3'), "the fourth tab's refusal");
    expect(await fourth.getAttribute('[data-herald-state]', 'data-herald-state')).toBe('reconnecting');
    expect(await nodeB.metric('herald_rate_limited_total{limit="connections_per_user"')).toBeGreaterThanOrEqual(1);
    await screenshot(fourth, EXAMPLE, '5-fourth-device-refused');
    for (const tab of others.splice(0)) await tab.close();
  });

  it('replays every event from the database on a device opened late, and ends with the full-time whistle on all', async () => {
    await act('match_resume');
    await act('goal-home');
    await act('match_end');
    const late = await signIn('cleo'); // a third user, on node B
    others.push(late);
    const page = await expectPageEqualsDatabase(late);
    expect(page.events).toHaveLength(11);
    expect(page.status).toBe('finished');
    expect(page.score).toBe('3-2');
    await expectPageEqualsDatabase(fan);
    await expectPageEqualsDatabase(referee);
    expect(await referee.page.locator('.controls').count()).toBe(0); // nothing left to referee
    expect(await late.page.textContent('.timeline li:last-child')).toContain('Full time, 3–2');
    await until(async () => (await referee.page.getAttribute('.watching', 'data-watching')) === 'ana,ben,cleo', 'the late device in presence');
    expect([referee, fan, late].flatMap((v) => v.pageErrors)).toEqual([]);
    await late.screenshot('6-replayed-late');
    await referee.screenshot('7-referee-full-time');
  });

  it('shows the match channel with its subscribers on both nodes in the admin page', async () => {
    const admin = await openPage(EXAMPLE, `${nodeA.url}/admin/`, { viewport: { width: 1200, height: 760 } });
    others.push(admin);
    await admin.page.fill('input[name=password]', ADMIN_PASSWORD);
    await admin.page.click('button[type=submit]');
    await admin.page.waitForSelector('[data-card=connections]');
    // The server API counts a node's own subscribers; the admin page adds up every node's.
    const subscribers = async (node: Herald) =>
      (await node.api<{ channels: { channel: string; subscribers: number }[] }>('GET', '/api/channels?pattern=match:*')).channels.find((c) => c.channel === `match:${MATCH}`)?.subscribers ?? 0;
    // ana on A; ben and cleo on B (once B has seen ben's closed tabs go)
    await until(async () => (await subscribers(nodeA)) === 1 && (await subscribers(nodeB)) === 2, 'one subscriber on A, two on B');
    const expected = 3;
    await admin.page.goto(`${nodeA.url}/admin/#/channels`);
    const row = `[data-channel="match:${MATCH}"]`;
    await admin.page.waitForSelector(row);
    expect(await admin.page.textContent(`${row} td.num`)).toBe(String(expected));
    const perNode = await admin.page.$$eval(`${row} td.num`, (cells) => cells.slice(1).map((c) => Number(c.textContent)));
    expect(perNode.sort()).toEqual([1, 2]);
    await admin.screenshot('8-admin-channels');
    await admin.page.click(`${row} a`);
    await admin.page.waitForSelector('[data-table=history] [data-offset="11"]');
    await admin.screenshot('9-admin-match-channel');
  });
});
