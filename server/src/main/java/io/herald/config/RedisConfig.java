package io.herald.config;

import java.time.Duration;
import java.util.List;

/**
 * Settings of the Redis engine.
 *
 * @param urls        {@code redis://} or {@code rediss://} URLs: one server, several independent servers
 *                    (channels are spread over them by a hash of the name), or seed nodes of one Redis
 *                    Cluster when {@code cluster} is true
 * @param cluster     whether {@code urls} name nodes of a Redis Cluster (sharded pub/sub is then used)
 * @param prefix      prefix of every key and pub/sub channel, so several deployments can share a Redis
 * @param presenceTtl how long a presence entry lives without being refreshed by its node
 * @param timeout     how long a Redis command may take before it fails (its outcome is then unknown),
 *                    and a health PING before the engine counts as unreachable
 */
public record RedisConfig(List<String> urls, boolean cluster, String prefix, Duration presenceTtl, Duration timeout) {
    public static final String DEFAULT_URL = "redis://127.0.0.1:6379";
    public static final RedisConfig DEFAULTS =
            new RedisConfig(List.of(DEFAULT_URL), false, "herald", Duration.ofSeconds(60), Duration.ofSeconds(5));

    public RedisConfig {
        urls = List.copyOf(urls);
    }

    public RedisConfig withUrls(List<String> value, boolean isCluster) {
        return new RedisConfig(value, isCluster, prefix, presenceTtl, timeout);
    }

    public RedisConfig withPrefix(String value) {
        return new RedisConfig(urls, cluster, value, presenceTtl, timeout);
    }

    public RedisConfig withPresenceTtl(Duration value) {
        return new RedisConfig(urls, cluster, prefix, value, timeout);
    }
}
