/**
 * Without a Herald package the page does what useLiveQuery's `version` does for the F1 page: each
 * event is applied when it is the next change (`seq`) of the cached standings, and kept a while,
 * so that standings loaded over REST while events were arriving (the refetch after a restart, say)
 * are brought forward by the events newer than them instead of losing those.
 */
import type { QueryClient } from '@tanstack/react-query';
import { applied, countReceived, fetchSession, sessionKey, sessionQuery } from '../../../f1-live-timing/web/src/live.js';
import type { RaceEventType, RaceEvents, Session } from '../../../f1-live-timing/web/src/race.js';

type AnyEvent = { type: RaceEventType; data: RaceEvents[RaceEventType] };

/** Recent events by seq; a burst of 50/s for 100 s fits. */
const recent = new Map<number, AnyEvent>();
const MAX_RECENT = 5_000;

/** `s` with every kept event after it applied, in order. */
function advance(s: Session): Session {
  let next = s;
  for (let e = recent.get(next.seq + 1); e; e = recent.get(next.seq + 1)) next = applied(next, e.type, e.data);
  return next;
}

/** One event of the socket, as its `type` and `data`. */
export function receive(type: RaceEventType, data: RaceEvents[RaceEventType], queryClient: QueryClient): void {
  countReceived();
  recent.set(data.seq, { type, data });
  if (recent.size > MAX_RECENT) recent.delete(recent.keys().next().value as number);
  queryClient.setQueryData<Session>(sessionKey, (s) => s && advance(s));
}

/** The standings query of this page: a REST answer is brought forward by the events after it. */
export const plainSessionQuery = {
  ...sessionQuery,
  queryFn: async (context: { signal?: AbortSignal }) => advance(await fetchSession(context)),
};
