package io.herald.pusher;

/**
 * A Pusher HTTP API request refused: answered with {@link PusherApiError#status()} and the message as
 * a plain-text body, as Pusher answers. {@link #retryAfter()} > 0 adds a {@code Retry-After} header.
 */
public final class PusherApiException extends Exception {
    private final PusherApiError error;
    private final long retryAfter;

    public PusherApiException(PusherApiError error, String message) {
        this(error, message, 0);
    }

    public PusherApiException(PusherApiError error, String message, long retryAfter) {
        super(message, null, false, false);
        this.error = error;
        this.retryAfter = retryAfter;
    }

    public PusherApiError error() {
        return error;
    }

    public long retryAfter() {
        return retryAfter;
    }

    static PusherApiException badRequest(String message) {
        return new PusherApiException(PusherApiError.BAD_REQUEST, message);
    }

    /** The answer to this refusal. */
    public PusherApiResponse response() {
        return PusherApiResponse.text(error.status(), getMessage(), retryAfter);
    }
}
