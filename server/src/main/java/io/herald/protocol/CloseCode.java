package io.herald.protocol;

/**
 * WebSocket close codes Herald uses, each sent with a {@code disconnect} push first.
 * {@link #reconnect()} tells the client whether reconnecting as it is can help.
 */
public enum CloseCode {
    /** Shutdown or restart; reconnect. */
    SHUTDOWN(4000, true),
    /** Bad-request flood or no frame in time. */
    BAD_REQUEST(4001, false),
    /** Unauthorized: reconnect only with a new token. */
    UNAUTHORIZED(4003, false),
    /** Slow consumer; reconnect. */
    SLOW_CONSUMER(4004, true),
    /** Connection limit; reconnect with backoff. */
    CONNECTION_LIMIT(4008, true),
    /** Frame over {@code max_frame_size}. */
    FRAME_TOO_LARGE(4009, false);

    private final int code;
    private final boolean reconnect;

    CloseCode(int code, boolean reconnect) {
        this.code = code;
        this.reconnect = reconnect;
    }

    public int code() {
        return code;
    }

    public boolean reconnect() {
        return reconnect;
    }
}
