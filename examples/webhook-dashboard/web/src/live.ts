/**
 * The dashboard query (metrics and latest deliveries, as GET /api/dashboard returns them) and what
 * each event of the account's channel does to it. Every change carries the account's `seq`: an
 * event is applied when it is the next one, skipped when the cache already has it, and a jump
 * (something missed) refetches. A REST answer older than the cache (it left before an event
 * arrived) is dropped by `structuralSharing`.
 */
import type { Publication } from '@herald/client';
import type { LiveAction } from '@herald/react';
import type { QueryClient } from '@tanstack/react-query';

export interface Delivery {
  readonly id: string;
  readonly target_url: string;
  readonly status: 'pending' | 'delivered' | 'failed';
  readonly attempts: number;
  readonly response_status: number | null;
  readonly delivery_latency_ms: number | null;
  readonly created_at: string;
  readonly updated_at: string;
}
export interface Metrics { readonly total_events: number; readonly pending_events: number; readonly delivered_events: number; readonly failed_events: number }
export interface Dashboard { readonly seq: number; readonly channel: string; readonly metrics: Metrics; readonly events: readonly Delivery[] }

/** What the backend publishes on `dashboard#<account>` (the seed's message types). */
export type DashboardEvents = {
  event_created: { seq: number; event: Delivery };
  event_update: { seq: number; event: Delivery };
  event_deleted: { seq: number; id: string };
  metrics_update: { seq: number; metrics: Metrics };
};
type EventType = keyof DashboardEvents;

const SHOWN = 50;
const reducers: { [K in EventType]: (d: Dashboard, e: DashboardEvents[K]) => Dashboard } = {
  event_created: (d, e) => ({ ...d, events: [e.event, ...d.events].slice(0, SHOWN) }),
  event_update: (d, e) => ({ ...d, events: d.events.map((x) => (x.id === e.event.id ? e.event : x)) }),
  event_deleted: (d, e) => ({ ...d, events: d.events.filter((x) => x.id !== e.id) }),
  metrics_update: (d, e) => ({ ...d, metrics: e.metrics }),
};

export const dashboardKey = ['dashboard'] as const;

/** Every event received over Herald, for the page's "live events" panel. */
export interface Received { readonly seq: number; readonly type: EventType; readonly offset: number; readonly at: string; readonly summary: string }
let received: Received[] = [];
const listeners = new Set<() => void>();
export const liveLog = {
  get: () => received,
  subscribe: (listener: () => void) => (listeners.add(listener), () => void listeners.delete(listener)),
};

function summary(type: EventType, data: DashboardEvents[EventType]): string {
  if ('event' in data) return `${data.event.id} ${data.event.status}${data.event.delivery_latency_ms === null ? '' : ` in ${data.event.delivery_latency_ms} ms`}`;
  if ('id' in data) return `${data.id} deleted`;
  return `${data.metrics.total_events} total, ${data.metrics.failed_events} failed`;
}

/** The useLiveQuery action of one event type. */
function apply<K extends EventType>(type: K): LiveAction<DashboardEvents[K]> {
  return (data: DashboardEvents[K], queryClient: QueryClient, publication: Publication<DashboardEvents[K]>) => {
    received = [...received.slice(-199), { seq: data.seq, type, offset: publication.offset ?? -1, at: new Date().toISOString(), summary: summary(type, data) }];
    for (const listener of listeners) listener();
    const cached = queryClient.getQueryData<Dashboard>(dashboardKey);
    if (!cached || data.seq <= cached.seq) return;
    if (data.seq > cached.seq + 1) return void queryClient.invalidateQueries({ queryKey: dashboardKey });
    queryClient.setQueryData<Dashboard>(dashboardKey, { ...reducers[type](cached, data), seq: data.seq });
  };
}

export const on = { event_created: apply('event_created'), event_update: apply('event_update'), event_deleted: apply('event_deleted'), metrics_update: apply('metrics_update') };

/** Keeps the newer of the cached and the fetched dashboard. */
export const newer = (old: unknown, next: unknown): unknown => (old && (old as Dashboard).seq > (next as Dashboard).seq ? old : next);
