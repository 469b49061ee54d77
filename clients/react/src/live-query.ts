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
};

/**
 * A TanStack query kept current by a Herald channel: loaded over REST by `queryFn`, then updated
 * or invalidated by events. It is refetched whenever events may have been missed: when the
 * subscription starts (events between the REST load and the subscribe) and on every `gap`.
 * While the channel is not live it polls every `pollInterval`; while live it does not poll.
 */
export function useLiveQuery<TData, TKey extends QueryKey = QueryKey, E extends ChannelEvents = ChannelEvents>(
  options: LiveQueryOptions<TData, TKey, E>,
): UseQueryResult<TData, Error> & { readonly live: boolean } {
  const { channel, on, pollInterval = 10_000, enabled = true, ...queryOptions } = options;
  const queryClient = useQueryClient();
  const keyRef = useRef(options.queryKey);
  keyRef.current = options.queryKey;
  const onRef = useRef(on);
  onRef.current = on;
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
      if (action === 'invalidate') invalidate();
      else if (action) action(publication.data as E[keyof E & string], queryClient, publication as Publication<E[keyof E & string]>);
    });
    return () => {
      offState();
      offGap();
      offPublication();
    };
  }, [subscription, queryClient]);

  const live = state === 'subscribed';
  const result = useQuery({ ...queryOptions, enabled, refetchInterval: live ? false : pollInterval });
  return Object.assign(result, { live });
}
