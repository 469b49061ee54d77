package io.herald.sdk;

import java.time.Duration;

/**
 * A failed server API call. {@link #code()} is the protocol's code when Herald answered one, else
 * the SDK's ({@link HeraldErrorCode#isProtocol()} is false); {@link #status()} is the HTTP status
 * (0 without an answer); {@link #idempotencyKey()} is the key a publish or broadcast went under, so
 * it can be retried later without publishing twice; {@link #retryable()} says whether the same
 * call may succeed later.
 */
public final class HeraldApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final HeraldErrorCode code;
    private final int status;
    private final String idempotencyKey;
    private final boolean retryable;
    private final Duration retryAfter;

    HeraldApiException(HeraldErrorCode code, String message, int status, String idempotencyKey, boolean retryable,
                       Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.status = status;
        this.idempotencyKey = idempotencyKey;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    public HeraldErrorCode code() {
        return code;
    }

    /** The HTTP status of Herald's answer; 0 when there was none. */
    public int status() {
        return status;
    }

    /** The key the publish or broadcast went under; null for other calls. */
    public String idempotencyKey() {
        return idempotencyKey;
    }

    public boolean retryable() {
        return retryable;
    }

    /** From {@code Retry-After} of a 429 or 503; null when absent. */
    public Duration retryAfter() {
        return retryAfter;
    }

    @Override
    public String toString() {
        return "HeraldApiException[" + code + (status != 0 ? " " + status : "") + "]: " + getMessage();
    }
}
