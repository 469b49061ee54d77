package io.herald.pusher;

import io.herald.protocol.WebhookEvent;
import java.util.Arrays;
import java.util.Optional;

/**
 * The events of a Pusher-format webhook ({@code events[].name} in its body, and the words of an app's
 * {@code webhooks[].events} list in the config), as Pusher Channels names them.
 */
public enum PusherWebhookEvent {
    /** The channel's first subscriber on any node. */
    CHANNEL_OCCUPIED("channel_occupied", WebhookEvent.CHANNEL_OCCUPIED.bit()),
    /** The channel's last subscriber is gone. */
    CHANNEL_VACATED("channel_vacated", WebhookEvent.CHANNEL_VACATED.bit()),
    /** A user's first connection in a presence channel. */
    MEMBER_ADDED("member_added", WebhookEvent.PRESENCE_JOIN.bit()),
    /** A user's last connection in a presence channel is gone (closed, or its node crashed). */
    MEMBER_REMOVED("member_removed", WebhookEvent.PRESENCE_LEAVE.bit()),
    /**
     * A {@code client-} event sent by a connection on a private or presence channel: the store's client
     * publication (so a {@code /ws} client's publication on a channel of the app is one too).
     */
    CLIENT_EVENT("client_event", WebhookEvent.CLIENT_PUBLISH.bit()),
    /** A subscriber joined a {@code cache-} channel that had no cached event. */
    CACHE_MISS("cache_miss", 1 << 17);

    private final String wire;
    private final int bit;

    PusherWebhookEvent(String wire, int bit) {
        this.wire = wire;
        this.bit = bit;
    }

    /**
     * The event's bit in a hook's mask and in the queue ({@code HookStore}): occupancy, presence and
     * client publications are the store's own events, shared with Herald's webhooks (one cluster-wide
     * count of each); a cache miss has a bit of its own, far above Herald's, queued through
     * {@code HookStore.queue}. Queued events keep their bit, so these never change.
     */
    public int bit() {
        return bit;
    }

    /** The event of a queued bit, if it is one of these. */
    public static Optional<PusherWebhookEvent> ofBit(int bit) {
        return Arrays.stream(values()).filter(e -> e.bit == bit).findFirst();
    }

    public String wire() {
        return wire;
    }

    public static Optional<PusherWebhookEvent> of(String wire) {
        return Arrays.stream(values()).filter(e -> e.wire.equals(wire)).findFirst();
    }
}
