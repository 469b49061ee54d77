/**
 * The F1 standings (the same REST query, events and reducers as examples/f1-live-timing) with
 * the real-time layer written by hand on the browser's WebSocket: useHeraldSocket.ts.
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSyncExternalStore } from 'react';
import { receivedEvents } from '../../../f1-live-timing/web/src/live.js';
import { plainSessionQuery, receive } from './catch-up.js';
import { EVENT_TYPES, lapTime, type RaceEvents } from '../../../f1-live-timing/web/src/race.js';
import { useHeraldSocket } from './useHeraldSocket.js';

const getToken = async () => ((await (await fetch('/api/herald-token', { method: 'POST' })).json()) as { token: string }).token;

export function App({ heraldUrl, channel }: { heraldUrl: string; channel: string }) {
  const queryClient = useQueryClient();
  const { data: session, isFetching } = useQuery({ ...plainSessionQuery, refetchInterval: false });
  const received = useSyncExternalStore(receivedEvents.subscribe, receivedEvents.get);
  const socket = useHeraldSocket({
    url: heraldUrl,
    channel,
    getToken,
    // Route on message.type: every race event updates the cached standings with setQueryData.
    on: Object.fromEntries(EVENT_TYPES.map((type) => [type, (data: RaceEvents[typeof type]) => receive(type, data, queryClient)])),
    onResync: () => void queryClient.invalidateQueries({ queryKey: plainSessionQuery.queryKey }),
  });
  if (!session) return <p className="loading">Loading standings…</p>;
  return (
    <main data-seq={session.seq} data-received={received} data-socket={socket.status} data-client={socket.client ?? ''} data-fetching={isFetching}>
      <header>
        <h1>{session.name}</h1>
        <span className={socket.status === 'live' ? 'badge live' : 'badge'}>{socket.status === 'live' ? '● LIVE' : socket.status}</span>
        <span className="lap">Lap {session.lap}/{session.totalLaps} · {session.status}</span>
        {socket.lastError && socket.status !== 'live' && <span className="connection">{socket.lastError}</span>}
      </header>
      <table>
        <thead>
          <tr><th>Pos</th><th>Driver</th><th>Lap</th><th>Last lap</th><th>Best lap</th><th>Tyre</th><th>DRS</th><th>Status</th></tr>
        </thead>
        <tbody>
          {[...session.drivers].sort((a, b) => a.position - b.position).map((d) => (
            <tr key={d.code} data-driver={JSON.stringify(d)} className={d.status !== 'TRACK' ? 'dim' : undefined}>
              <td>{d.position}</td>
              <td><b>{d.code}</b> {d.name}</td>
              <td>{d.lap}</td>
              <td>{lapTime(d.lastLap)}</td>
              <td>{lapTime(d.bestLap)}</td>
              <td className={`tyre ${d.tire.compound.toLowerCase()}`}>{d.tire.compound[0]} {d.tire.age}</td>
              <td>{d.drs ? 'DRS' : ''}</td>
              <td>{d.status}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <footer>{received} live updates applied · state at change #{session.seq} · plain WebSocket, no Herald package</footer>
    </main>
  );
}
