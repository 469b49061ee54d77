/**
 * Typed frames and words of the Herald native protocol, version 1.1 (see docs/protocol.md).
 * Everything a server sends has a `type`; application publications use the event name as `type`.
 * Each protocol word has its one home here: error codes in `HeraldErrorCode`, close codes in
 * `CloseCode`, unsubscribe reasons in `UnsubscribeReason` (the client's own words are in errors.ts).
 */

/**
 * Error codes of the protocol: the `code` of `error` frames and of HTTP error bodies. Each has one
 * HTTP status wherever HTTP carries it (see `httpStatusOf`).
 */
export const HeraldErrorCode = {
  /** 400: the command or request is malformed or not allowed in this state. */
  BadRequest: 'bad_request',
  /** 401: no valid token. */
  Unauthorized: 'unauthorized',
  /** 401: the token's `exp` has passed. */
  TokenExpired: 'token_expired',
  /** 403: the token does not allow this channel or command. */
  PermissionDenied: 'permission_denied',
  /** 400: the channel name is invalid. */
  UnknownChannel: 'unknown_channel',
  /** 429: a configured limit (subscriptions, connections per user, …) is reached. */
  LimitExceeded: 'limit_exceeded',
  /** 429: rate limit. */
  TooManyRequests: 'too_many_requests',
  /** 413: the message is over the size limit. */
  MessageTooLarge: 'message_too_large',
  /** 400 */
  AlreadySubscribed: 'already_subscribed',
  /** 400 */
  NotSubscribed: 'not_subscribed',
  /** 404: unknown path or resource. */
  NotFound: 'not_found',
  /** 503: nothing was done (no presence/history in the namespace, engine or proxy unreachable: temporary then). */
  NotAvailable: 'not_available',
  /** 504: the command reached the engine but its answer did not come back; it may have been applied. */
  UnknownOutcome: 'unknown_outcome',
  /** 500 */
  Internal: 'internal',
} as const;
/** One of the protocol's error codes. */
export type HeraldErrorCode = (typeof HeraldErrorCode)[keyof typeof HeraldErrorCode];

const ERROR_CODES: ReadonlySet<string> = new Set(Object.values(HeraldErrorCode));

export function isHeraldErrorCode(value: unknown): value is HeraldErrorCode {
  return typeof value === 'string' && ERROR_CODES.has(value);
}

/** The HTTP status of each error code (PROTOCOL 1.1: one status per code). */
const HTTP_STATUS: Readonly<Record<HeraldErrorCode, number>> = {
  bad_request: 400,
  unknown_channel: 400,
  already_subscribed: 400,
  not_subscribed: 400,
  unauthorized: 401,
  token_expired: 401,
  permission_denied: 403,
  not_found: 404,
  message_too_large: 413,
  too_many_requests: 429,
  limit_exceeded: 429,
  internal: 500,
  not_available: 503,
  unknown_outcome: 504,
};

/**
 * The error code an HTTP status stands for when the body names none (a proxy's answer): the one
 * code with that status, `unauthorized` for 401, else undefined (400 and 429 are shared).
 */
export function errorCodeOfStatus(status: number): HeraldErrorCode | undefined {
  if (status === 401) return HeraldErrorCode.Unauthorized;
  const codes = (Object.keys(HTTP_STATUS) as HeraldErrorCode[]).filter((code) => HTTP_STATUS[code] === status);
  return codes.length === 1 ? codes[0] : undefined;
}

/** Close codes of the protocol, each sent with a `disconnect` push first: one code per cause. */
export const CloseCode = {
  /** Shutdown or restart of the node. Reconnect. */
  Shutdown: 4000,
  /** Bad request flood, no first frame in time, malformed WebSocket frame. No reconnect. */
  BadRequest: 4001,
  /** Internal error on this connection, or the connect proxy failed. Reconnect. */
  Internal: 4002,
  /** Bad, expired or missing token, refresh with another `sub`, connect proxy refusal. Only with a new token. */
  Unauthorized: 4003,
  /** Slow consumer. Reconnect. */
  SlowConsumer: 4004,
  /** A one-way stream (SSE) lost continuity and cannot resubscribe. Reconnect, recovering from the cursors. */
  ContinuityLost: 4005,
  /** Connection limit. Reconnect, with backoff. */
  ConnectionLimit: 4008,
  /** Frame over `max_frame_size`. Reconnect. */
  FrameTooLarge: 4009,
  /** Disconnected by the application (server API `disconnect`, a proxy's `disconnect`): `reconnect` as it said, default false. */
  ApplicationDisconnect: 4010,
} as const;
/** One of the protocol's close codes. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** `reconnect` of each close code when no `disconnect` push said otherwise (the protocol's table). */
const RECONNECT_BY_DEFAULT: Readonly<Record<CloseCode, boolean>> = {
  4000: true,
  4001: false,
  4002: true,
  4003: false,
  4004: true,
  4005: true,
  4008: true,
  4009: true,
  4010: false,
};

export function isCloseCode(value: unknown): value is CloseCode {
  return typeof value === 'number' && Object.hasOwn(RECONNECT_BY_DEFAULT, value);
}

/**
 * Whether the client may reconnect on its own (same token, with backoff) after a close: as the
 * `disconnect` push before it said; without one, as the protocol's table says for the code; any
 * other code (a dropped connection, a proxy's close) reconnects. 4003 is `false` here: only a new
 * token may bring the client back, which is the caller's decision.
 */
export function reconnectAllowed(code: number, disconnect?: Pick<DisconnectFrame, 'reconnect'>): boolean {
  if (typeof disconnect?.reconnect === 'boolean') return disconnect.reconnect;
  return isCloseCode(code) ? RECONNECT_BY_DEFAULT[code] : true;
}

/** Why the server ended a subscription (`unsubscribed` push without `id`). */
export const UnsubscribeReason = {
  /** The server API unsubscribed the connection. */
  Server: 'server',
  /** A `refresh` whose claims no longer allow the channel. */
  PermissionRevoked: 'permission_revoked',
  /** The node cannot guarantee a gap-free stream; comes with `resubscribe: true`. */
  InsufficientState: 'insufficient_state',
} as const;
export type UnsubscribeReason = (typeof UnsubscribeReason)[keyof typeof UnsubscribeReason];

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A position in a channel's stream: the last offset seen within an epoch. */
export interface StreamPosition {
  readonly offset: number;
  readonly epoch: string;
}

/** An application publication, exactly as it arrives on the wire. */
export interface Publication<T = unknown> {
  readonly type: string;
  readonly channel: string;
  readonly data: T;
  readonly offset: number;
  readonly epoch: string;
  readonly timestamp: string;
  /** Set by the server for publications made by a client. */
  readonly user?: string;
}

export interface PresenceClient {
  readonly client: string;
  readonly user: string;
  readonly info?: Json;
}

export interface ConnectedFrame {
  readonly type: 'connected';
  readonly id?: number;
  readonly client: string;
  readonly user: string;
  readonly ping?: number;
  readonly expires?: number;
  /** The token's `subscribe` claim: joined channels, and entries that could not be joined. */
  readonly subscriptions?: readonly (SubscribedFrame | RefusedSubscription)[];
  /** The connect proxy's `data`, when the backend gave one. */
  readonly data?: Json;
}
/** A `subscribe` claim entry the server could not join; the connection goes on without it. */
export interface RefusedSubscription {
  readonly channel: string;
  readonly error: { readonly code: HeraldErrorCode; readonly message: string };
}
export interface SubscribedFrame {
  readonly type: 'subscribed';
  readonly id?: number;
  readonly channel: string;
  readonly offset: number;
  readonly epoch: string;
  readonly recovered?: boolean;
  /** The subscribe proxy's `data`, when the backend gave one (WebSocket only). */
  readonly data?: Json;
}
export interface UnsubscribedFrame {
  readonly type: 'unsubscribed';
  readonly id?: number;
  readonly channel: string;
  readonly reason?: UnsubscribeReason;
  readonly resubscribe?: boolean;
}
export interface PublishedFrame {
  readonly type: 'published';
  readonly id?: number;
  readonly channel: string;
  readonly offset: number;
  readonly epoch?: string;
}
export interface PongFrame {
  readonly type: 'pong';
  readonly id?: number;
}
export interface PresenceFrame {
  readonly type: 'presence';
  readonly id?: number;
  readonly channel: string;
  readonly clients: readonly PresenceClient[];
  /** Distinct user ids among the clients. */
  readonly users?: number;
}
export interface HistoryFrame {
  readonly type: 'history';
  readonly id?: number;
  readonly channel: string;
  readonly publications: readonly Publication[];
  readonly offset: number;
  readonly epoch: string;
  readonly recovered: boolean;
}
export interface RefreshedFrame {
  readonly type: 'refreshed';
  readonly id?: number;
  readonly expires?: number;
}
/** The answer of an `rpc` command: the backend's `data` (null when it gave none). */
export interface RpcFrame {
  readonly type: 'rpc';
  readonly id?: number;
  readonly data: Json;
}
export interface RefreshRequiredFrame {
  readonly type: 'refresh_required';
  readonly expires?: number;
}
export interface ErrorFrame {
  readonly type: 'error';
  readonly id?: number;
  /** Set on an SSE stream's refusal of one of its channels. */
  readonly channel?: string;
  readonly code: HeraldErrorCode;
  readonly message: string;
  readonly temporary: boolean;
}
export interface DisconnectFrame {
  readonly type: 'disconnect';
  readonly code: CloseCode;
  readonly reason: string;
  readonly reconnect: boolean;
}
export interface PresenceChangeFrame {
  readonly type: 'join' | 'leave';
  readonly channel: string;
  readonly client: string;
  readonly user: string;
  readonly info?: Json;
}
export interface PublicationFrame extends Publication {
  /** Marks the union member; the wire `type` is the event name. */
  readonly kind: 'publication';
}

/** Every frame with a protocol-defined `type`. */
export type ControlFrame =
  | ConnectedFrame
  | SubscribedFrame
  | UnsubscribedFrame
  | PublishedFrame
  | PongFrame
  | PresenceFrame
  | HistoryFrame
  | RefreshedFrame
  | RpcFrame
  | RefreshRequiredFrame
  | ErrorFrame
  | DisconnectFrame
  | PresenceChangeFrame;

export type ServerFrame = ControlFrame | PublicationFrame;

export function isPublication(frame: ServerFrame): frame is PublicationFrame {
  return 'kind' in frame;
}

/** Commands a client sends (on the WebSocket; `publish` also goes to `POST /publish`, `rpc` to `POST /rpc`). */
export type ClientCommand =
  | { type: 'connect'; id?: number; token?: string; name?: string; version?: string; since?: Record<string, StreamPosition>; data?: Json }
  | { type: 'subscribe'; id?: number; channel: string; since?: StreamPosition }
  | { type: 'unsubscribe'; id?: number; channel: string }
  | { type: 'publish'; id?: number; channel: string; event: string; data: unknown }
  | { type: 'ping'; id?: number }
  | { type: 'presence'; id?: number; channel: string }
  | { type: 'history'; id?: number; channel: string; since?: StreamPosition; limit?: number }
  | { type: 'refresh'; id?: number; token: string }
  | { type: 'rpc'; id?: number; method: string; data?: unknown };

/** Message types of the protocol; an event name may not be one of these. */
export const RESERVED_TYPES: ReadonlySet<string> = new Set([
  'connect', 'connected', 'subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'publish', 'published',
  'ping', 'pong', 'presence', 'history', 'refresh', 'refreshed', 'refresh_required', 'join', 'leave', 'error',
  'disconnect',
]);

/** An `rpc` method name as the protocol allows it: 1–64 of `A-Z a-z 0-9 _ . : -`. */
export const RPC_METHOD = /^[A-Za-z0-9_.:-]{1,64}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses one JSON frame from the server. Returns undefined for anything that is not a frame this
 * client understands (it is ignored rather than fatal, so a newer server can add fields and types).
 */
export function parseFrame(text: string): ServerFrame | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return toFrame(value);
}

export function toFrame(value: unknown): ServerFrame | undefined {
  if (!isRecord(value) || typeof value.type !== 'string') return undefined;
  const type = value.type;
  // The server does not reserve `rpc` as an event name: an answer to the `rpc` command is the frame
  // without a channel, a publication of an event named `rpc` has one.
  if (type === 'rpc' && typeof value.channel !== 'string') return { type: 'rpc', ...(typeof value.id === 'number' ? { id: value.id } : {}), data: (value.data ?? null) as Json };
  if (!RESERVED_TYPES.has(type)) {
    if (typeof value.channel !== 'string' || typeof value.offset !== 'number' || typeof value.epoch !== 'string') {
      return undefined;
    }
    return { ...(value as unknown as Publication), kind: 'publication' };
  }
  // Reserved types are trusted to have the shape the protocol gives them, except for the words
  // typed as unions: a word outside 1.1 comes from a server this client does not know.
  if (type === 'error' && !isHeraldErrorCode(value.code)) {
    // The command still needs its answer: an unknown code is reported as `internal`, naming it.
    return { ...(value as unknown as ErrorFrame), code: HeraldErrorCode.Internal, message: `${String(value.code)}: ${String(value.message)}` };
  }
  // Without its push the close itself still ends the connection, handled by its code.
  if (type === 'disconnect' && !isCloseCode(value.code)) return undefined;
  return value as unknown as ServerFrame;
}

export function isRefusedSubscription(entry: SubscribedFrame | RefusedSubscription): entry is RefusedSubscription {
  return 'error' in entry;
}

/** The publication frames carried inside `history` and `/poll` replies. */
export function toPublication(value: unknown): Publication | undefined {
  const frame = toFrame(value);
  return frame && 'kind' in frame ? frame : undefined;
}
