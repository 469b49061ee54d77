/**
 * The seed's use-realtime-updates.ts, on Herald: every query of the page, the channel that keeps
 * it current, and which event types invalidate it. That is the whole invalidation map:
 *
 *   order_updated                → ['orders'], ['order', orderId]
 *   store_updated                → ['stores'], ['store', storeId]
 *   product_updated              → ['products', storeId]
 *   store_availability_changed   → ['stores'], ['store', storeId], ['products', storeId]
 *   product_availability_changed → ['products', storeId]
 *
 * Each query is refetched when its channel reconnects with a gap, polls every POLL_MS only while
 * its channel is not live (Herald down, or the client gave up reconnecting), and never otherwise.
 */
import { useLiveQuery } from '@herald/react';
import { api, type FoodEvents } from './api.js';

const POLL_MS = 3_000;

export const ordersChannel = (customer: string) => `orders#${customer}`;
export const storeChannel = (storeId: string) => `store:${storeId}`;
export const STORES_CHANNEL = 'stores';

export const useStores = () =>
  useLiveQuery<Awaited<ReturnType<typeof api.stores>>, ['stores'], FoodEvents>({
    queryKey: ['stores'],
    queryFn: api.stores,
    channel: STORES_CHANNEL,
    on: { store_updated: 'invalidate', store_availability_changed: 'invalidate' },
    pollInterval: POLL_MS,
  });

export const useStore = (storeId: string) =>
  useLiveQuery<Awaited<ReturnType<typeof api.store>>, ['store', string], FoodEvents>({
    queryKey: ['store', storeId],
    queryFn: () => api.store(storeId),
    channel: storeChannel(storeId),
    on: { store_updated: 'invalidate', store_availability_changed: 'invalidate' },
    pollInterval: POLL_MS,
  });

export const useProducts = (storeId: string) =>
  useLiveQuery<Awaited<ReturnType<typeof api.products>>, ['products', string], FoodEvents>({
    queryKey: ['products', storeId],
    queryFn: () => api.products(storeId),
    channel: storeChannel(storeId),
    on: { product_updated: 'invalidate', product_availability_changed: 'invalidate', store_availability_changed: 'invalidate' },
    pollInterval: POLL_MS,
  });

export const useOrders = (customer: string) =>
  useLiveQuery<Awaited<ReturnType<typeof api.orders>>, ['orders'], FoodEvents>({
    queryKey: ['orders'],
    queryFn: api.orders,
    channel: ordersChannel(customer),
    on: { order_updated: 'invalidate' },
    pollInterval: POLL_MS,
  });

export const useOrder = (customer: string, orderId: string) =>
  useLiveQuery<Awaited<ReturnType<typeof api.order>>, ['order', string], FoodEvents>({
    queryKey: ['order', orderId],
    queryFn: () => api.order(orderId),
    channel: ordersChannel(customer),
    // Only this order's updates: the others are not shown here.
    on: { order_updated: (e, queryClient) => e.orderId === orderId && void queryClient.invalidateQueries({ queryKey: ['order', orderId] }) },
    pollInterval: POLL_MS,
  });
