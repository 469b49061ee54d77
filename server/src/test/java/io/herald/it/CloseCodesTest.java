package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.ClientConfig;
import io.herald.config.LimitsConfig;
import io.herald.engine.redis.RedisEngine;
import io.herald.engine.redis.RedisTestSupport;
import io.herald.protocol.JsonCodec;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The close-code table of the protocol, one test per cause: each cause is produced the way it
 * happens in production against a real node, seen by a real client with its code and
 * {@code reconnect} flag (the {@code disconnect} push and the close frame; an SSE stream has only the
 * push), and counted once, under its own {@code herald_connections_closed_total{reason}} label. Every
 * test has a node of its own, so the close under test is the only one the node counts.
 */
class CloseCodesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** The label values, one per cause plus the client's own close and a dropped connection. */
    static final List<String> REASONS = List.of("shutdown", "bad_request", "internal_error", "unauthorized",
            "slow_consumer", "continuity_lost", "connection_limit", "frame_too_large", "application", "client", "network");
    private static final ClientConfig CLIENT = ClientConfig.DEFAULTS.withCommandLimits(1000, 1_000_000, 1_000_000);
    private static RedisServerProcess redis;

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    /** A Redis of this class's own: the tests kill its connections and corrupt its keys. */
    private static RedisServerProcess redis() throws IOException {
        assumeThat(RedisServerProcess.available()).as("redis-server at " + RedisServerProcess.BINARY).isTrue();
        if (redis == null) {
            redis = RedisServerProcess.launch();
        }
        return redis;
    }

    private static TestNode.Builder node() {
        return TestNode.builder().client(CLIENT);
    }

    private static TestNode redisNode(String prefix) throws IOException, InterruptedException {
        String url = redis().url();
        return node().engine(() -> RedisEngine.create(RedisTestSupport.config(url, prefix))).start();
    }

    private static String token(TestNode node, String user) {
        return node.token(user, List.of("**"), List.of(), List.of());
    }

    /** Closed connections by reason, from a scrape of the node's metrics. */
    private static Map<String, Double> closedByReason(String metrics) {
        Map<String, Double> out = new TreeMap<>();
        String prefix = "herald_connections_closed_total{";
        for (String line : metrics.lines().toList()) {
            if (line.startsWith(prefix)) {
                int at = line.indexOf("reason=\"") + 8;
                out.put(line.substring(at, line.indexOf('"', at)), Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
            }
        }
        return out;
    }

    /** Waits until the node counted one closed connection, and asserts it was counted under {@code reason}. */
    private static void assertClosedOnceAs(java.util.function.Supplier<String> metrics, String reason) {
        Map<String, Double> closed = Await.value(WAIT, "one close counted", () -> closedByReason(metrics.get()),
                m -> m.values().stream().mapToDouble(Double::doubleValue).sum() >= 1);
        assertThat(closed).as("closes by reason").containsEntry(reason, 1.0);
        assertThat(closed.values().stream().mapToDouble(Double::doubleValue).sum()).as("closes counted, %s", closed)
                .isEqualTo(1.0);
    }

    private static void assertClosedOnceAs(TestNode node, String reason) {
        assertClosedOnceAs(node::metricsText, reason);
    }

    /** The {@code disconnect} push with {@code code} and {@code reconnect}, then the close frame with the same code. */
    private static JsonNode assertDisconnect(WsClient c, int code, boolean reconnect) {
        JsonNode d = c.expect("disconnect");
        assertThat(d.get("code").asInt()).as("%s", d).isEqualTo(code);
        assertThat(d.get("reconnect").asBoolean()).as("reconnect of %s", d).isEqualTo(reconnect);
        assertThat(d.get("reason").asText()).as("reason of %s", d).isNotBlank();
        assertThat(c.awaitClose()).as("close code").isEqualTo(code);
        return d;
    }

    @Test
    void everyCloseReasonIsAMetricSeriesFromTheStart() throws Exception {
        try (TestNode node = node().start()) {
            Map<String, Double> closed = closedByReason(node.metricsText());
            assertThat(closed.keySet()).containsExactlyInAnyOrderElementsOf(REASONS);
            assertThat(closed.values()).containsOnly(0.0);
        }
    }

    @Test
    void aNodeShuttingDownClosesWith4000AndReconnect() throws Exception {
        TestNode node = node().drainWindow(Duration.ZERO).start();
        try (WsClient c = node.connectAs("u", "**")) {
            Thread shutdown = Thread.ofVirtual().start(node.server::shutdown);
            assertDisconnect(c, 4000, true);
            shutdown.join(WAIT.toMillis());
            // the node no longer serves /metrics: its registry is read directly (the same text)
            assertClosedOnceAs(() -> node.server.metrics().scrape(), "shutdown");
        } finally {
            node.close();
        }
    }

    @Test
    void noFirstFrameInTimeClosesWith4001() throws Exception {
        try (TestNode node = node().client(CLIENT.withTimeouts(Duration.ofSeconds(25), Duration.ofSeconds(10),
                Duration.ofMillis(300))).start();
             WsClient c = node.connect(null)) {
            assertDisconnect(c, 4001, false);
            assertClosedOnceAs(node, "bad_request");
        }
    }

    @Test
    void aMalformedWebSocketFrameClosesWith4001() throws Exception {
        try (TestNode node = node().start();
             RawWsClient c = RawWsClient.connect(node.port(), "/ws?token=" + token(node, "u"))) {
            assertThat(c.readText()).contains("\"connected\"");
            c.send(0x3, "reserved opcode".getBytes(StandardCharsets.UTF_8));
            RawClose close = readUntilClose(c);
            assertThat(close.disconnect().get("code").asInt()).isEqualTo(4001);
            assertThat(close.disconnect().get("reconnect").asBoolean()).isFalse();
            assertThat(close.code()).isEqualTo(4001);
            assertClosedOnceAs(node, "bad_request");
        }
    }

    /**
     * An engine failure while a stream's channel is being opened leaves its cursor unknown, so the
     * stream cannot start: 4002, reconnect. (On a WebSocket the same failure is an {@code internal}
     * error reply to the command, and the connection stays; what closes a WebSocket with 4002 is a
     * failure inside the server's own code on that connection, which no client input reaches.)
     */
    @Test
    void anEngineFailureOpeningAStreamsChannelClosesItWith4002AndReconnect() throws Exception {
        String prefix = RedisTestSupport.uniquePrefix("close-internal");
        try (TestNode node = redisNode(prefix)) {
            String ch = TestNode.unique("match:");
            // a key of the wrong type: every engine call on the channel fails (WRONGTYPE)
            assertThat(redis().cli("set", prefix + ":{" + ch + "}:s", "not a hash")).contains("OK");
            try (SseClient c = SseClient.open(URI.create("http://127.0.0.1:" + node.port() + "/sse?channel=" + ch
                    + "&token=" + token(node, "u")), Map.of())) {
                JsonNode d = c.expect("disconnect").json();
                assertThat(d.get("code").asInt()).as("%s", d).isEqualTo(4002);
                assertThat(d.get("reconnect").asBoolean()).isTrue();
                c.expectEnd();
                assertClosedOnceAs(node, "internal_error");
            }
        }
    }

    @Test
    void aBadTokenClosesWith4003() throws Exception {
        try (TestNode node = node().start(); WsClient c = node.connect("not-a-jwt")) {
            assertDisconnect(c, 4003, false);
            assertClosedOnceAs(node, "unauthorized");
        }
    }

    @Test
    void aClientThatStopsReadingIsClosedWith4004AndReconnect() throws Exception {
        try (TestNode node = node().client(CLIENT.withQueue(64 * 1024, Duration.ofSeconds(10))).start();
             RawWsClient slow = RawWsClient.connect(node.port(), "/ws?token=" + token(node, "u"), 4096)) {
            String ch = TestNode.unique("firehose");
            assertThat(slow.readText()).contains("\"connected\"");
            slow.sendText("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}");
            assertThat(slow.readText()).contains("\"subscribed\"");
            String pad = "x".repeat(8000);
            // publish until the node closes the client that does not read, then read at once: the
            // disconnect push and the close frame are queued behind what the client did not read
            for (int i = 0; i < 5000 && slowConsumerCloses(node) == 0; i++) {
                node.publish(ch, "tick", "{\"pad\":\"" + pad + "\"}");
            }
            assertThat(slowConsumerCloses(node)).as("closed as a slow consumer").isEqualTo(1);
            RawClose close = readUntilClose(slow);
            assertThat(close.disconnect()).as("disconnect push").isNotNull();
            assertThat(close.disconnect().get("code").asInt()).isEqualTo(4004);
            assertThat(close.disconnect().get("reconnect").asBoolean()).isTrue();
            assertThat(close.code()).isEqualTo(4004);
            assertClosedOnceAs(node, "slow_consumer");
        }
    }

    private static double slowConsumerCloses(TestNode node) {
        return TestNode.Metrics.value(node.server.metrics().scrape(), "herald_slow_consumer_closes_total");
    }

    /**
     * A lost engine connection (Redis pub/sub killed, Lettuce reconnects) means the node may have
     * missed publications; a stream cannot resubscribe, so it ends with 4005 and reconnects with
     * Last-Event-ID.
     */
    @Test
    void aStreamThatLosesContinuityClosesWith4005AndReconnect() throws Exception {
        try (TestNode node = redisNode(RedisTestSupport.uniquePrefix("close-continuity"))) {
            String ch = TestNode.unique("match:");
            try (SseClient c = SseClient.open(URI.create("http://127.0.0.1:" + node.port() + "/sse?channel=" + ch
                    + "&token=" + token(node, "u")), Map.of())) {
                c.expect("connected");
                assertThat(redis().cli("client", "kill", "type", "pubsub")).doesNotContain("ERR");
                JsonNode d = c.expect("disconnect").json();
                assertThat(d.get("code").asInt()).as("%s", d).isEqualTo(4005);
                assertThat(d.get("reconnect").asBoolean()).isTrue();
                c.expectEnd();
                assertClosedOnceAs(node, "continuity_lost");
            }
        }
    }

    @Test
    void aConnectionOverTheLimitClosesWith4008AndReconnect() throws Exception {
        try (TestNode node = node().limits(new LimitsConfig(0, 1, 0, 0)).start();
             WsClient first = node.connectAs("u", "**");
             WsClient second = node.connect(token(node, "u"))) {
            assertDisconnect(second, 4008, true);
            assertClosedOnceAs(node, "connection_limit");
            first.expectNothingPending();
        }
    }

    @Test
    void aFrameOverMaxFrameSizeClosesWith4009AndReconnect() throws Exception {
        try (TestNode node = node().start(); WsClient c = node.connectAs("u", "**")) {
            c.send("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}");
            assertDisconnect(c, 4009, true);
            assertClosedOnceAs(node, "frame_too_large");
        }
    }

    @Test
    void theApplicationsDisconnectClosesWith4010WithoutReconnectByDefault() throws Exception {
        try (TestNode node = node().start(); WsClient c = node.connectAs("u", "**")) {
            TestNode.Reply r = node.api("POST", "/api/disconnect", "{\"user\":\"u\"}");
            assertThat(r.json().get("disconnected").asInt()).as("%s", r).isEqualTo(1);
            JsonNode d = assertDisconnect(c, 4010, false);
            assertThat(d.get("reason").asText()).isEqualTo("disconnected by the server");
            assertClosedOnceAs(node, "application");
        }
    }

    @Test
    void theApplicationsDisconnectCarriesTheReconnectAndReasonItWasGiven() throws Exception {
        try (TestNode node = node().start(); WsClient c = node.connect(token(node, "u"))) {
            String client = c.expect("connected").get("client").asText();
            TestNode.Reply r = node.api("POST", "/api/disconnect",
                    "{\"client\":\"" + client + "\",\"reconnect\":true,\"reason\":\"moved to another region\"}");
            assertThat(r.json().get("disconnected").asInt()).as("%s", r).isEqualTo(1);
            JsonNode d = assertDisconnect(c, 4010, true);
            assertThat(d.get("reason").asText()).isEqualTo("moved to another region");
            assertClosedOnceAs(node, "application");
        }
    }

    @Test
    void theApplicationsDisconnectReachesAStreamWithItsReconnectAndReason() throws Exception {
        try (TestNode node = node().start();
             SseClient c = SseClient.open(URI.create("http://127.0.0.1:" + node.port() + "/sse?channel=match:1&token="
                     + token(node, "u")), Map.of())) {
            c.expect("connected");
            node.api("POST", "/api/disconnect", "{\"user\":\"u\",\"reconnect\":true,\"reason\":\"please come back\"}");
            JsonNode d = c.expect("disconnect").json();
            assertThat(d.get("code").asInt()).isEqualTo(4010);
            assertThat(d.get("reconnect").asBoolean()).isTrue();
            assertThat(d.get("reason").asText()).isEqualTo("please come back");
            c.expectEnd();
            assertClosedOnceAs(node, "application");
        }
    }

    @Test
    void theApplicationsDisconnectRefusesAReconnectThatIsNotABooleanAndAnOverlongReason() throws Exception {
        try (TestNode node = node().start(); WsClient c = node.connectAs("u", "**")) {
            for (String body : List.of("{\"user\":\"u\",\"reconnect\":\"yes\"}", "{\"user\":\"u\",\"reason\":42}",
                    "{\"user\":\"u\",\"reason\":\" \"}", "{\"user\":\"u\",\"reason\":\"" + "é".repeat(62) + "\"}")) {
                TestNode.Reply r = node.api("POST", "/api/disconnect", body);
                assertThat(r.status()).as("%s -> %s", body, r).isEqualTo(400);
                assertThat(r.errorCode()).isEqualTo("bad_request");
            }
            // 123 bytes of UTF-8 is what a close frame carries: accepted, and the client gets it whole
            String longest = "é".repeat(61) + "x";
            TestNode.Reply r = node.api("POST", "/api/disconnect", "{\"user\":\"u\",\"reason\":\"" + longest + "\"}");
            assertThat(r.json().get("disconnected").asInt()).as("%s", r).isEqualTo(1);
            assertThat(c.expect("disconnect").get("reason").asText()).isEqualTo(longest);
            assertThat(c.awaitClose()).isEqualTo(4010);
        }
    }

    @Test
    void aClientsOwnCloseIsCountedAsClient() throws Exception {
        try (TestNode node = node().start();
             RawWsClient c = RawWsClient.connect(node.port(), "/ws?token=" + token(node, "u"))) {
            assertThat(c.readText()).contains("\"connected\"");
            c.send(RawWsClient.CLOSE, new byte[] {0x03, (byte) 0xE8});
            assertThat(readUntilClose(c).code()).as("the server echoes the close").isEqualTo(1000);
            assertClosedOnceAs(node, "client");
        }
    }

    @Test
    void aConnectionThatGoesSilentIsDroppedAndCountedAsNetwork() throws Exception {
        try (TestNode node = node().client(CLIENT.withTimeouts(Duration.ofMillis(300), Duration.ofMillis(300),
                Duration.ofSeconds(10))).start();
             RawWsClient c = RawWsClient.connect(node.port(), "/ws?token=" + token(node, "u"))) {
            // the client never answers the server's pings
            assertThat(c.readText()).contains("\"connected\"");
            assertClosedOnceAs(node, "network");
        }
    }

    @Test
    void aConnectionResetByTheClientIsCountedAsNetwork() throws Exception {
        try (TestNode node = node().start()) {
            RawWsClient c = RawWsClient.connect(node.port(), "/ws?token=" + token(node, "u"));
            assertThat(c.readText()).contains("\"connected\"");
            c.abort();
            assertClosedOnceAs(node, "network");
        }
    }

    /** The last {@code disconnect} push before the server's close frame (null if none), and the close code. */
    private record RawClose(JsonNode disconnect, int code) {
    }

    private static RawClose readUntilClose(RawWsClient c) throws IOException {
        JsonNode disconnect = null;
        c.setReadTimeout((int) WAIT.toMillis());
        try {
            while (true) {
                RawWsClient.Frame f = c.read();
                if (f.opcode() == RawWsClient.TEXT && f.text().contains("\"type\":\"disconnect\"")) {
                    disconnect = JsonCodec.MAPPER.readTree(f.text());
                } else if (f.opcode() == RawWsClient.CLOSE) {
                    return new RawClose(disconnect, f.closeCode());
                }
            }
        } catch (EOFException | SocketException e) {
            return new RawClose(disconnect, -1);
        }
    }
}
