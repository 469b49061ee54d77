import { HeraldClient } from '@herald/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import './styles.css';

// Where Herald is and which channel carries the race: the backend says (one build for every deployment).
const config = (await (await fetch('/api/config')).json()) as { heraldUrl: string; channel: string };

const herald = new HeraldClient({
  url: config.heraldUrl,
  getToken: async () => ((await (await fetch('/api/herald-token', { method: 'POST' })).json()) as { token: string }).token,
  maxReconnectDelay: 3_000, // live timing: back within seconds of a Herald restart (with jitter)
});
const queryClient = new QueryClient();

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App herald={herald} channel={config.channel} />
    </QueryClientProvider>
  </StrictMode>,
);
