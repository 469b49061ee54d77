import type { ChannelEvents, Publication } from '@herald/client';
import { useQuery, useQueryClient, type QueryClient, type QueryKey, type UseQueryOptions, type UseQueryResult } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useChannel } from './hooks.js';

/** What to do with an event: refetch the query, or update the cache directly. */
export type LiveAction<T> = 'invalidate' | ((data: T, queryClient: QueryClient, publication: Publication<T>) => void);

export type LiveQueryOptions<TData, TKey extends QueryKey, E extends ChannelEvents> = Omit<
  UseQueryOptions<TData, Error, TData, TKey>,
  'refetchInterval' | 'enabled'
> & {
  /**
   * False: neither the query runs (as TanStack's `enabled: false`: no fetch, no polling; a
   * manual `refetch()` still works) nor the channel is subscribed. Default true.
   */
  readonly enabled?: boolean;
  readonly queryKey: TKey;
  /** The channel whose events keep this query current; null/undefined: a plain query. */
  readonly channel: string | null | undefined;
  readonly on: { [K in keyof E & string]?: LiveAction<E[K]> };
  /** Refetch interval in ms while the channel is not live (default 10000); false: never poll. */
  readonly pollInterval?: number | false;
  /**
   * Where the data and every event carry a change number that grows by one per change (the
   * backend's `seq`, say): update actions then run exactly once each, in that order, across
   * refetches. An event is applied when it is the next change of the cached data; one that
   * arrives before the data it follows (during the first load, or a refetch after a gap) is kept
   * and applied once that data is there; a REST answer older than the cache does not replace it.
   * Without it, events that arrive while a refetch is in flight can be lost to its older answer.
   */
  readonly version?: LiveVersion<TData, E>;
};

/** How useLiveQuery reads the change number of the data and of an event (see `version`). */
export interface LiveVersion<TData, E extends ChannelEvents> {
  readonly ofData: (data: TData) => number;
  readonly ofEvent: (data: E[keyof E & string], publication: Publication<E[keyof E & string]>) => number;
}

/** How many events `version` keeps waiting for the data they follow. */
const MAX_WAITING = 1_000;

/**
 * A TanStack query kept current by a Herald channel: loaded over REST by `queryFn`, then updated
 * or invalidated by events. It is refetched whenever events may have been missed: when the
 * subscription starts (events between the REST load and the subscribe) and on every `gap`.
 * While the channel is not live it polls every `pollInterval`; while live it does not poll.
 */
export function useLiveQuery<TData, TKey extends QueryKey = QueryKey, E extends ChannelEvents = ChannelEvents>(
  options: LiveQueryOptions<TData, TKey, E>,
): UseQueryResult<TData, Error> & { readonly live: boolean } {
  const { channel, on, pollInterval = 10_000, enabled = true, version, ...queryOptions } = options;
  const queryClient = useQueryClient();
  const keyRef = useRef(options.queryKey);
  keyRef.current = options.queryKey;
  const onRef = useRef(on);
  onRef.current = on;
  const versionRef = useRef(version);
  versionRef.current = version;
  /** With `version`: the events not applied yet, by change number. */
  const waitingRef = useRef(new Map<number, Publication<E[keyof E & string]>>());
  const invalidate = () => void queryClient.invalidateQueries({ queryKey: keyRef.current });

  const { subscription, state } = useChannel(channel, undefined, { enabled });
  useEffect(() => {
    if (!subscription) return;
    let first = true;
    const offState = subscription.onState((change) => {
      if (change.new !== 'subscribed') return;
      // The first subscribe closes the window between the REST load and the subscription;
      // later ones either recovered everything or report a gap.
      if (first) invalidate();
      first = false;
    });
    if (subscription.state === 'subscribed') first = false;
    const offGap = subscription.onGap(() => invalidate());
    const offPublication = subscription.onPublication((publication) => {
      const action = onRef.current[publication.type as keyof E & string];
      const typed = publication as Publication<E[keyof E & string]>;
      if (action === 'invalidate') invalidate();
      else if (action && versionRef.current) {
        const waiting = waitingRef.current;
        waiting.set(versionRef.current.ofEvent(typed.data, typed), typed);
        if (waiting.size > MAX_WAITING) waiting.delete(waiting.keys().next().value as number);
        applyWaiting();
      } else if (action) action(typed.data, queryClient, typed);
    });
    return () => {
      offState();
      offGap();
      offPublication();
    };
  }, [subscription, queryClient]);

  /** With `version`: runs the actions of the waiting events that follow the cached data, in order. */
  function applyWaiting(): void {
    const v = versionRef.current;
    const waiting = waitingRef.current;
    let data = queryClient.getQueryData<TData>(keyRef.current);
    while (v && data !== undefined) {
      const at = v.ofData(data);
      for (const n of waiting.keys()) if (n <= at) waiting.delete(n);
      const next = waiting.get(at + 1);
      const action = next && onRef.current[next.type as keyof E & string];
      if (!next || typeof action !== 'function') return;
      waiting.delete(at + 1);
      action(next.data, queryClient, next);
      data = queryClient.getQueryData<TData>(keyRef.current);
      if (data !== undefined && v.ofData(data) <= at) return; // the action did not move the data on
    }
  }

  const live = state === 'subscribed';
  const newer = (old: unknown, next: unknown): unknown => {
    const v = versionRef.current;
    return v && old !== undefined && v.ofData(old as TData) > v.ofData(next as TData) ? old : next;
  };
  const result = useQuery({
    ...(version ? { structuralSharing: newer } : {}),
    ...queryOptions,
    enabled,
    refetchInterval: live ? false : pollInterval,
  });
  // New data (a REST answer, or an action's setQueryData): events waiting for it follow now.
  useEffect(() => {
    if (versionRef.current) applyWaiting();
  }, [result.dataUpdatedAt]);
  return Object.assign(result, { live });
}
