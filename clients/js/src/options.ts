import type { PageLifecycle } from './lifecycle.js';
import type { Json } from './protocol.js';
import type { FetchLike, TransportKind, WebSocketConstructor } from './transport/transport.js';

/** What `new HeraldClient(options)` takes; only `url` is required. */
export interface ClientOptions {
  /** Server base URL: `https://rt.example.com` (or `wss://…`; the paths /ws, /sse, /poll, /publish are added). */
  readonly url: string;
  /**
   * A JWT. Without one (and without getToken) the client connects anonymously, or through the
   * server's connect proxy where it has one: the backend then admits the page by its cookie.
   */
  readonly token?: string;
  /**
   * Called for the first token when `token` is absent, on `refresh_required`, and after a 4003
   * close. Never after 4010 (the application ended the session): only `connect()` brings the client back.
   */
  readonly getToken?: () => Promise<string>;
  /** WebSocket implementation; defaults to the global one (browsers). In Node 20 pass `ws`'s. */
  readonly WebSocket?: WebSocketConstructor;
  readonly fetch?: FetchLike;
  /**
   * `fetch`'s credentials mode for `/sse`, `/poll`, `/publish` and `/rpc`. Left out, the browser
   * sends cookies to the page's own origin only; `'include'` sends them to a Herald on another
   * origin (which must list the page's origin in `allowed_origins` and forward `cookie` to its
   * connect proxy). The WebSocket always carries the cookies of its host.
   */
  readonly credentials?: RequestCredentials;
  /** Sent as `data` of the `connect` command (WebSocket), which the server passes to its connect proxy. */
  readonly connectData?: Json;
  // Each option below left out falls back to `ClientDefaults`; `ClientSettings` says what it means.
  /** Transports in order of preference. Give one to force it. */
  readonly transports?: readonly TransportKind[];
  readonly minReconnectDelay?: number;
  readonly maxReconnectDelay?: number;
  /** 0 (the default): no limit. */
  readonly maxReconnectAttempts?: number;
  /** 0 turns the heartbeat off. */
  readonly pingInterval?: number;
  readonly pongTimeout?: number;
  readonly connectTimeout?: number;
  readonly publishTimeout?: number;
  readonly maxQueuedPublishes?: number;
  readonly requestTimeout?: number;
  /** Seconds. */
  readonly pollTimeout?: number;
  /** Page visibility and online events; defaults to the browser's, `null` turns them off. */
  readonly lifecycle?: PageLifecycle | null;
  /** Sent in `connect` as the client's name and version. */
  readonly name?: string;
  readonly version?: string;
  /** Random source for the backoff jitter (tests pin it). */
  readonly random?: () => number;
}

/** The `ClientOptions` that have a default, all present. Times in ms, except `pollTimeout`. */
export interface ClientSettings {
  /** Transports in order of preference. */
  readonly transports: readonly TransportKind[];
  /** Backoff window: the smallest wait before a reconnect. */
  readonly minReconnectDelay: number;
  /** Backoff window: the largest wait before a reconnect. */
  readonly maxReconnectDelay: number;
  /**
   * Reconnects tried after a connection was lost or could not be made before the client gives up:
   * it then stays `disconnected` (`lastError` code `reconnect_limit`) until `connect()` or
   * `reconnectNow()`, which start a new count. 0: it never gives up.
   */
  readonly maxReconnectAttempts: number;
  /** Client ping interval on the WebSocket; 0 turns the heartbeat off. */
  readonly pingInterval: number;
  /** How long after a ping some frame must have arrived. */
  readonly pongTimeout: number;
  /** A transport not usable within this long counts as failed. */
  readonly connectTimeout: number;
  /** Deadline of each publish, from the call to the server's confirmation. */
  readonly publishTimeout: number;
  /** Deadline of subscribe, unsubscribe, presence, history, refresh and rpc replies. */
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
  maxReconnectAttempts: 0,
  pingInterval: 25_000,
  pongTimeout: 10_000,
  connectTimeout: 10_000,
  publishTimeout: 10_000,
  requestTimeout: 10_000,
  maxQueuedPublishes: 100,
  pollTimeout: 25,
});

/** The options with `ClientDefaults` in place of every field left out. */
export function withDefaults(options: ClientOptions): ClientSettings {
  return Object.freeze({
    transports: options.transports?.length ? options.transports : ClientDefaults.transports,
    minReconnectDelay: options.minReconnectDelay ?? ClientDefaults.minReconnectDelay,
    maxReconnectDelay: options.maxReconnectDelay ?? ClientDefaults.maxReconnectDelay,
    maxReconnectAttempts: options.maxReconnectAttempts ?? ClientDefaults.maxReconnectAttempts,
    pingInterval: options.pingInterval ?? ClientDefaults.pingInterval,
    pongTimeout: options.pongTimeout ?? ClientDefaults.pongTimeout,
    connectTimeout: options.connectTimeout ?? ClientDefaults.connectTimeout,
    publishTimeout: options.publishTimeout ?? ClientDefaults.publishTimeout,
    requestTimeout: options.requestTimeout ?? ClientDefaults.requestTimeout,
    maxQueuedPublishes: options.maxQueuedPublishes ?? ClientDefaults.maxQueuedPublishes,
    pollTimeout: options.pollTimeout ?? ClientDefaults.pollTimeout,
  });
}
