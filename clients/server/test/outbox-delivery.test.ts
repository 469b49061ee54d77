/**
 * insertOutbox end to end: a Herald node reading the outbox (DDL from `herald outbox-ddl`) delivers
 * every committed row to a WebSocket subscriber once, in order, and never a rolled-back one.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { HeraldServer, TEST_CONFIG, until } from '../../test-support/herald-server.js';
import { createToken, insertOutbox } from '../src/index.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
const TABLE = `herald_outbox_sdk_e2e_${randomBytes(4).toString('hex')}`;
const db = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', connectionTimeoutMillis: 10_000 });
let server: HeraldServer;

beforeAll(async () => {
  await db.connect();
  await db.query(execFileSync(resolve(REPO, 'herald'), ['outbox-ddl', '--table', TABLE], { encoding: 'utf8' }));
  // a 30 s poll interval: only the NOTIFY of each commit can make this test pass in time
  server = await HeraldServer.start(`${TEST_CONFIG}outbox:\n  url: postgresql://postgres@127.0.0.1:5432/test\n  table: ${TABLE}\n  poll_interval: 30s\n`);
});

afterAll(async () => {
  await server?.stop();
  await db.query('ROLLBACK').catch(() => undefined);
  await db.query(`DROP TABLE IF EXISTS ${TABLE}, ${TABLE}_dead CASCADE`);
  await db.query(`DROP FUNCTION IF EXISTS ${TABLE}_notify()`);
  await db.end();
});

it('committedRowsReachASubscriberOnceInOrderAndRolledBackOnesNever', async () => {
  const channel = 'orders:e2e';
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/ws?token=${createToken({ user: 'o1', subscribe: [channel] }, server.secret)}`);
  const frames: Array<{ type: string; offset?: number; data?: { n: number } }> = [];
  socket.on('message', (raw: Buffer) => frames.push(JSON.parse(raw.toString()) as (typeof frames)[number]));
  await until(() => frames.some((f) => f.type === 'connected'), 'connected, joined by the subscribe claim');

  const committed: number[] = [];
  for (let n = 0; n < 30; n++) {
    await db.query('BEGIN');
    await insertOutbox(db, { channel, type: 'order_updated', data: { n } }, { table: TABLE });
    if (n % 3 === 2) {
      await db.query('ROLLBACK');
    } else {
      await db.query('COMMIT');
      committed.push(n);
    }
  }
  await insertOutbox(db, { channel, type: 'order_closed', data: { n: -1 } }, { table: TABLE }); // autocommit
  await until(() => frames.some((f) => f.type === 'order_closed'), 'the last row delivered', 20_000);
  socket.close();

  const pushes = frames.filter((f) => f.type === 'order_updated' || f.type === 'order_closed');
  expect(pushes.map((f) => f.data?.n)).toEqual([...committed, -1]);
  expect(pushes.map((f) => f.offset)).toEqual(pushes.map((_, i) => i + 1)); // no duplicate took an offset
});
