import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldServer, TEST_CONFIG } from '../../test-support/herald-server.js';
import { HeraldApi, type Publication } from '../src/index.js';

// The Redis engine keeps history and idempotency keys across the restart (the memory engine
// would start with new epochs); a prefix of its own keeps this run apart in the shared Redis.
const CONFIG = `${TEST_CONFIG}
  burst:
    history_size: 1000
engine: redis
redis:
  url: redis://127.0.0.1:6379
  prefix: sdk-node-${randomBytes(6).toString('hex')}
`;

let server: HeraldServer;
beforeAll(async () => {
  server = await HeraldServer.start(CONFIG);
});
afterAll(async () => {
  await server?.stop();
});

describe('publishing through a server restart', () => {
  it('everyPublishThatSucceededIsInHistoryExactlyOnceInOrder', async () => {
    // Counts the tries Herald did not answer with a 2xx, to show the restart fell inside the burst.
    let unanswered = 0;
    const counting: typeof fetch = async (input, init) => {
      try {
        const response = await fetch(input, init);
        if (!response.ok) unanswered++;
        return response;
      } catch (error) {
        unanswered++;
        throw error;
      }
    };
    const api = new HeraldApi({ url: server.url, apiKey: server.apiKey, timeoutMs: 2_000, retryDeadlineMs: Number(process.env['SDK_DEADLINE_MS'] ?? 60_000), fetch: counting });
    const channel = `burst:restart${process.pid}`;
    const succeeded: number[] = [];
    const failed: number[] = [];
    let restart: Promise<void> | undefined;
    for (let n = 0; n < 200; n++) {
      if (n === 50) restart = server.restart();
      try {
        await api.publish(channel, 'tick', { n });
        succeeded.push(n);
      } catch {
        failed.push(n);
      }
    }
    await restart;
    const seen: number[] = [];
    let page = await api.history<{ n: number }>(channel, { since: 0, epoch: (await api.history(channel, { limit: 1 })).epoch });
    const all: Array<Publication<{ n: number }>> = [...page.publications];
    while (page.publications.length > 0) {
      page = await api.history<{ n: number }>(channel, { since: page.publications.at(-1)?.offset ?? 0, epoch: page.epoch });
      all.push(...page.publications);
    }
    for (const publication of all) seen.push(publication.data.n);
    console.log(`restart burst: ${succeeded.length} succeeded, ${failed.length} failed, ${unanswered} tries unanswered, ${seen.length} in history`);
    expect(unanswered).toBeGreaterThan(0);
    expect(failed).toEqual([]);
    expect(seen).toEqual(succeeded);
    expect(all.map((p) => p.offset)).toEqual(all.map((_, i) => i + 1));
  });
});
