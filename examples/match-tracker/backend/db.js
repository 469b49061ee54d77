// @ts-check
/**
 * The match tracker's PostgreSQL: matches, who plays which role in them, and every event of a
 * match in order (the seed's match_events and match_statistics tables, folded into two). The
 * schema and the demo data are created at start when missing.
 */
import pg from 'pg';

/** @typedef {import('./rules.js').MatchRow} MatchRow */
/** @typedef {import('./rules.js').EventData} EventData */

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (id text PRIMARY KEY, name text NOT NULL);
CREATE TABLE IF NOT EXISTS matches (
  id text PRIMARY KEY, home text NOT NULL, away text NOT NULL,
  status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'live', 'paused', 'finished')),
  home_score int NOT NULL DEFAULT 0, away_score int NOT NULL DEFAULT 0,
  last_seq int NOT NULL DEFAULT 0, played_ms bigint NOT NULL DEFAULT 0, running_since timestamptz);
CREATE TABLE IF NOT EXISTS match_roles (
  match_id text NOT NULL REFERENCES matches, user_id text NOT NULL REFERENCES users,
  role text NOT NULL CHECK (role IN ('referee', 'spectator')), PRIMARY KEY (match_id, user_id));
CREATE TABLE IF NOT EXISTS match_events (
  match_id text NOT NULL REFERENCES matches, seq int NOT NULL, user_id text NOT NULL REFERENCES users,
  data jsonb NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (match_id, seq));
`;

const DEMO = `
INSERT INTO users VALUES ('ana', 'Ana Ortiz'), ('ben', 'Ben Okafor'), ('cleo', 'Cleo Park') ON CONFLICT DO NOTHING;
INSERT INTO matches (id, home, away) VALUES ('m1', 'Riverside Rovers', 'Harbour United') ON CONFLICT DO NOTHING;
INSERT INTO match_roles VALUES ('m1', 'ana', 'referee'), ('m1', 'ben', 'spectator'), ('m1', 'cleo', 'spectator') ON CONFLICT DO NOTHING;
`;

export class Database {
  /** @param {string} url */
  constructor(url) {
    this.url = url;
    // A few connections, each call bounded: a stuck query must not hold a proxy call past Herald's deadline.
    this.pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 5_000, statement_timeout: 5_000, idleTimeoutMillis: 10_000 });
    this.pool.on('error', (error) => console.error('postgres pool:', error.message));
  }

  /** Creates the database when it does not exist yet (a first `examples/run`), then the tables and the demo data. */
  async setUp() {
    try {
      await this.pool.query('SELECT 1');
    } catch (error) {
      if (/** @type {{ code?: string }} */ (error).code !== '3D000') throw error; // invalid_catalog_name
      const url = new URL(this.url);
      const name = url.pathname.slice(1);
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw error;
      url.pathname = '/postgres';
      const admin = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
    }
    await this.pool.query(SCHEMA);
    await this.pool.query(DEMO);
  }

  /** @returns {Promise<{ id: string, name: string }[]>} */
  async users() {
    return (await this.pool.query('SELECT id, name FROM users ORDER BY id')).rows;
  }

  /** @param {string} id @returns {Promise<string | undefined>} */
  async userName(id) {
    return (await this.pool.query('SELECT name FROM users WHERE id = $1', [id])).rows[0]?.name;
  }

  /** The matches a user has a role in. @param {string} user */
  async matchesOf(user) {
    const { rows } = await this.pool.query(
      'SELECT m.id, m.home, m.away, m.status, m.home_score, m.away_score, r.role FROM matches m JOIN match_roles r ON r.match_id = m.id WHERE r.user_id = $1 ORDER BY m.id',
      [user],
    );
    return rows;
  }

  /** @param {string} match @param {string} user @returns {Promise<string | undefined>} */
  async roleOf(match, user) {
    return (await this.pool.query('SELECT role FROM match_roles WHERE match_id = $1 AND user_id = $2', [match, user])).rows[0]?.role;
  }

  /**
   * The match and all its events, read in one snapshot (so the events end exactly at `last_seq`).
   * @param {string} id
   * @returns {Promise<{ match: MatchRow, events: (EventData & { recorded_at: string })[], names: Record<string, string> } | undefined>}
   */
  async matchWithEvents(id) {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const match = (await client.query('SELECT * FROM matches WHERE id = $1', [id])).rows[0];
      if (!match) return undefined;
      const events = (await client.query('SELECT data, recorded_at FROM match_events WHERE match_id = $1 ORDER BY seq', [id])).rows;
      const names = (await client.query('SELECT u.id, u.name FROM users u JOIN match_roles r ON r.user_id = u.id WHERE r.match_id = $1', [id])).rows;
      await client.query('COMMIT');
      return {
        match: { ...match, played_ms: Number(match.played_ms) },
        events: events.map((e) => ({ ...e.data, recorded_at: e.recorded_at.toISOString() })),
        names: Object.fromEntries(names.map((n) => [n.id, n.name])),
      };
    } finally {
      client.release();
    }
  }

  /**
   * Runs `body` in a transaction holding the match row (FOR UPDATE: one referee action at a time
   * per match), with every statement bounded by `timeoutMs`; commits what it returns unless it
   * says to roll back.
   * @template T
   * @param {string} id
   * @param {number} timeoutMs
   * @param {(match: MatchRow | undefined, client: pg.PoolClient) => Promise<{ commit: boolean, value: T }>} body
   * @returns {Promise<T>}
   */
  async withMatch(id, timeoutMs, body) {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
      const row = (await client.query('SELECT * FROM matches WHERE id = $1 FOR UPDATE', [id])).rows[0];
      const { commit, value } = await body(row && { ...row, played_ms: Number(row.played_ms) }, client);
      await client.query(commit ? 'COMMIT' : 'ROLLBACK');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** @param {pg.PoolClient} client @param {MatchRow} row @param {EventData} data @param {string} user @param {Date} at */
  static async saveEvent(client, row, data, user, at) {
    await client.query(
      'UPDATE matches SET status = $2, home_score = $3, away_score = $4, last_seq = $5, played_ms = $6, running_since = $7 WHERE id = $1',
      [row.id, row.status, row.home_score, row.away_score, row.last_seq, row.played_ms, row.running_since],
    );
    await client.query('INSERT INTO match_events (match_id, seq, user_id, data, recorded_at) VALUES ($1, $2, $3, $4, $5)', [row.id, data.seq, user, data, at]);
  }

  end() {
    return this.pool.end();
  }
}
