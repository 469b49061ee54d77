// @ts-check
/** Admin: opens a bulk round on some players: POST {"players":["P01","P02"]} answers {"id"}. */
import { openRound } from '../../../lib/auction.js';
import { transaction } from '../../../lib/db.js';
import { answer, body } from '../../../lib/routes.js';
import { isAdmin, json } from '../../../lib/session.js';

/** @param {Request} request */
export const POST = (request) =>
  answer(async () => {
    if (!isAdmin(request)) return json(403, { error: 'admins only' });
    const { players } = await body(request);
    return json(200, { id: await transaction((tx) => openRound(tx, /** @type {string[]} */ (players))) });
  });
