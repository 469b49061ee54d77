import { isHeraldErrorCode, HeraldErrorCode } from './protocol.js';
import type { ConnectionCloseCode } from './transport/transport.js';

/**
 * Codes the client itself uses, beside the server's (`HeraldErrorCode`); the two sets are disjoint.
 * Where the client refuses for a reason the protocol has a word for, it uses that word (presence
 * over SSE is `not_available`).
 */
export const ClientErrorCode = {
  /** A queued or sent command did not get its reply in time. */
  Timeout: 'timeout',
  /** The publish queue is full. */
  QueueFull: 'queue_full',
  /** The connection closed while the command waited for its reply; it may or may not have been applied. */
  ConnectionLost: 'connection_lost',
  /** The connection ended (`closeCode` and the message say why); `lastError` after a close. */
  ConnectionClosed: 'connection_closed',
  /** The client stopped reconnecting after `maxReconnectAttempts` reconnects failed (`lastError`, then `disconnected`). */
  ReconnectLimit: 'reconnect_limit',
  /** The client was closed. */
  Closed: 'client_closed',
  /** No implementation of the transport (no WebSocket in this environment). */
  TransportUnavailable: 'transport_unavailable',
  /** An HTTP error answer that names no Herald error code (a proxy's 502, …). */
  HttpError: 'http_error',
  /** A reply this client cannot read. */
  BadResponse: 'bad_response',
} as const;
/** One of the client's own error codes. */
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/**
 * The client's own reasons in its `state` changes and errors, beside the server's (the free
 * text of a `disconnect` push or an error frame).
 */
export const ClientReason = {
  /** The app called `disconnect()`. */
  DisconnectCalled: 'disconnect called',
  /** The app called `close()`. */
  CloseCalled: 'close called',
  /**
   * The server refused the token (4003) and its `exp` has passed, with no `getToken` to ask for
   * another: connecting again with it cannot work, so the client does not try until
   * `setToken()` gives it a new one.
   */
  TokenExpired: 'token expired: the app must supply a new token',
} as const;
/** One of the client's own reasons. */
export type ClientReason = (typeof ClientReason)[keyof typeof ClientReason];

/**
 * An error reported by the server (`error` frame, HTTP error body) or by the client itself.
 * `temporary` is true when the same operation may succeed later.
 */
export class HeraldError extends Error {
  readonly code: HeraldErrorCode | ClientErrorCode;
  readonly temporary: boolean;
  /** For `connection_closed` and `unauthorized` after a close: the close code. */
  readonly closeCode: ConnectionCloseCode | undefined;

  constructor(code: HeraldErrorCode | ClientErrorCode, message: string, temporary = false, closeCode?: ConnectionCloseCode) {
    super(message);
    this.name = 'HeraldError';
    this.code = code;
    this.temporary = temporary;
    this.closeCode = closeCode;
  }
}

/**
 * An error from a server's words: a code outside the protocol's (a server this client does not
 * know) becomes `fallback`, and the message names the code it had.
 */
export function serverError(code: unknown, message: unknown, temporary: unknown, fallback: HeraldErrorCode | ClientErrorCode = HeraldErrorCode.Internal): HeraldError {
  const text = typeof message === 'string' ? message : '';
  const isTemporary = temporary === true;
  if (isHeraldErrorCode(code)) return new HeraldError(code, text, isTemporary);
  return new HeraldError(fallback, code === undefined ? text : `${String(code)}: ${text}`, isTemporary);
}
