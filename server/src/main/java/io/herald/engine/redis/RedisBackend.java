package io.herald.engine.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One Redis deployment the engine talks to: a single server, or one Redis Cluster. It holds two
 * connections, shared by every part of the engine: one for commands (pipelined by Lettuce, never one
 * per request) and one for pub/sub. Against a cluster, channel fan-out uses sharded pub/sub
 * ({@code SSUBSCRIBE}/{@code SPUBLISH}) so each message travels only within its shard.
 *
 * <p>While a single Redis server is unreachable, commands fail at once (they are not queued): a
 * publish must be refused, not delayed by an unknown time. Against a cluster they fail after the
 * command timeout at the latest. Lettuce reconnects by itself and re-subscribes the
 * pub/sub channels; the {@link Listener} then sees each channel confirmed again.
 */
final class RedisBackend implements AutoCloseable {
    static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    /** What arrives on the pub/sub connection; called on Lettuce's I/O threads, must not block. */
    interface Listener {
        void message(String channel, byte[] message);

        /** Redis confirmed a subscription: the first time after subscribing, and again after each reconnect. */
        void subscribed(String channel);
    }

    private final String name;
    private final boolean cluster;
    private final RedisClient standaloneClient;
    private final RedisClusterClient clusterClient;
    private final StatefulConnection<String, byte[]> data;
    private final RedisClusterAsyncCommands<String, byte[]> commands;
    private final StatefulRedisPubSubConnection<String, byte[]> pubSub;

    private RedisBackend(String name, boolean cluster, RedisClient standaloneClient, RedisClusterClient clusterClient,
                         StatefulConnection<String, byte[]> data, RedisClusterAsyncCommands<String, byte[]> commands,
                         StatefulRedisPubSubConnection<String, byte[]> pubSub) {
        this.name = name;
        this.cluster = cluster;
        this.standaloneClient = standaloneClient;
        this.clusterClient = clusterClient;
        this.data = data;
        this.commands = commands;
        this.pubSub = pubSub;
    }

    /** Connects to one server; fails with Lettuce's exception when it cannot be reached now. */
    static RedisBackend standalone(String url, Duration timeout, ClientResources resources) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(timeout);
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build());
        try {
            StatefulRedisConnection<String, byte[]> data = client.connect(CODEC);
            StatefulRedisPubSubConnection<String, byte[]> pubSub = client.connectPubSub(CODEC);
            return new RedisBackend(redacted(url), false, client, null, data, data.async(), pubSub);
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            throw e;
        }
    }

    /** Connects to a Redis Cluster through any of its {@code seeds}. */
    @SuppressWarnings("deprecation")
    static RedisBackend cluster(List<String> seeds, Duration timeout, ClientResources resources) {
        List<RedisURI> uris = seeds.stream().map(RedisURI::create).toList();
        uris.forEach(u -> u.setTimeout(timeout));
        RedisClusterClient client = RedisClusterClient.create(resources, uris);
        // Node connections open on first use, so rejecting commands while disconnected would refuse
        // the first command to each node; against a cluster a dead node costs the command timeout.
        client.setOptions(ClusterClientOptions.builder()
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        // learn about failovers and resharding from the redirects and reconnects they cause
                        // (deprecated in Lettuce 7 without a documented successor; without it a failover
                        // would be noticed only by the periodic refresh)
                        .enableAllAdaptiveRefreshTriggers()
                        .enablePeriodicRefresh(Duration.ofSeconds(30))
                        .build())
                .build());
        try {
            StatefulRedisClusterConnection<String, byte[]> data = client.connect(CODEC);
            StatefulRedisClusterPubSubConnection<String, byte[]> pubSub = client.connectPubSub(CODEC);
            pubSub.setNodeMessagePropagation(true);
            return new RedisBackend("cluster " + String.join(",", seeds.stream().map(RedisBackend::redacted).toList()),
                    true, null, client, data, data.async(), pubSub);
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            throw e;
        }
    }

    /** The URL without its password, for logs and errors. */
    static String redacted(String url) {
        return url.replaceFirst("(://[^@/]*:)[^@/]*@", "$1***@");
    }

    String name() {
        return name;
    }

    /** The command connection; futures complete on Lettuce's threads. */
    RedisClusterAsyncCommands<String, byte[]> commands() {
        return commands;
    }

    /**
     * Sends {@code command} on the command connection (routed by its first key against a cluster);
     * it completes on Lettuce's threads, and fails after the command timeout at the latest.
     */
    void dispatch(TrackedCommand<?> command) {
        data.dispatch(command);
    }

    /** The publish command for channel fan-out inside scripts: sharded against a cluster. */
    String publishCommand() {
        return cluster ? "spublish" : "publish";
    }

    void listen(Listener listener) {
        if (pubSub instanceof StatefulRedisClusterPubSubConnection<String, byte[]> c) {
            c.addListener(new RedisClusterPubSubAdapter<>() {
                @Override
                public void message(RedisClusterNode node, String channel, byte[] message) {
                    listener.message(channel, message);
                }

                @Override
                public void smessage(RedisClusterNode node, String channel, byte[] message) {
                    listener.message(channel, message);
                }

                @Override
                public void ssubscribed(RedisClusterNode node, String channel, long count) {
                    listener.subscribed(channel);
                }

                @Override
                public void subscribed(RedisClusterNode node, String channel, long count) {
                    listener.subscribed(channel);
                }
            });
        } else {
            pubSub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, byte[] message) {
                    listener.message(channel, message);
                }

                @Override
                public void subscribed(String channel, long count) {
                    listener.subscribed(channel);
                }
            });
        }
    }

    /** Subscribes a channel's fan-out (sharded against a cluster). */
    CompletableFuture<Void> subscribeChannel(String channel) {
        if (pubSub instanceof StatefulRedisClusterPubSubConnection<String, byte[]> c) {
            return c.async().ssubscribe(channel).toCompletableFuture();
        }
        return pubSub.async().subscribe(channel).toCompletableFuture();
    }

    CompletableFuture<Void> unsubscribeChannel(String channel) {
        if (pubSub instanceof StatefulRedisClusterPubSubConnection<String, byte[]> c) {
            return c.async().sunsubscribe(channel).toCompletableFuture();
        }
        return pubSub.async().unsubscribe(channel).toCompletableFuture();
    }

    /** Publishes to a channel's fan-out (sharded against a cluster). */
    CompletableFuture<Long> publishChannel(String channel, byte[] message) {
        return (cluster ? commands.spublish(channel, message) : commands.publish(channel, message)).toCompletableFuture();
    }

    /** Subscribes a node-wide channel (control commands): plain pub/sub, which reaches every cluster node. */
    CompletableFuture<Void> subscribeGlobal(String channel) {
        return pubSub.async().subscribe(channel).toCompletableFuture();
    }

    CompletableFuture<Long> publishGlobal(String channel, byte[] message) {
        return commands.publish(channel, message).toCompletableFuture();
    }

    /** Whether both connections are up right now. */
    boolean isOpen() {
        return data.isOpen() && pubSub.isOpen();
    }

    @Override
    public void close() {
        pubSub.close();
        data.close();
        if (standaloneClient != null) {
            standaloneClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        } else {
            clusterClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }
}
