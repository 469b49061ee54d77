package io.herald.pusher;

/**
 * The codes of Pusher Channels' {@code pusher:error} events and WebSocket close frames, as pusher-js
 * reads them: 4000–4099 the connection must not be retried as it is, 4100–4199 retry with backoff,
 * 4200–4299 reconnect at once, 4300–4399 other errors (the connection stays open unless it is also
 * closed). {@link #message()} is the text Pusher sends with the code.
 */
public enum PusherErrorCode {
    /** The app accepts only TLS connections. */
    SSL_ONLY(4000, "Application only accepts SSL connections, reconnect using wss://"),
    /** No app has the key of {@code /app/{key}}. */
    APP_DOES_NOT_EXIST(4001, "Application does not exist"),
    /** The app is disabled. */
    APP_DISABLED(4003, "Application disabled"),
    /** The app is over its connection quota ({@code max_connections}). */
    OVER_QUOTA(4004, "Application is over connection quota"),
    /** The path is not {@code /app/{key}}. */
    PATH_NOT_FOUND(4005, "Path not found"),
    /** {@code protocol} is not a number. */
    INVALID_VERSION(4006, "Invalid version string format"),
    /** {@code protocol} is a version Herald does not speak (it speaks 7). */
    UNSUPPORTED_PROTOCOL(4007, "Unsupported protocol version"),
    /** The upgrade has no {@code protocol} query parameter. */
    NO_PROTOCOL_VERSION(4008, "No protocol version supplied"),
    /** The connection did not sign in in time where the app requires it, or its signin was refused. */
    UNAUTHORIZED(4009, "Connection is unauthorized"),
    /** The node is over capacity ({@code limits.max_connections}, per-user limits); retry with backoff. */
    OVER_CAPACITY(4100, "Over capacity"),
    /** Reconnect at once (the node is shutting down, or the connection was too slow to keep). */
    RECONNECT(4200, "Generic reconnect immediately"),
    /** Nothing came from the client for too long, not even a {@code pusher:pong}. */
    PONG_NOT_RECEIVED(4201, "Pong reply not received"),
    /** Closed after inactivity. */
    CLOSED_AFTER_INACTIVITY(4202, "Closed after inactivity"),
    /**
     * Herald's use of Pusher's "any other error" range for a connection it will not keep: a flood of
     * messages past the command rate, or malformed WebSocket frames. pusher-js does not reconnect.
     */
    REFUSED(4300, "Connection refused: too many messages or malformed frames"),
    /** A client event over {@code max_client_events_per_second}; the event was dropped. */
    CLIENT_EVENT_RATE_LIMIT(4301, "Client event rejected due to rate limit");

    private final int code;
    private final String message;

    PusherErrorCode(int code, String message) {
        this.code = code;
        this.message = message;
    }

    public int code() {
        return code;
    }

    public String message() {
        return message;
    }

    /** Whether pusher-js reconnects after a close with this code (backoff or at once). */
    public boolean reconnects() {
        return code >= 4100 && code < 4300;
    }

    /** The {@code code} label of {@code herald_pusher_errors_total}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
