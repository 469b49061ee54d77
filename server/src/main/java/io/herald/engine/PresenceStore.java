package io.herald.engine;

import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Who is in a channel, one entry per connection (client id). Adding the same client twice keeps one
 * entry (the latest info). Thread-safe and non-blocking.
 */
public interface PresenceStore {
    CompletableFuture<Void> add(ChannelName channel, ClientInfo client);

    CompletableFuture<Void> remove(ChannelName channel, String clientId);

    /** The channel's entries, ordered by client id. */
    CompletableFuture<List<ClientInfo>> get(ChannelName channel);
}
