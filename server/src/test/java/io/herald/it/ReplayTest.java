package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.ClientConfig;
import io.herald.engine.redis.RedisEngine;
import io.herald.engine.redis.RedisTestSupport;
import io.herald.protocol.JsonCodec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Recovery replays far larger than {@code max_queue_bytes}: the replay is paced by the socket, so a
 * client that reads gets every missed publication once and in order, then the live ones that came
 * during the replay, and is not closed; a client that stops reading mid-replay is still closed as a
 * slow consumer within {@code write_timeout}, with the node's memory bounded.
 */
class ReplayTest {
    private static final int KB100 = 100 * 1024;
    private static final String PAD = "x".repeat(KB100);

    private static TestNode.Builder bigHistory() {
        return TestNode.builder().namespace("big", TestNode.ns(1000, Duration.ofMinutes(10), false, false, false, false));
    }

    /** Publishes a first, small publication and returns where the channel then stands: {offset, epoch}. */
    private static JsonNode position(TestNode node, String channel) {
        TestNode.Reply r = node.api("POST", "/api/publish", "{\"channel\":\"" + channel + "\",\"type\":\"first\",\"data\":{}}");
        assertThat(r.status()).as("publish %s", r).isEqualTo(200);
        return r.json();
    }

    /** Publishes {@code n} publications of about 100 KB, numbered from {@code first}. */
    private static void publishBig(TestNode node, String channel, int first, int n) {
        for (int i = first; i < first + n; i++) {
            node.publish(channel, "big", "{\"i\":" + i + ",\"pad\":\"" + PAD + "\"}");
        }
    }

    private static String sinceJson(long offset, String epoch) {
        return "{\"offset\":" + offset + ",\"epoch\":\"" + epoch + "\"}";
    }

    /** The next JSON text frame of a raw client (pings answered on the way). */
    private static JsonNode next(RawWsClient c) throws IOException {
        return JsonCodec.MAPPER.readTree(c.readText());
    }

    @Test
    void aWebSocketReaderThatMissedFiftyMebibytesGetsEveryPublicationOnceInOrderThenTheLiveOnes() throws Exception {
        try (TestNode node = bigHistory().start()) {
            // 30 live ones of 100 KB: more than a subscription holds behind its replay (max_queue_bytes),
            // so the replay reads them from history
            replayOverWebSocket(node, 500, 30, PAD);
        }
    }

    @Test
    void aWebSocketReaderOnTheRedisEngineThatMissedTenMebibytesGetsEveryPublicationOnceInOrderThenTheLiveOnes()
            throws Exception {
        RedisTestSupport.requireLocalRedis();
        String prefix = RedisTestSupport.uniquePrefix("replay");
        try (TestNode node = bigHistory().engine(() -> RedisEngine.create(RedisTestSupport.config(prefix))).start()) {
            replayOverWebSocket(node, 100, 20, "");
        } finally {
            RedisTestSupport.deleteKeys(RedisTestSupport.URL, prefix);
        }
    }

    /**
     * {@code missed} publications of 100 KB while away, then a resubscribe with {@code since}; the
     * client stops reading for a moment after the first few replayed ones while {@code live} publications
     * (padded with {@code livePad}) are made, so those arrive while the replay is still running.
     */
    private static void replayOverWebSocket(TestNode node, int missed, int live, String livePad) throws Exception {
        String ch = TestNode.unique("big:");
        JsonNode start = position(node, ch);
        long since = start.get("offset").asLong();
        String epoch = start.get("epoch").asText();
        publishBig(node, ch, 1, missed);
        double slowBefore = node.metric("herald_slow_consumer_closes_total");
        try (RawWsClient c = RawWsClient.connect(node.port(),
                "/ws?token=" + node.token("reader", List.of("big:*"), List.of(), List.of()))) {
            c.setReadTimeout(20_000);
            assertThat(next(c).path("type").asText()).isEqualTo("connected");
            long startNanos = System.nanoTime();
            c.sendText("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + ch + "\",\"since\":" + sinceJson(since, epoch) + "}");
            JsonNode subscribed = next(c);
            assertThat(subscribed.path("type").asText()).as("%s", subscribed).isEqualTo("subscribed");
            assertThat(subscribed.path("recovered").asBoolean()).isTrue();
            assertThat(subscribed.path("offset").asLong()).isEqualTo(since + missed);

            List<JsonNode> got = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                got.add(slim(next(c)));
            }
            // not reading now: the replay waits for the socket while these are published
            for (int i = 1; i <= live; i++) {
                node.publish(ch, "live", "{\"i\":" + (missed + i) + ",\"pad\":\"" + livePad + "\"}");
            }
            while (got.size() < missed + live) {
                got.add(slim(next(c)));
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
            assertInOrderOnce(got, since, missed, live);
            System.out.printf("ReplayTest: %s engine, %d x 100 KB replayed over WebSocket then %d live, in %d ms "
                    + "from the subscribe%n", node.config.engine(), missed, live, millis);
            // nothing else is queued, and the connection is still open
            c.sendText("{\"type\":\"ping\",\"id\":99}");
            JsonNode pong = next(c);
            assertThat(pong.path("type").asText()).as("%s", pong).isEqualTo("pong");
            assertThat(node.metric("herald_slow_consumer_closes_total")).isEqualTo(slowBefore);
        }
    }

    /** A publication without its pad (the test keeps what it received). */
    private static JsonNode slim(JsonNode p) {
        if (p.path("data").isObject()) {
            ((com.fasterxml.jackson.databind.node.ObjectNode) p.get("data")).remove("pad");
        }
        return p;
    }

    /** {@code missed} replayed "big" ones then {@code live} "live" ones, offsets since+1 … without a gap or repeat. */
    private static void assertInOrderOnce(List<JsonNode> got, long since, int missed, int live) {
        assertThat(got).hasSize(missed + live);
        for (int k = 0; k < got.size(); k++) {
            JsonNode p = got.get(k);
            int i = k + 1;
            assertThat(p.path("type").asText()).as("frame %d: %s", i, p).isEqualTo(i <= missed ? "big" : "live");
            assertThat(p.path("offset").asLong()).as("frame %d: %s", i, p).isEqualTo(since + i);
            assertThat(p.path("data").path("i").asInt()).as("frame %d: %s", i, p).isEqualTo(i);
        }
    }

    @Test
    void anSseReaderThatMissedFiftyMebibytesGetsEveryPublicationOnceInOrderThenTheLiveOnes() throws Exception {
        int missed = 500;
        try (TestNode node = bigHistory().start()) {
            String ch = TestNode.unique("big:");
            JsonNode start = position(node, ch);
            long since = start.get("offset").asLong();
            String epoch = start.get("epoch").asText();
            publishBig(node, ch, 1, missed);
            URI uri = URI.create("http://127.0.0.1:" + node.port() + "/sse?channel=" + ch + "&token="
                    + node.token("reader", List.of("big:*"), List.of(), List.of()));
            try (SseClient c = SseClient.open(uri, Map.of("Last-Event-ID", epoch + ":" + since))) {
                SseClient.Event connected = c.expect("connected");
                assertThat(connected.json().get("subscriptions").get(0).get("recovered").asBoolean()).isTrue();
                assertThat(connected.id()).isEqualTo(epoch + ":" + since);
                List<JsonNode> got = new ArrayList<>();
                List<String> ids = new ArrayList<>();
                c.pause();
                try {
                    // not reading now: the replay waits for the socket while these are published
                    for (int i = 1; i <= 20; i++) {
                        node.publish(ch, "live", "{\"i\":" + (missed + i) + "}");
                    }
                } finally {
                    c.resume();
                }
                while (got.size() < missed + 20) {
                    SseClient.Event e = c.nextEvent();
                    got.add(slim(e.json()));
                    ids.add(e.id());
                }
                assertInOrderOnce(got, since, missed, 20);
                for (int k = 0; k < ids.size(); k++) {
                    assertThat(ids.get(k)).as("event id after frame %d", k + 1).isEqualTo(epoch + ":" + (since + k + 1));
                }
                assertThat(node.metric("herald_slow_consumer_closes_total")).isZero();
                assertThat(node.metric("herald_connections_transport{transport=\"sse\"}")).isEqualTo(1);
            }
        }
    }

    @Test
    void theTokensSubscribeChannelsRecoveredAtConnectAreReplayedChannelByChannelEachInOrder() throws Exception {
        int missed = 100;
        try (TestNode node = bigHistory().start()) {
            String a = TestNode.unique("big:a");
            String b = TestNode.unique("big:b");
            JsonNode startA = position(node, a);
            JsonNode startB = position(node, b);
            publishBig(node, a, 1, missed);
            publishBig(node, b, 1, missed);
            String token = node.token("reader", List.of("big:*"), List.of(), List.of(a, b));
            try (RawWsClient c = RawWsClient.connect(node.port(), "/ws")) {
                c.setReadTimeout(20_000);
                c.sendText("{\"type\":\"connect\",\"id\":1,\"token\":\"" + token + "\",\"since\":{\"" + a + "\":"
                        + sinceJson(startA.get("offset").asLong(), startA.get("epoch").asText()) + ",\"" + b + "\":"
                        + sinceJson(startB.get("offset").asLong(), startB.get("epoch").asText()) + "}}");
                JsonNode connected = next(c);
                assertThat(connected.path("type").asText()).as("%s", connected).isEqualTo("connected");
                for (JsonNode s : connected.get("subscriptions")) {
                    assertThat(s.path("recovered").asBoolean()).as("%s", s).isTrue();
                }
                List<JsonNode> got = new ArrayList<>();
                while (got.size() < 2 * missed) {
                    got.add(slim(next(c)));
                }
                // all of a's replay, then all of b's
                assertInOrderOnce(got.subList(0, missed), startA.get("offset").asLong(), missed, 0);
                assertThat(got.subList(0, missed)).allSatisfy(p -> assertThat(p.path("channel").asText()).isEqualTo(a));
                assertInOrderOnce(got.subList(missed, 2 * missed), startB.get("offset").asLong(), missed, 0);
                assertThat(got.subList(missed, 2 * missed)).allSatisfy(p -> assertThat(p.path("channel").asText()).isEqualTo(b));
                c.sendText("{\"type\":\"ping\",\"id\":99}");
                assertThat(next(c).path("type").asText()).isEqualTo("pong");
                assertThat(node.metric("herald_slow_consumer_closes_total")).isZero();
            }
        }
    }

    @Test
    void anUnsubscribeDuringTheReplayStopsItAndNothingOfTheChannelFollowsTheReply() throws Exception {
        int missed = 300;
        try (TestNode node = bigHistory().start()) {
            String ch = TestNode.unique("big:");
            JsonNode start = position(node, ch);
            long since = start.get("offset").asLong();
            publishBig(node, ch, 1, missed);
            try (RawWsClient c = RawWsClient.connect(node.port(),
                    "/ws?token=" + node.token("reader", List.of("big:*"), List.of(), List.of()))) {
                c.setReadTimeout(20_000);
                assertThat(next(c).path("type").asText()).isEqualTo("connected");
                c.sendText("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + ch + "\",\"since\":"
                        + sinceJson(since, start.get("epoch").asText()) + "}");
                assertThat(next(c).path("recovered").asBoolean()).isTrue();
                for (int i = 1; i <= 5; i++) {
                    assertThat(next(c).path("offset").asLong()).isEqualTo(since + i);
                }
                c.sendText("{\"type\":\"unsubscribe\",\"id\":2,\"channel\":\"" + ch + "\"}");
                long last = since + 5;
                JsonNode n;
                while (!(n = slim(next(c))).path("type").asText().equals("unsubscribed")) {
                    assertThat(n.path("offset").asLong()).as("%s", n).isEqualTo(++last);
                }
                assertThat(n.path("id").asInt()).isEqualTo(2);
                assertThat(last).as("the replay stopped before its end").isLessThan(since + missed);
                c.sendText("{\"type\":\"ping\",\"id\":99}");
                assertThat(next(c).path("type").asText()).as("nothing after the unsubscribe's reply").isEqualTo("pong");
                assertThat(node.metric("herald_subscriptions")).isZero();
            }
        }
    }

    @Test
    void aReplayWhoseRestIsTrimmedFromHistoryMeanwhileEndsWithInsufficientStateAndResubscribe() throws Exception {
        try (TestNode node = TestNode.builder()
                .namespace("small", TestNode.ns(200, Duration.ofMinutes(10), false, false, false, false)).start()) {
            String ch = TestNode.unique("small:");
            JsonNode start = position(node, ch);
            long since = start.get("offset").asLong();
            String epoch = start.get("epoch").asText();
            publishBig(node, ch, 1, 199); // history holds exactly what the client missed
            try (RawWsClient c = RawWsClient.connect(node.port(),
                    "/ws?token=" + node.token("reader", List.of("small:*"), List.of(), List.of()), 64 * 1024)) {
                c.setReadTimeout(20_000);
                assertThat(next(c).path("type").asText()).isEqualTo("connected");
                c.sendText("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + ch + "\",\"since\":" + sinceJson(since, epoch) + "}");
                assertThat(next(c).path("recovered").asBoolean()).isTrue();
                long last = since;
                for (int i = 1; i <= 5; i++) {
                    assertThat(next(c).path("offset").asLong()).isEqualTo(++last);
                }
                // while the client does not read, 150 more push the oldest 150 out of history: the replay
                // cannot be completed
                for (int i = 1; i <= 150; i++) {
                    node.publish(ch, "live", "{\"i\":" + (199 + i) + "}");
                }
                JsonNode n;
                while (!(n = slim(next(c))).path("type").asText().equals("unsubscribed")) {
                    assertThat(n.path("offset").asLong()).as("%s", n).isEqualTo(++last);
                }
                assertThat(n.path("reason").asText()).isEqualTo("insufficient_state");
                assertThat(n.path("resubscribe").asBoolean()).isTrue();
                assertThat(last).as("cut before the end of the replay").isLessThan(since + 199);
                // resubscribing from where it stopped: history no longer has it, so the client must refetch
                c.sendText("{\"type\":\"subscribe\",\"id\":2,\"channel\":\"" + ch + "\",\"since\":" + sinceJson(last, epoch) + "}");
                JsonNode again = next(c);
                assertThat(again.path("type").asText()).as("%s", again).isEqualTo("subscribed");
                assertThat(again.path("recovered").asBoolean()).isFalse();
                assertThat(again.path("offset").asLong()).isEqualTo(since + 199 + 150);
            }
        }
    }

    @Test
    void aClientThatStopsReadingMidReplayIsClosedAsASlowConsumerWithinTheWriteTimeoutAndMemoryStaysBounded()
            throws Exception {
        Duration writeTimeout = Duration.ofSeconds(2);
        int missed = 500;
        try (TestNode node = bigHistory()
                .client(ClientConfig.DEFAULTS.withCommandLimits(1000, 1_000_000, 1_000_000)
                        .withQueue(ClientConfig.DEFAULTS.maxQueueBytes(), writeTimeout))
                .start()) {
            String ch = TestNode.unique("big:");
            JsonNode start = position(node, ch);
            long since = start.get("offset").asLong();
            String epoch = start.get("epoch").asText();
            publishBig(node, ch, 1, missed);
            long baseline = heapAfterGc();
            double slowBefore = node.metric("herald_slow_consumer_closes_total");
            long stalled;
            long closedMillis;
            try (RawWsClient c = RawWsClient.connect(node.port(),
                    "/ws?token=" + node.token("sloth", List.of("big:*"), List.of(), List.of()), 64 * 1024)) {
                c.setReadTimeout(20_000);
                assertThat(next(c).path("type").asText()).isEqualTo("connected");
                c.sendText("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + ch + "\",\"since\":" + sinceJson(since, epoch) + "}");
                assertThat(next(c).path("recovered").asBoolean()).isTrue();
                // a good part of the replay is read (more than max_queue_bytes' worth), then reading stops
                for (int i = 1; i <= 200; i++) {
                    JsonNode p = next(c);
                    assertThat(p.path("offset").asLong()).as("replayed %d: %s", i, p.path("type")).isEqualTo(since + i);
                }
                long stoppedNanos = System.nanoTime();
                // live publications while it does not read are held behind the replay, within bounds
                for (int i = 1; i <= 50; i++) {
                    node.publish(ch, "live", "{\"i\":" + (missed + i) + ",\"pad\":\"" + PAD + "\"}");
                }
                stalled = heapAfterGc();
                Await.until(writeTimeout.plusSeconds(8), "the stalled reader is closed as a slow consumer",
                        () -> node.metric("herald_slow_consumer_closes_total") > slowBefore);
                closedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedNanos);
                assertThat(closedMillis).as("closed within write_timeout (plus a sweep and the publishing)")
                        .isLessThan(writeTimeout.toMillis() + 5_000);
                assertThat(c.closedWithin(5_000)).as("the server closed the TCP connection").isTrue();
                Await.until(Duration.ofSeconds(5), "the close is counted as a slow consumer's",
                        () -> node.metric("herald_connections_closed_total{reason=\"slow_consumer\"}") == 1);
            }
            Await.until(Duration.ofSeconds(5), "no connection left", () -> node.metric("herald_connections") == 0);
            Await.value(Duration.ofSeconds(5), "outbound queue drained",
                    () -> node.metric("herald_outbound_queue_bytes"), v -> v < 1024);
            // what is left is the history (the 50 live ones joined it), not the replay's buffers
            long used = heapAfterGc();
            System.out.printf("ReplayTest: stalled reader closed as a slow consumer %d ms after it stopped reading; heap "
                    + "after GC %.1f MiB before the replay, %.1f MiB while stalled, %.1f MiB after the close%n",
                    closedMillis, baseline / 1048576.0, stalled / 1048576.0, used / 1048576.0);
            long bound = baseline + 5L * 1024 * 1024 + 32L * 1024 * 1024;
            assertThat(stalled).as("heap while the reader is stalled").isLessThan(bound);
            assertThat(used).as("heap after the close").isLessThan(bound);
        }
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 2; i++) {
            System.gc();
            Await.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
