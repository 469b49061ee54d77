import type { HeraldClient, Publication } from '@herald/client';
import { ConnectionStatus, HeraldProvider, useChannel, useConnectionState, type ChannelHandlers } from '@herald/react';
import { useIsFetching } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { api, price, STATUS_LABELS, type FoodEvents, type Store } from './api.js';
import { ordersChannel, storeChannel, STORES_CHANNEL, useOrder, useOrders, useProducts, useStore, useStores } from './live.js';

interface Customer {
  customer: string;
  name: string;
}

export function App({ herald, customer }: { herald: HeraldClient; customer: Customer }) {
  const [storeId, setStoreId] = useState('s1');
  const [orderId, setOrderId] = useState<string>();
  return (
    <HeraldProvider client={herald}>
      <header className="top">
        <span className="brand">FoodNow</span>
        <span>Hi, {customer.name}</span>
        <ConnectionStatus className="connection" labels={{ connected: 'Live updates', disconnected: 'Offline' }} />
      </header>
      <OfflineNotice />
      <Layout>
        <Stores selected={storeId} onSelect={setStoreId} />
        <Menu storeId={storeId} onOrdered={setOrderId} />
        <aside>
          <Orders customer={customer.customer} selected={orderId} onSelect={setOrderId} />
          {orderId && <OrderDetail customer={customer.customer} orderId={orderId} />}
          <LiveFeed channels={[ordersChannel(customer.customer), STORES_CHANNEL, storeChannel(storeId)]} />
        </aside>
      </Layout>
    </HeraldProvider>
  );
}

/** The page's columns; `data-fetching` counts the queries loading now (for tests and a spinner). */
function Layout({ children }: { children: ReactNode }) {
  return (
    <div className="layout" data-fetching={useIsFetching()}>
      {children}
    </div>
  );
}

/** While there are no live updates, the queries poll (live.ts): say so. */
function OfflineNotice() {
  const { state } = useConnectionState();
  if (state === 'connected' || state === 'connecting') return null;
  return <p className="offline">No live updates right now: orders and menus refresh every few seconds instead.</p>;
}

function Stores({ selected, onSelect }: { selected: string; onSelect: (id: string) => void }) {
  const { data: stores, live } = useStores();
  return (
    <section className="stores" data-live={live}>
      <h2>Restaurants</h2>
      <ul>
        {stores?.map((s) => (
          <li key={s.id} data-store={JSON.stringify(s)} className={`${s.id === selected ? 'selected' : ''} ${s.isActive ? '' : 'closed'}`}>
            <button onClick={() => onSelect(s.id)}>
              <b>{s.name}</b>
              <span className="muted">
                {s.cuisine} · {s.isActive ? s.eta : 'Closed'}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Menu({ storeId, onOrdered }: { storeId: string; onOrdered: (id: string) => void }) {
  const { data: store } = useStore(storeId);
  const { data: products, live } = useProducts(storeId);
  const [cart, setCart] = useState<Record<string, number>>({});
  const [problem, setProblem] = useState<string>();
  const items = Object.entries(cart).filter(([, qty]) => qty > 0);
  const total = items.reduce((sum, [id, qty]) => sum + qty * (products?.find((p) => p.id === id)?.price ?? 0), 0);
  const order = async () => {
    setProblem(undefined);
    try {
      const placed = await api.placeOrder(storeId, items.map(([productId, qty]) => ({ productId, qty })));
      setCart({});
      onOrdered(placed.id);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <section className="menu" data-store-id={storeId} data-live={live}>
      <StoreHeader store={store} />
      {store && !store.isActive && <p className="notice">This restaurant is closed right now.</p>}
      <ul>
        {products?.map((p) => (
          <li key={p.id} data-product={JSON.stringify(p)} className={p.available ? '' : 'sold-out'}>
            <span className="name">{p.name}</span>
            <span className="price">{price(p.price)}</span>
            {p.available ? (
              <button data-add={p.id} disabled={!store?.isActive} onClick={() => setCart((c) => ({ ...c, [p.id]: (c[p.id] ?? 0) + 1 }))}>
                Add{cart[p.id] ? ` (${cart[p.id]})` : ''}
              </button>
            ) : (
              <span className="badge">Sold out</span>
            )}
          </li>
        ))}
      </ul>
      <div className="cart">
        <button data-action="order" disabled={items.length === 0 || !store?.isActive} onClick={() => void order()}>
          Order {items.length > 0 ? price(total) : ''}
        </button>
        {problem && <span className="problem">{problem}</span>}
      </div>
    </section>
  );
}

function StoreHeader({ store }: { store: Store | undefined }) {
  if (!store) return <h2>…</h2>;
  return (
    <h2 data-store-header={JSON.stringify(store)}>
      {store.name} <span className="muted">{store.isActive ? `· ${store.eta}` : '· closed'}</span>
    </h2>
  );
}

function Orders({ customer, selected, onSelect }: { customer: string; selected: string | undefined; onSelect: (id: string) => void }) {
  const { data: orders, live } = useOrders(customer);
  return (
    <section className="orders" data-live={live}>
      <h2>Your orders</h2>
      {orders?.length === 0 && <p className="muted">No orders yet.</p>}
      <ul>
        {orders?.map((o) => (
          <li key={o.id} data-order={o.id} data-status={o.status} className={o.id === selected ? 'selected' : ''}>
            <button onClick={() => onSelect(o.id)}>
              <span>
                #{o.id} · {o.storeName}
              </span>
              <span className={`status ${o.status}`}>{STATUS_LABELS[o.status]}</span>
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function OrderDetail({ customer, orderId }: { customer: string; orderId: string }) {
  const { data: order } = useOrder(customer, orderId);
  if (!order) return null;
  return (
    <section className="order-detail" data-order-detail={order.id} data-status={order.status}>
      <h3>
        Order #{order.id} · {price(order.total)}
      </h3>
      <p className="muted">{order.items.map((i) => `${i.qty}× ${i.name}`).join(', ')}</p>
      <ol className="steps">
        {order.history.map((h) => (
          <li key={h.status}>
            {STATUS_LABELS[h.status]} <span className="muted">{new Date(h.at).toLocaleTimeString()}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

interface FeedEntry {
  channel: string;
  type: string;
  data: unknown;
  offset: number;
  epoch: string;
}
const FEED_SIZE = 50;
const EVENT_TYPES: (keyof FoodEvents)[] = ['order_updated', 'store_updated', 'product_updated', 'store_availability_changed', 'product_availability_changed'];

/** What arrived live, newest first: each publication of the channels this page follows. */
function LiveFeed({ channels }: { channels: string[] }) {
  const [feed, setFeed] = useState<FeedEntry[]>([]);
  const handlers: ChannelHandlers<FoodEvents> = Object.fromEntries(
    EVENT_TYPES.map((type) => [type, (data: unknown, p: Publication<unknown>) => setFeed((f) => [{ channel: p.channel, type, data, offset: p.offset, epoch: p.epoch }, ...f].slice(0, FEED_SIZE))]),
  );
  return (
    <section className="feed">
      <h3>Live updates</h3>
      {channels.map((channel) => (
        <Follow key={channel} channel={channel} handlers={handlers} />
      ))}
      {feed.length === 0 && <p className="muted">Nothing yet.</p>}
      <ul>
        {feed.map((e) => (
          <li key={`${e.channel}-${e.epoch}-${e.offset}`} data-feed={JSON.stringify(e)}>
            <code>{e.type}</code> <span className="muted">{summary(e)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Follow({ channel, handlers }: { channel: string; handlers: ChannelHandlers<FoodEvents> }) {
  useChannel(channel, handlers);
  return null;
}

function summary(e: FeedEntry): string {
  const d = e.data as Record<string, unknown>;
  if (e.type === 'order_updated') return `#${String(d.orderId)} ${STATUS_LABELS[d.status as keyof typeof STATUS_LABELS] ?? ''}`;
  if (e.type === 'store_availability_changed') return `${String(d.storeId)} ${d.isActive ? 'open' : 'closed'} (${e.channel})`;
  if (e.type === 'product_availability_changed') return `${String(d.productId)} ${d.available ? 'back' : 'sold out'}`;
  if (e.type === 'store_updated') return `${String(d.storeId)} ${(d.store as Store | undefined)?.eta ?? ''} (${e.channel})`;
  return `${String(d.storeId)} (${e.channel})`;
}
