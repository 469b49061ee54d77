import { HeraldClient } from '@herald/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { SignIn } from './SignIn.js';
import './styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);
const me = await fetch('/api/me');
if (me.status === 401) {
  root.render(<SignIn />);
} else {
  const user = (await me.json()) as { user: string; name: string };
  // Which Herald node this user's devices use: the backend says (it stands in for the load balancer).
  const { heraldUrl } = (await (await fetch('/api/config')).json()) as { heraldUrl: string };
  const herald = new HeraldClient({
    url: heraldUrl,
    getToken: async () => ((await (await fetch('/api/herald-token', { method: 'POST' })).json()) as { token: string }).token,
    maxReconnectDelay: 2_000, // a match moves fast: a device is back within 2 s of its node's return
  });
  const matchId = /^\/match\/([\w-]+)/.exec(location.pathname)?.[1];
  root.render(
    <StrictMode>
      <QueryClientProvider client={new QueryClient()}>
        <App herald={herald} user={user} heraldUrl={heraldUrl} matchId={matchId} />
      </QueryClientProvider>
    </StrictMode>,
  );
}
