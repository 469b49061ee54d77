// @ts-check
/** Admin: cancels a round; every player bought in it is removed from its squad and refunded (squad_update, wallet_update). */
import { cancelRound } from '../../../../lib/auction.js';
import { transaction } from '../../../../lib/db.js';
import { answer, idParam } from '../../../../lib/routes.js';
import { isAdmin, json } from '../../../../lib/session.js';

/** @param {Request} request @param {{ params: Record<string, string> }} context */
export const DELETE = (request, { params }) =>
  answer(async () => {
    if (!isAdmin(request)) return json(403, { error: 'admins only' });
    return json(200, await transaction((tx) => cancelRound(tx, idParam(params.id))));
  });
