// @ts-check
import { teamChannel } from '../../../lib/broadcast.js';
import { answer, managerOf } from '../../../lib/routes.js';
import { json } from '../../../lib/session.js';

/** The signed-in manager, their team and the team's Herald channel. @param {Request} request */
export const GET = (request) =>
  answer(async () => {
    const { user, team } = await managerOf(request);
    return json(200, { user, team: { id: team.id, name: team.name }, channel: teamChannel(team) });
  });
