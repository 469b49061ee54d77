package io.herald.protocol;

import java.util.Locale;

/**
 * Why the server ended a subscription: the {@code reason} of an {@code unsubscribed} push (a reply
 * to the client's own {@code unsubscribe} has none).
 */
public enum UnsubscribeReason {
    /** The server API unsubscribed the connection. */
    SERVER(false),
    /** After a {@code refresh}, the new token no longer allows the channel. */
    PERMISSION_REVOKED(false),
    /** The node cannot guarantee a gap-free stream; the client resubscribes with {@code since}. */
    INSUFFICIENT_STATE(true);

    private final boolean resubscribe;

    UnsubscribeReason(boolean resubscribe) {
        this.resubscribe = resubscribe;
    }

    /** The reason as it appears on the wire. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the push tells the client to resubscribe ({@code "resubscribe":true}). */
    public boolean resubscribe() {
        return resubscribe;
    }
}
