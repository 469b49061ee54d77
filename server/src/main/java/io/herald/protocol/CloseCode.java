package io.herald.protocol;

/**
 * WebSocket close codes Herald uses, one per cause, each sent with a {@code disconnect} push first.
 * {@link #reconnect()} tells the client whether reconnecting as it is can help; only
 * {@link #DISCONNECTED} takes its {@code reconnect} from whoever disconnected the client (false
 * unless the application says otherwise).
 */
public enum CloseCode {
    /** Shutdown or restart of the node; reconnect. */
    SHUTDOWN(4000, true),
    /** Bad-request flood, no first frame in time, or a malformed WebSocket frame. */
    BAD_REQUEST(4001, false),
    /** An internal error on this connection; reconnect. */
    INTERNAL_ERROR(4002, true),
    /** Unauthorized: bad, expired or missing token, or a refresh with another {@code sub}; reconnect only with a new token. */
    UNAUTHORIZED(4003, false),
    /** Slow consumer; reconnect. */
    SLOW_CONSUMER(4004, true),
    /** A one-way stream (SSE) lost continuity and cannot resubscribe; reconnect with {@code Last-Event-ID}. */
    CONTINUITY_LOST(4005, true),
    /** Connection limit; reconnect with backoff. */
    CONNECTION_LIMIT(4008, true),
    /** Frame over {@code max_frame_size}; reconnect (and send smaller frames). */
    FRAME_TOO_LARGE(4009, true),
    /**
     * Disconnected by the application (server API {@code disconnect}). Not reconnecting is the
     * default: that is how a backend ends a user's session, and a client must not fetch a new token
     * and come back by itself.
     */
    DISCONNECTED(4010, false);

    private final int code;
    private final boolean reconnect;

    CloseCode(int code, boolean reconnect) {
        this.code = code;
        this.reconnect = reconnect;
    }

    public int code() {
        return code;
    }

    /** Whether the client should reconnect, unless the close says otherwise (only {@link #DISCONNECTED} does). */
    public boolean reconnect() {
        return reconnect;
    }
}
