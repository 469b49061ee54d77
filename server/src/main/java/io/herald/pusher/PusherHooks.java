package io.herald.pusher;

import io.herald.engine.HookStore;
import java.util.concurrent.CompletableFuture;

/**
 * The Pusher webhook event the engine cannot see for itself, which the WebSocket adapter reports:
 * {@code cache_miss}. It goes into the same cluster-wide queue as every other webhook event
 * ({@link HookStore#queue}: at least once, in order per channel), to the apps' hooks that want it;
 * with none configured nothing is queued. The others need no call: occupancy follows from the hub's
 * channels, {@code member_added}/{@code member_removed} from the presence joins and leaves
 * ({@code HookStore.join}/{@code leave}, with the Pusher {@code user_id} as the entry's user), and
 * {@code client_event} from the client publication ({@code HookStore.clientPublished}).
 * Thread-safe; never blocks.
 */
public final class PusherHooks {
    private final HookStore store;

    public PusherHooks(HookStore store) {
        this.store = store;
    }

    /** A connection subscribed to the cache channel {@code channel}, which had no cached event. */
    public CompletableFuture<Void> cacheMiss(PusherChannel channel) {
        return store.queue(channel.hub(), PusherWebhookEvent.CACHE_MISS.bit(), "");
    }
}
