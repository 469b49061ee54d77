/**
 * The PostgreSQL outbox (PROTOCOL.md, "PostgreSQL outbox"): the backend inserts the event in the
 * same transaction as its own write, and Herald's outbox reader publishes it once that
 * transaction commits (and never, if it rolls back). This module only inserts; the table and its
 * trigger come from `herald outbox-ddl`. No dependency on `pg`: any client with
 * `query(text, values)` answering `{ rows }` works (a `pg` Client or PoolClient, inside your
 * `BEGIN … COMMIT`).
 */

/**
 * What `insertOutbox` needs of a database client: `pg`'s Client and PoolClient have it. Pass the
 * client your transaction runs on, not a Pool (whose queries go to any connection).
 */
export interface OutboxQueryable {
  query(text: string, values: unknown[]): Promise<{ rows: unknown[] }>;
}

/** One event to publish once the caller's transaction commits. */
export interface OutboxEvent {
  /** The channel, e.g. `match:42` (1–255 characters of `[A-Za-z0-9_:.\-#@=,]`). */
  readonly channel: string;
  /** The event name, e.g. `score_update` (`[A-Za-z0-9_.:-]{1,64}`, not a reserved type). */
  readonly type: string;
  /** Any JSON value (`undefined` is not one: use `null`). */
  readonly data: unknown;
  /** Herald publishes the row under this key; without one it uses `outbox:<id>`. 1–256 characters. */
  readonly idempotencyKey?: string;
}

export interface OutboxOptions {
  /** The outbox table, `name` or `schema.name`, lower-case SQL identifiers (default `herald_outbox`, Herald's `outbox.table`). */
  readonly table?: string;
}

export const DEFAULT_OUTBOX_TABLE = 'herald_outbox';

/** Lower-case unquoted identifiers: what PostgreSQL folds an unquoted name to, at most 63 bytes. */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const CHANNEL = /^[A-Za-z0-9_:.\-#@=,]{1,255}$/;
const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;
/** The protocol's own message types (PROTOCOL.md, "Server pushes"): a publication may not use them. */
const RESERVED_TYPES: ReadonlySet<string> = new Set([
  'connect', 'connected', 'subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'publish', 'published',
  'ping', 'pong', 'presence', 'history', 'refresh', 'refreshed', 'refresh_required', 'join', 'leave', 'error',
  'disconnect',
]);
const MAX_IDEMPOTENCY_KEY_LENGTH = 256;

/**
 * Inserts `event` into the outbox table through `client`, in whatever transaction `client` has
 * open, and returns the row's `id` (a `bigserial`, as a decimal string: it may pass 2⁵³).
 * Refuses, before touching the database, a bad table name, channel, event name, idempotency key
 * or data that is not JSON (a TypeError naming the field), so a row the reader could never
 * publish is not written.
 */
export async function insertOutbox(client: OutboxQueryable, event: OutboxEvent, options: OutboxOptions = {}): Promise<string> {
  if (typeof client?.query !== 'function') throw new TypeError('insertOutbox: client must have query(text, values), e.g. a pg Client or PoolClient');
  const table = outboxTable(options.table);
  if (event === null || typeof event !== 'object') throw new TypeError('insertOutbox: event must be an object {channel, type, data, idempotencyKey?}');
  const { channel, type, data, idempotencyKey } = event;
  if (typeof channel !== 'string' || !CHANNEL.test(channel)) {
    throw new TypeError(`insertOutbox: channel must be 1-255 characters of [A-Za-z0-9_:.-#@=,], got ${describe(channel)}`);
  }
  if (typeof type !== 'string' || !EVENT_NAME.test(type)) {
    throw new TypeError(`insertOutbox: type must be an event name of 1-64 characters of [A-Za-z0-9_.:-], got ${describe(type)}`);
  }
  if (RESERVED_TYPES.has(type)) throw new TypeError(`insertOutbox: type '${type}' is reserved by the protocol`);
  if (idempotencyKey !== undefined && (typeof idempotencyKey !== 'string' || idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
    throw new TypeError(`insertOutbox: idempotencyKey must be a string of 1-${MAX_IDEMPOTENCY_KEY_LENGTH} characters, got ${describe(idempotencyKey)}`);
  }
  const json = toJson(data);
  const result = await client.query(
    `INSERT INTO ${table} (channel, type, data, idempotency_key) VALUES ($1, $2, $3::jsonb, $4) RETURNING id::text AS id`,
    [channel, type, json, idempotencyKey ?? null],
  );
  const row = result?.rows?.[0] as { id?: unknown } | undefined;
  if (typeof row?.id !== 'string') throw new Error(`insertOutbox: the INSERT into ${table} returned no id (is it Herald's outbox table?)`);
  return row.id;
}

/**
 * The table name as SQL, validated: `name` or `schema.name`, each a lower-case identifier, quoted
 * (the same table as unquoted, since PostgreSQL folds those to lower case, and safe for reserved words).
 */
function outboxTable(table: string | undefined): string {
  const name = table ?? DEFAULT_OUTBOX_TABLE;
  const parts = typeof name === 'string' ? name.split('.') : [];
  if (parts.length < 1 || parts.length > 2 || !parts.every((part) => IDENTIFIER.test(part))) {
    throw new TypeError(`insertOutbox: table must be a lower-case SQL identifier ([a-z_][a-z0-9_]*, at most 63 characters), optionally schema-qualified, got ${describe(name)}`);
  }
  return parts.map((part) => `"${part}"`).join('.');
}

function toJson(data: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw new TypeError(`insertOutbox: data cannot be written as JSON (${(error as Error).message})`, { cause: error });
  }
  if (json === undefined) throw new TypeError(`insertOutbox: data must be a JSON value, got ${describe(data)}`);
  return json;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  return value === null ? 'null' : typeof value;
}
