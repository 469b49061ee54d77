import { HeraldClient } from '@herald/client';
import { HeraldProvider } from '@herald/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App, type Config } from './App.js';
import { usePageAwake } from './connection.js';
import './styles.css';

const root = createRoot(document.getElementById('root') as HTMLElement);
// The dashboard is opened with its token in the URL (a link from the app): the same JWT
// authenticates the REST calls and the Herald connection.
const token = new URLSearchParams(location.search).get('token');

if (!token) {
  root.render(
    <main className="empty">
      <h1>Webhook deliveries</h1>
      <p>
        Open the dashboard with its <code>?token=</code>. In development: <a href="/dev-login?user=demo">sign in as demo</a>.
      </p>
    </main>,
  );
} else {
  const config = (await (await fetch('/api/config')).json()) as Config;
  const herald = new HeraldClient({
    url: config.heraldUrl,
    token,
    // The seed's reconnect policy: 1 s doubling to 30 s with jitter, then a retry button.
    minReconnectDelay: config.minReconnectDelay,
    maxReconnectDelay: config.maxReconnectDelay,
    maxReconnectAttempts: config.maxReconnectAttempts,
  });
  // Connected while the tab is visible, or hidden only briefly.
  const Live = () => {
    const awake = usePageAwake(config.hiddenDisconnectAfter);
    return (
      <HeraldProvider client={herald} enabled={awake}>
        <App token={token} config={config} awake={awake} />
      </HeraldProvider>
    );
  };
  root.render(
    <StrictMode>
      <QueryClientProvider client={new QueryClient()}>
        <Live />
      </QueryClientProvider>
    </StrictMode>,
  );
}
