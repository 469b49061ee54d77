// @ts-check
import { activity } from '../../../../../lib/auction.js';
import { pool } from '../../../../../lib/db.js';
import { answer, managerOf } from '../../../../../lib/routes.js';
import { json } from '../../../../../lib/session.js';

/** @param {Request} request @param {{ params: Record<string, string> }} context */
export const GET = (request, { params }) =>
  answer(async () => {
    const { team } = await managerOf(request, params.id);
    return json(200, await activity(pool, team.id));
  });
