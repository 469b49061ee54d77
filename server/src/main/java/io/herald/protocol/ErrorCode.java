package io.herald.protocol;

/**
 * Error codes of {@code {"type":"error"}} replies and of HTTP error answers, each with the one HTTP
 * status it has wherever HTTP carries it and whether the same command may succeed later. The only
 * source of these words on the server.
 */
public enum ErrorCode {
    BAD_REQUEST("bad_request", 400, false),
    UNAUTHORIZED("unauthorized", 401, false),
    TOKEN_EXPIRED("token_expired", 401, false),
    PERMISSION_DENIED("permission_denied", 403, false),
    UNKNOWN_CHANNEL("unknown_channel", 400, false),
    LIMIT_EXCEEDED("limit_exceeded", 429, true),
    TOO_MANY_REQUESTS("too_many_requests", 429, true),
    MESSAGE_TOO_LARGE("message_too_large", 413, false),
    ALREADY_SUBSCRIBED("already_subscribed", 400, false),
    NOT_SUBSCRIBED("not_subscribed", 400, false),
    /** No such endpoint (an unknown path). */
    NOT_FOUND("not_found", 404, false),
    /**
     * Nothing was done. Not temporary where the namespace has no presence or history; an engine
     * outage sends it with {@code temporary: true} instead (see {@link Frames#error(Long, ErrorCode, String, boolean, String)}).
     */
    NOT_AVAILABLE("not_available", 503, false),
    INTERNAL("internal", 500, true),
    /**
     * The command reached the engine but its answer did not come back: it may have been applied.
     * A publish is retried with the idempotency key the error carries, which publishes at most once.
     */
    UNKNOWN_OUTCOME("unknown_outcome", 504, true);

    private final String wire;
    private final int status;
    private final boolean temporary;

    ErrorCode(String wire, int status, boolean temporary) {
        this.wire = wire;
        this.status = status;
        this.temporary = temporary;
    }

    /** The code as it appears on the wire. */
    public String wire() {
        return wire;
    }

    /** The HTTP status of an answer with this code. */
    public int status() {
        return status;
    }

    /** Whether the same command may succeed later, unless the reply says otherwise. */
    public boolean temporary() {
        return temporary;
    }
}
