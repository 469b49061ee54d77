import { ConnectionStatus, useLiveQuery } from '@herald/react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, useSyncExternalStore, type FormEvent } from 'react';
import { ReconnectAttempts } from './connection.js';
import { dashboardKey, liveLog, newer, on, type Dashboard, type DashboardEvents, type Delivery, type Metrics } from './live.js';

export interface Config {
  readonly heraldUrl: string;
  readonly pollInterval: number;
  readonly minReconnectDelay: number;
  readonly maxReconnectDelay: number;
  readonly maxReconnectAttempts: number;
  readonly hiddenDisconnectAfter: number;
}

export function App({ token, config, awake }: { token: string; config: Config; awake: boolean }) {
  const api = async <T,>(path: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(path, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    const body = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(body.error ?? `${path}: ${response.status}`);
    return body;
  };
  const queryClient = useQueryClient();
  // The account's channel (dashboard#<account>) comes with the first load.
  const channel = queryClient.getQueryData<Dashboard>(dashboardKey)?.channel;
  const { data, error, live } = useLiveQuery<Dashboard, typeof dashboardKey, DashboardEvents>({
    queryKey: dashboardKey,
    queryFn: () => api<Dashboard>('/api/dashboard'),
    structuralSharing: newer,
    channel,
    on,
    // Polls only while not live; TanStack Query does not poll a hidden tab.
    pollInterval: config.pollInterval,
  });
  const change = useMutation({
    mutationFn: ({ path, method, body }: { path: string; method: string; body?: unknown }) => api(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }),
    // Our own action: refresh at once (the events confirm it, or polling does while offline).
    onSuccess: () => queryClient.invalidateQueries({ queryKey: dashboardKey }),
  });
  const received = useSyncExternalStore(liveLog.subscribe, liveLog.get);
  const status = !awake ? 'Paused (tab hidden)' : live ? '● LIVE' : `Polling every ${config.pollInterval / 1000}s`;

  return (
    <main data-seq={data?.seq ?? -1} data-live={live} data-awake={awake} data-received-seqs={received.map((r) => r.seq).join(',')}>
      <header>
        <h1>Webhook deliveries</h1>
        <span className={live ? 'badge live' : 'badge'}>{status}</span>
        {awake && (
          // Not while paused: the client is disconnected on purpose then, and its last error is old news.
          <div className="status">
            <ConnectionStatus className="connection" />
            <ReconnectAttempts max={config.maxReconnectAttempts} />
          </div>
        )}
      </header>
      {error && <p className="error">Could not load the dashboard: {error.message}</p>}
      {data && <MetricsRow metrics={data.metrics} />}
      <section className="card">
        <SendForm busy={change.isPending} send={(target) => change.mutate({ path: '/api/events', method: 'POST', body: { target_url: `${location.origin}/sink/${target}`, payload: { hello: 'world' } } })} />
        {change.error && <p className="error">{change.error.message}</p>}
        <table>
          <thead>
            <tr>
              <th>Event</th><th>Target</th><th>Status</th><th>Attempts</th><th>HTTP</th><th>Latency</th><th>Updated</th><th />
            </tr>
          </thead>
          <tbody>
            {data?.events.map((e) => (
              <EventRow key={e.id} event={e} act={(path, method) => change.mutate({ path, method })} />
            ))}
          </tbody>
        </table>
        {data?.events.length === 0 && <p className="muted">No events yet: send one.</p>}
      </section>
      <section className="card log">
        <h2>
          Live events <small>({received.length} received)</small>
        </h2>
        <ol>
          {received.slice(-12).reverse().map((r) => (
            <li key={`${r.seq}-${r.offset}`} data-seq={r.seq} data-type={r.type}>
              <span className="time">{new Date(r.at).toLocaleTimeString()}</span> <code>{r.type}</code> #{r.seq} {r.summary}
            </li>
          ))}
        </ol>
      </section>
    </main>
  );
}

function MetricsRow({ metrics: m }: { metrics: Metrics }) {
  const cards: [string, number, string][] = [
    ['Total', m.total_events, ''],
    ['Pending', m.pending_events, 'pending'],
    ['Delivered', m.delivered_events, 'delivered'],
    ['Failed', m.failed_events, 'failed'],
  ];
  return (
    <div className="metrics" data-metrics={JSON.stringify(m)}>
      {cards.map(([label, value, kind]) => (
        <div key={label} className={`metric ${kind}`}>
          <span>{label}</span>
          <b>{value}</b>
        </div>
      ))}
    </div>
  );
}

function SendForm({ busy, send }: { busy: boolean; send: (target: string) => void }) {
  const [target, setTarget] = useState('200');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    send(target);
  };
  return (
    <form className="send" onSubmit={submit}>
      <label>
        Send a test event to the demo receiver answering{' '}
        <select value={target} onChange={(e) => setTarget(e.target.value)} aria-label="receiver answer">
          <option value="200">200 OK</option>
          <option value="500">500 error</option>
          <option value="404">404 not found</option>
        </select>
      </label>
      <button type="submit" disabled={busy}>
        Send
      </button>
    </form>
  );
}

function EventRow({ event: e, act }: { event: Delivery; act: (path: string, method: string) => void }) {
  return (
    <tr data-event={JSON.stringify(e)}>
      <td><code>{e.id}</code></td>
      <td className="target">{new URL(e.target_url).pathname}</td>
      <td><span className={`pill ${e.status}`}>{e.status}</span></td>
      <td className="num">{e.attempts}</td>
      <td className="num">{e.response_status ?? '—'}</td>
      <td className="num">{e.delivery_latency_ms === null ? '—' : `${e.delivery_latency_ms} ms`}</td>
      <td className="time">{new Date(e.updated_at).toLocaleTimeString()}</td>
      <td className="actions">
        {e.status === 'failed' && <button onClick={() => act(`/api/events/${e.id}/retry`, 'POST')}>Retry</button>}
        <button onClick={() => act(`/api/events/${e.id}`, 'DELETE')}>Delete</button>
      </td>
    </tr>
  );
}
