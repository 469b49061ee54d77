// @ts-check
/** What the team route handlers share: the signed-in manager of the team in the URL. */
import { AuctionError, findTeam, teamOfUser } from './auction.js';
import { pool } from './db.js';
import { currentUser, isAdmin, json } from './session.js';

/**
 * The signed-in user's team, which must be the one in the path: 401 without a session, 403 for
 * another team's data.
 * @param {Request} request @param {string} [teamId]
 */
export async function managerOf(request, teamId) {
  if (teamId !== undefined && isAdmin(request)) {
    // Admins (the auction's operators, and the test comparing pages with the truth) read any team.
    const team = await findTeam(pool, teamId);
    if (team) return { user: 'admin', team };
  }
  const user = currentUser(request);
  if (!user) throw new AuctionError(401, 'sign in first');
  const team = await teamOfUser(pool, user);
  if (!team || (teamId !== undefined && team.id !== teamId)) throw new AuctionError(403, `${user} does not manage ${teamId ?? 'a team'}`);
  return { user, team };
}

/** Answers an AuctionError with its status, and lets anything else fail as a 500. @param {() => Promise<Response>} body */
export async function answer(body) {
  try {
    return await body();
  } catch (error) {
    if (error instanceof AuctionError) return json(error.status, { error: error.message });
    throw error;
  }
}

/** A request's JSON body as an object (the server caps its size). @param {Request} request @returns {Promise<Record<string, unknown>>} */
export async function body(request) {
  try {
    const value = await request.json();
    if (value && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // answered below
  }
  throw new AuctionError(400, 'the body must be a JSON object');
}

/** @param {string | undefined} value */
export function idParam(value) {
  const id = Number(value);
  if (!Number.isInteger(id) || id <= 0) throw new AuctionError(404, `no such id ${value}`);
  return id;
}
