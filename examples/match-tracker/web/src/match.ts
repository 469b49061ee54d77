/** The match as GET /api/matches/:id returns it, its live events, and how an event moves it on. */
import type { QueryClient } from '@tanstack/react-query';

export type MatchStatus = 'scheduled' | 'live' | 'paused' | 'finished';
export type Team = 'home' | 'away';

/** One stored event: what the publish proxy answered, and what the match channel carries. */
export interface MatchEvent {
  readonly seq: number;
  readonly event: MatchEventType;
  readonly by: string;
  readonly team?: Team;
  readonly card?: 'yellow' | 'red';
  readonly player?: string;
  readonly score: { readonly home: number; readonly away: number };
  readonly status: MatchStatus;
  /** Playing time at the event. */
  readonly clock_ms: number;
  readonly recorded_at: string;
}

export interface MatchView {
  readonly match: {
    readonly id: string;
    readonly home: string;
    readonly away: string;
    readonly status: MatchStatus;
    readonly home_score: number;
    readonly away_score: number;
    readonly last_seq: number;
    readonly played_ms: number;
    readonly running_since: string | null;
  };
  readonly events: readonly MatchEvent[];
  readonly names: Readonly<Record<string, string>>;
  readonly role: 'referee' | 'spectator';
}

/** What the referee's page publishes on `match:<id>` (the proxy turns each into a MatchEvent). */
export type MatchActions = {
  match_start: Record<string, never>;
  match_pause: Record<string, never>;
  match_resume: Record<string, never>;
  match_end: Record<string, never>;
  score_update: { team: Team };
  event_added: { team: Team; card: 'yellow' | 'red' };
};
export type MatchEventType = keyof MatchActions;
/** What the channel delivers: every event type carries the stored event. */
export type MatchEvents = { [K in MatchEventType]: MatchEvent };

export const matchKey = (id: string) => ['match', id] as const;
export const channelOf = (id: string) => `match:${id}`;

export async function fetchMatch(id: string): Promise<MatchView> {
  const response = await fetch(`/api/matches/${encodeURIComponent(id)}`);
  if (!response.ok) throw new Error(`GET /api/matches/${id}: ${response.status}`);
  return (await response.json()) as MatchView;
}

/** `view` with `e` applied: the event carries the score and status after it. */
function applied(view: MatchView, e: MatchEvent): MatchView {
  const running = e.status === 'live';
  return {
    ...view,
    match: {
      ...view.match,
      status: e.status,
      home_score: e.score.home,
      away_score: e.score.away,
      last_seq: e.seq,
      played_ms: e.clock_ms,
      running_since: running ? e.recorded_at : null,
    },
    events: [...view.events, e],
  };
}

/**
 * The useLiveQuery action of every match event: the next event (by `seq`) is appended to the
 * cached match; one already there is ignored; one after a gap (an event this page never got)
 * refetches the match, which brings everything stored up to now.
 */
export function receive(e: MatchEvent, queryClient: QueryClient, matchId: string): void {
  const key = matchKey(matchId);
  const view = queryClient.getQueryData<MatchView>(key);
  if (!view || e.seq <= view.match.last_seq) return;
  if (e.seq === view.match.last_seq + 1) queryClient.setQueryData<MatchView>(key, applied(view, e));
  else void queryClient.invalidateQueries({ queryKey: key });
}

/** Playing time now: the stored time plus the running half, if it is running. */
export function playingTime(view: MatchView, now: number): number {
  const since = view.match.running_since;
  return view.match.played_ms + (since ? Math.max(0, now - Date.parse(since)) : 0);
}

/** 754000 → "12:34" */
export function clock(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

/** The line of the timeline for an event. */
export function describe(e: MatchEvent, view: MatchView): string {
  const team = e.team === 'home' ? view.match.home : e.team === 'away' ? view.match.away : '';
  switch (e.event) {
    case 'match_start':
      return 'Kick-off';
    case 'match_pause':
      return 'Play paused';
    case 'match_resume':
      return 'Play resumed';
    case 'match_end':
      return `Full time, ${e.score.home}–${e.score.away}`;
    case 'score_update':
      return `Goal! ${team} (${e.score.home}–${e.score.away})`;
    case 'event_added':
      return `${e.card === 'red' ? 'Red' : 'Yellow'} card, ${team}${e.player ? `: ${e.player}` : ''}`;
  }
}
