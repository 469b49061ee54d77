// @ts-check
/**
 * What the seed's `lib/websocket/broadcast.ts` did with a WebSocket server, now one INSERT in the
 * caller's transaction: the event goes into the team's activity feed and into Herald's outbox,
 * and Herald publishes it on the team's channel once (and only if) the transaction commits.
 */
import { insertOutbox } from '@herald/server';

/** @typedef {{ id: string, name: string, managers: string[] }} Team */
/** @typedef {'squad_update' | 'wallet_update' | 'tiebreaker_started' | 'tiebreaker_bid'} TeamEventType */

/** A team's channel: namespace `team`, limited to the team's managers (only they may subscribe). @param {Team} team */
export const teamChannel = (team) => `team:${team.id}#${team.managers.join(',')}`;

/**
 * @param {import('pg').PoolClient} client the transaction that made the change
 * @param {Team} team
 * @param {TeamEventType} type
 * @param {Record<string, unknown>} data
 */
export async function broadcastTeamUpdate(client, team, type, data) {
  const { rows } = await client.query('INSERT INTO activity (team_id, type, data) VALUES ($1, $2, $3) RETURNING id', [team.id, type, data]);
  const eventId = Number(rows[0].id);
  await insertOutbox(client, { channel: teamChannel(team), type, data: { event_id: eventId, ...data }, idempotencyKey: `activity-${eventId}` });
}
