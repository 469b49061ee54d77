// The page of the real-browser test: a React Query app made live with @herald/react.
import { HeraldClient } from '@herald/client';
import { ConnectionStatus, HeraldProvider, useLiveQuery } from '@herald/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createRoot } from 'react-dom/client';

type Score = { home: number; away: number };

const config = (window as unknown as { HERALD: { url: string; channel: string } }).HERALD;

const client = new HeraldClient({
  url: config.url,
  getToken: () => fetch('/token').then((r) => r.text()),
  minReconnectDelay: 200,
  maxReconnectDelay: 1000,
});
const queryClient = new QueryClient();
// Lets the test see that the missed state came through a gap (and not, say, a poll).
const stats = { gaps: 0 };
(window as unknown as { HERALD_STATS: typeof stats }).HERALD_STATS = stats;
client.channel(config.channel, { subscribe: false }).onGap(() => stats.gaps++);

function Scoreboard() {
  const { data, live } = useLiveQuery<Score, string[], { score_update: Score }>({
    queryKey: ['score'],
    queryFn: () => fetch('/api/score').then((r) => r.json() as Promise<Score>),
    channel: config.channel,
    on: { score_update: (score, qc) => qc.setQueryData(['score'], score) },
  });
  return (
    <h1 id="score" data-live={String(live)}>
      {data ? `${data.home} – ${data.away}` : '…'}
    </h1>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <QueryClientProvider client={queryClient}>
    <HeraldProvider client={client}>
      <ConnectionStatus className="status" />
      <Scoreboard />
    </HeraldProvider>
  </QueryClientProvider>,
);
