// @ts-check
/**
 * Creates the database when it is missing and applies db/*.sql in order (each file can run
 * again). Run by server.js at start, and by `examples/run` before Herald starts, so Herald's
 * outbox reader finds its table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

const DB_DIR = new URL('./db/', import.meta.url);

/** @param {string} url */
export async function migrate(url) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!/^[a-z0-9_]{1,63}$/.test(name)) throw new Error(`database name ${name} is not [a-z0-9_]`);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const server = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5_000 });
  await server.connect();
  try {
    const { rowCount } = await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await server.query(`CREATE DATABASE ${name}`);
  } finally {
    await server.end();
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    // One migrating process at a time (two backends starting together).
    await client.query('SELECT pg_advisory_lock(20260217)');
    for (const file of readdirSync(DB_DIR).filter((f) => f.endsWith('.sql')).sort()) {
      await client.query(readFileSync(new URL(file, DB_DIR), 'utf8'));
    }
  } finally {
    await client.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await migrate(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/fantasy_auction');
  console.log('fantasy-auction: database ready');
}
