// @vitest-environment jsdom
import { ClientReason, CloseCode, HeraldClient, type ClientOptions } from '@herald/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, useState, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { ScriptedServer, until as untilFakeTime } from '../../js/test/scripted-server.js';
import { HeraldServer, until } from '../../test-support/herald-server.js';
import { ConnectionStatus, HeraldProvider, useChannel, useConnectionState, useEvent, useLiveQuery, usePresence, useRpc } from '../src/index.js';

let server: HeraldServer;
const cleanups: Array<() => void> = [];
let seq = 0;

beforeAll(async () => {
  server = await HeraldServer.start();
});
afterAll(async () => {
  await server?.stop();
});
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function newClient(options: Partial<ClientOptions> = {}): HeraldClient {
  const client = new HeraldClient({ url: server.url, WebSocket, token: server.token(), lifecycle: null, minReconnectDelay: 50, maxReconnectDelay: 200, ...options });
  cleanups.push(() => client.close());
  return client;
}

function render(node: ReactNode): HTMLElement {
  const container = document.createElement('div');
  document.body.appendChild(container);
  let root: Root | undefined;
  act(() => {
    root = createRoot(container);
    root.render(node);
  });
  cleanups.push(() => {
    act(() => root?.unmount());
    container.remove();
  });
  return container;
}

function channelName(namespace = 'match'): string {
  return `${namespace}:react${process.pid}x${++seq}`;
}

function text(container: HTMLElement, testId: string): string | null | undefined {
  return container.querySelector(`[data-testid="${testId}"]`)?.textContent;
}

/** The text of one `data-herald-part` of a ConnectionStatus. */
function part(container: HTMLElement, name: string): string | null | undefined {
  return container.querySelector(`[data-herald-part="${name}"]`)?.textContent;
}

async function subscribers(channel: string): Promise<number> {
  const { channels } = (await server.api('GET', `/api/channels?pattern=${encodeURIComponent(channel)}`)) as { channels: Array<{ subscribers: number }> };
  return channels[0]?.subscribers ?? 0;
}

type Score = { home: number; away: number };
type ScoreEvents = { score_update: Score; lineup_changed: null };

describe('@herald/react against the real server', () => {
  it('useLiveQuery loads over REST, applies events to the cache and refetches on invalidate events', async () => {
    const client = newClient();
    const queryClient = new QueryClient();
    const channel = channelName();
    let restScore: Score = { home: 0, away: 0 };
    let fetches = 0;
    function Scoreboard() {
      const { data, live } = useLiveQuery<Score, string[], ScoreEvents>({
        queryKey: ['score', channel],
        queryFn: async () => {
          fetches++;
          return restScore;
        },
        channel,
        on: {
          score_update: (score, qc) => qc.setQueryData(['score', channel], score),
          lineup_changed: 'invalidate',
        },
      });
      return (
        <p data-testid="score" data-live={String(live)}>
          {data ? `${data.home}-${data.away}` : 'loading'}
        </p>
      );
    }
    const view = render(
      <QueryClientProvider client={queryClient}>
        <HeraldProvider client={client}>
          <Scoreboard />
        </HeraldProvider>
      </QueryClientProvider>,
    );
    await until(() => view.querySelector('[data-live="true"]') !== null && text(view, 'score') === '0-0', 'live with the REST score');
    await server.publish(channel, 'score_update', { home: 1, away: 0 });
    await until(() => text(view, 'score') === '1-0', 'the pushed score');
    const before = fetches;
    restScore = { home: 5, away: 5 };
    await server.publish(channel, 'lineup_changed', null);
    await until(() => text(view, 'score') === '5-5', 'the refetched score');
    expect(fetches).toBe(before + 1);
  });

  it('useLiveQuery polls while the channel is not live and stops polling once it is', async () => {
    const client = newClient({ connectTimeout: 60_000 });
    const queryClient = new QueryClient();
    const channel = channelName();
    function Poller() {
      const { live } = useLiveQuery({ queryKey: ['poll', channel], queryFn: async () => 1, channel, on: {}, pollInterval: 1234 });
      return <p data-testid="live">{String(live)}</p>;
    }
    const view = render(
      <QueryClientProvider client={queryClient}>
        <HeraldProvider client={client} connect={false}>
          <Poller />
        </HeraldProvider>
      </QueryClientProvider>,
    );
    const interval = () => queryClient.getQueryCache().find({ queryKey: ['poll', channel] })?.observers[0]?.options.refetchInterval;
    await until(() => interval() === 1234, 'polling while disconnected');
    act(() => client.connect());
    await until(() => text(view, 'live') === 'true', 'live');
    await until(() => interval() === false, 'polling off while live');
  });

  it('useLiveQuery refetches on a gap after the history lost what was missed', async () => {
    const client = newClient();
    const queryClient = new QueryClient();
    const channel = channelName('small');
    let rest = 'v1';
    function Doc() {
      const { data } = useLiveQuery({ queryKey: ['doc', channel], queryFn: async () => rest, channel, on: {} });
      return <p data-testid="doc">{data}</p>;
    }
    const view = render(
      <QueryClientProvider client={queryClient}>
        <HeraldProvider client={client}>
          <Doc />
        </HeraldProvider>
      </QueryClientProvider>,
    );
    await until(() => client.channel(channel, { subscribe: false }).state === 'subscribed' && text(view, 'doc') === 'v1', 'subscribed with v1');
    await server.publish(channel, 'edit', 1);
    await until(() => client.channel(channel, { subscribe: false }).position?.offset === 1, 'offset 1');
    act(() => client.disconnect());
    for (let i = 2; i <= 5; i++) await server.publish(channel, 'edit', i);
    rest = 'v5';
    act(() => client.connect());
    await until(() => text(view, 'doc') === 'v5', 'the refetch after the gap');
  });

  it('useLiveQuery with version applies an event that arrives before the REST answer after it, once, and keeps newer data than a stale answer', async () => {
    const client = newClient();
    const queryClient = new QueryClient();
    const channel = channelName();
    type Doc = { v: number; items: number[] };
    type DocEvents = { add: { v: number; item: number } };
    const pending: Array<(doc: Doc) => void> = [];
    let applied = 0;
    function List() {
      const { data } = useLiveQuery<Doc, string[], DocEvents>({
        queryKey: ['versioned', channel],
        queryFn: () => new Promise<Doc>((resolve) => pending.push(resolve)),
        channel,
        on: {
          add: (e, qc) => {
            applied++;
            qc.setQueryData<Doc>(['versioned', channel], (d) => d && { v: e.v, items: [...d.items, e.item] });
          },
        },
        version: { ofData: (d) => d.v, ofEvent: (e) => e.v },
      });
      return <p data-testid="list">{data ? `${data.v}:${data.items.join(',')}` : 'loading'}</p>;
    }
    const view = render(
      <QueryClientProvider client={queryClient}>
        <HeraldProvider client={client}>
          <List />
        </HeraldProvider>
      </QueryClientProvider>,
    );
    const sub = () => client.channel(channel, { subscribe: false });
    await until(() => sub().state === 'subscribed' && pending.length > 0, 'subscribed, the REST load in flight');
    // change 3 arrives while the answer, taken at change 2, is still on its way
    await server.publish(channel, 'add', { v: 3, item: 3 });
    await until(() => sub().position?.offset === 1, 'the event received');
    expect(text(view, 'list')).toBe('loading');
    act(() => pending.splice(0).forEach((resolve) => resolve({ v: 2, items: [1, 2] })));
    await until(() => text(view, 'list') === '3:1,2,3', 'the answer, then the event that follows it');
    await server.publish(channel, 'add', { v: 4, item: 4 });
    await until(() => text(view, 'list') === '4:1,2,3,4', 'a live event');
    // a refetch whose answer is older than the cache does not take the cache back
    act(() => void queryClient.invalidateQueries({ queryKey: ['versioned', channel] }));
    await until(() => pending.length > 0, 'the refetch in flight');
    act(() => pending.splice(0).forEach((resolve) => resolve({ v: 3, items: [1, 2, 3] })));
    await until(() => !queryClient.isFetching({ queryKey: ['versioned', channel] }), 'the refetch settled');
    expect(text(view, 'list')).toBe('4:1,2,3,4');
    expect(applied).toBe(2);
  });

  it('useEvent calls its handler with typed data', async () => {
    const client = newClient();
    const channel = channelName();
    const seen: Score[] = [];
    function Listener() {
      const { state } = useEvent<Score>(channel, 'score_update', (score) => seen.push(score));
      return <p data-testid="state">{state}</p>;
    }
    const view = render(
      <HeraldProvider client={client}>
        <Listener />
      </HeraldProvider>,
    );
    await until(() => text(view, 'state') === 'subscribed', 'subscribed');
    await server.publish(channel, 'other', {});
    await server.publish(channel, 'score_update', { home: 3, away: 1 });
    await until(() => seen.length === 1, 'the score update');
    expect(seen).toEqual([{ home: 3, away: 1 }]);
  });

  it('usePresence lists who is in the channel and follows joins', async () => {
    const client = newClient();
    const other = newClient({ token: server.token({ sub: '57' }) });
    const channel = channelName('chat');
    function Who() {
      const { clients } = usePresence(channel);
      return <p data-testid="who">{clients.map((c) => c.user).sort().join(',')}</p>;
    }
    const view = render(
      <HeraldProvider client={client}>
        <Who />
      </HeraldProvider>,
    );
    await until(() => text(view, 'who') === '42', 'self in presence');
    other.connect();
    other.channel(channel);
    await until(() => text(view, 'who') === '42,57', 'the join of user 57');
  });

  it('useConnectionState and ConnectionStatus show the state, and the retry button reconnects', async () => {
    // Refused tokens (4003) until the test lets getToken hand out a good one.
    let good = false;
    const client = newClient({ token: undefined, getToken: async () => (good ? server.token() : 'not-a-jwt') });
    function State() {
      return <p data-testid="state">{useConnectionState().state}</p>;
    }
    const view = render(
      <HeraldProvider client={client}>
        <State />
        <ConnectionStatus />
      </HeraldProvider>,
    );
    await until(() => text(view, 'state') === 'disconnected', 'disconnected after the second refused token');
    expect(view.querySelector('[data-herald-state]')?.getAttribute('data-herald-state')).toBe('disconnected');
    expect(view.querySelector('[data-herald-part="error"]')?.textContent).toBe(client.lastError?.message);
    expect(client.lastError?.code).toBe('unauthorized');
    const retry = view.querySelector<HTMLButtonElement>('[data-herald-part="retry"]');
    expect(retry).not.toBeNull();
    good = true;
    act(() => retry?.click());
    await until(() => text(view, 'state') === 'connected', 'connected after retry');
    expect(view.querySelector('[data-herald-part="retry"]')).toBeNull();
    expect(view.querySelector('[data-herald-part="error"]')).toBeNull();
  });

  it('ConnectionStatus counts down to the next reconnect attempt', async () => {
    const client = newClient({ url: 'http://127.0.0.1:1', minReconnectDelay: 5000, maxReconnectDelay: 5000, transports: ['websocket'] });
    const view = render(
      <HeraldProvider client={client}>
        <ConnectionStatus />
      </HeraldProvider>,
    );
    await until(() => view.querySelector('[data-herald-part="countdown"]') !== null, 'the countdown');
    expect(view.querySelector('[data-herald-part="countdown"]')?.textContent).toMatch(/retrying in [1-5]s/);
    expect(view.querySelector('[data-herald-state]')?.getAttribute('data-herald-state')).toBe('reconnecting');
  });
});

describe('ConnectionStatus after the application ended the session', () => {
  it('shows the reason and no retry button after 4010 reconnect:false, and a retry while a 4010 reconnect:true waits', async () => {
    const scripted = await ScriptedServer.start();
    cleanups.push(() => void scripted.stop());
    const client = newClient({ url: scripted.url, token: 'token-1', minReconnectDelay: 60_000, maxReconnectDelay: 60_000 });
    function State() {
      return <p data-testid="state">{useConnectionState().code ?? ''}</p>;
    }
    const view = render(
      <HeraldProvider client={client}>
        <State />
        <ConnectionStatus />
      </HeraldProvider>,
    );
    const status = () => view.querySelector('[data-herald-state]')?.getAttribute('data-herald-state');
    await until(() => status() === 'connected', 'connected');
    scripted.last.disconnect(CloseCode.ApplicationDisconnect, 'signed out by an admin', false);
    await until(() => status() === 'disconnected', 'disconnected');
    expect(text(view, 'state')).toBe('4010');
    expect(view.querySelector('[data-herald-part="error"]')?.textContent).toBe('signed out by an admin');
    expect(view.querySelector('[data-herald-part="retry"]')).toBeNull();

    act(() => client.connect()); // the app's own call
    await until(() => status() === 'connected' && scripted.connections.length === 2, 'connected by the app');
    scripted.last.disconnect(CloseCode.ApplicationDisconnect, 'moving you to another node', true);
    await until(() => status() === 'reconnecting', 'reconnecting');
    expect(view.querySelector('[data-herald-part="retry"]')).not.toBeNull();
  });
});

describe('backend proxy data and rpc', () => {
  it('useConnectionState shows connected.data, useChannel subscribed.data, and useRpc calls and renders the answer or the error', async () => {
    const scripted = await ScriptedServer.start({
      connected: { data: { name: 'Ada' } },
      subscribed: { data: { table: 7 } },
      rpc: (command) =>
        command.method === 'place_order'
          ? { type: 'rpc', data: { order: 'o-1', dish: (command.data as { dish: string }).dish } }
          : { type: 'error', code: 'permission_denied', message: 'kitchen closed', temporary: false },
    });
    cleanups.push(() => void scripted.stop());
    const client = newClient({ url: scripted.url, token: undefined });
    const calls: Array<() => Promise<unknown>> = [];
    function Page() {
      const { data } = useConnectionState();
      const table = useChannel('menu:today').data;
      const order = useRpc<{ order: string; dish: string }>('place_order');
      const refused = useRpc('refuse');
      calls.splice(0, 2, () => order.call({ dish: 'tea' }), () => refused.call());
      return (
        <>
          <p data-testid="name">{(data as { name?: string } | undefined)?.name ?? ''}</p>
          <p data-testid="table">{JSON.stringify(table ?? null)}</p>
          <p data-testid="order">{order.pending ? 'pending' : (order.result?.order ?? '')}</p>
          <p data-testid="refused">{refused.error?.message ?? ''}</p>
        </>
      );
    }
    const view = render(
      <HeraldProvider client={client}>
        <Page />
      </HeraldProvider>,
    );
    act(() => client.connect());
    await until(() => text(view, 'name') === 'Ada' && text(view, 'table') === '{"table":7}', 'connected and subscribed data');
    expect(scripted.last.received[0]).not.toHaveProperty('token');
    let answer: unknown;
    await act(async () => {
      answer = await calls[0]!();
    });
    expect(answer).toEqual({ order: 'o-1', dish: 'tea' });
    expect(text(view, 'order')).toBe('o-1');
    await act(async () => {
      await calls[1]!().catch(() => undefined);
    });
    expect(text(view, 'refused')).toBe('kitchen closed');
  });
});

/** Lets React run the effects of a render that real I/O (not the test) caused, so their timers exist. */
async function effectsRun(): Promise<void> {
  await act(async () => {
    await new Promise((r) => setImmediate(r));
  });
}

describe('ConnectionStatus countdown and attempts', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ticks every second to the next attempt, shows the attempt number, and moves on to each new attempt and on Retry now', async () => {
    // A port that refuses at once: every attempt fails, and the next one is scheduled 3 s later.
    const client = newClient({ url: 'http://127.0.0.1:1', transports: ['websocket'], minReconnectDelay: 3000, maxReconnectDelay: 3000 });
    const view = render(
      <HeraldProvider client={client}>
        <ConnectionStatus />
      </HeraldProvider>,
    );
    await untilFakeTime(() => part(view, 'countdown') === 'retrying in 3s', 'the countdown from 3 s');
    await effectsRun();
    expect(part(view, 'attempt')).toBe('attempt 1');
    for (const seconds of [2, 1]) {
      act(() => vi.advanceTimersByTime(1000));
      expect(part(view, 'countdown')).toBe(`retrying in ${seconds}s`);
    }
    act(() => vi.advanceTimersByTime(1000));
    expect(part(view, 'countdown')).toBe('retrying now');
    // Where the countdown used to stay at 0 s: the state is still `reconnecting`, the schedule is new.
    await untilFakeTime(() => part(view, 'attempt') === 'attempt 2', 'the second attempt scheduled');
    await effectsRun();
    expect(part(view, 'countdown')).toBe('retrying in 3s');
    act(() => vi.advanceTimersByTime(1000));
    expect(part(view, 'countdown')).toBe('retrying in 2s');

    const retry = view.querySelector<HTMLButtonElement>('[data-herald-part="retry"]');
    act(() => retry?.click());
    expect(part(view, 'countdown')).toBe('retrying now');
    await untilFakeTime(() => part(view, 'attempt') === 'attempt 3', 'the third attempt scheduled by the retry');
    expect(part(view, 'countdown')).toBe('retrying in 3s');
  });

  it('separates its parts and keeps the button, a real button, outside the live region', async () => {
    const client = newClient({ url: 'http://127.0.0.1:1', transports: ['websocket'], minReconnectDelay: 3000, maxReconnectDelay: 3000 });
    const view = render(
      <HeraldProvider client={client}>
        <ConnectionStatus />
      </HeraldProvider>,
    );
    await untilFakeTime(() => part(view, 'countdown') === 'retrying in 3s', 'the countdown');
    const status = view.querySelector('[role="status"]');
    expect(status?.getAttribute('aria-live')).toBe('polite');
    expect(status?.textContent).toBe(`Reconnecting… · retrying in 3s · attempt 1 · ${client.lastError?.message ?? ''}`);
    expect(client.lastError?.message).toBeTruthy();
    expect(view.querySelector('[data-herald-part="countdown"]')?.getAttribute('aria-live')).toBe('off');
    const button = view.querySelector('button');
    expect(button?.getAttribute('type')).toBe('button');
    expect(status?.contains(button ?? null)).toBe(false);
    expect(view.querySelector('[data-herald-state]')?.textContent).toMatch(/ Retry now$/);
  });
});

describe('enabled', () => {
  it('HeraldProvider enabled keeps the client disconnected while false, connects when true, and offers no retry while off', async () => {
    const client = newClient();
    let setEnabled: (enabled: boolean) => void = () => undefined;
    function App() {
      const [enabled, set] = useState(false);
      setEnabled = set;
      return (
        <HeraldProvider client={client} enabled={enabled}>
          <ConnectionStatus />
        </HeraldProvider>
      );
    }
    const view = render(<App />);
    expect(client.state).toBe('disconnected');
    expect(view.querySelector('[data-herald-part="retry"]')).toBeNull();
    act(() => setEnabled(true));
    await until(() => client.state === 'connected', 'connected once enabled');
    act(() => setEnabled(false));
    expect(client.state).toBe('disconnected');
    expect(client.nextReconnectAt).toBeUndefined();
    await until(() => view.querySelector('[data-herald-state]')?.getAttribute('data-herald-state') === 'disconnected', 'shown disconnected');
    expect(view.querySelector('[data-herald-part="retry"]')).toBeNull();
    act(() => setEnabled(true));
    await until(() => client.state === 'connected', 'connected again');
  });

  it('ConnectionStatus shows no stale error once the provider turns the connection off', async () => {
    const scripted = await ScriptedServer.start();
    cleanups.push(() => void scripted.stop());
    // A 1 s wait before the reconnect: time to see the close reason while reconnecting.
    const client = newClient({ url: scripted.url, token: 'token-1', minReconnectDelay: 1000, maxReconnectDelay: 1000 });
    let setEnabled: (enabled: boolean) => void = () => undefined;
    function App() {
      const [enabled, set] = useState(true);
      setEnabled = set;
      return (
        <HeraldProvider client={client} enabled={enabled}>
          <ConnectionStatus />
        </HeraldProvider>
      );
    }
    const view = render(<App />);
    await until(() => client.state === 'connected', 'connected');
    scripted.last.disconnect(CloseCode.Shutdown, 'server shutting down; reconnect', true);
    await until(() => part(view, 'error') === 'server shutting down; reconnect', 'the close reason while reconnecting');
    await until(() => client.state === 'connected' && scripted.connections.length === 2, 'connected again');
    act(() => setEnabled(false));
    await until(() => view.querySelector('[data-herald-state]')?.getAttribute('data-herald-state') === 'disconnected', 'off');
    expect(client.lastError?.message).toBe('server shutting down; reconnect');
    expect(view.querySelector('[data-herald-part="error"]')).toBeNull();
    expect(view.querySelector('[role="status"]')?.textContent).toBe('Disconnected');
  });

  it('useChannel with enabled false subscribes to nothing, and subscribes once it is true', async () => {
    const client = newClient();
    const channel = channelName();
    let setEnabled: (enabled: boolean) => void = () => undefined;
    function Listener() {
      const [enabled, set] = useState(false);
      setEnabled = set;
      const { state } = useChannel(channel, {}, { enabled });
      return <p data-testid="state">{state}</p>;
    }
    // A second component subscribes to another channel: once it is subscribed, the first had the same time to.
    const control = channelName();
    function Control() {
      return <p data-testid="control">{useChannel(control).state}</p>;
    }
    const view = render(
      <HeraldProvider client={client}>
        <Listener />
        <Control />
      </HeraldProvider>,
    );
    await until(() => text(view, 'control') === 'subscribed', 'the control channel subscribed');
    expect(text(view, 'state')).toBe('unsubscribed');
    expect(await subscribers(channel)).toBe(0);
    act(() => setEnabled(true));
    await until(() => text(view, 'state') === 'subscribed', 'subscribed once enabled');
    expect(await subscribers(channel)).toBe(1);
    act(() => setEnabled(false));
    await until(async () => (await subscribers(channel)) === 0, 'unsubscribed on the server once disabled');
    expect(text(view, 'state')).toBe('unsubscribed');
  });

  it('useLiveQuery with enabled false neither fetches nor polls nor subscribes, and does all of it once true', async () => {
    const client = newClient();
    const queryClient = new QueryClient();
    const channel = channelName();
    const control = channelName();
    const fetches = { off: 0, control: 0 };
    let setEnabled: (enabled: boolean) => void = () => undefined;
    function Off() {
      const [enabled, set] = useState(false);
      setEnabled = set;
      const { data, live } = useLiveQuery({ queryKey: ['off', channel], queryFn: async () => ++fetches.off, channel, on: {}, pollInterval: 20, enabled });
      return <p data-testid="off" data-live={String(live)}>{data ?? 'none'}</p>;
    }
    // The same query enabled, polling as fast, with its channel never live (the provider waits).
    function Control() {
      const { data } = useLiveQuery({ queryKey: ['control', control], queryFn: async () => ++fetches.control, channel: control, on: {}, pollInterval: 20 });
      return <p data-testid="control">{data ?? 'none'}</p>;
    }
    const view = render(
      <QueryClientProvider client={queryClient}>
        <HeraldProvider client={client} enabled={false}>
          <Off />
          <Control />
        </HeraldProvider>
      </QueryClientProvider>,
    );
    await until(() => fetches.control >= 5, 'the control query polled five times');
    expect(fetches.off).toBe(0);
    expect(text(view, 'off')).toBe('none');
    expect(client.channel(channel, { subscribe: false }).state).toBe('unsubscribed');
    expect(client.channel(control, { subscribe: false }).state).toBe('subscribing');
    act(() => setEnabled(true));
    await until(() => fetches.off >= 1 && client.channel(channel, { subscribe: false }).state === 'subscribing', 'fetched and subscribing once enabled');
    act(() => client.connect());
    await until(() => view.querySelector('[data-testid="off"][data-live="true"]') !== null, 'live once connected');
    expect(await subscribers(channel)).toBe(1);
  });
});

describe('an expired token without getToken', () => {
  it('ConnectionStatus says the app must supply a new token, offers no retry, and connects after setToken', async () => {
    const client = newClient({ token: server.token({}, -60) });
    const view = render(
      <HeraldProvider client={client}>
        <ConnectionStatus />
      </HeraldProvider>,
    );
    await until(() => part(view, 'error') === ClientReason.TokenExpired, 'the expired-token message');
    expect(part(view, 'error')).toBe('token expired: the app must supply a new token');
    expect(view.querySelector('[data-herald-state]')?.getAttribute('data-herald-state')).toBe('disconnected');
    expect(view.querySelector('[data-herald-part="retry"]')).toBeNull();
    act(() => client.reconnectNow());
    expect(client.state).toBe('disconnected');
    act(() => {
      client.setToken(server.token());
      client.connect();
    });
    await until(() => view.querySelector('[data-herald-state]')?.getAttribute('data-herald-state') === 'connected', 'connected with the new token');
    expect(view.querySelector('[data-herald-part="error"]')).toBeNull();
  });
});
