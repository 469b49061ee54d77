/**
 * The standings query, kept current by the race channel. Each event goes through `receive`: it
 * is applied to the cached standings with setQueryData when it is the next change (`seq`), and
 * kept a while, so that standings loaded over REST while events were arriving (the refetch after
 * a gap, say) are brought forward by the events newer than them instead of losing those.
 */
import type { Publication } from '@herald/client';
import type { QueryClient } from '@tanstack/react-query';
import { reducers, type RaceEventType, type RaceEvents, type Session } from './race.js';

export const sessionKey = ['session'] as const;

export async function fetchSession({ signal }: { signal?: AbortSignal } = {}): Promise<Session> {
  const response = await fetch('/api/session', signal ? { signal } : {}); // a refetch that replaces this one aborts it
  if (!response.ok) throw new Error(`GET /api/session: ${response.status}`);
  return advance((await response.json()) as Session);
}

type AnyEvent = { [K in RaceEventType]: { type: K; data: RaceEvents[K] } }[RaceEventType];

/** Recent events by seq; a burst of 50/s for 100 s fits. */
const recent = new Map<number, AnyEvent>();
const MAX_RECENT = 5_000;

/** `s` with every kept event after it applied, in order. */
function advance(s: Session): Session {
  let next = s;
  for (let e = recent.get(next.seq + 1); e; e = recent.get(next.seq + 1)) {
    next = { ...(reducers[e.type] as (s: Session, data: unknown) => Session)(next, e.data), seq: e.data.seq };
  }
  return next;
}

/** How many events this page received (rendered as "live updates applied"). */
let received = 0;
const listeners = new Set<() => void>();
export const receivedEvents = {
  get: () => received,
  subscribe: (listener: () => void) => (listeners.add(listener), () => void listeners.delete(listener)),
};

/** The useLiveQuery action of every race event type. */
export function receive(data: RaceEvents[RaceEventType], queryClient: QueryClient, publication: Publication<unknown>): void {
  received += 1;
  for (const listener of listeners) listener();
  const event = { type: publication.type, data } as AnyEvent;
  recent.set(event.data.seq, event);
  if (recent.size > MAX_RECENT) recent.delete(recent.keys().next().value as number);
  queryClient.setQueryData<Session>(sessionKey, (s) => s && advance(s));
}

/** Keeps the newer of the cached and the fetched standings (by seq). */
const newerSession = (old: unknown, next: unknown): unknown => (old && (old as Session).seq > (next as Session).seq ? old : next);

/** The standings query, the same options wherever it is used. */
export const sessionQuery = { queryKey: sessionKey, queryFn: fetchSession, structuralSharing: newerSession };
