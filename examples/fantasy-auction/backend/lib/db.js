// @ts-check
/** The PostgreSQL pool and a transaction helper (what the app's `lib/db.ts` would be). */
import pg from 'pg';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fantasy_auction';

export const pool = new pg.Pool({
  connectionString: DATABASE_URL,
  max: 10,
  connectionTimeoutMillis: 5_000,
  statement_timeout: 10_000,
  idle_in_transaction_session_timeout: 15_000,
});

/**
 * Runs `body` in one transaction on one connection: COMMIT when it returns, ROLLBACK when it
 * throws. The events it writes to the outbox are published by Herald if and only if this commits.
 * @template T
 * @param {(client: pg.PoolClient) => Promise<T>} body
 * @returns {Promise<T>}
 */
export async function transaction(body) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
