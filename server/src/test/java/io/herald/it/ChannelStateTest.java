package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.engine.Engine;
import io.herald.engine.memory.MemoryEngine;
import io.herald.engine.memory.MemoryHistoryStore;
import io.herald.engine.redis.RedisEngine;
import io.herald.engine.redis.RedisTestSupport;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Naming channels does not create state: polling, SSE, subscribing, history and presence on 100,000
 * fresh channel names (20,000 on Redis) leave no stream in the memory engine and no key in Redis, the hub's channel
 * map returns to where it was, and heap used after GC stays near its baseline.
 */
class ChannelStateTest {
    private static final int NAMES = 100_000;
    /**
     * Fewer on Redis, where each name costs a round trip (about 0.5 ms; 100,000 took 20-50 s a case):
     * a key left behind shows with one name as with many, and 6 MiB of headroom over 20,000 names
     * still catches 300 bytes kept per name.
     */
    private static final int REDIS_NAMES = 20_000;
    /** Channels per poll or SSE request: the request line stays under Netty's 4 KiB limit. */
    private static final int PER_REQUEST = 60;
    /** Commands in flight on the WebSocket: below the 256 frames a connection may queue. */
    private static final int PIPELINE = 200;
    /** Far below what 100,000 streams took (about 225 bytes each) before naming stopped creating them. */
    private static final long HEAP_HEADROOM = 6L * 1024 * 1024;
    private static final String REDIS_PREFIX = RedisTestSupport.uniquePrefix("channelstate");

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestNode memoryNode;
    private static MemoryHistoryStore memoryStore;
    private static TestNode redisNode;

    /** One node under test and how many of a set of channel names it holds state for. */
    record Target(String engine, TestNode node, StateCounter state) {
        int names() {
            return "redis".equals(engine) ? REDIS_NAMES : NAMES;
        }

        @Override
        public String toString() {
            return engine;
        }
    }

    @FunctionalInterface
    interface StateCounter {
        long channelsWithState(Set<String> names);
    }

    @FunctionalInterface
    interface Access {
        void run(TestNode node, List<String> names) throws Exception;
    }

    @BeforeAll
    static void start() throws Exception {
        Engine memory = MemoryEngine.create();
        memoryStore = (MemoryHistoryStore) memory.history();
        memoryNode = builder().engine(() -> memory).start();
        RedisTestSupport.requireLocalRedis();
        redisNode = builder().engine(() -> RedisEngine.create(RedisTestSupport.config(REDIS_PREFIX))).start();
    }

    private static TestNode.Builder builder() {
        return TestNode.builder().namespace("fresh", TestNode.ns(100, Duration.ofMinutes(5), true, false, false, false));
    }

    @AfterAll
    static void stop() {
        if (memoryNode != null) {
            memoryNode.close();
        }
        if (redisNode != null) {
            redisNode.close();
        }
        RedisTestSupport.deleteKeys(RedisTestSupport.URL, REDIS_PREFIX);
    }

    static Stream<Arguments> cases() {
        Target memory = new Target("memory", memoryNode, names -> memoryStore.streamCount());
        Target redis = new Target("redis", redisNode, ChannelStateTest::redisChannelsWithKeys);
        List<Arguments> out = new ArrayList<>();
        for (Target t : List.of(memory, redis)) {
            out.add(Arguments.of(t, "polling", (Access) ChannelStateTest::poll));
            out.add(Arguments.of(t, "SSE", (Access) ChannelStateTest::sse));
            out.add(Arguments.of(t, "subscribing", (Access) ChannelStateTest::subscribe));
            out.add(Arguments.of(t, "history", (Access) ChannelStateTest::history));
            out.add(Arguments.of(t, "presence", (Access) ChannelStateTest::presence));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1} on 100,000 fresh channels stores nothing")
    @MethodSource("cases")
    void namingFreshChannelsStoresNothingAndHeapStaysNearItsBaseline(Target target, String how, Access access)
            throws Exception {
        TestNode node = target.node();
        access.run(node, names("warmup", 1_000));
        awaitHubChannels(node, 0);
        long baseline = Heap.afterGc();
        int count = target.names();
        List<String> names = names(how, count);

        access.run(node, names);

        awaitHubChannels(node, 0);
        assertThat(target.state().channelsWithState(new HashSet<>(names)))
                .as("channels with stored state after %s on %d fresh names", how, count).isZero();
        names = null; // the test's own 100,000 names are not the node's
        long used = Heap.afterGc();
        System.out.printf("%s/%s: heap after GC %.1f MiB -> %.1f MiB%n", target, how,
                baseline / 1048576.0, used / 1048576.0);
        assertThat(used).as("heap after GC (baseline %d)", baseline).isLessThan(baseline + HEAP_HEADROOM);
    }

    private static List<String> names(String what, int n) {
        String run = what.replaceAll("[^A-Za-z]", "").substring(0, 3) + UUID.randomUUID().toString().substring(0, 4);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add("fresh:" + run + "-" + i);
        }
        return out;
    }

    private static String token(TestNode node) {
        return node.token("u1", List.of("fresh:*"), List.of(), List.of());
    }

    // ---- the ways of naming a channel ----

    /** {@code /poll} without cursors and with cursors of an epoch the channels never had. */
    private static void poll(TestNode node, List<String> names) throws Exception {
        String token = token(node);
        for (int from = 0; from < names.size(); from += PER_REQUEST) {
            List<String> batch = names.subList(from, Math.min(names.size(), from + PER_REQUEST));
            StringBuilder q = new StringBuilder("timeout=0&token=").append(token);
            batch.forEach(c -> q.append("&channel=").append(c));
            if ((from / PER_REQUEST) % 2 == 1) {
                q.append("&since=").append(String.join(",", batch.stream().map(c -> "zz1:3").toList()));
            }
            HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + node.port() + "/poll?" + q)).timeout(Duration.ofSeconds(30)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        }
    }

    /** {@code /sse}: each stream is read up to its {@code connected} push, then closed. */
    private static void sse(TestNode node, List<String> names) throws Exception {
        String token = token(node);
        for (int from = 0; from < names.size(); from += PER_REQUEST) {
            List<String> batch = names.subList(from, Math.min(names.size(), from + PER_REQUEST));
            StringBuilder q = new StringBuilder("token=").append(token);
            batch.forEach(c -> q.append("&channel=").append(c));
            try (Socket s = new Socket("127.0.0.1", node.port())) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(("GET /sse?" + q + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.contains("\"type\":\"connected\"")) {
                    // headers and chunk sizes
                }
                assertThat(line).as("the connected push").isNotNull();
            }
        }
    }

    /** WebSocket {@code subscribe} then {@code unsubscribe}, pipelined, a batch at a time (max_subscriptions). */
    private static void subscribe(TestNode node, List<String> names) {
        try (WsClient ws = node.connect(token(node))) {
            ws.expect("connected");
            for (int from = 0; from < names.size(); from += PIPELINE) {
                List<String> batch = names.subList(from, Math.min(names.size(), from + PIPELINE));
                pipeline(ws, batch, (id, c) -> "{\"type\":\"subscribe\",\"id\":" + id + ",\"channel\":\"" + c + "\"}", "subscribed");
                pipeline(ws, batch, (id, c) -> "{\"type\":\"unsubscribe\",\"id\":" + id + ",\"channel\":\"" + c + "\"}", "unsubscribed");
            }
        }
    }

    /** WebSocket {@code history}, without {@code since} and with one of an epoch the channels never had. */
    private static void history(TestNode node, List<String> names) {
        try (WsClient ws = node.connect(token(node))) {
            ws.expect("connected");
            pipeline(ws, names, (id, c) -> id % 2 == 0
                    ? "{\"type\":\"history\",\"id\":" + id + ",\"channel\":\"" + c + "\"}"
                    : "{\"type\":\"history\",\"id\":" + id + ",\"channel\":\"" + c + "\",\"since\":{\"offset\":3,\"epoch\":\"zz1\"}}",
                    "history");
        }
    }

    private static void presence(TestNode node, List<String> names) {
        try (WsClient ws = node.connect(token(node))) {
            ws.expect("connected");
            pipeline(ws, names, (id, c) -> "{\"type\":\"presence\",\"id\":" + id + ",\"channel\":\"" + c + "\"}", "presence");
        }
    }

    @FunctionalInterface
    private interface CommandText {
        String of(long id, String channel);
    }

    private static void pipeline(WsClient ws, List<String> names, CommandText command, String reply) {
        for (int from = 0; from < names.size(); from += PIPELINE) {
            int to = Math.min(names.size(), from + PIPELINE);
            for (int i = from; i < to; i++) {
                ws.send(command.of(i, names.get(i)));
            }
            for (int i = from; i < to; i++) {
                JsonNode n = ws.next();
                assertThat(n.path("type").asText()).as("reply %s", n).isEqualTo(reply);
            }
        }
    }

    // ---- what the node holds ----

    private static void awaitHubChannels(TestNode node, double expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        double v;
        while ((v = node.metric("herald_channels")) != expected) {
            assertThat(System.nanoTime()).as("herald_channels back to %s (now %s)", expected, v).isLessThan(deadline);
            Await.sleep(20);
        }
    }

    /** Channels among {@code names} with any key under the test's prefix. */
    private static long redisChannelsWithKeys(Set<String> names) {
        long n = 0;
        for (String key : RedisTestSupport.keys(RedisTestSupport.URL, REDIS_PREFIX)) {
            int open = key.indexOf('{');
            int close = key.indexOf('}', open + 1);
            if (open > 0 && close > open && names.contains(key.substring(open + 1, close))) {
                n++;
            }
        }
        return n;
    }
}
