package io.herald.engine.memory;

import io.herald.engine.PresenceStore;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/** Presence held in this process. A channel's map is dropped when its last entry leaves. */
public final class MemoryPresenceStore implements PresenceStore {
    private final ConcurrentHashMap<ChannelName, ConcurrentSkipListMap<String, ClientInfo>> channels =
            new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<Void> add(ChannelName channel, ClientInfo client) {
        channels.compute(channel, (ch, map) -> {
            ConcurrentSkipListMap<String, ClientInfo> m = map != null ? map : new ConcurrentSkipListMap<>();
            m.put(client.client(), client);
            return m;
        });
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> remove(ChannelName channel, String clientId) {
        channels.computeIfPresent(channel, (ch, map) -> {
            map.remove(clientId);
            return map.isEmpty() ? null : map;
        });
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<List<ClientInfo>> get(ChannelName channel) {
        ConcurrentSkipListMap<String, ClientInfo> map = channels.get(channel);
        return CompletableFuture.completedFuture(map == null ? List.of() : List.copyOf(map.values()));
    }
}
