import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import '../../../f1-live-timing/web/src/styles.css';

const config = (await (await fetch('/api/config')).json()) as { heraldUrl: string; channel: string };
const queryClient = new QueryClient();

createRoot(document.getElementById('root') as HTMLElement).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App heraldUrl={config.heraldUrl} channel={config.channel} />
    </QueryClientProvider>
  </StrictMode>,
);
