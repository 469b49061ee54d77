import { useCallback, useEffect, useState } from 'react';
import { ApiError, call } from './api';
import { OverviewPage } from './Overview';
import { ChannelsPage } from './Channels';
import { ConnectionsPage } from './Connections';
import { ProblemsPage } from './Problems';

type Page = 'overview' | 'channels' | 'connections' | 'problems';
const PAGES: { id: Page; label: string }[] = [
  { id: 'overview', label: 'Overview' },
  { id: 'channels', label: 'Channels' },
  { id: 'connections', label: 'Connections / users' },
  { id: 'problems', label: 'Recent problems' },
];

interface Session {
  node: string;
  version: string;
  engine: string;
}

/** The route is the hash: #/overview, #/channels/<channel>, #/connections?user=42 ... */
function route(): { page: Page; arg: string } {
  const h = decodeURIComponent(window.location.hash.replace(/^#\/?/, ''));
  const [first, ...rest] = h.split('/');
  const page = (PAGES.find((p) => p.id === first)?.id ?? 'overview') as Page;
  return { page, arg: rest.join('/') };
}

export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [where, setWhere] = useState(route());

  useEffect(() => {
    const on = () => setWhere(route());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);

  const check = useCallback(() => {
    call<Session>('GET', 'session')
      .then(setSession)
      .catch(() => setSession(null));
  }, []);
  useEffect(check, [check]);

  if (session === undefined) return <p className="muted pad">Loading…</p>;
  if (session === null) return <Login onDone={check} />;

  const logout = () => {
    void call('POST', 'logout', {}).finally(() => setSession(null));
  };
  return (
    <div className="app">
      <header>
        <strong>Herald admin</strong>
        <nav>
          {PAGES.map((p) => (
            <a key={p.id} href={`#/${p.id}`} className={where.page === p.id ? 'active' : ''} data-nav={p.id}>
              {p.label}
            </a>
          ))}
        </nav>
        <span className="muted small">
          node {session.node} · {session.engine} engine · v{session.version}
        </span>
        <button className="link" onClick={logout}>
          Log out
        </button>
      </header>
      <main>
        {where.page === 'overview' && <OverviewPage onUnauthorized={() => setSession(null)} />}
        {where.page === 'channels' && <ChannelsPage channel={where.arg} />}
        {where.page === 'connections' && <ConnectionsPage query={where.arg} />}
        {where.page === 'problems' && <ProblemsPage />}
      </main>
    </div>
  );
}

function Login({ onDone }: { onDone: () => void }) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    call('POST', 'login', { password })
      .then(onDone)
      .catch((err: unknown) => setError(err instanceof ApiError ? err.message : String(err)))
      .finally(() => setBusy(false));
  };
  return (
    <form className="login" onSubmit={submit}>
      <h1>Herald admin</h1>
      <p className="muted">Log in with the admin password (admin.password; in dev mode it is printed at start).</p>
      <input
        type="password"
        name="password"
        autoFocus
        autoComplete="current-password"
        placeholder="Password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <button type="submit" disabled={busy || password === ''}>
        Log in
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** Shows an error of a failed call, or nothing. */
export function ErrorLine({ error }: { error: string }) {
  return error ? (
    <p className="error" role="alert">
      {error}
    </p>
  ) : null;
}

export function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** "3h 2m" from seconds. */
export function duration(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${Math.floor(s % 60)}s`;
  return `${Math.floor(s)}s`;
}
