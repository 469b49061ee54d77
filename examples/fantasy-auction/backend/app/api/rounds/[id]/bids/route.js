// @ts-check
/** A manager's sealed bid in an open round: POST {"player_id","amount"}. */
import { placeBid } from '../../../../../lib/auction.js';
import { transaction } from '../../../../../lib/db.js';
import { answer, body, idParam, managerOf } from '../../../../../lib/routes.js';
import { json } from '../../../../../lib/session.js';

/** @param {Request} request @param {{ params: Record<string, string> }} context */
export const POST = (request, { params }) =>
  answer(async () => {
    const { team } = await managerOf(request);
    const { player_id: playerId, amount } = await body(request);
    await transaction((tx) => placeBid(tx, idParam(params.id), team, String(playerId), Number(amount)));
    return json(200, { ok: true });
  });
