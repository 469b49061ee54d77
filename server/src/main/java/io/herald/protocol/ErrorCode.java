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
    NOT_AVAILABLE("not_available", false),
    INTERNAL("internal", true);

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

    public boolean temporary() {
        return temporary;
    }
}
