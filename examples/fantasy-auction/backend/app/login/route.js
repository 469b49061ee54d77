// @ts-check
/** Development sign-in: /login?user=u1 signs the manager in and opens the dashboard (your real login goes here). */
import { teamOfUser } from '../../lib/auction.js';
import { pool } from '../../lib/db.js';
import { json, sessionCookie } from '../../lib/session.js';

/** @param {Request} request */
export async function GET(request) {
  const user = new URL(request.url).searchParams.get('user') ?? '';
  if (!/^[a-z0-9]{1,32}$/.test(user) || !(await teamOfUser(pool, user))) return json(404, { error: `no manager ${user}; try u1, u2 or u3` });
  return new Response(null, { status: 302, headers: { location: '/', 'set-cookie': sessionCookie(user) } });
}
