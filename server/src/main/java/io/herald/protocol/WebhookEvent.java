package io.herald.protocol;

import java.util.Arrays;
import java.util.Optional;

/**
 * The events a webhook receives ({@code events[].name} in its body, and the words of a hook's
 * {@code events:} list in the config). Each is cluster-wide: see PROTOCOL.md, "Backend hooks".
 */
public enum WebhookEvent {
    /** The channel's first subscriber on any node. */
    CHANNEL_OCCUPIED("channel_occupied"),
    /** The channel's last subscriber is gone and none came back within {@code vacate_delay}. */
    CHANNEL_VACATED("channel_vacated"),
    /** A user's first connection in a presence channel. */
    PRESENCE_JOIN("presence_join"),
    /** A user's last connection in a presence channel is gone (closed, or its node crashed). */
    PRESENCE_LEAVE("presence_leave"),
    /** A client publication, once the engine accepted it. */
    CLIENT_PUBLISH("client_publish");

    private final String wire;

    WebhookEvent(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** The bit of this event in a hook's event mask. */
    public int bit() {
        return 1 << ordinal();
    }

    public static Optional<WebhookEvent> of(String wire) {
        return Arrays.stream(values()).filter(e -> e.wire.equals(wire)).findFirst();
    }
}
