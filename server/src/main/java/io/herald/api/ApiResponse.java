package io.herald.api;

/**
 * A JSON response of the server API; {@code retryAfter} > 0 asks the caller to wait that many seconds;
 * {@code allow}, when not null, is the {@code Allow} header of an answer to a wrong method.
 */
public record ApiResponse(int status, byte[] body, long retryAfter, String allow) {
    public ApiResponse(int status, byte[] body) {
        this(status, body, 0, null);
    }

    public ApiResponse(int status, byte[] body, long retryAfter) {
        this(status, body, retryAfter, null);
    }
}
