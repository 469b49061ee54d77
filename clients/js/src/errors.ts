/**
 * An error reported by the server (`error` frame, HTTP error body) or by the client itself.
 * `temporary` is true when the same operation may succeed later.
 */
export class HeraldError extends Error {
  readonly code: string;
  readonly temporary: boolean;

  constructor(code: string, message: string, temporary = false) {
    super(message);
    this.name = 'HeraldError';
    this.code = code;
    this.temporary = temporary;
  }
}

/** Codes the client itself uses, beside the server's error codes. */
export const ClientErrorCode = {
  /** A queued or sent command did not get its reply in time. */
  Timeout: 'timeout',
  /** The publish queue is full. */
  QueueFull: 'queue_full',
  /** The connection closed while the command waited for its reply; it may or may not have been applied. */
  ConnectionLost: 'connection_lost',
  /** The client was closed. */
  Closed: 'client_closed',
  /** The transport in use cannot carry this command (e.g. presence over SSE). */
  NotAvailable: 'not_available',
  /** The subscription was not subscribed (or was unsubscribed meanwhile). */
  NotSubscribed: 'not_subscribed',
} as const;
