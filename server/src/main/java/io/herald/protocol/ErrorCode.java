package io.herald.protocol;

/** Error codes of {@code {"type":"error"}} replies, with whether the same command may succeed later. */
public enum ErrorCode {
    BAD_REQUEST("bad_request", false),
    UNAUTHORIZED("unauthorized", false),
    TOKEN_EXPIRED("token_expired", false),
    PERMISSION_DENIED("permission_denied", false),
    UNKNOWN_CHANNEL("unknown_channel", false),
    LIMIT_EXCEEDED("limit_exceeded", true),
    TOO_MANY_REQUESTS("too_many_requests", true),
    MESSAGE_TOO_LARGE("message_too_large", false),
    ALREADY_SUBSCRIBED("already_subscribed", false),
    NOT_SUBSCRIBED("not_subscribed", false),
    /**
     * Nothing was done. Not temporary where the namespace has no presence or history; an engine
     * outage sends it with {@code temporary: true} instead (see {@link Frames#error(Long, ErrorCode, String, boolean, String)}).
     */
    NOT_AVAILABLE("not_available", false),
    INTERNAL("internal", true),
    /**
     * The command reached the engine but its answer did not come back: it may have been applied.
     * A publish is retried with the idempotency key the error carries, which publishes at most once.
     */
    UNKNOWN_OUTCOME("unknown_outcome", true);

    private final String wire;
    private final boolean temporary;

    ErrorCode(String wire, boolean temporary) {
        this.wire = wire;
        this.temporary = temporary;
    }

    /** The code as it appears on the wire. */
    public String wire() {
        return wire;
    }

    /** Whether the same command may succeed later, unless the reply says otherwise. */
    public boolean temporary() {
        return temporary;
    }
}
