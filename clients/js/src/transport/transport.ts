import type { ClientCommand, CloseCode, ServerFrame, StreamPosition } from '../protocol.js';

export type TransportKind = 'websocket' | 'sse' | 'polling';

/** A channel a one-way transport (SSE, polling) carries in its URL, with the position to recover from. */
export interface ChannelRequest {
  readonly channel: string;
  readonly since?: StreamPosition;
}

/**
 * What a transport reports. Every call carries the transport's id so the client can ignore
 * a transport it has already replaced (its socket may still deliver a late close or frame).
 */
export interface TransportHandlers {
  /** The transport is usable: the socket opened, or the first SSE/poll response arrived. */
  onOpen(id: number): void;
  onFrame(id: number, frame: ServerFrame): void;
  /** The transport ended. `opened` tells whether onOpen was ever called (else: it could not connect). */
  onClose(id: number, code: ConnectionCloseCode, reason: string, opened: boolean): void;
}

/** Minimal shape of a browser `WebSocket`, also met by the `ws` package. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  // Parameters are `never` so that implementations with richer event types (browser, `ws`) fit.
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface TransportContext {
  readonly id: number;
  /** Base HTTP(S) URL of the server, without a trailing slash, e.g. `https://rt.example.com`. */
  readonly baseUrl: string;
  readonly token: string | undefined;
  readonly channels: readonly ChannelRequest[];
  readonly handlers: TransportHandlers;
  readonly WebSocket: WebSocketConstructor | undefined;
  readonly fetch: FetchLike;
  /** Seconds a poll may wait on the server. */
  readonly pollTimeout: number;
}

export interface Transport {
  readonly id: number;
  readonly kind: TransportKind;
  /** True when commands travel on the transport itself (WebSocket); false for SSE and polling. */
  readonly bidirectional: boolean;
  /** Sends a command; only for bidirectional transports. */
  send(command: ClientCommand): void;
  /** Closes without reporting onClose: the caller already moved on. */
  close(): void;
  /** Polling stops issuing requests while paused (hidden tab); others ignore it. */
  setPaused(paused: boolean): void;
}

/** Pseudo close codes for ends that carry no WebSocket close code; never sent on the wire. */
export const LocalCloseCode = {
  /** The connection dropped or could not be made (as a browser reports 1006). */
  Abnormal: 1006,
  /** The server answered an HTTP error instead of opening the stream. */
  HttpRefused: 4900,
  /** The client's heartbeat got no answer in time. */
  HeartbeatTimeout: 4901,
  /** The transport did not become usable within connectTimeout. */
  ConnectTimeout: 4902,
} as const;
export type LocalCloseCode = (typeof LocalCloseCode)[keyof typeof LocalCloseCode];

/**
 * The code behind the end of a connection, as the client reports it: one of the protocol's, one
 * of the client's own, or another WebSocket close code (1000, 1001, 1011, … from a proxy or a
 * browser). `number & {}` keeps the named codes visible to editors without refusing the others.
 */
export type ConnectionCloseCode = CloseCode | LocalCloseCode | (number & {});
