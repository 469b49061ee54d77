package io.herald.engine.redis;

import io.herald.config.RedisConfig;
import io.herald.engine.Engine;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Builds the Redis engine: connects to every configured deployment (failing at once, with the URL in
 * the message, when one cannot be reached at start), and wires broker, history, presence and node
 * registry onto the shared connections. Lettuce runs on its own small set of Netty threads, so Redis
 * I/O never runs on (or blocks) the nodes' client event loops.
 */
public final class RedisEngine {
    private RedisEngine() {
    }

    public static Engine create(RedisConfig config) {
        return create(config, System::currentTimeMillis, RedisHistoryStore.DEFAULT_ERA);
    }

    /** As {@link #create(RedisConfig)}, with the history store's clock and era length given (tests). */
    public static Engine create(RedisConfig config, LongSupplier clock, Duration era) {
        ClientResources resources = DefaultClientResources.builder()
                .ioThreadPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors() / 2))
                .computationThreadPoolSize(2)
                // reconnect soon after Redis is back (readiness and publishes wait for it), with jitter
                // so a fleet of nodes does not reconnect in lockstep; at most 2 s apart
                .reconnectDelay(Delay.fullJitter(Duration.ofMillis(50), Duration.ofSeconds(2), 100, TimeUnit.MILLISECONDS))
                .build();
        List<RedisBackend> backends = new ArrayList<>();
        try {
            if (config.cluster()) {
                backends.add(RedisBackend.cluster(config.urls(), config.timeout(), resources));
            } else {
                for (String url : config.urls()) {
                    backends.add(connect(url, config, resources));
                }
            }
        } catch (RuntimeException e) {
            backends.forEach(RedisBackend::close);
            resources.shutdown(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        RedisShards shards = new RedisShards(backends);
        RedisKeys keys = new RedisKeys(config.prefix());
        RedisPresenceStore presence = new RedisPresenceStore(shards, keys, config.presenceTtl(),
                resources.eventExecutorGroup());
        RedisHealth health = new RedisHealth(shards, config.timeout(), resources.eventExecutorGroup());
        RedisNodeRegistry nodes = new RedisNodeRegistry(shards, keys, health, resources.eventExecutorGroup(), () -> {
            health.close();
            presence.close();
            shards.close();
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        });
        RedisHookStore hooks = new RedisHookStore(shards, keys, config.presenceTtl(), resources.eventExecutorGroup());
        return new Engine("redis", new RedisBroker(shards, keys), new RedisHistoryStore(shards, keys, clock, era),
                presence, nodes, hooks);
    }

    private static RedisBackend connect(String url, RedisConfig config, ClientResources resources) {
        try {
            return RedisBackend.standalone(url, config.timeout(), resources);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot reach Redis at " + RedisBackend.redacted(url) + ": "
                    + e.getMessage(), e);
        }
    }
}
