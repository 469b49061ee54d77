import type { HeraldClient } from '@herald/client';
import { ConnectionStatus, HeraldProvider, useLiveQuery } from '@herald/react';
import { useQuery } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { applyEvent, raceVersion, receivedEvents, sessionQuery } from './live.js';
import { EVENT_TYPES, lapTime, type Driver, type RaceEvents, type Session } from './race.js';

/** Connected to Herald only while the session is live. */
export function App({ herald, channel }: { herald: HeraldClient; channel: string }) {
  const { data: isLive = false } = useQuery({ ...sessionQuery, select: (s: Session) => s.status === 'live' });
  return (
    <HeraldProvider client={herald} enabled={isLive}>
      <Standings channel={channel} />
    </HeraldProvider>
  );
}

/** Every event type: applied to the cached standings with setQueryData (live.ts). */
const on = Object.fromEntries(EVENT_TYPES.map((type) => [type, applyEvent]));

function Standings({ channel }: { channel: string }) {
  const received = useSyncExternalStore(receivedEvents.subscribe, receivedEvents.get);
  const { data: session, live, error, isFetching } = useLiveQuery<Session, typeof sessionQuery.queryKey, RaceEvents>({
    ...sessionQuery,
    channel,
    on,
    // Each event is the next change (seq) of the standings: applied once, in order, across refetches.
    version: raceVersion,
    // While connected: no polling (useLiveQuery). Not live yet: look every 2 s whether it started.
    pollInterval: 2_000,
  });
  if (!session) return <p className="loading">{error ? `Could not load the standings: ${error.message}` : 'Loading standings…'}</p>;
  const onAir = live && session.status === 'live';
  const drivers = [...session.drivers].sort((a, b) => a.position - b.position);
  return (
    <main data-seq={session.seq} data-received={received} data-status={session.status} data-live={onAir} data-fetching={isFetching}>
      <header>
        <h1>{session.name}</h1>
        <span className={onAir ? 'badge live' : 'badge'}>{onAir ? '● LIVE' : session.status === 'finished' ? 'Finished' : session.status === 'scheduled' ? 'Not started' : '○ Offline'}</span>
        <span className="lap">
          Lap {session.lap}/{session.totalLaps}
        </span>
        {session.status === 'live' && <ConnectionStatus className="connection" />}
      </header>
      <table>
        <thead>
          <tr>
            <th>Pos</th><th>Driver</th><th>Team</th><th>Lap</th><th>Last lap</th><th>Best lap</th><th>S1</th><th>S2</th><th>S3</th><th>Tyre</th><th>DRS</th><th>Status</th>
          </tr>
        </thead>
        <tbody>{drivers.map((d) => <Row key={d.code} driver={d} />)}</tbody>
      </table>
      <footer>
        {received} live updates applied · state at change #{session.seq}
      </footer>
    </main>
  );
}

function Row({ driver: d }: { driver: Driver }) {
  return (
    <tr data-driver={JSON.stringify(d)} className={d.status !== 'TRACK' ? 'dim' : undefined}>
      <td>{d.position}</td>
      <td><b>{d.code}</b> {d.name}</td>
      <td>{d.team}</td>
      <td>{d.lap}</td>
      <td>{lapTime(d.lastLap)}</td>
      <td>{lapTime(d.bestLap)}</td>
      {d.sectors.map((s, i) => <td key={i}>{lapTime(s)}</td>)}
      <td className={`tyre ${d.tire.compound.toLowerCase()}`}>{d.tire.compound[0]} {d.tire.age}</td>
      <td>{d.drs ? 'DRS' : ''}</td>
      <td>{d.status}</td>
    </tr>
  );
}
