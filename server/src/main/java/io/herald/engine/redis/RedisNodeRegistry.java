package io.herald.engine.redis;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.engine.NodeLoad;
import io.herald.engine.NodeRegistry;
import io.herald.protocol.JsonCodec;
import io.lettuce.core.Range;
import io.lettuce.core.KeyValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live nodes in Redis: each node writes its load to a hash and its expiry time to a sorted set
 * every {@link #ANNOUNCE_MILLIS}; a node whose expiry passed (it crashed, or lost Redis) is left out
 * of {@link #nodes} and removed by the next announcement of any node. Thread-safe.
 */
final class RedisNodeRegistry implements NodeRegistry {
    private static final Logger log = LoggerFactory.getLogger(RedisNodeRegistry.class);
    static final long ANNOUNCE_MILLIS = 1000;
    /** A node missing this many announcements in a row is gone. */
    static final long EXPIRY_MILLIS = 5 * ANNOUNCE_MILLIS;

    private final RedisShards shards;
    private final RedisKeys keys;
    private final RedisHealth health;
    private final ScheduledExecutorService scheduler;
    private final Runnable release;
    /** Set once by {@link #register}. */
    private volatile String nodeId;
    private volatile Supplier<NodeLoad> load;
    private volatile ScheduledFuture<?> announcer;

    /** @param release run on {@link #close}, after this node withdrew: closes the engine's connections */
    RedisNodeRegistry(RedisShards shards, RedisKeys keys, RedisHealth health, ScheduledExecutorService scheduler,
                      Runnable release) {
        this.shards = shards;
        this.keys = keys;
        this.health = health;
        this.scheduler = scheduler;
        this.release = release;
    }

    private RedisClusterAsyncCommands<String, byte[]> redis() {
        return shards.first().commands();
    }

    @Override
    public void register(String id, Supplier<NodeLoad> nodeLoad) {
        this.nodeId = id;
        this.load = nodeLoad;
        announce();
        announcer = scheduler.scheduleWithFixedDelay(this::announce, ANNOUNCE_MILLIS, ANNOUNCE_MILLIS,
                TimeUnit.MILLISECONDS);
    }

    private void announce() {
        try {
            NodeLoad l = load.get();
            byte[] json = JsonCodec.object(g -> {
                g.writeNumberField("connections", l.connections());
                g.writeNumberField("subscriptions", l.subscriptions());
                g.writeNumberField("channels", l.channels());
                g.writeNumberField("started", l.startedMillis());
            });
            long now = System.currentTimeMillis();
            redis().hset(keys.nodes(), l.id(), json);
            redis().zadd(keys.nodesAlive(), (double) now + EXPIRY_MILLIS, l.id().getBytes(StandardCharsets.UTF_8));
            redis().zrangebyscore(keys.nodesAlive(), Range.create(Double.NEGATIVE_INFINITY, (double) now))
                    .thenAccept(gone -> {
                        for (byte[] id : gone) {
                            redis().hdel(keys.nodes(), new String(id, StandardCharsets.UTF_8));
                            redis().zrem(keys.nodesAlive(), id);
                        }
                    });
        } catch (RuntimeException e) {
            // commands are rejected while Redis is unreachable; the next announcement tries again
            log.debug("node announcement failed: {}", e.toString());
        }
    }

    @Override
    public CompletableFuture<List<NodeLoad>> nodes() {
        long now = System.currentTimeMillis();
        return redis().zrangebyscore(keys.nodesAlive(), Range.create((double) now, Double.POSITIVE_INFINITY))
                .thenCompose(ids -> {
                    if (ids.isEmpty()) {
                        return CompletableFuture.completedFuture(List.<NodeLoad>of());
                    }
                    String[] names = ids.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toArray(String[]::new);
                    return redis().hmget(keys.nodes(), names).thenApply(RedisNodeRegistry::loads);
                })
                .toCompletableFuture()
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(RedisScript.translate("node list", e)));
    }

    private static List<NodeLoad> loads(List<KeyValue<String, byte[]>> values) {
        List<NodeLoad> out = new ArrayList<>();
        for (KeyValue<String, byte[]> kv : values) {
            if (!kv.hasValue()) {
                continue;
            }
            try {
                JsonNode n = JsonCodec.MAPPER.readTree(kv.getValue());
                out.add(new NodeLoad(kv.getKey(), n.path("connections").asLong(), n.path("subscriptions").asLong(),
                        n.path("channels").asLong(), n.path("started").asLong()));
            } catch (IOException e) {
                log.warn("ignoring an unreadable node entry {}", kv.getKey());
            }
        }
        out.sort(Comparator.comparing(NodeLoad::id));
        return out;
    }

    /** Both connections of every deployment are open and every deployment answers its health PING in time. */
    @Override
    public boolean reachable() {
        return shards.isOpen() && health.answering();
    }

    /** Withdraws this node (waiting up to a second) so /api/info stops listing it at once, then releases. */
    @Override
    public void close() {
        ScheduledFuture<?> a = announcer;
        if (a != null) {
            a.cancel(false);
        }
        String id = nodeId;
        if (id != null && reachable()) {
            try {
                CompletableFuture.allOf(redis().zrem(keys.nodesAlive(), id.getBytes(StandardCharsets.UTF_8))
                                .toCompletableFuture(), redis().hdel(keys.nodes(), id).toCompletableFuture())
                        .get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                log.debug("could not withdraw node {}: {}", id, e.toString());
            }
        }
        release.run();
    }
}
