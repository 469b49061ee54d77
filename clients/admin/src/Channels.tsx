import { useCallback, useEffect, useRef, useState } from 'react';
import { call, enc, type ChannelRow, type History, type Presence, type PublicationRow } from './api';
import { ErrorLine, message } from './App';

export function ChannelsPage({ channel }: { channel: string }) {
  return channel ? <ChannelView channel={channel} /> : <ChannelSearch />;
}

function ChannelSearch() {
  const [pattern, setPattern] = useState('');
  const [rows, setRows] = useState<ChannelRow[] | null>(null);
  const [truncated, setTruncated] = useState(false);
  const [error, setError] = useState('');
  const search = useCallback((p: string) => {
    call<{ channels: ChannelRow[]; truncated: boolean; error?: string }>('GET', `channels?pattern=${enc(p)}`)
      .then((r) => {
        setRows(r.channels);
        setTruncated(r.truncated);
        setError(r.error ?? '');
      })
      .catch((e: unknown) => setError(message(e)));
  }, []);
  useEffect(() => search(''), [search]);
  const nodes = [...new Set((rows ?? []).flatMap((r) => Object.keys(r.nodes)))].sort();
  return (
    <section>
      <h2>Channels</h2>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          search(pattern);
        }}
      >
        <input name="pattern" placeholder="Pattern, e.g. match:*" value={pattern} onChange={(e) => setPattern(e.target.value)} />
        <button type="submit">Search</button>
        <OpenChannel />
      </form>
      <ErrorLine error={error} />
      <p className="muted small">Channels with subscribers, across every node, the most subscribed first.{truncated ? ' (Only the first 1000 per node.)' : ''}</p>
      {rows && rows.length === 0 ? <p className="muted">No channel with subscribers matches.</p> : null}
      {rows && rows.length > 0 ? (
        <table data-table="channels">
          <thead>
            <tr>
              <th>Channel</th>
              <th className="num">Subscribers</th>
              {nodes.map((n) => (
                <th key={n} className="num">
                  <code>{n}</code>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.channel} data-channel={r.channel}>
                <td>
                  <a href={`#/channels/${enc(r.channel)}`}>{r.channel}</a>
                </td>
                <td className="num">{r.subscribers}</td>
                {nodes.map((n) => (
                  <td key={n} className="num">
                    {r.nodes[n] ?? 0}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function OpenChannel() {
  const [name, setName] = useState('');
  return (
    <span className="row">
      <input name="open" placeholder="Open a channel by name" value={name} onChange={(e) => setName(e.target.value)} />
      <button type="button" disabled={!name} onClick={() => (window.location.hash = `#/channels/${enc(name)}`)}>
        Open
      </button>
    </span>
  );
}

const PAGE = 20;
const TAIL_MS = 2000;

function ChannelView({ channel }: { channel: string }) {
  const [presence, setPresence] = useState<Presence | null>(null);
  const [presenceError, setPresenceError] = useState('');
  const [rows, setRows] = useState<PublicationRow[]>([]);
  const [historyError, setHistoryError] = useState('');
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const pos = useRef<{ offset: number; epoch: string } | null>(null);

  const loadPresence = useCallback(() => {
    call<Presence>('GET', `presence/${enc(channel)}`)
      .then((p) => {
        setPresence(p);
        setPresenceError('');
      })
      .catch((e: unknown) => setPresenceError(message(e)));
  }, [channel]);

  useEffect(() => {
    let stopped = false;
    pos.current = null;
    setRows([]);
    loadPresence();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tail = async () => {
      try {
        const p = pos.current;
        const h = await call<History>('GET', `history/${enc(channel)}?limit=${PAGE}` + (p ? `&since=${p.offset}&epoch=${enc(p.epoch)}` : ''));
        if (stopped) return;
        setHistoryError('');
        if (p && !h.recovered) {
          // the stream moved past what we hold (new epoch, or more than the history keeps): start over
          pos.current = null;
          setRows([]);
        } else {
          const newest = h.publications.length ? Math.max(...h.publications.map((x) => x.offset)) : p?.offset ?? h.offset;
          pos.current = h.epoch ? { offset: p ? newest : h.offset, epoch: h.epoch } : null;
          if (h.publications.length) {
            setRows((old) => dedupe([...h.publications, ...old]));
            if (p) setFresh(new Set(h.publications.map((x) => x.offset)));
          }
        }
      } catch (e) {
        if (!stopped) setHistoryError(message(e));
      }
      if (!stopped) timer = setTimeout(() => void tail(), TAIL_MS);
    };
    void tail();
    const presenceTimer = setInterval(loadPresence, 5000);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      clearInterval(presenceTimer);
    };
  }, [channel, loadPresence]);

  const older = () => {
    const oldest = rows.length ? Math.min(...rows.map((r) => r.offset)) : 0;
    const epoch = pos.current?.epoch;
    if (oldest <= 1 || !epoch) return;
    const since = Math.max(0, oldest - 1 - PAGE);
    call<History>('GET', `history/${enc(channel)}?since=${since}&epoch=${enc(epoch)}&limit=${oldest - 1 - since}`)
      .then((h) => {
        if (!h.recovered) setHistoryError('older publications are no longer held (history_size / history_ttl)');
        setRows((old) => dedupe([...old, ...h.publications]));
      })
      .catch((e: unknown) => setHistoryError(message(e)));
  };

  const lastMinute = rows.filter((r) => r.timestamp && Date.now() - Date.parse(r.timestamp) < 60_000).length;
  return (
    <section>
      <p>
        <a href="#/channels">← Channels</a>
      </p>
      <h2>
        Channel <code data-field="channel">{channel}</code>
      </h2>
      <div className="grid2">
        <div>
          <h3>
            Presence{' '}
            <button className="link" onClick={loadPresence}>
              refresh
            </button>
          </h3>
          <ErrorLine error={presenceError} />
          {presence ? (
            <>
              <p data-field="presence-summary">
                {presence.clients.length} clients, {presence.users} users
              </p>
              <table data-table="presence">
                <thead>
                  <tr>
                    <th>Client</th>
                    <th>User</th>
                    <th>Info</th>
                  </tr>
                </thead>
                <tbody>
                  {presence.clients.map((c) => (
                    <tr key={c.client} data-client={c.client}>
                      <td>
                        <a href={`#/connections/client=${enc(c.client)}`}>
                          <code>{c.client}</code>
                        </a>
                      </td>
                      <td>{c.user ? <a href={`#/connections/user=${enc(c.user)}`}>{c.user}</a> : <span className="muted">anonymous</span>}</td>
                      <td>
                        <code className="small">{JSON.stringify((c as { info?: unknown }).info ?? null)}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : null}
        </div>
        <PublishForm channel={channel} />
      </div>
      <h3>History and live tail</h3>
      <p className="muted small" data-field="last-minute">
        {lastMinute} publications in the last minute among those shown; new ones appear every {TAIL_MS / 1000} s.
      </p>
      <ErrorLine error={historyError} />
      <table data-table="history">
        <thead>
          <tr>
            <th className="num">Offset</th>
            <th>Time</th>
            <th>Type</th>
            <th>User</th>
            <th>Data</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.offset} data-offset={r.offset} className={fresh.has(r.offset) ? 'fresh' : ''}>
              <td className="num">{r.offset}</td>
              <td className="small">{r.timestamp ?? ''}</td>
              <td>{r.type ?? ''}</td>
              <td>{r.user ?? ''}</td>
              <td>
                <code className="small">{clip(JSON.stringify(r.data ?? null))}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && !historyError ? <p className="muted">No publication held in history.</p> : null}
      <button onClick={older} disabled={rows.length === 0 || Math.min(...rows.map((r) => r.offset)) <= 1}>
        Older
      </button>
    </section>
  );
}

function PublishForm({ channel }: { channel: string }) {
  const [type, setType] = useState('test');
  const [data, setData] = useState('{"hello":"from the admin UI"}');
  const [result, setResult] = useState('');
  const [error, setError] = useState('');
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      setError('data must be JSON');
      return;
    }
    setError('');
    call<{ offset: number; epoch: string }>('POST', 'publish', { channel, type, data: parsed })
      .then((r) => setResult(`published at offset ${r.offset}`))
      .catch((err: unknown) => setError(message(err)));
  };
  return (
    <form className="publish" onSubmit={submit}>
      <h3>Publish a test event</h3>
      <label>
        Event type <input name="type" value={type} onChange={(e) => setType(e.target.value)} />
      </label>
      <label>
        Data (JSON)
        <textarea name="data" rows={4} value={data} onChange={(e) => setData(e.target.value)} />
      </label>
      <button type="submit">Publish</button>
      {result ? <p data-field="publish-result">{result}</p> : null}
      <ErrorLine error={error} />
    </form>
  );
}

function dedupe(rows: PublicationRow[]): PublicationRow[] {
  const seen = new Map<number, PublicationRow>();
  for (const r of rows) if (!seen.has(r.offset)) seen.set(r.offset, r);
  return [...seen.values()].sort((a, b) => b.offset - a.offset);
}

function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
