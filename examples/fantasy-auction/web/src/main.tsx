import { HeraldClient } from '@herald/client';
import { HeraldProvider } from '@herald/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getJson, HttpError, type Me } from './api.js';
import { Dashboard } from './Dashboard.js';
import './styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);
const config = await getJson<{ heraldUrl: string; pollInterval: number; maxReconnectDelay: number }>('/api/config');
const me = await getJson<Me>('/api/me').catch((error: unknown) => {
  if (error instanceof HttpError && error.status === 401) return undefined;
  throw error;
});

if (!me) {
  root.render(
    <main className="signin">
      <h1>Fantasy auction</h1>
      <p>Sign in as a team manager (development login):</p>
      <p>
        <a href="/login?user=u1">u1 · Red Lions</a> <a href="/login?user=u2">u2 · Blue Sharks</a> <a href="/login?user=u3">u3 · Green Owls</a>
      </p>
    </main>,
  );
} else {
  const herald = new HeraldClient({
    url: config.heraldUrl,
    getToken: async () => (await getJson<{ token: string }>('/api/herald-token', { method: 'POST' })).token,
    maxReconnectDelay: config.maxReconnectDelay,
  });
  // The seed's QueryProvider: aggressive caching, since every change arrives as an event.
  const queryClient = new QueryClient({ defaultOptions: { queries: { staleTime: 5 * 60_000, refetchOnWindowFocus: false } } });
  root.render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <HeraldProvider client={herald}>
          <Dashboard me={me} pollInterval={config.pollInterval} />
        </HeraldProvider>
      </QueryClientProvider>
    </StrictMode>,
  );
}
