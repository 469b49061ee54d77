/**
 * Error codes of the protocol (PROTOCOL.md 1.1, "Errors"), as the server API answers them in
 * `{"error":{"code","message"}}`. The same words as `@herald/client`'s `HeraldErrorCode` (a test
 * keeps the two lists equal); repeated here so this package has no runtime dependency.
 */
export const ServerErrorCode = {
  BadRequest: 'bad_request',
  Unauthorized: 'unauthorized',
  TokenExpired: 'token_expired',
  PermissionDenied: 'permission_denied',
  UnknownChannel: 'unknown_channel',
  LimitExceeded: 'limit_exceeded',
  TooManyRequests: 'too_many_requests',
  MessageTooLarge: 'message_too_large',
  AlreadySubscribed: 'already_subscribed',
  NotSubscribed: 'not_subscribed',
  NotFound: 'not_found',
  /** 503: nothing was done; retry. */
  NotAvailable: 'not_available',
  /** 504: it may have been applied; retry a publish with the same idempotency key. */
  UnknownOutcome: 'unknown_outcome',
  Internal: 'internal',
} as const;
/** One of the protocol's error codes. */
export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

/** Codes this SDK uses itself, for failures with no answer from Herald; disjoint from the protocol's. */
export const SdkErrorCode = {
  /** No answer: connection refused or reset, DNS, or the per-request timeout. */
  NetworkError: 'network_error',
  /** The retry deadline passed; `cause` holds the last failure. */
  DeadlineExceeded: 'deadline_exceeded',
  /** An HTTP error answer that names no Herald error code (a proxy's 502, …). */
  HttpError: 'http_error',
  /** An answer this SDK cannot read. */
  BadResponse: 'bad_response',
} as const;
/** One of the SDK's own error codes. */
export type SdkErrorCode = (typeof SdkErrorCode)[keyof typeof SdkErrorCode];

const SERVER_CODES: ReadonlySet<string> = new Set(Object.values(ServerErrorCode));

export function isServerErrorCode(value: unknown): value is ServerErrorCode {
  return typeof value === 'string' && SERVER_CODES.has(value);
}

/**
 * A failed server API call. `status` is the HTTP status (undefined without an answer);
 * `idempotencyKey` is the key a publish or broadcast went under, so it can be retried later
 * without publishing twice; `retryable` says whether the same call may succeed later.
 */
export class HeraldApiError extends Error {
  readonly code: ServerErrorCode | SdkErrorCode;
  readonly status: number | undefined;
  readonly idempotencyKey: string | undefined;
  readonly retryable: boolean;
  /** From `Retry-After` of a 429 or 503, in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ServerErrorCode | SdkErrorCode,
    message: string,
    details: { status?: number; idempotencyKey?: string; retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'HeraldApiError';
    this.code = code;
    this.status = details.status;
    this.idempotencyKey = details.idempotencyKey;
    this.retryable = details.retryable ?? false;
    this.retryAfterMs = details.retryAfterMs;
  }
}
