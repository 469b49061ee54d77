import { useCallback, useEffect, useState } from 'react';
import { call, enc, type ConnectionRow, type Lookup } from './api';
import { ErrorLine, message } from './App';

/** {@code query} is "user=42" or "client=c_x" (from the hash), or empty. */
export function ConnectionsPage({ query }: { query: string }) {
  const [kind, setKind] = useState<'user' | 'client'>(query.startsWith('client=') ? 'client' : 'user');
  const [id, setId] = useState(query.replace(/^(user|client)=/, ''));
  const [result, setResult] = useState<Lookup | null>(null);
  const [error, setError] = useState('');
  const [notice, setNotice] = useState('');
  const [reconnect, setReconnect] = useState(false);

  const lookup = useCallback((k: 'user' | 'client', v: string) => {
    if (!v) return;
    call<Lookup>('GET', `lookup?${k}=${enc(v)}`)
      .then((r) => {
        setResult(r);
        setError('');
      })
      .catch((e: unknown) => setError(message(e)));
  }, []);
  useEffect(() => {
    const k = query.startsWith('client=') ? 'client' : 'user';
    const v = query.replace(/^(user|client)=/, '');
    if (v) lookup(k, v);
  }, [query, lookup]);

  const act = (what: 'disconnect' | 'unsubscribe', body: Record<string, unknown>) => {
    call<Record<string, number>>('POST', what, body)
      .then((r) => {
        setNotice(`${what}: ${JSON.stringify(r)}`);
        setTimeout(() => lookup(kind, id), 300);
      })
      .catch((e: unknown) => setError(message(e)));
  };

  const nodes = result ? Object.entries(result.nodes) : [];
  const all: [string, ConnectionRow][] = nodes.flatMap(([node, a]) => (a.connections ?? []).map((c) => [node, c] as [string, ConnectionRow]));
  return (
    <section>
      <h2>Connections and users</h2>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          window.location.hash = `#/connections/${kind}=${enc(id)}`;
          lookup(kind, id);
        }}
      >
        <select name="kind" value={kind} onChange={(e) => setKind(e.target.value as 'user' | 'client')}>
          <option value="user">User id</option>
          <option value="client">Client id</option>
        </select>
        <input name="id" placeholder="e.g. 42 or c_3k2…" value={id} onChange={(e) => setId(e.target.value)} />
        <button type="submit" disabled={!id}>
          Look up
        </button>
      </form>
      <ErrorLine error={error} />
      {notice ? <p className="notice">{notice}</p> : null}
      {result ? (
        <>
          <p data-field="lookup-summary">
            {all.length} connection{all.length === 1 ? '' : 's'} on {new Set(all.map(([n]) => n)).size} of {nodes.length} node
            {nodes.length === 1 ? '' : 's'}
          </p>
          {all.length > 0 ? (
            <div className="row">
              <label>
                <input type="checkbox" name="reconnect" checked={reconnect} onChange={(e) => setReconnect(e.target.checked)} /> let it
                reconnect
              </label>
              <button className="danger" data-action="disconnect-all" onClick={() => act('disconnect', { [kind]: id, reconnect, reason: 'disconnected by an operator' })}>
                Disconnect {kind} {id} everywhere
              </button>
            </div>
          ) : null}
          <table data-table="connections">
            <thead>
              <tr>
                <th>Node</th>
                <th>Client</th>
                <th>User</th>
                <th>Transport</th>
                <th>Remote address</th>
                <th>Connected since</th>
                <th>Subscriptions</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {all.map(([node, c]) => (
                <tr key={c.client} data-client={c.client}>
                  <td>
                    <code>{node}</code>
                  </td>
                  <td>
                    <code>{c.client}</code>
                  </td>
                  <td>{c.user || <span className="muted">anonymous</span>}</td>
                  <td>{c.transport}</td>
                  <td>{c.remote ?? '?'}</td>
                  <td className="small">{c.connected}</td>
                  <td>
                    {c.channels.length === 0 ? <span className="muted">none</span> : null}
                    {c.channels.map((ch) => (
                      <span key={ch} className="chip">
                        <a href={`#/channels/${enc(ch)}`}>{ch}</a>
                        <button className="link" title="unsubscribe" data-action="unsubscribe" onClick={() => act('unsubscribe', { client: c.client, channel: ch })}>
                          ✕
                        </button>
                      </span>
                    ))}
                  </td>
                  <td>
                    <button className="danger" data-action="disconnect" onClick={() => act('disconnect', { client: c.client, reconnect, reason: 'disconnected by an operator' })}>
                      Disconnect
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {nodes
            .filter(([, a]) => a.error)
            .map(([n, a]) => (
              <p key={n} className="error">
                {n}: {a.error}
              </p>
            ))}
        </>
      ) : null}
    </section>
  );
}
