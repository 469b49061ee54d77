// @ts-check
/** Admin: team reads per user, and the outbox rows Herald has not published yet. */
import { pool } from '../../../lib/db.js';
import { isAdmin, json } from '../../../lib/session.js';
import { readsByUser } from '../../../lib/stats.js';

/** @param {Request} request */
export async function GET(request) {
  if (!isAdmin(request)) return json(403, { error: 'admins only' });
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM herald_outbox');
  return json(200, { reads: Object.fromEntries(readsByUser), outboxPending: rows[0].n });
}
