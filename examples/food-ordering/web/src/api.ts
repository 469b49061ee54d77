/** The backend's REST API as the page uses it, and the events its Herald channels carry. */

export type OrderStatus = 'placed' | 'accepted' | 'preparing' | 'on_the_way' | 'delivered';

export interface Store {
  readonly id: string;
  readonly name: string;
  readonly cuisine: string;
  readonly isActive: boolean;
  readonly eta: string;
}
export interface Product {
  readonly id: string;
  readonly storeId: string;
  readonly name: string;
  readonly price: number;
  readonly available: boolean;
}
export interface Order {
  readonly id: string;
  readonly storeId: string;
  readonly storeName: string;
  readonly items: readonly { productId: string; name: string; qty: number; price: number }[];
  readonly total: number;
  readonly status: OrderStatus;
  readonly history: readonly { status: OrderStatus; at: string }[];
}

/** The seed's five message types (a type, not an interface: it must fit ChannelEvents). */
export type FoodEvents = {
  order_updated: { orderId: string; status: OrderStatus };
  store_updated: { storeId: string; store: Store };
  product_updated: { storeId: string; product: Product };
  store_availability_changed: { storeId: string; isActive: boolean };
  product_availability_changed: { storeId: string; productId: string; available: boolean };
};

async function get<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
  return (await response.json()) as T;
}

export const api = {
  stores: () => get<Store[]>('/api/stores'),
  store: (id: string) => get<Store>(`/api/stores/${id}`),
  products: (storeId: string) => get<Product[]>(`/api/stores/${storeId}/products`),
  orders: () => get<Order[]>('/api/orders'),
  order: (id: string) => get<Order>(`/api/orders/${id}`),
  async placeOrder(storeId: string, items: { productId: string; qty: number }[]): Promise<Order> {
    const response = await fetch('/api/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ storeId, items }) });
    const body = (await response.json()) as Order & { error?: string };
    if (!response.ok) throw new Error(body.error ?? `POST /api/orders: ${response.status}`);
    return body;
  },
};

export const STATUS_LABELS: Record<OrderStatus, string> = {
  placed: 'Placed',
  accepted: 'Accepted',
  preparing: 'Preparing',
  on_the_way: 'On the way',
  delivered: 'Delivered',
};

/** 1250 → "€12.50" */
export const price = (cents: number) => `€${(cents / 100).toFixed(2)}`;
