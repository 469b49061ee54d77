/**
 * insertOutbox against the real PostgreSQL (127.0.0.1:5432, user postgres, database test): rows
 * land in the caller's transaction (visible to others once committed, never when rolled back),
 * and bad input is refused before anything is written. Each run uses its own table, dropped after.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OUTBOX_TABLE, insertOutbox, type OutboxQueryable } from '../src/index.js';

const CONNECTION = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', connectionTimeoutMillis: 10_000 };
const TABLE = `herald_outbox_sdk_${process.pid}_${randomBytes(4).toString('hex')}`;
/** The outbox table of PROTOCOL.md, "PostgreSQL outbox". */
const ddl = (table: string, temporary = false) =>
  `CREATE ${temporary ? 'TEMPORARY ' : ''}TABLE ${table} (id bigserial primary key, channel text, type text, data jsonb, ` +
  `idempotency_key text null, created_at timestamptz default now())`;

let writer: pg.Client;
let reader: pg.Client;

type Row = { id: string; channel: string; type: string; data: unknown; idempotency_key: string | null; created_at: Date };
const rows = async (table = TABLE): Promise<Row[]> => (await reader.query<Row>(`SELECT id::text AS id, channel, type, data, idempotency_key, created_at FROM ${table} ORDER BY ${table}.id`)).rows.map((r) => ({ ...r }));

beforeAll(async () => {
  writer = new pg.Client(CONNECTION);
  reader = new pg.Client(CONNECTION);
  try {
    await writer.connect();
    await reader.connect();
  } catch (error) {
    throw new Error(`PostgreSQL at 127.0.0.1:5432 (user postgres, database test) is needed: ${(error as Error).message}`, { cause: error });
  }
  await writer.query(ddl(TABLE));
});

afterAll(async () => {
  // A test that failed mid-transaction leaves it open: end it, or the DROP would be rolled back too.
  await writer?.query('ROLLBACK').catch(() => undefined);
  await writer?.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await writer?.end();
  await reader?.end();
});

describe('insertOutbox', () => {
  it('inserts in the caller\'s transaction: invisible until COMMIT, then there with its fields and id', async () => {
    await writer.query('BEGIN');
    const first = await insertOutbox(writer, { channel: 'match:42', type: 'score_update', data: { home: 1, away: 0 } }, { table: TABLE });
    const second = await insertOutbox(writer, { channel: 'orders#42', type: 'shipped', data: ['a', 2, null], idempotencyKey: 'order-42-shipped' }, { table: TABLE });
    expect(await rows()).toEqual([]); // another connection sees nothing before the commit
    await writer.query('COMMIT');

    expect(first).toMatch(/^\d+$/);
    expect(BigInt(second)).toBeGreaterThan(BigInt(first));
    const committed = await rows();
    expect(committed.map(({ created_at: _, ...rest }) => rest)).toEqual([
      { id: first, channel: 'match:42', type: 'score_update', data: { home: 1, away: 0 }, idempotency_key: null },
      { id: second, channel: 'orders#42', type: 'shipped', data: ['a', 2, null], idempotency_key: 'order-42-shipped' },
    ]);
    expect(committed.every((r) => r.created_at instanceof Date)).toBe(true);
  });

  it('leaves nothing behind when the transaction rolls back', async () => {
    const before = await rows();
    await writer.query('BEGIN');
    await writer.query(`CREATE TEMPORARY TABLE IF NOT EXISTS app_writes (n int)`); // the app's own write
    await insertOutbox(writer, { channel: 'match:42', type: 'goal', data: { player: 'Ann' } }, { table: TABLE });
    await writer.query('ROLLBACK');
    expect(await rows()).toEqual(before);

    // The same session goes on: the next committed insert is there, the rolled-back one is not.
    const id = await insertOutbox(writer, { channel: 'match:42', type: 'goal', data: { player: 'Bo' } }, { table: TABLE }); // autocommit
    const after = await rows();
    expect(after.length).toBe(before.length + 1);
    expect(after.at(-1)).toMatchObject({ id, type: 'goal', data: { player: 'Bo' } });
  });

  it('keeps JSON values as given: strings, numbers, null, nested objects, unicode', async () => {
    const values: unknown[] = ['text with "quotes" and \\', 12.5, null, { deep: { list: [1, { x: 'é✓' }] } }, true];
    const ids: string[] = [];
    for (const data of values) ids.push(await insertOutbox(writer, { channel: 'json:1', type: 'value', data }, { table: TABLE }));
    const stored = (await rows()).filter((r) => ids.includes(r.id)).map((r) => r.data);
    expect(stored).toEqual(values);
  });

  it(`writes to ${DEFAULT_OUTBOX_TABLE} by default, and to a schema-qualified table`, async () => {
    // A temporary table of the default name shadows any real one, for this session only.
    await writer.query(ddl(DEFAULT_OUTBOX_TABLE, true));
    try {
      const id = await insertOutbox(writer, { channel: 'default:1', type: 'hello', data: {} });
      const temp = await writer.query<{ id: string }>(`SELECT id::text AS id FROM pg_temp.${DEFAULT_OUTBOX_TABLE}`);
      expect(temp.rows).toEqual([{ id }]);
    } finally {
      await writer.query(`DROP TABLE pg_temp.${DEFAULT_OUTBOX_TABLE}`);
    }
    const id = await insertOutbox(writer, { channel: 'schema:1', type: 'hello', data: 1 }, { table: `public.${TABLE}` });
    expect((await rows()).at(-1)).toMatchObject({ id, channel: 'schema:1' });
  });

  it('refuses bad input with a clear error, writing nothing', async () => {
    const before = await rows();
    const ok = { channel: 'match:42', type: 'score_update', data: {} };
    const refused: Array<[string, () => Promise<unknown>, RegExp]> = [
      ['a table name with SQL in it', () => insertOutbox(writer, ok, { table: `${TABLE}; DROP TABLE ${TABLE}` }), /table must be a lower-case SQL identifier/],
      ['an upper-case table name', () => insertOutbox(writer, ok, { table: 'Herald_Outbox' }), /table must be/],
      ['three name parts', () => insertOutbox(writer, ok, { table: 'a.b.c' }), /table must be/],
      ['an empty table name', () => insertOutbox(writer, ok, { table: '' }), /table must be/],
      ['a 64-character table name', () => insertOutbox(writer, ok, { table: 'a'.repeat(64) }), /table must be/],
      ['a channel with a space', () => insertOutbox(writer, { ...ok, channel: 'match 42' }, { table: TABLE }), /channel must be 1-255 characters.*"match 42"/],
      ['an empty channel', () => insertOutbox(writer, { ...ok, channel: '' }, { table: TABLE }), /channel must be/],
      ['a 256-character channel', () => insertOutbox(writer, { ...ok, channel: 'c'.repeat(256) }, { table: TABLE }), /channel must be/],
      ['a channel that is not a string', () => insertOutbox(writer, { ...ok, channel: 42 as unknown as string }, { table: TABLE }), /channel must be .*got number/],
      ['a reserved event name', () => insertOutbox(writer, { ...ok, type: 'subscribed' }, { table: TABLE }), /type 'subscribed' is reserved/],
      ['an event name with a space', () => insertOutbox(writer, { ...ok, type: 'score update' }, { table: TABLE }), /type must be an event name/],
      ['a 65-character event name', () => insertOutbox(writer, { ...ok, type: 'e'.repeat(65) }, { table: TABLE }), /type must be/],
      ['a $ event name', () => insertOutbox(writer, { ...ok, type: '$control' }, { table: TABLE }), /type must be/],
      ['an empty idempotency key', () => insertOutbox(writer, { ...ok, idempotencyKey: '' }, { table: TABLE }), /idempotencyKey must be a string of 1-256/],
      ['a 257-character idempotency key', () => insertOutbox(writer, { ...ok, idempotencyKey: 'k'.repeat(257) }, { table: TABLE }), /idempotencyKey must be/],
      ['undefined data', () => insertOutbox(writer, { ...ok, data: undefined }, { table: TABLE }), /data must be a JSON value, got undefined/],
      ['a BigInt in data', () => insertOutbox(writer, { ...ok, data: { n: 1n } }, { table: TABLE }), /data cannot be written as JSON/],
      ['a function as data', () => insertOutbox(writer, { ...ok, data: () => 1 }, { table: TABLE }), /data must be a JSON value/],
      ['no event', () => insertOutbox(writer, null as unknown as typeof ok, { table: TABLE }), /event must be an object/],
      ['no client', () => insertOutbox({} as OutboxQueryable, ok, { table: TABLE }), /client must have query/],
    ];
    for (const [what, call, message] of refused) {
      await expect(call(), what).rejects.toThrow(message);
      await expect(call(), what).rejects.toBeInstanceOf(TypeError);
    }
    const circular: Record<string, unknown> = {};
    circular['self'] = circular;
    await expect(insertOutbox(writer, { ...ok, data: circular }, { table: TABLE })).rejects.toThrow(/data cannot be written as JSON/);
    expect(await rows()).toEqual(before);
    expect((await reader.query(`SELECT to_regclass('public.${TABLE}') IS NOT NULL AS present`)).rows).toEqual([{ present: true }]);
  });

  it('passes the database\'s refusal through (a table that does not exist)', async () => {
    await expect(insertOutbox(writer, { channel: 'match:42', type: 'goal', data: {} }, { table: `${TABLE}_missing` })).rejects.toThrow(/does not exist/);
  });
});
