// The page of proxy-browser.test.ts: a cookie-authenticated app (no token anywhere) built with
// @herald/react: the connect proxy's data, a live channel and one rpc call.
import { HeraldClient } from '@herald/client';
import { HeraldProvider, useConnectionState, useEvent, useRpc } from '@herald/react';
import { useState } from 'react';
import { createRoot } from 'react-dom/client';

const config = (window as unknown as { HERALD: { url: string; channel: string } }).HERALD;
const client = new HeraldClient({ url: config.url, transports: ['websocket'], connectData: { page: 'menu' } });

function App() {
  const { state, data } = useConnectionState();
  const [special, setSpecial] = useState('none yet');
  useEvent<{ dish: string }>(config.channel, 'special', (d) => setSpecial(d.dish));
  const order = useRpc<{ order: string; user: string }>('place_order');
  return (
    <main style={{ fontFamily: 'sans-serif', padding: 24 }}>
      <h1>Cookie login, no token</h1>
      <p>
        Connection: <b data-herald-state={state}>{state}</b>
      </p>
      <p>
        Signed in as: <b id="name">{(data as { name?: string } | undefined)?.name ?? '-'}</b>
      </p>
      <p>
        Today&apos;s special: <b id="special">{special}</b>
      </p>
      <button id="order" onClick={() => void order.call({ dish: special }).catch(() => undefined)}>
        Order it
      </button>
      <p>
        Order: <b id="result">{order.pending ? 'placing…' : order.result ? `${order.result.order} for user ${order.result.user}` : order.error ? order.error.message : '-'}</b>
      </p>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(
  <HeraldProvider client={client}>
    <App />
  </HeraldProvider>,
);
