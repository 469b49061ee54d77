/**
 * The standings query, kept current by the race channel: every event is the next change (`seq`)
 * of the standings, so useLiveQuery's `version` applies each exactly once, in order, even while a
 * refetch is in flight, and a REST answer older than the cache does not replace it.
 */
import type { Publication } from '@herald/client';
import type { LiveVersion } from '@herald/react';
import type { QueryClient } from '@tanstack/react-query';
import { reducers, type RaceEventType, type RaceEvents, type Session } from './race.js';

export const sessionKey = ['session'] as const;

export async function fetchSession({ signal }: { signal?: AbortSignal } = {}): Promise<Session> {
  const response = await fetch('/api/session', signal ? { signal } : {}); // a refetch that replaces this one aborts it
  if (!response.ok) throw new Error(`GET /api/session: ${response.status}`);
  return (await response.json()) as Session;
}

/** How many events this page applied (rendered as "live updates applied"). */
let received = 0;
const listeners = new Set<() => void>();
export const receivedEvents = {
  get: () => received,
  subscribe: (listener: () => void) => (listeners.add(listener), () => void listeners.delete(listener)),
};
export function countReceived(): void {
  received += 1;
  for (const listener of listeners) listener();
}

/** The standings after one event: its reducer, and its seq as the standings' version. */
export function applied(s: Session, type: RaceEventType, data: RaceEvents[RaceEventType]): Session {
  return { ...(reducers[type] as (s: Session, data: unknown) => Session)(s, data), seq: data.seq };
}

/** The useLiveQuery action of every race event type. */
export function applyEvent(data: RaceEvents[RaceEventType], queryClient: QueryClient, publication: Publication<unknown>): void {
  countReceived();
  queryClient.setQueryData<Session>(sessionKey, (s) => s && applied(s, publication.type as RaceEventType, data));
}

/** The change numbers `version` compares. */
export const raceVersion: LiveVersion<Session, RaceEvents> = { ofData: (s) => s.seq, ofEvent: (e) => e.seq };

/** Keeps the newer of the cached and the fetched standings (by seq). */
const newerSession = (old: unknown, next: unknown): unknown => (old && (old as Session).seq > (next as Session).seq ? old : next);

/** The standings query, the same options wherever it is used (two observers share it). */
export const sessionQuery = { queryKey: sessionKey, queryFn: fetchSession, structuralSharing: newerSession };
