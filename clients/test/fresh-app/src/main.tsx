// A fresh Vite + React + TanStack Query app using the packages as installed from their tarballs
// (clients/test/packages.test.ts builds it with `vite build` and loads it in Chromium).
import { HeraldClient } from '@herald/client';
import { ConnectionStatus, HeraldProvider, useEvent, useLiveQuery } from '@herald/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { createRoot } from 'react-dom/client';

type Score = { home: number; away: number };
type MatchEvents = { score_update: Score; goal: { player: string } };

// From the page's address (the test opens /?herald=<url>&channel=<name>).
const params = new URLSearchParams(location.search);
const config = { url: params.get('herald') ?? 'http://127.0.0.1:8080', channel: params.get('channel') ?? 'match:1' };

const herald = new HeraldClient({ url: config.url, getToken: () => fetch('/token').then((r) => r.text()) });
// The app's own QueryClient goes to @herald/react's handlers below: with two copies of TanStack
// Query installed, `tsc` refuses this file (two incompatible QueryClient classes).
const queryClient: QueryClient = new QueryClient();

function Scoreboard() {
  const { data, live } = useLiveQuery<Score, string[], MatchEvents>({
    queryKey: ['score'],
    queryFn: () => fetch('/api/score').then((r) => r.json() as Promise<Score>),
    channel: config.channel,
    on: { score_update: (score: Score, qc: QueryClient) => qc.setQueryData(['score'], score), goal: 'invalidate' },
  });
  const [goals, setGoals] = useState<string[]>([]);
  useEvent<{ player: string }>(config.channel, 'goal', (goal) => setGoals((all) => [...all, goal.player]));
  return (
    <main>
      <h1 id="score" data-live={String(live)}>
        {data ? `${data.home} – ${data.away}` : '…'}
      </h1>
      <ul id="goals">
        {goals.map((player, i) => (
          <li key={i}>Goal: {player}</li>
        ))}
      </ul>
    </main>
  );
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <QueryClientProvider client={queryClient}>
    <HeraldProvider client={herald}>
      <ConnectionStatus className="status" />
      <Scoreboard />
    </HeraldProvider>
  </QueryClientProvider>,
);
