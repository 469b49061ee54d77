import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HeraldServer, TEST_CONFIG, freePort, until } from '../../test-support/herald-server.js';
import { HeraldApi } from '../src/index.js';

// Retries against the real server: 429 from a low API rate limit, 504 unknown_outcome from an
// engine whose Redis is frozen (SIGSTOP). Each publish must land exactly once, in order.

/** A fetch that records the status of every answer, to show the retried answers really came. */
function recording(statuses: number[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    statuses.push(response.status);
    return response;
  };
}

async function allData(api: HeraldApi, channel: string): Promise<Array<{ offset: number; n: number }>> {
  const out: Array<{ offset: number; n: number }> = [];
  let since = 0;
  const epoch = (await api.history(channel, { limit: 1 })).epoch;
  for (;;) {
    const page = await api.history<{ n: number }>(channel, { since, epoch, limit: 100 });
    if (page.publications.length === 0) return out;
    for (const p of page.publications) out.push({ offset: p.offset, n: p.data.n });
    since = page.publications.at(-1)?.offset ?? since;
  }
}

let server: HeraldServer | undefined;
let redis: ChildProcess | undefined;
let redisDir: string | undefined;
afterEach(async () => {
  if (redis?.pid) process.kill(redis.pid, 'SIGCONT');
  await server?.stop();
  redis?.kill('SIGKILL');
  if (redisDir) rmSync(redisDir, { recursive: true, force: true });
  server = redis = redisDir = undefined;
});

describe('retries against the real server', () => {
  it('publishesAnswered429AreRetriedAfterRetryAfterAndEachLandsOnceInOrder', async () => {
    server = await HeraldServer.start(`${TEST_CONFIG}limits:\n  api_rate: 4\n`); // 4/s, burst 8
    const statuses: number[] = [];
    const api = new HeraldApi({ url: server.url, apiKey: server.apiKey, fetch: recording(statuses) });
    const answers = [];
    for (let n = 0; n < 14; n++) answers.push(await api.publish('limited:one', 'n', { n }));

    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    const stored = await allData(api, 'limited:one');
    expect(stored.map((p) => p.n)).toEqual([...Array(14).keys()]);
    expect(stored.map((p) => p.offset)).toEqual(answers.map((a) => a.offset));
  });

  it('aPublishAnswered504UnknownOutcomeIsRetriedWithItsKeyAndStoredOnce', async () => {
    const port = await freePort();
    redisDir = mkdtempSync(join(tmpdir(), 'herald-sdk-redis-'));
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir], { stdio: 'ignore' });
    await until(() => new Promise<boolean>((ok) => {
      const socket = connect(port, '127.0.0.1', () => { socket.destroy(); ok(true); });
      socket.on('error', () => ok(false));
    }), 'redis-server listens');
    server = await HeraldServer.start(`${TEST_CONFIG}engine: redis\nredis:\n  url: redis://127.0.0.1:${port}\n  timeout: 1s\n`);
    const statuses: number[] = [];
    const api = new HeraldApi({ url: server.url, apiKey: server.apiKey, fetch: recording(statuses) });
    await api.publish('frozen:one', 'n', { n: 0 });

    const pid = redis.pid ?? 0;
    process.kill(pid, 'SIGSTOP');
    const thaw = setTimeout(() => process.kill(pid, 'SIGCONT'), 3_000); // the engine's 1 s timeout passes twice
    const answer = await api.publish('frozen:one', 'n', { n: 1 });
    clearTimeout(thaw);
    process.kill(pid, 'SIGCONT');

    expect(statuses).toContain(504);
    const stored = await allData(api, 'frozen:one');
    expect(stored.map((p) => p.n)).toEqual([0, 1]);
    expect(stored[1]?.offset).toBe(answer.offset);
  });
});
