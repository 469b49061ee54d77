package io.herald.engine.redis;

import static org.assertj.core.api.Assertions.fail;

import io.herald.config.RedisConfig;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The shared local Redis the engine tests run against (started by {@code .ci/run} when none answers
 * on 6379), with a key prefix per test class so classes never see each other's data, and cleanup.
 */
public final class RedisTestSupport {
    public static final String URL = "redis://127.0.0.1:6379";

    private RedisTestSupport() {
    }

    /** A prefix no other test class or run uses. */
    public static String uniquePrefix(String name) {
        return "test-" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Engine settings for the local Redis under {@code prefix}. */
    public static RedisConfig config(String prefix) {
        return config(URL, prefix);
    }

    public static RedisConfig config(String url, String prefix) {
        return new RedisConfig(List.of(url), false, prefix, Duration.ofSeconds(60), Duration.ofSeconds(5));
    }

    /** Fails with a hint when no Redis answers on 6379: the tests need the real one. */
    public static void requireLocalRedis() {
        RedisClient client = RedisClient.create(URL);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().ping();
        } catch (RuntimeException e) {
            fail("the Redis engine tests need redis-server on 127.0.0.1:6379 (.ci/run starts one): " + e.getMessage());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }

    /** Every key under {@code prefix}, found with SCAN. */
    public static List<String> keys(String url, String prefix) {
        RedisClient client = RedisClient.create(url);
        List<String> out = new ArrayList<>();
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisCommands<String, String> redis = c.sync();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(prefix + ":*").limit(1000));
                out.addAll(page.getKeys());
                cursor = page;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
        return out;
    }

    /** Deletes every key under {@code prefix}. */
    public static void deleteKeys(String url, String prefix) {
        RedisClient client = RedisClient.create(url);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            RedisCommands<String, String> redis = c.sync();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = redis.scan(cursor, ScanArgs.Builder.matches(prefix + ":*").limit(1000));
                if (!page.getKeys().isEmpty()) {
                    redis.del(page.getKeys().toArray(String[]::new));
                }
                cursor = page;
            } while (!cursor.isFinished());
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
        }
    }
}
