/**
 * Typed frames of the Herald native protocol, version 1 (see docs/protocol.md).
 * Everything a server sends has a `type`; application publications use the event name as `type`.
 */

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
  readonly subscriptions?: readonly SubscribedFrame[];
}
export interface SubscribedFrame {
  readonly type: 'subscribed';
  readonly id?: number;
  readonly channel: string;
  readonly offset: number;
  readonly epoch: string;
  readonly recovered?: boolean;
}
export interface UnsubscribedFrame {
  readonly type: 'unsubscribed';
  readonly id?: number;
  readonly channel: string;
  readonly reason?: string;
  readonly resubscribe?: boolean;
}
export interface PublishedFrame {
  readonly type: 'published';
  readonly id?: number;
  readonly channel: string;
  readonly offset: number;
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
export interface RefreshRequiredFrame {
  readonly type: 'refresh_required';
  readonly expires?: number;
}
export interface ErrorFrame {
  readonly type: 'error';
  readonly id?: number;
  readonly code: string;
  readonly message: string;
  readonly temporary: boolean;
}
export interface DisconnectFrame {
  readonly type: 'disconnect';
  readonly code: number;
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
  | RefreshRequiredFrame
  | ErrorFrame
  | DisconnectFrame
  | PresenceChangeFrame;

export type ServerFrame = ControlFrame | PublicationFrame;

export function isPublication(frame: ServerFrame): frame is PublicationFrame {
  return 'kind' in frame;
}

/** Commands a client sends (on the WebSocket; `publish` also goes to `POST /publish`). */
export type ClientCommand =
  | { type: 'connect'; id?: number; token?: string; name?: string; version?: string; since?: Record<string, StreamPosition> }
  | { type: 'subscribe'; id?: number; channel: string; since?: StreamPosition }
  | { type: 'unsubscribe'; id?: number; channel: string }
  | { type: 'publish'; id?: number; channel: string; event: string; data: unknown }
  | { type: 'ping'; id?: number }
  | { type: 'presence'; id?: number; channel: string }
  | { type: 'history'; id?: number; channel: string; since?: StreamPosition; limit?: number }
  | { type: 'refresh'; id?: number; token: string };

/** Close codes of the protocol. `reconnect` is true only for Shutdown, SlowConsumer and ConnectionLimit. */
export const CloseCode = {
  Shutdown: 4000,
  BadRequest: 4001,
  Unauthorized: 4003,
  SlowConsumer: 4004,
  ConnectionLimit: 4008,
  FrameTooLarge: 4009,
} as const;

/** Message types of the protocol; an event name may not be one of these. */
export const RESERVED_TYPES: ReadonlySet<string> = new Set([
  'connect', 'connected', 'subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'publish', 'published',
  'ping', 'pong', 'presence', 'history', 'refresh', 'refreshed', 'refresh_required', 'join', 'leave', 'error',
  'disconnect',
]);

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
  if (!RESERVED_TYPES.has(type)) {
    if (typeof value.channel !== 'string' || typeof value.offset !== 'number' || typeof value.epoch !== 'string') {
      return undefined;
    }
    return { ...(value as unknown as Publication), kind: 'publication' };
  }
  // Reserved types are trusted to have the shape the protocol gives them.
  return value as unknown as ServerFrame;
}

/** The publication frames carried inside `history` and `/poll` replies. */
export function toPublication(value: unknown): Publication | undefined {
  const frame = toFrame(value);
  return frame && 'kind' in frame ? frame : undefined;
}
