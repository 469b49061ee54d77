import { createHmac, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HeraldErrorCode } from '@herald/client';
import { createToken, HeraldApi, HeraldApiError, jitterDelay, parseRetryAfter, ServerErrorCode, tokenAlgorithm, tokenHandler, type NodeResponseLike } from '../src/index.js';

const SECRET = 'unit-test-secret-of-at-least-32-bytes!!';

function parts(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; unsigned: string; signature: Buffer } {
  const [h, p, s] = token.split('.') as [string, string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>,
    unsigned: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

describe('createToken', () => {
  it('signsHs256WithTheSecretAndCarriesTheClaims', () => {
    const token = createToken({ user: '42', channels: ['chat:*'], publish: ['chat:room'], subscribe: ['news'], info: { name: 'Ann' }, ttl: 60 }, SECRET, 1_000);
    const { header, payload, unsigned, signature } = parts(token);
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(payload).toEqual({ sub: '42', iat: 1_000, exp: 1_060, channels: ['chat:*'], publish: ['chat:room'], subscribe: ['news'], info: { name: 'Ann' } });
    expect(signature.equals(createHmac('sha256', SECRET).update(unsigned).digest())).toBe(true);
  });

  it('signsRs256FromAPemPrivateKeyVerifiableWithThePublicKey', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = createToken({ user: '7' }, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const { header, unsigned, signature } = parts(token);
    expect(header['alg']).toBe('RS256');
    expect(verify('sha256', Buffer.from(unsigned), publicKey, signature)).toBe(true);
  });

  it('signsEs256InJoseRsFormVerifiableWithThePublicKey', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const token = createToken({ user: '7' }, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const { header, unsigned, signature } = parts(token);
    expect(header['alg']).toBe('ES256');
    expect(signature.length).toBe(64);
    expect(verify('sha256', Buffer.from(unsigned), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
  });

  it('refusesShortSecretsOtherCurvesAndBadTtls', () => {
    expect(() => createToken({ user: '1' }, 'short')).toThrow(/32 bytes/);
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    expect(() => tokenAlgorithm(privateKey)).toThrow(/unsupported key/);
    expect(() => createToken({ user: '1', ttl: 0 }, SECRET)).toThrow(/ttl/);
  });
});

describe('errors and backoff', () => {
  it('knowsExactlyTheProtocolErrorCodesOfTheClientPackage', () => {
    expect(Object.values(ServerErrorCode).sort()).toEqual(Object.values(HeraldErrorCode).sort());
  });

  it('drawsFullJitterDelaysWithinADoublingCeiling', () => {
    expect(jitterDelay(0, 100, 5_000, () => 0.999)).toBe(100);
    expect(jitterDelay(3, 100, 5_000, () => 0.5)).toBe(400);
    expect(jitterDelay(20, 100, 5_000, () => 0.999)).toBe(4_995);
    expect(jitterDelay(5, 100, 5_000, () => 0)).toBe(0);
  });

  it('readsRetryAfterAsSecondsOrADate', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('waitsAtLeastRetryAfterOnA429AndKeepsTheSameKey', async () => {
    const bodies: Array<Record<string, unknown>> = [];
    const times: number[] = [];
    const fakeFetch: typeof fetch = async (_url, init) => {
      bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
      times.push(performance.now());
      if (bodies.length === 1) return new Response(JSON.stringify({ error: { code: 'too_many_requests', message: 'slow down' } }), { status: 429, headers: { 'retry-after': '1' } });
      return new Response(JSON.stringify({ offset: 1, epoch: 'e', idempotency_key: bodies[0]?.['idempotency_key'] }), { status: 200 });
    };
    const api = new HeraldApi({ url: 'http://127.0.0.1:1', apiKey: 'k', fetch: fakeFetch, random: () => 0 });
    const result = await api.publish('news', 'hello', { n: 1 });
    expect(bodies).toHaveLength(2);
    expect(bodies[1]?.['idempotency_key']).toBe(bodies[0]?.['idempotency_key']);
    expect(result.idempotencyKey).toBe(bodies[0]?.['idempotency_key']);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('retriesA504AndPerChannelNotAvailableWithTheSameKeyButNotA400', async () => {
    const calls: Array<{ url: string; body: Record<string, unknown> }> = [];
    const answers: Response[] = [
      new Response(JSON.stringify({ error: { code: 'unknown_outcome', message: 'maybe' }, idempotency_key: 'k1' }), { status: 504 }),
      new Response(JSON.stringify({ offset: 3, epoch: 'e', idempotency_key: 'k1' }), { status: 200 }),
      new Response(JSON.stringify({ results: [{ channel: 'a', offset: 1, epoch: 'e' }, { channel: 'b', error: { code: 'not_available', message: 'later' } }], idempotency_key: 'k2' })),
      new Response(JSON.stringify({ results: [{ channel: 'b', offset: 5, epoch: 'f' }], idempotency_key: 'k2' })),
      new Response(JSON.stringify({ error: { code: 'bad_request', message: 'no' } }), { status: 400 }),
    ];
    const fakeFetch: typeof fetch = async (url, init) => {
      calls.push({ url: String(url), body: JSON.parse(String(init?.body)) as Record<string, unknown> });
      const answer = answers.shift();
      if (!answer) throw new Error('unexpected call');
      return answer;
    };
    const api = new HeraldApi({ url: 'http://127.0.0.1:1/', apiKey: 'k', fetch: fakeFetch, random: () => 0 });
    expect(await api.publish('a', 't', 1, { idempotencyKey: 'k1' })).toEqual({ offset: 3, epoch: 'e', idempotencyKey: 'k1' });
    const broadcast = await api.broadcast(['a', 'b'], 't', 2, { idempotencyKey: 'k2' });
    expect(broadcast.results).toEqual([{ channel: 'a', offset: 1, epoch: 'e' }, { channel: 'b', offset: 5, epoch: 'f' }]);
    expect(calls.map((c) => [c.url, c.body['idempotency_key'], c.body['channels']])).toEqual([
      ['http://127.0.0.1:1/api/publish', 'k1', undefined],
      ['http://127.0.0.1:1/api/publish', 'k1', undefined],
      ['http://127.0.0.1:1/api/broadcast', 'k2', ['a', 'b']],
      ['http://127.0.0.1:1/api/broadcast', 'k2', ['b']],
    ]);
    const error = await api.publish('a', 't', 1).catch((e: unknown) => e);
    expect((error as HeraldApiError).code).toBe('bad_request');
    expect(calls).toHaveLength(5);
  });

  it('doesNotRetryADisconnectAfterANetworkError', async () => {
    let calls = 0;
    const api = new HeraldApi({ url: 'http://127.0.0.1:1', apiKey: 'k', fetch: async () => (calls++, Promise.reject(new TypeError('fetch failed'))) });
    const error = await api.disconnect({ user: '1' }).catch((e: unknown) => e);
    expect((error as HeraldApiError).code).toBe('network_error');
    expect(calls).toBe(1);
  });

  it('givesUpWithDeadlineExceededWhenNothingAnswers', async () => {
    const api = new HeraldApi({ url: 'http://127.0.0.1:9', apiKey: 'k', retryDeadlineMs: 500, random: () => 0.5 });
    const error = await api.publish('news', 'hello', null, { idempotencyKey: 'mine' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeraldApiError);
    expect((error as HeraldApiError).code).toBe('deadline_exceeded');
    expect((error as HeraldApiError).idempotencyKey).toBe('mine');
    expect(((error as HeraldApiError).cause as HeraldApiError).code).toBe('network_error');
  });
});

describe('tokenHandler', () => {
  const handler = tokenHandler<{ headers: Record<string, string | undefined> } | Request>((req) => {
    const user = req instanceof Request ? req.headers.get('x-user') : req.headers['x-user'];
    return user ? { user, channels: [`user:${user}`] } : null;
  }, SECRET);

  it('answersATokenToAFetchRequest', async () => {
    const response = await handler(new Request('http://app/herald/token', { method: 'POST', headers: { 'x-user': '42' } }));
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { token: string; expires: number };
    expect(parts(body.token).payload['sub']).toBe('42');
    expect(parts(body.token).payload['exp']).toBe(body.expires);
    const refused = await handler(new Request('http://app/herald/token', { method: 'POST' }));
    expect(refused.status).toBe(401);
  });

  it('answersAResponseToANextRouteHandlerCallWhoseSecondArgumentIsItsContext', async () => {
    // Next.js calls an app/**/route.ts handler as (request, { params }).
    const response = await handler(new Request('http://app/api/herald-token', { method: 'POST', headers: { 'x-user': '42' } }), { params: Promise.resolve({}) });
    expect(response.status).toBe(200);
    expect(parts(((await response.json()) as { token: string }).token).payload['sub']).toBe('42');
  });

  it('answersATokenToAnExpressLikeRequest', async () => {
    const headers: Record<string, string> = {};
    const res: NodeResponseLike & { body: string } = {
      statusCode: 0,
      body: '',
      setHeader: (name, value) => (headers[name] = value),
      end: (body) => (res.body = body),
    };
    await handler({ headers: { 'x-user': '57' } }, res);
    expect(res.statusCode).toBe(200);
    expect(headers['content-type']).toBe('application/json');
    expect(parts((JSON.parse(res.body) as { token: string }).token).payload['channels']).toEqual(['user:57']);
    await handler({ headers: {} }, res);
    expect(res.statusCode).toBe(401);
  });
});
