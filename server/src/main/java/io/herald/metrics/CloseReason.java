package io.herald.metrics;

import io.herald.protocol.CloseCode;
import java.util.Locale;

/**
 * Why a client connection (WebSocket or SSE) ended: the {@code reason} label of
 * {@code herald_connections_closed_total}. One value per close code, plus {@link #CLIENT} and
 * {@link #NETWORK} for the ends the server did not decide.
 */
public enum CloseReason {
    SHUTDOWN(CloseCode.SHUTDOWN),
    BAD_REQUEST(CloseCode.BAD_REQUEST),
    INTERNAL_ERROR(CloseCode.INTERNAL_ERROR),
    UNAUTHORIZED(CloseCode.UNAUTHORIZED),
    SLOW_CONSUMER(CloseCode.SLOW_CONSUMER),
    CONTINUITY_LOST(CloseCode.CONTINUITY_LOST),
    CONNECTION_LIMIT(CloseCode.CONNECTION_LIMIT),
    FRAME_TOO_LARGE(CloseCode.FRAME_TOO_LARGE),
    /** 4010: the application disconnected the client (server API {@code disconnect}). */
    APPLICATION(CloseCode.DISCONNECTED),
    /** The client closed: a WebSocket close frame, or the end of its TCP connection. */
    CLIENT(null),
    /** The connection was dropped: silent past {@code ping + pong_timeout}, or reset. */
    NETWORK(null);

    private final CloseCode code;

    CloseReason(CloseCode code) {
        this.code = code;
    }

    /** The reason of a close the server made with {@code code}. */
    public static CloseReason of(CloseCode code) {
        for (CloseReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new IllegalArgumentException("no close reason for " + code);
    }

    /** The label value. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
