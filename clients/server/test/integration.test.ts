import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { HeraldServer, TEST_CONFIG, until } from '../../test-support/herald-server.js';
import { createToken, HeraldApi, HeraldApiError, type TokenKey } from '../src/index.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: { export(o: { type: 'spki' | 'pkcs8'; format: 'pem' }): string | Buffer }, type: 'spki' | 'pkcs8') => key.export({ type, format: 'pem' }).toString();
const indent = (text: string) => text.trim().split('\n').map((line) => `    ${line}`).join('\n');
const CONFIG = `${TEST_CONFIG}
jwt:
  rsa_public_key: |
${indent(pem(rsa.publicKey, 'spki'))}
  ec_public_key: |
${indent(pem(ec.publicKey, 'spki'))}
`;

let server: HeraldServer;
let api: HeraldApi;
let seq = 0;
const channelName = () => `match:sdk${process.pid}x${++seq}`;

beforeAll(async () => {
  server = await HeraldServer.start(CONFIG);
  api = new HeraldApi({ url: server.url, apiKey: server.apiKey });
});
afterAll(async () => {
  await server?.stop();
});

/** A raw WebSocket subscriber joined to `channel` by its token's `subscribe` claim. */
async function subscriber(key: TokenKey, channel: string): Promise<{ frames: Array<Record<string, unknown>>; close: () => void }> {
  const token = createToken({ user: 'sub-1', subscribe: [channel] }, key);
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${token}`);
  const frames: Array<Record<string, unknown>> = [];
  socket.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString()) as Record<string, unknown>));
  await until(() => frames.some((f) => f['type'] === 'connected') || frames.some((f) => f['type'] === 'disconnect'), 'the connected push');
  expect(frames.find((f) => f['type'] === 'disconnect')).toBeUndefined();
  return { frames, close: () => socket.close() };
}

describe('@herald/server against the real server', () => {
  it('publishReachesAWebSocketSubscriberInTheSeedFormat', async () => {
    const channel = channelName();
    const ws = await subscriber(server.secret, channel);
    const result = await api.publish(channel, 'score_update', { home: 1, away: 0 }, { idempotencyKey: `goal-${channel}` });
    expect(result.idempotencyKey).toBe(`goal-${channel}`);
    await until(() => ws.frames.some((f) => f['type'] === 'score_update'), 'the publication');
    const push = ws.frames.find((f) => f['type'] === 'score_update') ?? {};
    expect(Object.keys(push).sort()).toEqual(['channel', 'data', 'epoch', 'offset', 'timestamp', 'type']);
    expect(push).toMatchObject({ type: 'score_update', channel, data: { home: 1, away: 0 }, offset: result.offset, epoch: result.epoch });
    // The same key again publishes nothing and answers the first result.
    expect(await api.publish(channel, 'score_update', { home: 9, away: 9 }, { idempotencyKey: `goal-${channel}` })).toEqual(result);
    expect((await api.history(channel)).publications).toHaveLength(1);
    ws.close();
  });

  it('tokensSignedRs256AndEs256ConnectToo', async () => {
    for (const key of [pem(rsa.privateKey, 'pkcs8'), pem(ec.privateKey, 'pkcs8')]) {
      const channel = channelName();
      const ws = await subscriber(key, channel);
      await api.publish(channel, 'hello', null);
      await until(() => ws.frames.some((f) => f['type'] === 'hello'), 'the publication');
      ws.close();
    }
  });

  it('aBadChannelFailsAtOnceWithTheTypedError', async () => {
    let calls = 0;
    const counting = new HeraldApi({ url: server.url, apiKey: server.apiKey, fetch: (input, init) => (calls++, fetch(input, init)) });
    const error = await counting.publish('bad channel', 'hello', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeraldApiError);
    expect((error as HeraldApiError).code).toBe('bad_request');
    expect((error as HeraldApiError).status).toBe(400);
    expect(calls).toBe(1);
  });

  it('aWrongApiKeyIsUnauthorizedAtOnce', async () => {
    const error = await new HeraldApi({ url: server.url, apiKey: 'wrong' }).info().catch((e: unknown) => e);
    expect((error as HeraldApiError).code).toBe('unauthorized');
  });

  it('coversTheRestOfTheServerApi', async () => {
    const channel = `chat:sdk${process.pid}x${++seq}`;
    const ws = await subscriber(server.secret, channel);
    const broadcast = await api.broadcast([channel, 'bad channel'], 'notice', { n: 1 }, { idempotencyKey: `b-${channel}` });
    expect(broadcast.results[0]).toMatchObject({ channel, offset: 1 });
    expect(broadcast.results[1]?.error?.code).toBe('bad_request');
    expect((await api.presence(channel)).users).toBe(1);
    expect((await api.channels('chat:*')).map((c) => c.channel)).toContain(channel);
    const other = channelName();
    expect(await api.subscribe({ user: 'sub-1' }, other)).toBe(1);
    expect(await api.unsubscribe({ user: 'sub-1' }, other)).toBe(1);
    expect((await api.info()).nodes.length).toBe(1);
    expect(await api.disconnect({ user: 'sub-1' }, { reconnect: true, reason: 'moving' })).toBe(1);
    await until(() => ws.frames.some((f) => f['type'] === 'disconnect'), 'the disconnect push');
    expect(ws.frames.find((f) => f['type'] === 'disconnect')).toMatchObject({ code: 4010, reason: 'moving', reconnect: true });
  });
});
