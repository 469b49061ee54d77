/**
 * The local PostgreSQL (127.0.0.1:5432, user postgres, trust auth): a fresh database per test,
 * dropped afterwards, so tests never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server's maintenance connection (database `test`, which .ci/run creates). */
export const POSTGRES_ADMIN_URL = process.env.EXAMPLES_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export interface FreshDatabase {
  readonly name: string;
  /** postgresql://postgres@127.0.0.1:5432/<name> */
  readonly url: string;
  /** Runs SQL in it (a short-lived connection). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Drops it, ending any connection still open to it. */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, body: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, statement_timeout: 30_000 });
  await client.connect();
  try {
    return await body(client);
  } finally {
    await client.end();
  }
}

/** Creates database `ex_<name>_<random>` (name: lower-case letters, digits, _). */
export async function freshDatabase(name: string): Promise<FreshDatabase> {
  if (!/^[a-z0-9_]{1,30}$/.test(name)) throw new Error(`freshDatabase: ${name} is not [a-z0-9_]{1,30}`);
  const database = `ex_${name}_${randomBytes(4).toString('hex')}`;
  await withClient(POSTGRES_ADMIN_URL, (client) => client.query(`CREATE DATABASE ${database}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return {
    name: database,
    url: url.toString(),
    query: (sql, params) => withClient(url.toString(), (client) => client.query(sql, params)),
    drop: () => withClient(POSTGRES_ADMIN_URL, async (client) => void (await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`))),
  };
}
