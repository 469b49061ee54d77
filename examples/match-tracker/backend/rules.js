// @ts-check
/**
 * What the referee may do, and what each action makes of the match: a pure function from the
 * match row and the action to the new row and the event as it is stored and published. The
 * publish proxy (server.js) runs it inside the transaction that holds the match row.
 */

/** @typedef {'scheduled' | 'live' | 'paused' | 'finished'} MatchStatus */
/** @typedef {'match_start' | 'match_pause' | 'match_resume' | 'match_end' | 'score_update' | 'event_added'} MatchEventType */
/**
 * @typedef {{ id: string, home: string, away: string, status: MatchStatus, home_score: number, away_score: number,
 *   last_seq: number, played_ms: number, running_since: Date | null }} MatchRow
 */
/**
 * @typedef {{ seq: number, event: MatchEventType, by: string, team?: 'home' | 'away', card?: 'yellow' | 'red',
 *   player?: string, score: { home: number, away: number }, status: MatchStatus, clock_ms: number }} EventData
 */

export const EVENT_TYPES = /** @type {const} */ (['match_start', 'match_pause', 'match_resume', 'match_end', 'score_update', 'event_added']);

/** From which status each action is allowed, and the status it leaves. */
const TRANSITIONS = /** @type {Record<MatchEventType, { from: MatchStatus[], to?: MatchStatus }>} */ ({
  match_start: { from: ['scheduled'], to: 'live' },
  match_pause: { from: ['live'], to: 'paused' },
  match_resume: { from: ['paused'], to: 'live' },
  match_end: { from: ['live', 'paused'], to: 'finished' },
  score_update: { from: ['live'] },
  event_added: { from: ['live'] },
});

const MAX_PLAYER_CHARS = 40;

/**
 * @param {MatchRow} match
 * @param {string} event
 * @param {unknown} input what the referee's page sent
 * @param {string} user
 * @param {Date} now
 * @returns {{ error: string } | { row: MatchRow, data: EventData }}
 */
export function decide(match, event, input, user, now) {
  if (!(EVENT_TYPES).includes(/** @type {MatchEventType} */ (event))) return { error: `unknown match event ${event}` };
  const type = /** @type {MatchEventType} */ (event);
  const rule = TRANSITIONS[type];
  if (!rule.from.includes(match.status)) return { error: `not while the match is ${match.status}` };
  const body = /** @type {Record<string, unknown>} */ (typeof input === 'object' && input !== null ? input : {});
  const team = body.team === 'home' || body.team === 'away' ? body.team : undefined;
  if ((type === 'score_update' || type === 'event_added') && !team) return { error: 'team must be home or away' };
  const card = body.card === 'yellow' || body.card === 'red' ? body.card : undefined;
  if (type === 'event_added' && !card) return { error: 'card must be yellow or red' };
  const running = match.running_since ? now.getTime() - match.running_since.getTime() : 0;
  const clock = match.played_ms + running;
  const row = { ...match, last_seq: match.last_seq + 1 };
  if (rule.to) row.status = rule.to;
  if (type === 'match_start' || type === 'match_resume') row.running_since = now;
  if (type === 'match_pause' || type === 'match_end') {
    row.played_ms = clock;
    row.running_since = null;
  }
  if (type === 'score_update' && team === 'home') row.home_score += 1;
  if (type === 'score_update' && team === 'away') row.away_score += 1;
  /** @type {EventData} */
  const data = { seq: row.last_seq, event: type, by: user, score: { home: row.home_score, away: row.away_score }, status: row.status, clock_ms: clock };
  if (team) data.team = team;
  if (card) data.card = card;
  if (typeof body.player === 'string' && body.player.trim()) data.player = body.player.trim().slice(0, MAX_PLAYER_CHARS);
  return { row, data };
}
