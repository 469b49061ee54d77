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
  const customer = (await me.json()) as { customer: string; name: string; heraldUrl: string };
  // No token and no getToken: the browser sends the session cookie with the WebSocket, and
  // Herald's connect proxy asks the backend whose it is.
  const herald = new HeraldClient({
    url: customer.heraldUrl,
    credentials: 'include', // the cookie on the SSE and polling fallbacks too
    // The seed's bounds: 5 reconnects, then the page says so and offers a retry (it polls meanwhile).
    maxReconnectAttempts: 5,
    minReconnectDelay: 400,
    maxReconnectDelay: 2_000,
  });
  root.render(
    <StrictMode>
      <QueryClientProvider client={new QueryClient()}>
        <App herald={herald} customer={customer} />
      </QueryClientProvider>
    </StrictMode>,
  );
}
