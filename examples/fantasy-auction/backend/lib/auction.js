// @ts-check
/**
 * The auction: sealed-bid rounds, tiebreakers between teams that bid the same highest amount,
 * squads and wallets. Every change runs in the caller's transaction and tells each team
 * concerned through `broadcastTeamUpdate` (activity + outbox, same transaction).
 */
import { broadcastTeamUpdate } from './broadcast.js';

/** @typedef {import('pg').PoolClient} Tx */
/** @typedef {import('pg').Pool | import('pg').PoolClient} Db */
/** @typedef {import('./broadcast.js').Team & { budget: number }} TeamRow */

export class AuctionError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

const CURRENCY = 'coins';

/** @param {Db} db @param {string} id @returns {Promise<TeamRow | undefined>} */
export async function findTeam(db, id) {
  const { rows } = await db.query('SELECT id, name, managers, budget FROM teams WHERE id = $1', [id]);
  return rows[0];
}

/** The team the user manages. @param {Db} db @param {string} user @returns {Promise<TeamRow | undefined>} */
export async function teamOfUser(db, user) {
  const { rows } = await db.query('SELECT id, name, managers, budget FROM teams WHERE $1 = ANY(managers) ORDER BY id LIMIT 1', [user]);
  return rows[0];
}

/** @param {Db} db @param {string} teamId */
export async function squad(db, teamId) {
  const { rows } = await db.query(
    'SELECT s.player_id, p.name, p.position, s.price, s.round_id FROM squad s JOIN players p ON p.id = s.player_id WHERE s.team_id = $1 ORDER BY p.id',
    [teamId],
  );
  return rows;
}

/** @param {Db} db @param {string} teamId */
export async function wallet(db, teamId) {
  const { rows } = await db.query('SELECT t.budget AS balance, COALESCE(SUM(s.price), 0)::int AS spent FROM teams t LEFT JOIN squad s ON s.team_id = t.id WHERE t.id = $1 GROUP BY t.id', [teamId]);
  return { ...rows[0], currency: CURRENCY };
}

/** The tiebreakers the team takes part in, newest first, with every team's bid so far. @param {Db} db @param {string} teamId */
export async function tiebreakers(db, teamId) {
  const { rows } = await db.query(
    `SELECT tb.id, tb.player_id, p.name AS player_name, tb.amount, tb.status, tb.winner,
            json_agg(json_build_object('team_id', b.team_id, 'team_name', t.name, 'amount', b.amount) ORDER BY b.team_id) AS bids
       FROM tiebreakers tb
       JOIN players p ON p.id = tb.player_id
       JOIN tiebreaker_bids b ON b.tiebreaker_id = tb.id
       JOIN teams t ON t.id = b.team_id
      WHERE tb.id IN (SELECT tiebreaker_id FROM tiebreaker_bids WHERE team_id = $1)
      GROUP BY tb.id, p.name ORDER BY tb.id DESC`,
    [teamId],
  );
  return rows;
}

/** The team's activity feed, newest first. @param {Db} db @param {string} teamId */
export async function activity(db, teamId, limit = 100) {
  const { rows } = await db.query('SELECT id::int AS id, type, data, created_at FROM activity WHERE team_id = $1 ORDER BY id DESC LIMIT $2', [teamId, limit]);
  return rows;
}

/** @param {Tx} tx @param {string[]} playerIds @returns {Promise<number>} */
export async function openRound(tx, playerIds) {
  if (!Array.isArray(playerIds) || playerIds.length === 0 || playerIds.length > 50) throw new AuctionError(400, 'players: 1 to 50 player ids');
  const { rows: taken } = await tx.query('SELECT player_id FROM squad WHERE player_id = ANY($1) UNION SELECT player_id FROM tiebreakers WHERE status = $2 AND player_id = ANY($1)', [playerIds, 'open']);
  if (taken.length) throw new AuctionError(409, `not available: ${taken.map((r) => r.player_id).join(', ')}`);
  const { rows } = await tx.query('INSERT INTO rounds DEFAULT VALUES RETURNING id');
  const id = rows[0].id;
  await tx.query('INSERT INTO round_players (round_id, player_id) SELECT $1, unnest($2::text[])', [id, playerIds]);
  return id;
}

/** A sealed bid (a team may raise or lower it until the round is finalized). @param {Tx} tx @param {number} roundId @param {TeamRow} team @param {string} playerId @param {number} amount */
export async function placeBid(tx, roundId, team, playerId, amount) {
  if (!Number.isInteger(amount) || amount <= 0) throw new AuctionError(400, 'amount: a whole number above 0');
  const { rows } = await tx.query('SELECT r.status FROM rounds r JOIN round_players rp ON rp.round_id = r.id WHERE r.id = $1 AND rp.player_id = $2 FOR UPDATE OF r', [roundId, playerId]);
  if (!rows[0]) throw new AuctionError(404, `round ${roundId} has no player ${playerId}`);
  if (rows[0].status !== 'open') throw new AuctionError(409, `round ${roundId} is ${rows[0].status}`);
  if (amount > team.budget) throw new AuctionError(409, `${team.name} has ${team.budget} ${CURRENCY}`);
  await tx.query('INSERT INTO bids (round_id, player_id, team_id, amount) VALUES ($1, $2, $3, $4) ON CONFLICT (round_id, player_id, team_id) DO UPDATE SET amount = $4', [roundId, playerId, team.id, amount]);
}

/**
 * The team buys the player: budget down, squad up, and the team is told both. False when the
 * budget no longer covers the price (the player stays unsold).
 * @param {Tx} tx @param {string} teamId @param {{ id: string, name: string }} player @param {number} price @param {number} roundId
 */
async function acquire(tx, teamId, player, price, roundId) {
  const { rows } = await tx.query('UPDATE teams SET budget = budget - $2 WHERE id = $1 AND budget >= $2 RETURNING id, name, managers, budget', [teamId, price]);
  const team = rows[0];
  if (!team) return false;
  await tx.query('INSERT INTO squad (player_id, team_id, round_id, price) VALUES ($1, $2, $3, $4)', [player.id, teamId, roundId, price]);
  await broadcastTeamUpdate(tx, team, 'squad_update', { player_id: player.id, player_name: player.name, action: 'acquired', price });
  await broadcastTeamUpdate(tx, team, 'wallet_update', { new_balance: team.budget, amount_spent: price, currency_type: CURRENCY });
  return true;
}

/** The team gives the player back and gets the price refunded. @param {Tx} tx @param {{ player_id: string, name: string, team_id: string, price: number }} row */
async function release(tx, row) {
  await tx.query('DELETE FROM squad WHERE player_id = $1', [row.player_id]);
  const { rows } = await tx.query('UPDATE teams SET budget = budget + $2 WHERE id = $1 RETURNING id, name, managers, budget', [row.team_id, row.price]);
  const team = rows[0];
  await broadcastTeamUpdate(tx, team, 'squad_update', { player_id: row.player_id, player_name: row.name, action: 'removed', price: row.price });
  await broadcastTeamUpdate(tx, team, 'wallet_update', { new_balance: team.budget, amount_refunded: row.price, currency_type: CURRENCY });
}

/** @param {Tx} tx @param {number} roundId @param {string[]} statuses */
async function lockRound(tx, roundId, statuses) {
  const { rows } = await tx.query('SELECT status FROM rounds WHERE id = $1 FOR UPDATE', [roundId]);
  if (!rows[0]) throw new AuctionError(404, `no round ${roundId}`);
  if (!statuses.includes(rows[0].status)) throw new AuctionError(409, `round ${roundId} is ${rows[0].status}`);
}

/**
 * The seed's bulk-round finalize: each player goes to the highest bid; equal highest bids open a
 * tiebreaker between those teams instead.
 * @param {Tx} tx @param {number} roundId
 */
export async function finalizeRound(tx, roundId) {
  await lockRound(tx, roundId, ['open']);
  const { rows: bids } = await tx.query(
    'SELECT b.player_id, p.name AS player_name, b.team_id, b.amount FROM bids b JOIN players p ON p.id = b.player_id WHERE b.round_id = $1 ORDER BY b.player_id, b.amount DESC, b.team_id',
    [roundId],
  );
  /** @type {Map<string, typeof bids>} */
  const byPlayer = new Map();
  for (const bid of bids) byPlayer.set(bid.player_id, [...(byPlayer.get(bid.player_id) ?? []), bid]);
  let sold = 0;
  let tied = 0;
  for (const [playerId, offers] of byPlayer) {
    const best = offers[0].amount;
    const top = offers.filter((o) => o.amount === best);
    const player = { id: playerId, name: offers[0].player_name };
    if (top.length === 1) {
      if (await acquire(tx, top[0].team_id, player, best, roundId)) sold++;
      continue;
    }
    tied++;
    const { rows } = await tx.query('INSERT INTO tiebreakers (round_id, player_id, amount) VALUES ($1, $2, $3) RETURNING id', [roundId, playerId, best]);
    const tiebreakerId = rows[0].id;
    const teams = (await tx.query('SELECT id, name, managers FROM teams WHERE id = ANY($1) ORDER BY id', [top.map((o) => o.team_id)])).rows;
    await tx.query('INSERT INTO tiebreaker_bids (tiebreaker_id, team_id) SELECT $1, unnest($2::text[])', [tiebreakerId, teams.map((t) => t.id)]);
    for (const team of teams) {
      await broadcastTeamUpdate(tx, team, 'tiebreaker_started', { tiebreaker_id: tiebreakerId, player_id: playerId, player_name: player.name, amount: best, teams: teams.map((t) => t.name) });
    }
  }
  await tx.query("UPDATE rounds SET status = 'finalized' WHERE id = $1", [roundId]);
  return { sold, tiebreakers: tied };
}

/**
 * A team's one tiebreaker bid (at least the tied amount). Every team in the tiebreaker sees it;
 * once all have bid, the highest (the earlier one of equal bids) buys the player.
 * @param {Tx} tx @param {number} tiebreakerId @param {TeamRow} team @param {number} amount
 */
export async function submitTiebreakerBid(tx, tiebreakerId, team, amount) {
  const { rows } = await tx.query('SELECT tb.id, tb.round_id, tb.player_id, p.name AS player_name, tb.amount, tb.status FROM tiebreakers tb JOIN players p ON p.id = tb.player_id WHERE tb.id = $1 FOR UPDATE OF tb', [tiebreakerId]);
  const tb = rows[0];
  if (!tb) throw new AuctionError(404, `no tiebreaker ${tiebreakerId}`);
  if (tb.status !== 'open') throw new AuctionError(409, `tiebreaker ${tiebreakerId} is ${tb.status}`);
  if (!Number.isInteger(amount) || amount < tb.amount) throw new AuctionError(400, `amount: a whole number of at least ${tb.amount}`);
  if (amount > team.budget) throw new AuctionError(409, `${team.name} has ${team.budget} ${CURRENCY}`);
  const updated = await tx.query('UPDATE tiebreaker_bids SET amount = $3, submitted_at = clock_timestamp() WHERE tiebreaker_id = $1 AND team_id = $2 AND amount IS NULL', [tiebreakerId, team.id, amount]);
  if (updated.rowCount !== 1) throw new AuctionError(409, `${team.name} is not in tiebreaker ${tiebreakerId} or has bid already`);
  const { rows: entrants } = await tx.query('SELECT t.id, t.name, t.managers, b.amount FROM tiebreaker_bids b JOIN teams t ON t.id = b.team_id WHERE b.tiebreaker_id = $1 ORDER BY b.amount DESC NULLS LAST, b.submitted_at, t.id', [tiebreakerId]);
  for (const entrant of entrants) {
    await broadcastTeamUpdate(tx, entrant, 'tiebreaker_bid', { tiebreaker_id: tiebreakerId, player_name: tb.player_name, team_id: team.id, team_name: team.name, bid_amount: amount });
  }
  if (entrants.some((e) => e.amount === null)) return { resolved: false };
  const winner = entrants[0];
  const bought = await acquire(tx, winner.id, { id: tb.player_id, name: tb.player_name }, winner.amount, tb.round_id);
  await tx.query("UPDATE tiebreakers SET status = 'resolved', winner = $2 WHERE id = $1", [tiebreakerId, bought ? winner.id : null]);
  return { resolved: true, winner: bought ? winner.id : null };
}

/**
 * The seed's round DELETE: a finalized round is undone, every player bought in it refunded. Not
 * while one of its tiebreakers is open (its teams would keep bidding on a cancelled round).
 * @param {Tx} tx @param {number} roundId
 */
export async function cancelRound(tx, roundId) {
  await lockRound(tx, roundId, ['open', 'finalized']);
  const open = await tx.query("SELECT 1 FROM tiebreakers WHERE round_id = $1 AND status = 'open'", [roundId]);
  if (open.rowCount) throw new AuctionError(409, `round ${roundId} has an open tiebreaker`);
  const { rows } = await tx.query('SELECT s.player_id, p.name, s.team_id, s.price FROM squad s JOIN players p ON p.id = s.player_id WHERE s.round_id = $1 ORDER BY s.player_id FOR UPDATE OF s', [roundId]);
  for (const row of rows) await release(tx, row);
  await tx.query("UPDATE rounds SET status = 'cancelled' WHERE id = $1", [roundId]);
  return { refunded: rows.length };
}
