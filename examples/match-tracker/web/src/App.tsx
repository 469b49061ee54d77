import type { HeraldClient } from '@herald/client';
import { ConnectionStatus, HeraldProvider, useHeraldClient, useLiveQuery, usePresence } from '@herald/react';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { channelOf, clock, describe, fetchMatch, matchKey, playingTime, receive, type MatchActions, type MatchEvent, type MatchEvents, type MatchView } from './match.js';

interface Props {
  herald: HeraldClient;
  user: { user: string; name: string };
  heraldUrl: string;
  matchId: string | undefined;
}

export function App({ herald, user, heraldUrl, matchId }: Props) {
  return (
    <HeraldProvider client={herald}>
      <header className="top">
        <a href="/">Match tracker</a>
        <span className="who">
          {user.name} · Herald node <code>{heraldUrl.replace(/^https?:\/\//, '')}</code>
        </span>
        <ConnectionStatus className="connection" />
      </header>
      {matchId ? <Match id={matchId} /> : <Matches />}
    </HeraldProvider>
  );
}

function Matches() {
  const { data } = useQuery({
    queryKey: ['matches'],
    queryFn: async () => (await (await fetch('/api/matches')).json()) as { id: string; home: string; away: string; status: string; role: string }[],
  });
  return (
    <main className="list">
      <h2>Your matches</h2>
      <ul>
        {data?.map((m) => (
          <li key={m.id}>
            <a href={`/match/${m.id}`}>
              {m.home} vs {m.away}
            </a>{' '}
            <span className="muted">
              {m.status} · you are the {m.role}
            </span>
          </li>
        ))}
      </ul>
    </main>
  );
}

/** The seed's six message types, each applied to the cached match by `receive`. */
const EVENT_TYPES = ['match_start', 'match_pause', 'match_resume', 'match_end', 'score_update', 'event_added'] as const;

function Match({ id }: { id: string }) {
  const on = Object.fromEntries(EVENT_TYPES.map((type) => [type, (e: MatchEvent, queryClient: Parameters<typeof receive>[1]) => receive(e, queryClient, id)]));
  const { data: view, error, live } = useLiveQuery<MatchView, ReturnType<typeof matchKey>, MatchEvents>({
    queryKey: matchKey(id),
    queryFn: () => fetchMatch(id),
    channel: channelOf(id),
    on,
    // No polling: a device whose Herald node is gone says so (ConnectionStatus) and, once back, gets
    // every event it missed from the cluster's history (herald.yaml keeps 2 h of it per match).
    pollInterval: false,
  });
  if (!view) return <p className="loading">{error ? `Could not load the match: ${error.message}` : 'Loading the match…'}</p>;
  const { match } = view;
  return (
    <main data-match={match.id} data-seq={match.last_seq} data-status={match.status} data-score={`${match.home_score}-${match.away_score}`} data-live={live}>
      <section className="scoreboard">
        <div className="team">{match.home}</div>
        <div className="score">
          {match.home_score} – {match.away_score}
        </div>
        <div className="team">{match.away}</div>
        <div className="meta">
          <span className={`badge ${match.status}`}>{match.status === 'live' ? '● LIVE' : match.status}</span>
          <Clock view={view} />
          {!live && <span className="offline">not live on this device</span>}
        </div>
      </section>
      {view.role === 'referee' && match.status !== 'finished' && <RefereeControls view={view} />}
      <section className="timeline">
        <h3>Match events</h3>
        {view.events.length === 0 && <p className="muted">Nothing yet: the referee starts the match.</p>}
        <ol>
          {view.events.map((e) => (
            <li key={e.seq} data-event={JSON.stringify(e)} className={e.event}>
              <span className="time">{clock(e.clock_ms)}</span>
              <span className="what">{describe(e, view)}</span>
              <span className="by muted">{view.names[e.by] ?? e.by}</span>
            </li>
          ))}
        </ol>
      </section>
      {live && <Watching channel={channelOf(id)} />}
      <footer className="muted">
        You are the {view.role} of this match · {view.events.length} events, replayed from the match record and kept live
      </footer>
    </main>
  );
}

/** Who has the match open, on any device and any node (presence), one name per user. */
function Watching({ channel }: { channel: string }) {
  const { clients } = usePresence(channel);
  const users = new Map(clients.map((c) => [c.user, (c.info as { name?: string } | undefined)?.name ?? c.user]));
  const ids = [...users.keys()].sort();
  return (
    <p className="watching" data-watching={ids.join(',')}>
      Watching now: {ids.map((id) => users.get(id)).join(', ') || 'nobody'}
    </p>
  );
}

function Clock({ view }: { view: MatchView }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (view.match.status !== 'live') return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [view.match.status]);
  return <span className="clock">{clock(playingTime(view, view.match.status === 'live' ? now : 0))}</span>;
}

/**
 * The referee's buttons publish straight to the match channel. Herald asks the backend (publish
 * proxy) first: a refusal comes back as the publish's error, shown here.
 */
function RefereeControls({ view }: { view: MatchView }) {
  const herald = useHeraldClient();
  const [refusal, setRefusal] = useState<string>();
  const [pending, setPending] = useState(0);
  const { match } = view;
  const act = <K extends keyof MatchActions>(type: K, data: MatchActions[K]) => {
    setPending((n) => n + 1);
    setRefusal(undefined);
    herald
      .publish(channelOf(match.id), type, data)
      .catch((e: unknown) => setRefusal(e instanceof Error ? e.message : String(e)))
      .finally(() => setPending((n) => n - 1));
  };
  const live = match.status === 'live';
  return (
    <section className="controls" data-pending={pending}>
      {match.status === 'scheduled' && <button data-action="match_start" onClick={() => act('match_start', {})}>Start match</button>}
      {live && <button data-action="match_pause" onClick={() => act('match_pause', {})}>Pause</button>}
      {match.status === 'paused' && <button data-action="match_resume" onClick={() => act('match_resume', {})}>Resume</button>}
      {(live || match.status === 'paused') && <button data-action="match_end" onClick={() => act('match_end', {})}>End match</button>}
      <span className="sep" />
      <button data-action="goal-home" disabled={!live} onClick={() => act('score_update', { team: 'home' })}>Goal {match.home}</button>
      <button data-action="goal-away" disabled={!live} onClick={() => act('score_update', { team: 'away' })}>Goal {match.away}</button>
      <button data-action="card-home" disabled={!live} onClick={() => act('event_added', { team: 'home', card: 'yellow' })}>Yellow card {match.home}</button>
      <button data-action="card-away" disabled={!live} onClick={() => act('event_added', { team: 'away', card: 'yellow' })}>Yellow card {match.away}</button>
      {refusal && <p className="refusal" role="alert">{refusal}</p>}
    </section>
  );
}
