import { useEffect, useState } from 'react';
import { call, type Problems } from './api';
import { ErrorLine, message } from './App';

export function ProblemsPage() {
  const [data, setData] = useState<Problems | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    const load = () =>
      call<Problems>('GET', 'problems')
        .then((p) => {
          setData(p);
          setError('');
        })
        .catch((e: unknown) => setError(message(e)));
    void load();
    const t = setInterval(() => void load(), 5000);
    return () => clearInterval(t);
  }, []);
  return (
    <section>
      <h2>Recent problems</h2>
      <p className="muted small">
        Per node: the last 100 connection closes the server decided (every reason but a client's own close), and the limits it
        enforced (the same breaches its log warns about).
      </p>
      <ErrorLine error={error} />
      {data
        ? Object.entries(data.nodes).map(([node, p]) => (
            <div key={node} className="node-problems" data-node={node}>
              <h3>
                Node <code>{node}</code>
              </h3>
              {p.error ? <p className="error">{p.error}</p> : null}
              <div className="grid2">
                <div>
                  <h4>Limit breaches</h4>
                  {(p.breaches ?? []).length === 0 ? <p className="muted">None since start.</p> : null}
                  <table data-table="breaches">
                    <tbody>
                      {(p.breaches ?? []).map((b) => (
                        <tr key={b.kind}>
                          <td>{b.kind}</td>
                          <td className="num">{b.count}×</td>
                          <td className="small">last {new Date(b.last).toLocaleTimeString()}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <div>
                  <h4>Closes by cause</h4>
                  <CauseCounts closes={p.closes ?? []} />
                </div>
              </div>
              <h4>Last closes</h4>
              {(p.closes ?? []).length === 0 ? <p className="muted">None since start.</p> : null}
              <table data-table="closes">
                <tbody>
                  {(p.closes ?? []).slice(0, 30).map((c, i) => (
                    <tr key={`${c.client}-${i}`}>
                      <td className="small">{new Date(c.t).toLocaleTimeString()}</td>
                      <td>
                        <span className="tag">{c.reason}</span>
                      </td>
                      <td>
                        <code>{c.client}</code>
                      </td>
                      <td>{c.user ? <a href={`#/connections/user=${encodeURIComponent(c.user)}`}>{c.user}</a> : <span className="muted">anonymous</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))
        : null}
    </section>
  );
}

function CauseCounts({ closes }: { closes: { reason: string }[] }) {
  const counts = new Map<string, number>();
  for (const c of closes) counts.set(c.reason, (counts.get(c.reason) ?? 0) + 1);
  if (counts.size === 0) return <p className="muted">None.</p>;
  return (
    <table>
      <tbody>
        {[...counts.entries()]
          .sort((a, b) => b[1] - a[1])
          .map(([r, n]) => (
            <tr key={r}>
              <td>{r}</td>
              <td className="num">{n}</td>
            </tr>
          ))}
      </tbody>
    </table>
  );
}
