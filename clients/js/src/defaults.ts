import type { TransportKind } from './transport/transport.js';

/** The `ClientOptions` that have a default, all present. Times in ms, except `pollTimeout`. */
export interface ClientSettings {
  /** Transports in order of preference. */
  readonly transports: readonly TransportKind[];
  /** Backoff window: the smallest wait before a reconnect. */
  readonly minReconnectDelay: number;
  /** Backoff window: the largest wait before a reconnect. */
  readonly maxReconnectDelay: number;
  /** Client ping interval on the WebSocket; 0 turns the heartbeat off. */
  readonly pingInterval: number;
  /** How long after a ping some frame must have arrived. */
  readonly pongTimeout: number;
  /** A transport not usable within this long counts as failed. */
  readonly connectTimeout: number;
  /** Deadline of each publish, from the call to the server's confirmation. */
  readonly publishTimeout: number;
  /** Deadline of subscribe, unsubscribe, presence, history and refresh replies. */
  readonly requestTimeout: number;
  /** Publishes that may wait for a connection; more are rejected with `queue_full`. */
  readonly maxQueuedPublishes: number;
  /** Seconds a long-poll may wait on the server (the unit `/poll` takes). */
  readonly pollTimeout: number;
}

/** The client's defaults, in one place: every `ClientOptions` field left out falls back to its value here. */
export const ClientDefaults: ClientSettings = Object.freeze({
  transports: Object.freeze(['websocket', 'sse', 'polling'] as const),
  minReconnectDelay: 500,
  maxReconnectDelay: 20_000,
  pingInterval: 25_000,
  pongTimeout: 10_000,
  connectTimeout: 10_000,
  publishTimeout: 10_000,
  requestTimeout: 10_000,
  maxQueuedPublishes: 100,
  pollTimeout: 25,
});
