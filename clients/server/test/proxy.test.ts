/**
 * proxyHandler on a real node:http server: the answers Herald reads, and what a caller that is not
 * Herald (no static header, a huge or endless body, garbage) gets: a bounded refusal.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyHandler, proxyRefusal, type ConnectCall, type PublishCall } from '../src/index.js';

const SECRET = { 'x-herald-proxy': 'shared-secret-0123456789' };
let server: Server;
let base: string;
const connects: ConnectCall[] = [];

const connectHandler = proxyHandler(
  'connect',
  (call) => {
    connects.push(call);
    return call.headers['cookie'] === 'sid=ok' ? { result: { user: '42', channels: ['orders#42'], data: { name: 'Ada' } } } : proxyRefusal('unauthorized', 'no session');
  },
  { staticHeaders: SECRET, maxBodyBytes: 1024, bodyTimeoutMs: 300 },
);
const publishHandler = proxyHandler(
  'publish',
  (call: PublishCall) => {
    if (call.event === 'boom') throw new Error('database down');
    return call.user === 'ref' ? { result: { data: { ...(call.data as object), seq: 1 } } } : proxyRefusal('permission_denied', 'only the referee');
  },
  { staticHeaders: SECRET },
);

beforeAll(async () => {
  server = createServer((req, res) => void (req.url === '/connect' ? connectHandler(req, res) : publishHandler(req, res)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  base = `http://127.0.0.1:${address.port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function post(path: string, body: string, headers: Record<string, string> = SECRET): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(5_000) });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('proxyHandler', () => {
  it('answersTheResultOrTheRefusalThatDecideReturns', async () => {
    const call = { client: 'c1', transport: 'ws', remote_addr: '127.0.0.1', headers: { cookie: 'sid=ok' }, query: {} };
    expect(await post('/connect', JSON.stringify(call))).toEqual({ status: 200, json: { result: { user: '42', channels: ['orders#42'], data: { name: 'Ada' } } } });
    expect(connects.at(-1)).toEqual(call);
    const refused = await post('/connect', JSON.stringify({ ...call, headers: {} }));
    expect(refused).toEqual({ status: 200, json: { error: { code: 'unauthorized', message: 'no session', temporary: false } } });
    const published = await post('/publish', JSON.stringify({ client: 'c1', user: 'ref', channel: 'match:1', event: 'score', data: { home: 1 } }));
    expect(published.json).toEqual({ result: { data: { home: 1, seq: 1 } } });
  });

  it('refusesACallWithoutTheStaticHeaderBeforeReadingIt', async () => {
    const before = connects.length;
    const call = JSON.stringify({ client: 'c1', transport: 'ws', headers: { cookie: 'sid=ok' }, query: {} });
    expect((await post('/connect', call, {})).status).toBe(403);
    expect((await post('/connect', call, { 'x-herald-proxy': 'shared-secret-0123456788' })).status).toBe(403);
    expect(connects.length).toBe(before);
  });

  it('answers400ToGarbageAndToACallMissingItsFields', async () => {
    expect((await post('/connect', 'not json')).status).toBe(400);
    expect((await post('/connect', '[1,2]')).status).toBe(400);
    const noEvent = await post('/publish', JSON.stringify({ client: 'c1', user: 'ref', channel: 'match:1' }));
    expect(noEvent.status).toBe(400);
    expect(noEvent.json).toEqual({ error: { code: 'bad_request', message: 'a publish call needs "event"' } });
  });

  it('answers500WhenDecideThrowsAndTellsTheCallerNothingOfTheCause', async () => {
    const failed = await post('/publish', JSON.stringify({ client: 'c1', user: 'ref', channel: 'match:1', event: 'boom', data: {} }));
    expect(failed).toEqual({ status: 500, json: { error: { code: 'internal', message: 'the backend failed' } } });
  });

  it('refusesAHugeBodyWith413WithoutReadingAllOfIt', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/connect`, { method: 'POST', headers: { ...SECRET, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      // 10 MiB announced by streaming: the handler stops at its 1 KiB cap.
      const chunk = Buffer.alloc(64 * 1024, 'a');
      let sent = 0;
      const pump = () => {
        while (sent < 160 && req.write(chunk)) sent++;
        if (sent < 160) req.once('drain', pump);
        else req.end();
      };
      pump();
    });
    expect(status).toBe(413);
  });

  it('refusesABodyThatNeverEndsWith408AfterItsTimeout', async () => {
    const started = performance.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(base).port), '127.0.0.1', () => {
        socket.write(`POST /connect HTTP/1.1\r\nhost: x\r\nx-herald-proxy: ${SECRET['x-herald-proxy']}\r\ncontent-length: 1000\r\n\r\n{"client":`);
      });
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      setTimeout(() => socket.destroy(), 5_000);
    });
    expect(answer).toMatch(/^HTTP\/1.1 408/);
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('takesABodyExpressAlreadyParsed', async () => {
    const headers: Record<string, string> = {};
    let sent = '';
    const response = { statusCode: 0, setHeader: (name: string, value: string) => (headers[name] = value), end: (body: string) => (sent = body) };
    const parsed = { method: 'POST', headers: SECRET, body: { client: 'c2', transport: 'sse', headers: { cookie: 'sid=ok' }, query: {} }, [Symbol.asyncIterator]: async function* () {} };
    await connectHandler(parsed, response);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(sent)).toMatchObject({ result: { user: '42' } });
    expect(headers['content-type']).toBe('application/json');
  });
});
