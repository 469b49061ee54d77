package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.engine.redis.RedisEngine;
import io.herald.engine.redis.RedisTestSupport;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Outbox readers in processes of their own ({@code herald serve} from the test classpath) killed with
 * SIGKILL while they publish, with the Redis engine so idempotency keys outlive the killed node:
 * every committed row still reaches every subscriber exactly once, in per-channel id order, whether
 * the same node restarts or another node waiting for the lock takes over.
 */
class OutboxFailoverTest {
    private static final int ROWS = 3000;
    private static final List<String> CHANNELS = List.of("ob:k0", "ob:k1", "ob:k2", "ob:k3");
    private final String prefix = RedisTestSupport.uniquePrefix("outbox-failover");
    private final HttpClient http = HttpClient.newHttpClient();
    private OutboxDatabase db;
    private Path dir;
    private final List<Process> processes = new ArrayList<>();
    private TestNode node;

    @BeforeEach
    void start() throws Exception {
        RedisTestSupport.requireLocalRedis();
        db = OutboxDatabase.create("outbox_failover");
        dir = Files.createTempDirectory("herald-outbox");
    }

    @AfterEach
    void stop() throws SQLException {
        processes.forEach(Process::destroyForcibly);
        if (node != null) {
            node.close();
        }
        db.close();
        RedisTestSupport.deleteKeys(RedisTestSupport.URL, prefix);
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // a leftover temp folder is harmless
        }
    }

    /** An in-process node on the shared Redis; it reads the outbox too when {@code outbox} is true. */
    private TestNode inProcessNode(boolean outbox) throws InterruptedException {
        TestNode.Builder b = TestNode.builder()
                .namespace("ob", TestNode.ns(1000, Duration.ofMinutes(5), false, false, false, false))
                .engine(() -> RedisEngine.create(RedisTestSupport.config(prefix)));
        if (outbox) {
            b.outbox(db.config(Duration.ofMillis(200)));
        }
        return b.start();
    }

    /** {@code herald serve} in a child JVM reading the outbox, in a folder of its own. */
    private ChildNode childNode(String name) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        ChildNode child = ChildNode.start(home, """
                host: 127.0.0.1
                port: 0
                api_key: %s
                jwt: {hmac_secret: %s}
                engine: redis
                redis: {url: "%s", prefix: %s}
                namespaces:
                  ob: {history_size: 1000, history_ttl: 5m}
                """.formatted(TestNode.API_KEY, TestNode.SECRET, RedisTestSupport.URL, prefix)
                + db.yaml("200ms", 50), null);
        processes.add(child.process());
        return child;
    }

    @Test
    void aReaderKilledMidwayAndRestartedLeavesEveryCommittedRowDeliveredExactlyOnceInOrder() throws Exception {
        node = inProcessNode(false);
        List<WsClient> subscribers = List.of(subscriber(), subscriber());
        ChildNode reader = childNode("a");
        CompletableFuture<Map<String, List<Integer>>> writes = CompletableFuture.supplyAsync(this::write);
        Map<String, List<Integer>> before = OutboxTest.receive(subscribers.get(0), 600, Duration.ofSeconds(30));

        reader.process().destroyForcibly().waitFor();
        int delivered = before.values().stream().mapToInt(List::size).sum();
        long pendingAtKill = db.pending();
        ChildNode restarted = childNode("a");
        Map<String, List<Integer>> expected = writes.get();
        assertThat(pendingAtKill + delivered).as("rows were left to the restarted node").isLessThan(ROWS);

        Map<String, List<Integer>> rest = OutboxTest.receive(subscribers.get(0), ROWS - delivered, Duration.ofSeconds(60));
        before.forEach((ch, list) -> rest.computeIfAbsent(ch, k -> new ArrayList<>()).addAll(0, list));
        assertThat(rest).isEqualTo(expected);
        assertThat(OutboxTest.receive(subscribers.get(1), ROWS, Duration.ofSeconds(30))).isEqualTo(expected);
        for (WsClient c : subscribers) {
            c.expectNothingPending();
        }
        Await.until(Duration.ofSeconds(10), "the table is empty", () -> db.pending() == 0);
        assertThat(metric(restarted.port(), "herald_outbox_lock_held")).isEqualTo(1);
    }

    @Test
    void whenTheLockHolderIsKilledTheWaitingNodeTakesOverAndEveryRowArrivesExactlyOnceInOrder() throws Exception {
        ChildNode holder = childNode("holder");
        Await.until(Duration.ofSeconds(10), "the child node holds the lock",
                () -> metric(holder.port(), "herald_outbox_lock_held") == 1);
        node = inProcessNode(true);
        List<WsClient> subscribers = List.of(subscriber(), subscriber());
        CompletableFuture<Map<String, List<Integer>>> writes = CompletableFuture.supplyAsync(this::write);
        Map<String, List<Integer>> before = OutboxTest.receive(subscribers.get(0), 600, Duration.ofSeconds(30));
        // the waiting node has tried the lock every 200 ms and never got it
        assertThat(node.metric("herald_outbox_lock_held")).isZero();
        assertThat(node.metric("herald_outbox_published_total")).isZero();
        assertThat(metric(holder.port(), "herald_outbox_lock_held")).isEqualTo(1);

        holder.process().destroyForcibly().waitFor();
        int delivered = before.values().stream().mapToInt(List::size).sum();
        Await.until(Duration.ofSeconds(10), "the waiting node takes the lock", () -> node.metric("herald_outbox_lock_held") == 1);
        Map<String, List<Integer>> expected = writes.get();

        Map<String, List<Integer>> rest = OutboxTest.receive(subscribers.get(0), ROWS - delivered, Duration.ofSeconds(60));
        before.forEach((ch, list) -> rest.computeIfAbsent(ch, k -> new ArrayList<>()).addAll(0, list));
        assertThat(rest).isEqualTo(expected);
        assertThat(OutboxTest.receive(subscribers.get(1), ROWS, Duration.ofSeconds(30))).isEqualTo(expected);
        for (WsClient c : subscribers) {
            c.expectNothingPending();
        }
        Await.until(Duration.ofSeconds(10), "the table is empty", () -> db.pending() == 0);
        assertThat(node.metric("herald_outbox_published_total")).isPositive().isLessThan(ROWS);
    }

    private WsClient subscriber() {
        WsClient c = node.connectAs("reader", "ob:*");
        for (String ch : CHANNELS) {
            assertThat(c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}").path("type").asText())
                    .isEqualTo("subscribed");
        }
        return c;
    }

    /**
     * Inserts {@link #ROWS} rows over the channels in committed transactions of 10, about 2,000 rows
     * a second, so the readers are still busy when one is killed; returns each channel's sequence.
     */
    private Map<String, List<Integer>> write() {
        Map<String, List<Integer>> done = new HashMap<>();
        try (Connection c = OutboxDatabase.connect(); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO " + db.table + " (channel, type, data) VALUES (?, 'evt', ?::jsonb)")) {
            c.setAutoCommit(false);
            for (int s = 1; s <= ROWS; s++) {
                String ch = CHANNELS.get(s % CHANNELS.size());
                insert.setString(1, ch);
                insert.setString(2, "{\"s\":" + s + "}");
                insert.addBatch();
                done.computeIfAbsent(ch, k -> new ArrayList<>()).add(s);
                if (s % 10 == 0) {
                    insert.executeBatch();
                    c.commit();
                    Await.sleep(5);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return done;
    }

    /** One sample of a node's {@code /metrics}, by port. */
    private double metric(int port, String selector) {
        try {
            HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return TestNode.Metrics.value(res.body(), selector);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
