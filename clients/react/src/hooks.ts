import type {
  ChannelEvents,
  ClientState,
  ConnectionCloseCode,
  HeraldClient,
  HeraldError,
  Json,
  PresenceClient,
  Publication,
  Subscription,
  SubscriptionState,
  TransportKind,
} from '@herald/client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { useHeraldClient } from './context.js';

export interface ConnectionInfo {
  readonly state: ClientState;
  /** Close code of the last change (e.g. 4010 `CloseCode.ApplicationDisconnect`), when there was one. */
  readonly code?: ConnectionCloseCode;
  readonly reason?: string;
  /** When the next reconnect attempt starts (ms since epoch), while reconnecting and waiting. */
  readonly nextReconnectAt?: number;
  /** While reconnecting, the number of the attempt waited for or under way (1, 2, …). */
  readonly attempt?: number;
  /**
   * True when the server refused the token as expired and the client has no `getToken`: it will
   * not connect until the app calls `client.setToken(…)` (then `connect()`).
   */
  readonly needsNewToken: boolean;
  readonly lastError?: HeraldError;
  readonly transport?: TransportKind;
  /** `connected.data` of the last connection: what the server's connect proxy gave (WebSocket and SSE). */
  readonly data?: Json;
}

function snapshot(client: HeraldClient, code?: ConnectionCloseCode, reason?: string): ConnectionInfo {
  return {
    state: client.state,
    ...(code === undefined ? {} : { code }),
    ...(reason ? { reason } : {}),
    ...(client.nextReconnectAt === undefined ? {} : { nextReconnectAt: client.nextReconnectAt }),
    ...(client.reconnectAttempt === 0 ? {} : { attempt: client.reconnectAttempt }),
    needsNewToken: client.needsNewToken,
    ...(client.lastError ? { lastError: client.lastError } : {}),
    ...(client.transportKind ? { transport: client.transportKind } : {}),
    ...(client.connection?.data === undefined ? {} : { data: client.connection.data }),
  };
}

/** The client's connection state, re-rendering on every change, and on every reconnect scheduled or started. */
export function useConnectionState(): ConnectionInfo {
  const client = useHeraldClient();
  const [info, setInfo] = useState(() => snapshot(client));
  useEffect(() => {
    setInfo(snapshot(client));
    const offState = client.on('state', (change) => setInfo(snapshot(client, change.code, change.reason)));
    // The state stays `reconnecting` from one attempt to the next: only the schedule changes.
    const offReconnect = client.on('reconnect', () => setInfo((current) => snapshot(client, current.code, current.reason)));
    return () => {
      offState();
      offReconnect();
    };
  }, [client]);
  return info;
}

/**
 * Components share one subscription per channel; it ends when the last one unmounts. The release
 * waits a tick so React's mount-unmount-mount in development does not unsubscribe and resubscribe.
 */
const holders = new WeakMap<HeraldClient, Map<string, number>>();

function acquire(client: HeraldClient, channel: string): Subscription {
  let counts = holders.get(client);
  if (!counts) {
    counts = new Map();
    holders.set(client, counts);
  }
  counts.set(channel, (counts.get(channel) ?? 0) + 1);
  return client.channel(channel);
}

function release(client: HeraldClient, channel: string): void {
  const counts = holders.get(client);
  if (!counts) return;
  const left = (counts.get(channel) ?? 1) - 1;
  counts.set(channel, left);
  if (left > 0) return;
  setTimeout(() => {
    if ((counts.get(channel) ?? 0) === 0) {
      counts.delete(channel);
      client.channel(channel, { subscribe: false }).unsubscribe();
    }
  }, 0);
}

export type ChannelHandlers<E extends ChannelEvents> = {
  [K in keyof E & string]?: (data: E[K], publication: Publication<E[K]>) => void;
};

export interface ChannelInfo<E extends ChannelEvents> {
  readonly subscription: Subscription<E> | undefined;
  readonly state: SubscriptionState;
  /** `subscribed.data`: what the server's subscribe proxy gave for this subscription (WebSocket only). */
  readonly data?: Json;
}

function channelInfo<E extends ChannelEvents>(sub: Subscription<E>, state: SubscriptionState): ChannelInfo<E> {
  return { subscription: sub, state, ...(sub.data === undefined ? {} : { data: sub.data }) };
}

/** Options of the channel hooks. */
export interface ChannelOptions {
  /** False: no subscription (as a null channel), e.g. until the data is live (default true). */
  readonly enabled?: boolean;
}

/**
 * Subscribes to a channel while the component is mounted and calls the handler of each event.
 * Handlers may change on every render. `channel` null or undefined, or `enabled: false`,
 * subscribes to nothing.
 */
export function useChannel<E extends ChannelEvents = ChannelEvents>(
  channel: string | null | undefined,
  handlers?: ChannelHandlers<E>,
  options: ChannelOptions = {},
): ChannelInfo<E> {
  const client = useHeraldClient();
  const active = options.enabled === false ? null : channel;
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  const [info, setInfo] = useState<ChannelInfo<E>>({ subscription: undefined, state: 'unsubscribed' });
  useEffect(() => {
    if (!active) {
      setInfo({ subscription: undefined, state: 'unsubscribed' });
      return;
    }
    const sub = acquire(client, active) as unknown as Subscription<E>;
    setInfo(channelInfo(sub, sub.state));
    const offState = sub.onState((change) => setInfo(channelInfo(sub, change.new)));
    const offPublication = sub.onPublication((publication) => {
      const handler = handlersRef.current?.[publication.type];
      if (handler) handler(publication.data as E[keyof E & string], publication as Publication<E[keyof E & string]>);
    });
    return () => {
      offState();
      offPublication();
      release(client, active);
    };
  }, [client, active]);
  return info;
}

/** Calls `handler` for one event type of a channel. */
export function useEvent<T = unknown>(
  channel: string | null | undefined,
  type: string,
  handler: (data: T, publication: Publication<T>) => void,
  options: ChannelOptions = {},
): ChannelInfo<ChannelEvents> {
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  return useChannel(
    channel,
    { [type]: (data: unknown, publication: Publication<unknown>) => handlerRef.current(data as T, publication as Publication<T>) },
    options,
  );
}

export interface PresenceInfo {
  readonly clients: readonly PresenceClient[];
  readonly error?: HeraldError | Error;
}

/**
 * Who is in a channel: loaded when the subscription becomes subscribed (again after every
 * reconnect), then kept current from `join`/`leave` pushes (namespaces with `join_leave`).
 */
export function usePresence(channel: string | null | undefined, options: ChannelOptions = {}): PresenceInfo {
  const { subscription, state } = useChannel(channel, undefined, options);
  const [info, setInfo] = useState<PresenceInfo>({ clients: [] });
  useEffect(() => {
    if (!subscription) return;
    return subscription.onPresence((change, client) => setInfo((current) => ({ clients: presenceChanged(current.clients, change, client) })));
  }, [subscription]);
  useEffect(() => {
    if (!subscription || state !== 'subscribed') return;
    let current = true;
    // Joins and leaves that arrive while the list loads may be newer than the list: replay them on it.
    const meanwhile: Array<['join' | 'leave', PresenceClient]> = [];
    const offPresence = subscription.onPresence((change, client) => meanwhile.push([change, client]));
    subscription
      .presence()
      .then(
        (clients) => current && setInfo({ clients: meanwhile.reduce<readonly PresenceClient[]>((list, [change, client]) => presenceChanged(list, change, client), clients) }),
        (error: unknown) => current && setInfo((info) => ({ clients: info.clients, error: error instanceof Error ? error : new Error(String(error)) })),
      )
      .finally(offPresence);
    return () => {
      current = false;
      offPresence();
    };
  }, [subscription, state]);
  return info;
}

function presenceChanged(clients: readonly PresenceClient[], change: 'join' | 'leave', client: PresenceClient): readonly PresenceClient[] {
  const others = clients.filter((c) => c.client !== client.client);
  return change === 'join' ? [...others, { client: client.client, user: client.user, ...(client.info === undefined ? {} : { info: client.info }) }] : others;
}

export interface RpcState<T> {
  /** Calls the method with `data`; resolves with the answer's data, rejects with a HeraldError. */
  readonly call: (data?: unknown) => Promise<T>;
  /** True while a call is waiting for its answer. */
  readonly pending: boolean;
  /** The answer of the last call that succeeded. */
  readonly result?: T;
  /** The error of the last call, cleared by the next call. */
  readonly error?: HeraldError | Error;
}

/**
 * One rpc method of the backend (through the server's rpc proxy), as a `call` plus the last
 * call's `pending`, `result` and `error` for rendering. The same as `useHeraldClient().rpc(method, data)`.
 */
export function useRpc<T = Json>(method: string, options: { timeout?: number } = {}): RpcState<T> {
  const client = useHeraldClient();
  const [state, setState] = useState<Omit<RpcState<T>, 'call'>>({ pending: false });
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const { timeout } = options;
  const call = useCallback(
    async (data?: unknown): Promise<T> => {
      setState((current) => ({ pending: true, ...(current.result === undefined ? {} : { result: current.result }) }));
      try {
        const result = await client.rpc<T>(method, data, timeout === undefined ? {} : { timeout });
        if (mounted.current) setState({ pending: false, result });
        return result;
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        if (mounted.current) setState((current) => ({ pending: false, error: failure, ...(current.result === undefined ? {} : { result: current.result }) }));
        throw failure;
      }
    },
    [client, method, timeout],
  );
  return { call, ...state };
}
