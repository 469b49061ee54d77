package io.herald.api;

import io.herald.protocol.ErrorCode;

/**
 * A server API request that fails with an error code, answered with the code's HTTP status and a JSON
 * error {@code {"error":{"code","message"}}}. {@link #allow()} names the allowed method of a request
 * refused for its method (null otherwise).
 */
public final class ApiException extends Exception {
    private final ErrorCode code;
    private final String allow;

    public ApiException(ErrorCode code, String message) {
        this(code, message, null);
    }

    private ApiException(ErrorCode code, String message, String allow) {
        super(message, null, false, false);
        this.code = code;
        this.allow = allow;
    }

    /** The HTTP status, the code's own. */
    public int status() {
        return code.status();
    }

    public ErrorCode code() {
        return code;
    }

    /** The {@code Allow} header of the answer, or null. */
    public String allow() {
        return allow;
    }

    public static ApiException badRequest(String message) {
        return new ApiException(ErrorCode.BAD_REQUEST, message);
    }

    /** A request with another method than {@code allowed}: {@code bad_request} with an {@code Allow} header. */
    public static ApiException wrongMethod(String allowed) {
        return new ApiException(ErrorCode.BAD_REQUEST, "use " + allowed + " for this endpoint", allowed);
    }
}
