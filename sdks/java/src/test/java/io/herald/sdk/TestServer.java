package io.herald.sdk;

import io.herald.auth.Authenticator;
import io.herald.config.ConfigLoader;
import io.herald.config.HeraldConfig;
import io.herald.engine.Engine;
import io.herald.engine.memory.MemoryEngine;
import io.herald.engine.redis.RedisEngine;
import io.herald.transport.HeraldServer;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real Herald node in this JVM on 127.0.0.1, configured from YAML as a user would configure it.
 * {@link #stop()} and {@link #start()} restart it on the same port; with the Redis engine its
 * streams (offsets, epochs, history, idempotency keys) live in Redis under a prefix of its own,
 * which {@link #close()} deletes.
 */
public final class TestServer implements AutoCloseable {
    public static final String API_KEY = "java-sdk-test-api-key";
    public static final String SECRET = "java-sdk-test-secret-at-least-32-bytes-long";
    static final String BASE_YAML = """
            api_key: %s
            jwt:
              hmac_secret: %s
            %sshutdown:
              drain_window: 200ms
            namespaces:
              feed: {history_size: 1000, history_ttl: 10m}
              room: {presence: true, history_size: 100, history_ttl: 10m}
            """;

    private final Path dir;
    private final Path yaml;
    public final String redisPrefix;
    private int port;
    private volatile HeraldServer server;

    private TestServer(String extraYaml, boolean redis) {
        this(extraYaml, redis, "");
    }

    private TestServer(String extraYaml, boolean redis, String jwtYaml) {
        this(extraYaml, redis, jwtYaml, "redis://127.0.0.1:6379", "5s");
    }

    /** {@code jwtYaml}: more {@code jwt:} keys, each line indented by two spaces. */
    private TestServer(String extraYaml, boolean redis, String jwtYaml, String redisUrl, String redisTimeout) {
        try {
            dir = Files.createTempDirectory("herald-java-sdk-");
            redisPrefix = redis ? "javasdk-" + UUID.randomUUID().toString().substring(0, 8) : null;
            String text = BASE_YAML.formatted(API_KEY, SECRET, jwtYaml) + extraYaml + (redis ? """
                    engine: redis
                    redis:
                      url: %s
                      prefix: %s
                      timeout: %s
                    """.formatted(redisUrl, redisPrefix, redisTimeout) : "");
            yaml = Files.writeString(dir.resolve("herald.yaml"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static TestServer memory() {
        return memory("");
    }

    /** {@code extraYaml}: more top-level keys (no {@code namespaces}, which the base sets). */
    public static TestServer memory(String extraYaml) {
        return new TestServer(extraYaml, false).start();
    }

    /** A memory-engine node that also verifies RS256 and ES256 tokens with these public keys (PEM). */
    public static TestServer withPublicKeys(String rsaPem, String ecPem) {
        String jwt = "  rsa_public_key: |\n" + indent(rsaPem) + "  ec_public_key: |\n" + indent(ecPem);
        return new TestServer("", false, jwt).start();
    }

    private static String indent(String pem) {
        StringBuilder b = new StringBuilder();
        pem.lines().forEach(l -> b.append("    ").append(l).append('\n'));
        return b.toString();
    }

    public static TestServer redis() {
        return new TestServer("", true).start();
    }

    /** The Redis engine on a Redis of the test's own, whose commands time out after {@code timeout} (a 504). */
    public static TestServer redisAt(String url, String timeout) {
        return new TestServer("", true, "", url, timeout).start();
    }

    /** Starts the node (again, on the port it had); retries the bind for a few seconds. */
    public TestServer start() {
        HeraldConfig cfg = ConfigLoader.load(yaml, Map.of(), new ConfigLoader.Overrides(null, "127.0.0.1", port));
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Engine engine = cfg.redis() != null ? RedisEngine.create(cfg.redis()) : MemoryEngine.create(cfg.limits().maxChannels());
            try {
                server = HeraldServer.start(cfg, engine, Authenticator.forConfig(cfg.jwt()));
                port = server.port();
                return this;
            } catch (Exception e) {
                engine.close();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot start Herald on port " + port, e);
                }
                Await.sleep(100);
            }
        }
    }

    /** Stops at once: connections cut without a disconnect push, the engine closed (a crash, as far as clients see). */
    public void stop() {
        HeraldServer s = server;
        if (s != null) {
            s.close();
        }
    }

    /** Graceful: clients get disconnect 4000, then the node stops. */
    public void shutdown() {
        HeraldServer s = server;
        if (s != null) {
            s.shutdown();
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public HeraldApi.Builder api() {
        return HeraldApi.builder().url(url()).apiKey(API_KEY);
    }

    /** A client with the default retry settings. */
    public HeraldApi client() {
        return api().build();
    }

    /** A token for {@code user} allowed to subscribe to {@code patterns}. */
    public static String token(String user, String... patterns) {
        return HeraldTokens.createToken(TokenClaims.user(user).withChannels(patterns), SECRET);
    }

    /** The Prometheus text of {@code GET /metrics}. */
    public String metrics() {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(url() + "/metrics")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
        if (redisPrefix != null) {
            deleteRedisKeys(redisPrefix);
        }
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }

    static void deleteRedisKeys(String prefix) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            List<String> keys = new ArrayList<>();
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = c.sync().scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(1000));
                keys.addAll(page.getKeys());
                cursor = page;
            } while (!cursor.isFinished());
            if (!keys.isEmpty()) {
                c.sync().del(keys.toArray(String[]::new));
            }
        } finally {
            client.shutdown();
        }
    }

    static long countRedisKeys(String prefix) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:6379");
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().keys(prefix + "*").size();
        } finally {
            client.shutdown();
        }
    }
}
