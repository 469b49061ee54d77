import { useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, call, type ChannelRow, type NodeStatus, type Overview, type Sample } from './api';
import { Chart, type Series } from './Chart';
import { duration, ErrorLine, message } from './App';

const REFRESH_MS = 2000;

/** Samples per node, kept for the server's window (15 minutes), merged from each refresh. */
type History = Record<string, Sample[]>;

export function OverviewPage({ onUnauthorized }: { onUnauthorized: () => void }) {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [history, setHistory] = useState<History>({});
  const [error, setError] = useState('');
  const since = useRef(0);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const o = await call<Overview>('GET', `overview?since=${since.current}`);
        if (stopped) return;
        setOverview(o);
        setError('');
        setHistory((old) => merge(old, o));
        let latest = since.current;
        for (const n of o.nodes) for (const s of n.samples ?? []) latest = Math.max(latest, s.t);
        // one interval of overlap: nodes sample at different moments; duplicates are dropped by merge
        since.current = Math.max(0, latest - o.sample_ms);
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          onUnauthorized();
          return;
        }
        if (!stopped) setError(message(err));
      }
      if (!stopped) timer = setTimeout(() => void load(), REFRESH_MS);
    };
    void load();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [onUnauthorized]);

  const charts = useMemo(() => (overview ? buildCharts(overview, history) : null), [overview, history]);

  if (!overview) return error ? <ErrorLine error={error} /> : <p className="muted">Loading…</p>;
  const totalConnections = overview.nodes.reduce((a, n) => a + (n.connections ?? 0), 0);
  return (
    <section>
      <ErrorLine error={error} />
      <div className="cards">
        <Card label="Nodes" value={overview.nodes.length} id="nodes" />
        <Card label="Connections" value={totalConnections} id="connections" />
        <Card label="Users (per node, summed)" value={overview.nodes.reduce((a, n) => a + (n.users ?? 0), 0)} id="users" />
        <Card label="Subscriptions" value={overview.nodes.reduce((a, n) => a + (n.subscriptions ?? 0), 0)} id="subscriptions" />
        <Card label="Engine" value={overview.engine} id="engine" />
      </div>
      <h2>Nodes</h2>
      <table className="nodes">
        <thead>
          <tr>
            <th>Node</th>
            <th>Version</th>
            <th>Uptime</th>
            <th className="num">Connections</th>
            <th className="num">Users</th>
            <th className="num">Subscriptions</th>
            <th className="num">Channels</th>
            <th>Engine</th>
            <th>State</th>
          </tr>
        </thead>
        <tbody>
          {overview.nodes.map((n) => (
            <NodeRow key={n.node} n={n} />
          ))}
        </tbody>
      </table>
      <HotChannels />
      <h2>Last 15 minutes</h2>
      <p className="muted small">Sampled every {overview.sample_ms / 1000} s on each node; refreshed every {REFRESH_MS / 1000} s.</p>
      <div className="charts">
        {charts?.map((c) => (
          <Chart key={c.title} title={c.title} times={c.times} series={c.series} unit={c.unit} />
        ))}
      </div>
      <h2>Webhooks, proxy and outbox</h2>
      <Integrations nodes={overview.nodes} />
    </section>
  );
}

/** The five most subscribed channels of the cluster, each a link to its page (history, live tail). */
function HotChannels() {
  const [rows, setRows] = useState<ChannelRow[] | null>(null);
  useEffect(() => {
    const load = () =>
      call<{ channels: ChannelRow[] }>('GET', 'channels')
        .then((r) => setRows(r.channels.slice(0, 5)))
        .catch(() => setRows(null));
    void load();
    const t = setInterval(() => void load(), 10_000);
    return () => clearInterval(t);
  }, []);
  if (!rows) return null;
  return (
    <>
      <h2>Hottest channels</h2>
      {rows.length === 0 ? (
        <p className="muted">No channel has subscribers.</p>
      ) : (
        <table data-table="hot-channels">
          <thead>
            <tr>
              <th>Channel (open it for its history, presence and live tail)</th>
              <th className="num">Subscribers</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.channel}>
                <td>
                  <a href={`#/channels/${encodeURIComponent(r.channel)}`}>{r.channel}</a>
                </td>
                <td className="num">{r.subscribers}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function Card({ label, value, id }: { label: string; value: number | string; id: string }) {
  return (
    <div className="card" data-card={id}>
      <div className="muted small">{label}</div>
      <div className="big">{value}</div>
    </div>
  );
}

function NodeRow({ n }: { n: NodeStatus }) {
  const state = !n.answered
    ? 'no answer'
    : n.draining
      ? 'draining'
      : n.engine_reachable === false
        ? 'engine unreachable'
        : 'serving';
  return (
    <tr data-node={n.node}>
      <td>
        <code>{n.node}</code>
        {n.self ? <span className="tag">this node</span> : null}
      </td>
      <td>{n.version ?? '?'}</td>
      <td>{n.uptime_s !== undefined ? duration(n.uptime_s) : n.started ?? '?'}</td>
      <td className="num" data-field="connections">
        {n.connections ?? '?'}
      </td>
      <td className="num" data-field="users">
        {n.users ?? '?'}
      </td>
      <td className="num">{n.subscriptions ?? '?'}</td>
      <td className="num">{n.channels ?? '?'}</td>
      <td>{n.engine ?? '?'}</td>
      <td>
        <span className={`state ${state.replace(/ /g, '-')}`} title={n.answered ? '' : 'its admin UI is off, or it did not answer within 1.5 s'}>
          {state}
        </span>
      </td>
    </tr>
  );
}

/** The meters of webhooks, the backend proxy and the outbox that each node registered (none: the feature is off there). */
function Integrations({ nodes }: { nodes: NodeStatus[] }) {
  const rows: { node: string; feature: string; meter: string; value: number }[] = [];
  for (const n of nodes) {
    const features = (n.integrations ?? {}) as Record<string, Record<string, number>>;
    for (const [feature, readings] of Object.entries(features))
      for (const [meter, value] of Object.entries(readings)) rows.push({ node: n.node, feature, meter, value });
  }
  if (rows.length === 0) {
    return (
      <p className="muted" data-panel="integrations">
        No node reports webhook, backend proxy or outbox meters: those features are off (or not in this build). Their queue depth,
        failures, latency and lag appear here when they run.
      </p>
    );
  }
  return (
    <table data-panel="integrations">
      <thead>
        <tr>
          <th>Node</th>
          <th>Feature</th>
          <th>Meter</th>
          <th className="num">Value</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.node} ${r.meter}`}>
            <td>
              <code>{r.node}</code>
            </td>
            <td>{r.feature}</td>
            <td>
              <code className="small">{r.meter.replace(/^herald\./, '')}</code>
            </td>
            <td className="num">{Number.isInteger(r.value) ? r.value : r.value.toFixed(3)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function merge(old: History, o: Overview): History {
  const cutoff = o.now - o.window_ms;
  const out: History = {};
  for (const n of o.nodes) {
    const before = (old[n.node] ?? []).filter((s) => s.t > cutoff);
    const last = before.length ? (before[before.length - 1]?.t ?? 0) : 0;
    out[n.node] = [...before, ...(n.samples ?? []).filter((s) => s.t > last)];
  }
  return out;
}

interface ChartSpec {
  title: string;
  unit?: string;
  times: number[];
  series: Series[];
}

/** Aligns every node's samples on one time axis (rounded to the interval) and builds the charts. */
function buildCharts(o: Overview, h: History): ChartSpec[] {
  const step = o.sample_ms;
  const slots = new Set<number>();
  for (const samples of Object.values(h)) for (const s of samples) slots.add(Math.round(s.t / step));
  const sorted = [...slots].sort((a, b) => a - b);
  const index = new Map(sorted.map((slot, i) => [slot, i]));
  const times = sorted.map((slot) => (slot * step) / 1000);
  const perNode = (pick: (s: Sample) => number | undefined): Series[] =>
    Object.entries(h).map(([node, samples]) => {
      const values: (number | null)[] = new Array(times.length).fill(null);
      for (const s of samples) {
        const i = index.get(Math.round(s.t / step));
        const v = pick(s);
        if (i !== undefined && v !== undefined) values[i] = v;
      }
      return { label: node, values };
    });
  const summed = (keys: (s: Sample) => Record<string, number>): Series[] => {
    const names = new Set<string>();
    for (const samples of Object.values(h)) for (const s of samples) for (const k of Object.keys(keys(s))) names.add(k);
    return [...names].sort().map((name) => {
      const values: (number | null)[] = new Array(times.length).fill(0);
      for (const samples of Object.values(h))
        for (const s of samples) {
          const i = index.get(Math.round(s.t / step));
          if (i !== undefined) values[i] = (values[i] ?? 0) + (keys(s)[name] ?? 0);
        }
      return { label: name, values };
    });
  };
  const perSecond = step / 1000;
  const errors: Series = { label: 'error replies', values: summed((s) => ({ e: s.errors }))[0]?.values ?? [] };
  return [
    { title: 'Connections', times, series: perNode((s) => s.connections) },
    { title: 'Publications/s', times, series: perNode((s) => s.publications / perSecond) },
    { title: 'Deliveries/s', times, series: perNode((s) => s.deliveries / perSecond) },
    { title: 'Publish→write p99', unit: 'ms', times, series: perNode((s) => s.p99_ms) },
    { title: 'Errors and closes by cause', unit: 'per interval', times, series: [errors, ...summed((s) => s.closes)] },
    { title: 'Slow-consumer closes', unit: 'per interval', times, series: perNode((s) => s.slow_consumers) },
    { title: 'Rate-limit hits', unit: 'per interval', times, series: summed((s) => s.rate_limited) },
  ];
}
