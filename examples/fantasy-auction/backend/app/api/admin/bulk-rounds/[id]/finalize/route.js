// @ts-check
/** Admin: finalizes a round: players to the highest bids (squad_update, wallet_update), ties to tiebreakers (tiebreaker_started). */
import { finalizeRound } from '../../../../../../lib/auction.js';
import { transaction } from '../../../../../../lib/db.js';
import { answer, idParam } from '../../../../../../lib/routes.js';
import { isAdmin, json } from '../../../../../../lib/session.js';

/** @param {Request} request @param {{ params: Record<string, string> }} context */
export const POST = (request, { params }) =>
  answer(async () => {
    if (!isAdmin(request)) return json(403, { error: 'admins only' });
    return json(200, await transaction((tx) => finalizeRound(tx, idParam(params.id))));
  });
