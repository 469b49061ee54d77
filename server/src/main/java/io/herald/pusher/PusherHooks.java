package io.herald.pusher;

import com.fasterxml.jackson.core.JsonGenerator;
import io.herald.engine.HookStore;
import io.herald.protocol.JsonCodec;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;

/**
 * The Pusher webhook events the engine cannot see for itself, which the WebSocket adapter reports:
 * {@code client_event} and {@code cache_miss}. They go into the same cluster-wide queue as every
 * other webhook event ({@link HookStore#queue}: at least once, in order per channel), to the apps'
 * hooks that want them; with none configured nothing is queued. Occupancy and
 * {@code member_added}/{@code member_removed} need no call: they follow from the hub's channels and
 * the presence joins and leaves ({@code HookStore.join}/{@code leave}, with the Pusher
 * {@code user_id} as the presence entry's user). Thread-safe; never blocks.
 */
public final class PusherHooks {
    private final HookStore store;

    public PusherHooks(HookStore store) {
        this.store = store;
    }

    /**
     * A {@code client-} event was accepted from the connection {@code socketId} on {@code channel};
     * {@code userId} is its user on a presence channel (else null).
     */
    public CompletableFuture<Void> clientEvent(PusherChannel channel, String event, String data, String socketId,
                                               String userId) {
        StringWriter out = new StringWriter(64 + data.length());
        try (JsonGenerator g = JsonCodec.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("event", event);
            g.writeStringField("data", data);
            g.writeStringField("socket_id", socketId);
            if (userId != null) {
                g.writeStringField("user_id", userId);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String object = out.toString();
        return store.queue(channel.hub(), PusherWebhookEvent.CLIENT_EVENT.bit(), object.substring(1, object.length() - 1));
    }

    /** A connection subscribed to the cache channel {@code channel}, which had no cached event. */
    public CompletableFuture<Void> cacheMiss(PusherChannel channel) {
        return store.queue(channel.hub(), PusherWebhookEvent.CACHE_MISS.bit(), "");
    }
}
