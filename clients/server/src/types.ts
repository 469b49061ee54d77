/** A publication as history and subscribers see it. */
export interface Publication<T = unknown> {
  readonly type: string;
  readonly channel: string;
  readonly data: T;
  readonly offset: number;
  readonly epoch: string;
  readonly timestamp: string;
}

export interface PublishResult {
  readonly offset: number;
  readonly epoch: string;
  /** The key the publish went under: the same answer comes back for it within 5 minutes. */
  readonly idempotencyKey: string;
}

export interface ChannelError {
  readonly code: string;
  readonly message: string;
}

/** One channel of a broadcast: published, or refused with the error. */
export type BroadcastChannelResult =
  | { readonly channel: string; readonly offset: number; readonly epoch: string; readonly error?: undefined }
  | { readonly channel: string; readonly error: ChannelError };

export interface BroadcastResult {
  /** One result per channel, in the order given. */
  readonly results: readonly BroadcastChannelResult[];
  readonly idempotencyKey: string;
}

export interface HistoryResult<T = unknown> {
  readonly publications: ReadonlyArray<Publication<T>>;
  readonly offset: number;
  readonly epoch: string;
  readonly recovered: boolean;
}

export interface HistoryOptions {
  /** Publications after this offset (with `epoch`). */
  readonly since?: number;
  readonly epoch?: string;
  /** At most this many (the server caps it at 100). */
  readonly limit?: number;
}

export interface PresenceClient {
  readonly client: string;
  readonly user: string;
  readonly info?: Record<string, unknown>;
}

export interface PresenceResult {
  readonly clients: readonly PresenceClient[];
  /** Distinct user ids among the clients. */
  readonly users: number;
}

export interface ChannelInfo {
  readonly channel: string;
  readonly subscribers: number;
}

export interface NodeInfo {
  readonly node: string;
  readonly connections: number;
  readonly subscriptions: number;
  readonly channels: number;
  readonly started: string;
}

export interface ServerInfo {
  readonly node: string;
  readonly version: string;
  readonly engine?: string;
  readonly connections?: number;
  readonly subscriptions?: number;
  readonly nodes: readonly NodeInfo[];
}

/** Exactly one of a user id (every connection of that user) or a connection id. */
export type Target = { readonly user: string; readonly client?: undefined } | { readonly client: string; readonly user?: undefined };

export interface PublishOptions {
  /** The key this publish goes under on every try (default: a random one). Your event's database id makes retries across restarts of your process safe too. */
  readonly idempotencyKey?: string;
}

export interface DisconnectOptions {
  /** Ask the clients to reconnect (default false: the session ends). */
  readonly reconnect?: boolean;
  /** Reason in the push and the close frame (at most 123 bytes of UTF-8). */
  readonly reason?: string;
}
