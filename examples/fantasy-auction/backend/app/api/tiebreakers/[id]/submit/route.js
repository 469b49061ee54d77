// @ts-check
/** A manager's tiebreaker bid: POST {"amount"}; every team in the tiebreaker gets tiebreaker_bid. */
import { submitTiebreakerBid } from '../../../../../lib/auction.js';
import { transaction } from '../../../../../lib/db.js';
import { answer, body, idParam, managerOf } from '../../../../../lib/routes.js';
import { json } from '../../../../../lib/session.js';

/** @param {Request} request @param {{ params: Record<string, string> }} context */
export const POST = (request, { params }) =>
  answer(async () => {
    const { team } = await managerOf(request);
    const { amount } = await body(request);
    return json(200, await transaction((tx) => submitTiebreakerBid(tx, idParam(params.id), team, Number(amount))));
  });
