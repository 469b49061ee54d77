package io.herald.engine.redis;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.engine.PresenceStore;
import io.herald.protocol.ChannelName;
import io.herald.protocol.ClientInfo;
import io.herald.protocol.JsonCodec;
import io.lettuce.core.ScriptOutputType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence in Redis, shared by every node: per channel a hash of client id → info and a sorted set
 * of each entry's expiry. Every entry expires on its own after the presence TTL unless the node that
 * added it refreshes it, which this store does for its own entries every third of the TTL; so the
 * clients of a node that crashed vanish from presence within the TTL (without leave pushes, which
 * only a live node sends). Thread-safe and non-blocking.
 */
public final class RedisPresenceStore implements PresenceStore, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisPresenceStore.class);
    private static final RedisScript ADD = RedisScript.of("presence_add.lua", false);
    private static final RedisScript GET = RedisScript.of("presence_get.lua", false);
    private static final RedisScript REMOVE = RedisScript.of("presence_remove.lua", false);

    private final RedisShards shards;
    private final RedisKeys keys;
    private final byte[] ttlMillis;
    /** This node's entries, encoded, so they can be refreshed. */
    private final ConcurrentHashMap<ChannelName, ConcurrentHashMap<String, byte[]>> own = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> refresher;

    RedisPresenceStore(RedisShards shards, RedisKeys keys, Duration ttl, ScheduledExecutorService scheduler) {
        this.shards = shards;
        this.keys = keys;
        this.ttlMillis = RedisHistoryStore.ascii(ttl.toMillis());
        long every = Math.max(100, ttl.toMillis() / 3);
        this.refresher = scheduler.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletableFuture<Void> add(ChannelName channel, ClientInfo client) {
        byte[] info = encode(client);
        own.computeIfAbsent(channel, c -> new ConcurrentHashMap<>()).put(client.client(), info);
        return write(channel, client.client(), info);
    }

    private CompletableFuture<Void> write(ChannelName channel, String clientId, byte[] info) {
        return ADD.<Long>run(shards.forChannel(channel), ScriptOutputType.INTEGER,
                new String[] {keys.presence(channel), keys.presenceExpiry(channel)},
                clientId.getBytes(StandardCharsets.UTF_8), info, ttlMillis).thenApply(n -> null);
    }

    @Override
    public CompletableFuture<Void> remove(ChannelName channel, String clientId) {
        own.computeIfPresent(channel, (c, m) -> {
            m.remove(clientId);
            return m.isEmpty() ? null : m;
        });
        return REMOVE.<Long>run(shards.forChannel(channel), ScriptOutputType.INTEGER,
                new String[] {keys.presence(channel), keys.presenceExpiry(channel)},
                clientId.getBytes(StandardCharsets.UTF_8)).thenApply(n -> null);
    }

    @Override
    public CompletableFuture<List<ClientInfo>> get(ChannelName channel) {
        CompletableFuture<List<Object>> reply = GET.run(shards.forChannel(channel), ScriptOutputType.MULTI,
                new String[] {keys.presence(channel), keys.presenceExpiry(channel)});
        return reply.thenApply(flat -> {
            List<ClientInfo> out = new ArrayList<>(flat.size() / 2);
            for (int i = 0; i + 1 < flat.size(); i += 2) {
                byte[] info = (byte[]) flat.get(i + 1);
                try {
                    out.add(decode(RedisHistoryStore.text(flat.get(i)), info, 0, info.length));
                } catch (IOException e) {
                    log.warn("ignoring an unreadable presence entry in {}", channel, e);
                }
            }
            out.sort(Comparator.comparing(ClientInfo::client));
            return out;
        });
    }

    /** Re-adds this node's entries so they outlive the TTL; entries added meanwhile are simply refreshed twice. */
    private void refresh() {
        for (Map.Entry<ChannelName, ConcurrentHashMap<String, byte[]>> channel : own.entrySet()) {
            channel.getValue().forEach((client, info) -> write(channel.getKey(), client, info).exceptionally(e -> {
                log.debug("presence refresh of {} failed: {}", channel.getKey(), e.toString());
                return null;
            }));
        }
    }

    /** {@code {"c":client,"u":user,"i":info}}; also the body of join/leave fan-out messages. */
    static byte[] encode(ClientInfo client) {
        return JsonCodec.object(g -> {
            g.writeStringField("c", client.client());
            g.writeStringField("u", client.user());
            if (client.info() != null) {
                g.writeFieldName("i");
                JsonCodec.MAPPER.writeTree(g, client.info());
            }
        });
    }

    /** Reads {@link #encode}'s output; {@code clientId} overrides the stored one when given. */
    static ClientInfo decode(String clientId, byte[] bytes, int offset, int length) throws IOException {
        JsonNode n = JsonCodec.MAPPER.readTree(bytes, offset, length);
        JsonNode info = n.get("i");
        return new ClientInfo(clientId != null ? clientId : n.path("c").asText(), n.path("u").asText(),
                info == null || info.isNull() ? null : info);
    }

    @Override
    public void close() {
        refresher.cancel(false);
    }
}
