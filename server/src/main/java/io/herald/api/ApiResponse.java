package io.herald.api;

/** A JSON response of the server API; {@code retryAfter} > 0 asks the caller to wait that many seconds. */
public record ApiResponse(int status, byte[] body, long retryAfter) {
    public ApiResponse(int status, byte[] body) {
        this(status, body, 0);
    }
}
