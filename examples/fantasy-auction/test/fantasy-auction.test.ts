/**
 * The fantasy auction in Chromium against a real Herald (its outbox reader on the test's own
 * PostgreSQL database) and the example's backend: two managers' pages on their user-limited team
 * channels, auction events written to the outbox with each write and shown live; then Herald is
 * killed, events are missed while the pages poll, and after Herald is back each page equals the
 * backend ("zero stale data"), live again and polling no more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Herald,
  exampleHeraldConfig,
  buildFrontend,
  freePort,
  freshDatabase,
  openPage,
  releaseBrowser,
  startBackend,
  until,
  type Backend,
  type ExamplePage,
  type FreshDatabase,
} from '../../test-support/index.js';
import type { Activity, Player, Tiebreaker, Wallet } from '../web/src/api.js';

const EXAMPLE = 'fantasy-auction';
const POLL_MS = 500;
const ADMIN_KEY = 'test-admin-key';

interface TeamState { wallet: Wallet | null; squad: Player[]; tiebreakers: Tiebreaker[]; activity: number[] }
interface PageState extends TeamState { live: boolean; fetching: number; connection: string | null; liveIds: number[]; receivedLive: number }

let db: FreshDatabase;
let herald: Herald;
let backend: Backend;
const pages: Record<string, ExamplePage> = {};
let secondRound = 0;

const admin = <T = unknown>(path: string, method = 'POST', body?: unknown) => backend.json<T>(path, { method, headers: { 'x-admin-key': ADMIN_KEY }, ...(body === undefined ? {} : { body }) });
const stats = () => admin<{ reads: Record<string, number>; outboxPending: number }>('/api/stats', 'GET');

const sessions = new Map<string, Promise<string>>();
/** The session cookie of a manager, for API calls made as them. */
const sessionOf = (user: string): Promise<string> => {
  if (!sessions.has(user)) sessions.set(user, login(user));
  return sessions.get(user) as Promise<string>;
};
async function login(user: string): Promise<string> {
  const response = await fetch(`${backend.url}/login?user=${user}`, { redirect: 'manual' });
  const cookie = response.headers.get('set-cookie')?.split(';')[0];
  if (response.status !== 302 || !cookie) throw new Error(`login of ${user}: ${response.status}`);
  return cookie;
}
const asManager = async (user: string, path: string, body: unknown) => backend.json(path, { body, headers: { cookie: await sessionOf(user) } });

async function truth(team: string): Promise<TeamState> {
  const [wallet, squad, tiebreakers, activity] = await Promise.all([
    admin<Wallet>(`/api/teams/${team}/wallet`, 'GET'),
    admin<Player[]>(`/api/teams/${team}/squad`, 'GET'),
    admin<Tiebreaker[]>(`/api/teams/${team}/tiebreakers`, 'GET'),
    admin<Activity[]>(`/api/teams/${team}/activity`, 'GET'),
  ]);
  return { wallet, squad, tiebreakers, activity: activity.map((a) => a.id) };
}

function pageState(user: string): Promise<PageState> {
  return (pages[user] as ExamplePage).page.evaluate(() => {
    const all = (selector: string, attribute: string) => [...document.querySelectorAll<HTMLElement>(selector)].map((e) => e.getAttribute(attribute) ?? '');
    const wallet = document.querySelector('[data-wallet]')?.getAttribute('data-wallet');
    const items = [...document.querySelectorAll<HTMLElement>('[data-activity]')];
    return {
      wallet: wallet ? (JSON.parse(wallet) as Wallet) : null,
      squad: all('[data-player]', 'data-player').map((p) => JSON.parse(p) as Player),
      tiebreakers: all('[data-tiebreaker]', 'data-tiebreaker').map((t) => JSON.parse(t) as Tiebreaker),
      activity: items.map((li) => Number(li.dataset.activity)),
      liveIds: items.filter((li) => li.dataset.live === 'true').map((li) => Number(li.dataset.activity)),
      live: document.querySelector('.badge')?.getAttribute('data-live') === 'true',
      fetching: Number(document.querySelector('main')?.dataset.fetching ?? -1),
      connection: document.querySelector('[data-herald-state]')?.getAttribute('data-herald-state') ?? null,
      receivedLive: Number(/\((\d+) received live\)/.exec(document.querySelector('.activity h2')?.textContent ?? '')?.[1] ?? -1),
    };
  });
}

/** Waits until the manager's page shows exactly the backend's state of their team. */
async function expectPageEqualsBackend(user: string, team: string, timeoutMs = 15_000): Promise<PageState> {
  let page: PageState | undefined;
  let want: TeamState | undefined;
  const same = (p: PageState, t: TeamState) => JSON.stringify([p.wallet, p.squad, p.tiebreakers, p.activity]) === JSON.stringify([t.wallet, t.squad, t.tiebreakers, t.activity]);
  await until(
    async () => {
      [page, want] = await Promise.all([pageState(user), truth(team)]);
      return same(page, want);
    },
    () => `${user}'s page to equal ${team} in the backend:\n page ${JSON.stringify(page)}\n backend ${JSON.stringify(want)}`,
    timeoutMs,
  );
  return page as PageState;
}

async function settled(user: string): Promise<void> {
  let state: PageState | undefined;
  await until(
    async () => {
      state = await pageState(user);
      return state.live && state.fetching === 0;
    },
    () => `${user}'s page live with no fetch under way: ${JSON.stringify(state)}; page errors ${JSON.stringify(pages[user]?.pageErrors)}, console ${JSON.stringify(pages[user]?.consoleErrors)}`,
  );
}

beforeAll(async () => {
  const [, backendPort, heraldPort, database] = await Promise.all([buildFrontend(EXAMPLE), freePort(), freePort(), freshDatabase('fantasy')]);
  db = database;
  const config = exampleHeraldConfig(EXAMPLE, { allowedOrigins: [`http://127.0.0.1:${backendPort}`] });
  // The outbox on the test's database.
  herald = new Herald(heraldPort, { config, env: { HERALD_OUTBOX_URL: db.url } });
  // Together: the backend has created its tables, Herald's outbox among them, well before the
  // JVM is up (and Herald's outbox reader would retry a missing table anyway).
  [backend] = await Promise.all([
    startBackend({
      example: EXAMPLE,
      herald,
      port: backendPort,
      env: { DATABASE_URL: db.url, ADMIN_KEY, AUCTION_POLL_MS: String(POLL_MS), AUCTION_MAX_RECONNECT_MS: '1000' },
    }),
    herald.start(),
  ]);
});

afterAll(async () => {
  for (const view of Object.values(pages)) {
    if (view.pageErrors.length) console.error('page errors:', view.pageErrors);
    await view.close();
  }
  await releaseBrowser();
  await Promise.all([backend?.stop(), herald?.stop()]);
  await db?.drop();
});

describe('fantasy auction', () => {
  it('refuses what a manager may not do: another team, no session, admin routes, huge or broken bodies', async () => {
    const status = async (path: string, init: RequestInit = {}) => (await fetch(`${backend.url}${path}`, init)).status;
    const u1 = { cookie: await sessionOf('u1') };
    expect(await status('/api/teams/T2/squad', { headers: u1 })).toBe(403);
    expect(await status('/api/teams/T1/squad')).toBe(401);
    expect(await status('/api/teams/T1/squad', { headers: { cookie: `${u1.cookie.split('.')[0]}.forged` } })).toBe(401);
    expect(await status('/api/rounds', { method: 'POST', headers: u1, body: '{"players":["P01"]}' })).toBe(403);
    expect(await status('/api/rounds/1/bids', { method: 'POST', headers: u1, body: 'x'.repeat(20_000) })).toBe(413);
    expect(await status('/api/rounds/1/bids', { method: 'POST', headers: u1, body: '{"player_id":' })).toBe(400);
    expect(await status('/login?user=nobody')).toBe(404);
  });

  it('shows each manager their own team, and every auction event of it live', async () => {
    [pages.u1, pages.u2] = await Promise.all([openPage(EXAMPLE, `${backend.url}/login?user=u1`), openPage(EXAMPLE, `${backend.url}/login?user=u2`)]);
    await Promise.all([settled('u1'), settled('u2')]);

    // A bulk round: one clear winner each, and a tie between T1 and T2 for Aaron Hale.
    const { id: round } = await admin<{ id: number }>('/api/rounds', 'POST', { players: ['P01', 'P02', 'P03', 'P04'] });
    await Promise.all([
      asManager('u1', `/api/rounds/${round}/bids`, { player_id: 'P01', amount: 100 }),
      asManager('u1', `/api/rounds/${round}/bids`, { player_id: 'P02', amount: 50 }),
      asManager('u2', `/api/rounds/${round}/bids`, { player_id: 'P01', amount: 100 }),
      asManager('u2', `/api/rounds/${round}/bids`, { player_id: 'P03', amount: 70 }),
      asManager('u3', `/api/rounds/${round}/bids`, { player_id: 'P04', amount: 30 }),
    ]);
    expect(await admin(`/api/admin/bulk-rounds/${round}/finalize`)).toEqual({ sold: 3, tiebreakers: 1 });

    for (const [user, team] of [['u1', 'T1'], ['u2', 'T2']] as const) {
      const page = await expectPageEqualsBackend(user, team);
      expect(page.activity).toHaveLength(3); // squad_update, wallet_update, tiebreaker_started
      await until(async () => (await pageState(user)).liveIds.length === 3, `${user}: all three events received live`);
    }
    const t1 = await pageState('u1');
    expect(t1.wallet).toEqual({ balance: 950, spent: 50, currency: 'coins' });
    expect(t1.squad.map((p) => p.name)).toEqual(['Bruno Sá']);
    expect(t1.tiebreakers[0]?.bids.map((b) => b.team_name)).toEqual(['Red Lions', 'Blue Sharks']);
    await pages.u1?.screenshot('1-round-finalized');

    // Red Lions bid in the tiebreaker on their page; Blue Sharks see it arrive.
    const u1 = (pages.u1 as ExamplePage).page;
    await u1.fill('input[aria-label="bid for Aaron Hale"]', '120');
    await u1.click('.tiebreaker button');
    await until(async () => (await pageState('u2')).tiebreakers[0]?.bids.some((b) => b.team_id === 'T1' && b.amount === 120) ?? false, 'Blue Sharks to see the bid of 120');
    const [s1, s2] = [await expectPageEqualsBackend('u1', 'T1'), await expectPageEqualsBackend('u2', 'T2')];
    await until(async () => (await pageState('u2')).liveIds.length === 4, 'the tiebreaker_bid live on Blue Sharks');
    expect(s1.activity).toHaveLength(4);
    expect(s2.activity).toHaveLength(4);
    await pages.u2?.screenshot('2-rival-bid-live');
  });

  it('misses nothing while Herald is down: the pages poll, the outbox keeps the events, and after the restart each page equals the backend', async () => {
    const before = await stats();
    await herald.kill();
    await Promise.all(['u1', 'u2'].map((user) => until(async () => !(await pageState(user)).live, `${user}'s page to notice Herald is gone`)));

    // Blue Sharks bid on their page while Herald is down; the tiebreaker resolves in their favour.
    const u2 = (pages.u2 as ExamplePage).page;
    await u2.fill('input[aria-label="bid for Aaron Hale"]', '130');
    await u2.click('.tiebreaker button');
    await until(async () => (await truth('T2')).tiebreakers[0]?.status === 'resolved', 'the tiebreaker to resolve in the backend');
    // And a second round for Red Lions, finalized meanwhile.
    ({ id: secondRound } = await admin<{ id: number }>('/api/rounds', 'POST', { players: ['P05', 'P06'] }));
    await asManager('u1', `/api/rounds/${secondRound}/bids`, { player_id: 'P05', amount: 200 });
    expect(await admin(`/api/admin/bulk-rounds/${secondRound}/finalize`)).toEqual({ sold: 1, tiebreakers: 0 });
    // Committed with their writes, the events wait in PostgreSQL for Herald.
    expect((await stats()).outboxPending).toBeGreaterThanOrEqual(6);

    // Polling while disconnected keeps the pages current even now.
    const downU1 = await expectPageEqualsBackend('u1', 'T1');
    const downU2 = await expectPageEqualsBackend('u2', 'T2');
    expect(downU1.squad.map((p) => p.name)).toEqual(['Bruno Sá', 'Emil Sorensen']);
    expect(downU2.squad.map((p) => p.name)).toEqual(['Aaron Hale', 'Carl Maddox']);
    expect(downU2.tiebreakers[0]?.status).toBe('resolved');
    const polled = await stats();
    expect(polled.reads.u1 ?? 0).toBeGreaterThan(before.reads.u1 ?? 0);
    expect(polled.reads.u2 ?? 0).toBeGreaterThan(before.reads.u2 ?? 0);
    expect(await u2.textContent('.badge')).toBe(`Polling every ${POLL_MS / 1000}s`);
    await pages.u2?.screenshot('3-herald-down-polling');

    await herald.start();
    await until(async () => (await stats()).outboxPending === 0, 'Herald to publish the outbox rows written while it was down');
    await Promise.all([settled('u1'), settled('u2')]);
    await expectPageEqualsBackend('u1', 'T1');
    await expectPageEqualsBackend('u2', 'T2');
    expect(await herald.metric('herald_outbox_published_total')).toBeGreaterThanOrEqual(6);
  });

  it('is live again after the restart: new events arrive live, and a page without events does not poll', async () => {
    const quiet = (await stats()).reads.u2 ?? 0;
    const started = performance.now();
    // The admin cancels round 2: Red Lions lose Emil Sorensen and get the 200 back; Blue Sharks are not concerned.
    expect(await admin(`/api/rounds/${secondRound}`, 'DELETE')).toEqual({ refunded: 1 });
    const t1 = await expectPageEqualsBackend('u1', 'T1');
    expect(t1.wallet).toEqual({ balance: 950, spent: 50, currency: 'coins' }); // the lost tiebreaker cost nothing; round 2's 200 came back
    await until(async () => {
      const s = await pageState('u1');
      return s.liveIds.includes(s.activity[0] ?? -1) && s.liveIds.includes(s.activity[1] ?? -1);
    }, 'the refund events live on Red Lions');
    // Longer than a poll interval with Blue Sharks' page live and no event of theirs: no reads at all.
    await until(() => performance.now() - started > 1.5 * POLL_MS, 'one and a half poll intervals');
    expect((await stats()).reads.u2 ?? 0).toBe(quiet);

    for (const [user, team] of [['u1', 'T1'], ['u2', 'T2']] as const) {
      const page = await expectPageEqualsBackend(user, team);
      // Each page received over Herald exactly the events of its own team channel.
      expect(page.receivedLive).toBe(page.liveIds.length);
      expect(pages[user]?.pageErrors).toEqual([]);
    }
    await pages.u1?.screenshot('4-live-again');
  });
});
