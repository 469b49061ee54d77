/**
 * Presence across two Herald nodes on the local Redis, seen by pusher-js: members on either node are
 * listed on both, one user's two tabs (one per node) are one member, and the members of a node killed
 * with SIGKILL are removed once, by a survivor, after presence_ttl.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type Pusher from 'pusher-js';
import type { PresenceChannel } from 'pusher-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeraldServer, until } from '../test-support/herald-server.js';
import { Backend, PUSHER_CONFIG, pusherClient } from './pusher-support.js';

const PREFIX = `herald-pusher-${randomBytes(4).toString('hex')}`;
const CONFIG = `${PUSHER_CONFIG}
engine: redis
redis:
  url: "redis://127.0.0.1:6379"
  prefix: "${PREFIX}"
  presence_ttl: 1s
shutdown:
  drain_window: 0s
`;

let a: HeraldServer;
let b: HeraldServer;
let backend: Backend;
const clients: Pusher[] = [];

beforeAll(async () => {
  [a, b, backend] = await Promise.all([HeraldServer.start(CONFIG), HeraldServer.start(CONFIG), Backend.start()]);
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all([a?.stop(), b?.kill(), backend?.close()]);
  const keys = execFileSync('redis-cli', ['-h', '127.0.0.1', '--scan', '--pattern', `${PREFIX}*`]).toString().split('\n').filter(Boolean);
  if (keys.length > 0) execFileSync('redis-cli', ['-h', '127.0.0.1', 'del', ...keys]);
});

type Joined = { channel: PresenceChannel; added: string[]; removed: string[] };

async function join(node: HeraldServer, user: string, name: string): Promise<Joined> {
  const client = pusherClient(node.port, backend, user);
  clients.push(client);
  const channel = client.subscribe(name) as PresenceChannel;
  const joined: Joined = { channel, added: [], removed: [] };
  channel.bind('pusher:member_added', (m: { id: string }) => joined.added.push(m.id));
  channel.bind('pusher:member_removed', (m: { id: string }) => joined.removed.push(m.id));
  await new Promise((resolve, reject) => {
    channel.bind('pusher:subscription_succeeded', resolve);
    channel.bind('pusher:subscription_error', reject);
  });
  return joined;
}

const ids = (j: Joined) => Object.keys(j.channel.members.members as Record<string, unknown>).sort();

describe('presence on two nodes on Redis', () => {
  it('lists every member everywhere, once per user, and removes a killed node\'s members once', async () => {
    const name = `presence-cluster-${process.pid}`;
    const dave = await join(a, 'dave', name);
    const aliceOnA = await join(a, 'alice', name);
    const aliceOnB = await join(b, 'alice', name);
    const carol = await join(b, 'carol', name);

    expect(ids(carol)).toEqual(['alice', 'carol', 'dave']);
    expect(ids(aliceOnB)).toEqual(['alice', 'dave']);
    await until(() => ids(dave).length === 3, 'dave sees alice and carol');
    expect(ids(dave)).toEqual(['alice', 'carol', 'dave']);
    expect(dave.added).toEqual(['alice', 'carol']);
    expect(aliceOnA.channel.members.count).toBe(3);

    // disconnecting a user through node A reaches its Pusher connection on node B (4009: no reconnect)
    const erin = pusherClient(b.port, backend, 'erin');
    clients.push(erin);
    erin.signin();
    await until(() => erin.user.user_data !== null, 'erin signed in on B');
    const erinErrors: Array<{ data?: { code?: number } }> = [];
    erin.connection.bind('error', (e: { data?: { code?: number } }) => erinErrors.push(e));
    await a.api('POST', '/api/disconnect', { user: 'erin' });
    await until(() => erinErrors.some((e) => e.data?.code === 4009) && erin.connection.state === 'disconnected', 'erin closed with 4009');

    await b.kill();
    await until(() => dave.removed.length > 0, 'the survivor removed carol', 20_000);
    expect(dave.removed).toEqual(['carol']);
    await until(() => aliceOnA.removed.length > 0, 'alice on A saw carol go', 5_000);
    // a publish through the survivor after the sweep: anything owed twice would have arrived by then
    const marker = new Promise((resolve) => dave.channel.bind('after-sweep', resolve));
    await a.publish(name, 'after-sweep', {});
    await marker;
    expect(dave.removed).toEqual(['carol']);
    expect(aliceOnA.removed).toEqual(['carol']);
    expect(ids(dave)).toEqual(['alice', 'dave']);
  });
});
