package io.herald.pusher;

import java.util.Arrays;
import java.util.Optional;

/**
 * The events of a Pusher-format webhook ({@code events[].name} in its body, and the words of an app's
 * {@code webhooks[].events} list in the config), as Pusher Channels names them.
 */
public enum PusherWebhookEvent {
    /** The channel's first subscriber on any node. */
    CHANNEL_OCCUPIED("channel_occupied"),
    /** The channel's last subscriber is gone. */
    CHANNEL_VACATED("channel_vacated"),
    /** A user's first connection in a presence channel. */
    MEMBER_ADDED("member_added"),
    /** A user's last connection in a presence channel is gone (closed, or its node crashed). */
    MEMBER_REMOVED("member_removed"),
    /** A {@code client-} event sent by a connection on a private or presence channel. */
    CLIENT_EVENT("client_event"),
    /** A subscriber joined a {@code cache-} channel that had no cached event. */
    CACHE_MISS("cache_miss");

    private final String wire;

    PusherWebhookEvent(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Optional<PusherWebhookEvent> of(String wire) {
        return Arrays.stream(values()).filter(e -> e.wire.equals(wire)).findFirst();
    }
}
