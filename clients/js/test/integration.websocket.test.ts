import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { HeraldClient, type ClientOptions, type Gap, type Publication } from '../src/index.js';
import { HeraldServer, until } from '../../test-support/herald-server.js';

type MatchEvents = { score_update: { home: number; away: number } };

let server: HeraldServer;
const clients: HeraldClient[] = [];
let seq = 0;

beforeAll(async () => {
  server = await HeraldServer.start();
});
afterAll(async () => {
  await server?.stop();
});
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

function newClient(options: Partial<ClientOptions> = {}): HeraldClient {
  const client = new HeraldClient({ url: server.url, WebSocket, token: server.token(), lifecycle: null, minReconnectDelay: 50, maxReconnectDelay: 200, ...options });
  clients.push(client);
  return client;
}

function channelName(namespace = 'match'): string {
  return `${namespace}:ws${process.pid}x${++seq}`;
}

/** A getToken whose answers the test releases one by one, to hold the client disconnected. */
function gatedTokens(token: () => string) {
  const gates: Array<() => void> = [];
  let calls = 0;
  return {
    getToken: () => {
      calls++;
      return new Promise<string>((resolve) => gates.push(() => resolve(token())));
    },
    get calls() {
      return calls;
    },
    release: () => gates.shift()?.(),
  };
}

describe('WebSocket transport against the real server', () => {
  it('connects, subscribes and delivers typed events published through the server API', async () => {
    const client = newClient();
    const channel = channelName();
    const scores: Array<{ home: number; away: number }> = [];
    const sub = client.channel<MatchEvents>(channel);
    sub.on('score_update', (data) => scores.push(data));
    client.connect();
    await sub.ready();
    expect(client.state).toBe('connected');
    expect(client.transportKind).toBe('websocket');
    await server.publish(channel, 'score_update', { home: 1, away: 0 });
    await server.publish(channel, 'score_update', { home: 2, away: 0 });
    await until(() => scores.length === 2, 'two score updates');
    expect(scores).toEqual([{ home: 1, away: 0 }, { home: 2, away: 0 }]);
  });

  it('recovers what it missed while disconnected, with no gap and no duplicate', async () => {
    const client = newClient();
    const channel = channelName();
    const offsets: number[] = [];
    const gaps: Gap[] = [];
    const sub = client.channel(channel);
    sub.onPublication((p: Publication) => offsets.push(p.offset));
    sub.onGap((gap) => gaps.push(gap));
    client.connect();
    await sub.ready();
    await server.publish(channel, 'tick', 1);
    await until(() => offsets.length === 1, 'the first publication');

    const states: string[] = [];
    client.on('state', (change) => states.push(change.new));
    client.disconnect();
    for (let i = 2; i <= 4; i++) await server.publish(channel, 'tick', i);
    client.connect();
    await until(() => offsets.length === 4, 'the missed publications');
    await server.publish(channel, 'tick', 5);
    await until(() => offsets.length === 5, 'the live publication after recovery');
    expect(offsets).toEqual([1, 2, 3, 4, 5]);
    expect(gaps).toEqual([]);
    expect(states).toEqual(['disconnected', 'connecting', 'connected']);
  });

  it('reports a gap when the history no longer holds what was missed', async () => {
    const client = newClient();
    const channel = channelName('small');
    const offsets: number[] = [];
    const gaps: Gap[] = [];
    const sub = client.channel(channel);
    sub.onPublication((p) => offsets.push(p.offset));
    sub.onGap((gap) => gaps.push(gap));
    client.connect();
    await sub.ready();
    await server.publish(channel, 'tick', 1);
    await until(() => offsets.length === 1, 'the first publication');

    client.disconnect();
    for (let i = 2; i <= 6; i++) await server.publish(channel, 'tick', i); // history holds only 2
    client.connect();
    await until(() => gaps.length === 1, 'the gap event');
    expect(gaps[0]).toMatchObject({ channel, reason: 'not_recovered', from: { offset: 1 }, to: { offset: 6 } });
    await server.publish(channel, 'tick', 7);
    await until(() => offsets.length === 2, 'the next live publication');
    expect(offsets).toEqual([1, 7]);
  });

  it('queues publishes made while disconnected and sends them in order after reconnecting', async () => {
    const tokens = gatedTokens(() => server.token({ publish: ['match:*'] }));
    const client = newClient({ token: undefined, getToken: tokens.getToken });
    const channel = channelName();
    const received: unknown[] = [];
    client.channel(channel).onPublication((p) => received.push(p.data));
    client.connect();
    expect(client.state).toBe('connecting');
    const results = [1, 2, 3].map((n) => client.publish(channel, 'note', { n }));
    tokens.release();
    const settled = await Promise.all(results);
    expect(settled.map((r) => r.offset)).toEqual([1, 2, 3]);
    await until(() => received.length === 3, 'the three publications');
    expect(received).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('rejects a publish the server refuses, with the server error code', async () => {
    const client = newClient({ token: server.token({ publish: [] }) });
    client.connect();
    await expect(client.publish(channelName(), 'note', {})).rejects.toMatchObject({ code: 'permission_denied' });
  });

  it('answers presence on a presence namespace', async () => {
    const client = newClient();
    const channel = channelName('chat');
    const sub = client.channel(channel);
    client.connect();
    await sub.ready();
    const clients = await sub.presence();
    expect(clients.map((c) => c.user)).toEqual(['42']);
  });
});
