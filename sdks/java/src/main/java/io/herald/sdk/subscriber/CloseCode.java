package io.herald.sdk.subscriber;

/**
 * The protocol's close codes (PROTOCOL.md 1.1), each sent with a {@code disconnect} push first:
 * one code per cause, and whether a client reconnects by itself when no push said otherwise.
 */
public enum CloseCode {
    SHUTDOWN(4000, true),
    BAD_REQUEST(4001, false),
    INTERNAL(4002, true),
    /** Only with a new token: the subscriber asks its token supplier once, never reuses the refused token. */
    UNAUTHORIZED(4003, false),
    SLOW_CONSUMER(4004, true),
    CONTINUITY_LOST(4005, true),
    CONNECTION_LIMIT(4008, true),
    FRAME_TOO_LARGE(4009, true),
    /** The application ended the session: {@code reconnect} as it said, default false. */
    APPLICATION_DISCONNECT(4010, false);

    private final int code;
    private final boolean reconnectByDefault;

    CloseCode(int code, boolean reconnectByDefault) {
        this.code = code;
        this.reconnectByDefault = reconnectByDefault;
    }

    public int code() {
        return code;
    }

    public boolean reconnectByDefault() {
        return reconnectByDefault;
    }

    /** The protocol code, or null for any other number. */
    public static CloseCode of(int code) {
        for (CloseCode c : values()) {
            if (c.code == code) {
                return c;
            }
        }
        return null;
    }

    /**
     * Whether the client may reconnect by itself after a close: as the {@code disconnect} push said
     * ({@code pushed} non-null), else as the table says for a protocol code; any other code (a dropped
     * connection, a proxy's close) reconnects.
     */
    public static boolean reconnectAllowed(int code, Boolean pushed) {
        if (pushed != null) {
            return pushed;
        }
        CloseCode c = of(code);
        return c == null || c.reconnectByDefault;
    }
}
