package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SubscribeTest {
    static TestNode node;

    @BeforeAll
    static void start() throws InterruptedException {
        node = TestNode.builder()
                .namespace("small", TestNode.ns(3, Duration.ofMinutes(5), false, false, false, false))
                .namespace("open", TestNode.ns(100, Duration.ofMinutes(5), false, false, true, false))
                .start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void subscribeReportsTheChannelsLastOffsetAndEpoch() {
        String ch = TestNode.unique("match:");
        node.publish(ch, "goal", "{}");
        node.publish(ch, "goal", "{}");
        try (WsClient c = node.connectAs("42", "match:*")) {
            JsonNode s = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\",\"id\":1}");
            assertThat(s.get("type").asText()).isEqualTo("subscribed");
            assertThat(s.get("offset").asLong()).isEqualTo(2);
            assertThat(s.get("epoch").asText()).matches("[A-Za-z0-9]{1,16}");
            assertThat(s.has("recovered")).isFalse();
        }
    }

    @Test
    void publicationArrivesWithTheSpecShapeAfterSubscribed() {
        String ch = TestNode.unique("match:");
        try (WsClient c = node.connectAs("42", "match:*")) {
            JsonNode s = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\",\"id\":1}");
            node.publish(ch, "score_update", "{\"home\":1,\"away\":0}");
            JsonNode p = c.expect("score_update");
            assertThat(p.get("channel").asText()).isEqualTo(ch);
            assertThat(p.get("data").get("home").asInt()).isEqualTo(1);
            assertThat(p.get("offset").asLong()).isEqualTo(1);
            assertThat(p.get("epoch").asText()).isEqualTo(s.get("epoch").asText());
            assertThat(p.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(p.has("user")).isFalse();
        }
    }

    @Test
    void unsubscribeStopsDeliveryAndIsConfirmed() {
        String ch = TestNode.unique("match:");
        try (WsClient c = node.connectAs("42", "match:*")) {
            c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}");
            JsonNode u = c.call("{\"type\":\"unsubscribe\",\"channel\":\"" + ch + "\",\"id\":9}");
            assertThat(u.get("type").asText()).isEqualTo("unsubscribed");
            assertThat(u.get("id").asInt()).isEqualTo(9);
            node.publish(ch, "goal", "{}");
            c.expectNothingPending();
        }
    }

    @Test
    void patternStarMatchesOneSegmentOnly() {
        try (WsClient c = node.connectAs("42", "match:*")) {
            assertThat(c.call("{\"type\":\"subscribe\",\"channel\":\"match:1\"}").get("type").asText()).isEqualTo("subscribed");
            JsonNode denied = c.call("{\"type\":\"subscribe\",\"channel\":\"match:1:private\",\"id\":2}");
            assertThat(denied.get("code").asText()).isEqualTo("permission_denied");
            assertThat(c.call("{\"type\":\"subscribe\",\"channel\":\"other:1\"}").get("code").asText())
                    .isEqualTo("permission_denied");
        }
    }

    @Test
    void patternDoubleStarMatchesAcrossSegments() {
        try (WsClient c = node.connectAs("42", "match:**")) {
            assertThat(c.call("{\"type\":\"subscribe\",\"channel\":\"match:1:private\"}").get("type").asText())
                    .isEqualTo("subscribed");
        }
    }

    @Test
    void publicNamespaceNeedsNoPattern() {
        try (WsClient c = node.connectAs("42")) {
            assertThat(c.call("{\"type\":\"subscribe\",\"channel\":\"open:lobby\"}").get("type").asText()).isEqualTo("subscribed");
        }
    }

    @Test
    void userLimitedChannelAdmitsOnlyListedUsersWhateverThePatterns() {
        try (WsClient listed = node.connectAs("42"); WsClient other = node.connectAs("57", "**")) {
            assertThat(listed.call("{\"type\":\"subscribe\",\"channel\":\"orders#42\"}").get("type").asText()).isEqualTo("subscribed");
            assertThat(listed.call("{\"type\":\"subscribe\",\"channel\":\"chat#7,42\"}").get("type").asText()).isEqualTo("subscribed");
            assertThat(other.call("{\"type\":\"subscribe\",\"channel\":\"orders#42\"}").get("code").asText()).isEqualTo("permission_denied");
            assertThat(other.call("{\"type\":\"subscribe\",\"channel\":\"open:x#42\"}").get("code").asText()).isEqualTo("permission_denied");
            node.publish("orders#42", "order_update", "{\"status\":\"cooking\"}");
            assertThat(listed.expect("order_update").get("data").get("status").asText()).isEqualTo("cooking");
            other.expectNothingPending();
        }
    }

    @Test
    void resubscribeWithSinceRecoversExactlyTheMissedPublicationsInOrder() {
        String ch = TestNode.unique("match:");
        try (WsClient c = node.connectAs("42", "match:*")) {
            JsonNode s = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}");
            node.publish(ch, "goal", "1");
            JsonNode first = c.expect("goal");
            c.abort();
            node.publish(ch, "goal", "2");
            node.publish(ch, "goal", "3");
            try (WsClient back = node.connectAs("42", "match:*")) {
                JsonNode r = back.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\",\"since\":{\"offset\":"
                        + first.get("offset").asLong() + ",\"epoch\":\"" + s.get("epoch").asText() + "\"}}");
                assertThat(r.get("recovered").asBoolean()).isTrue();
                assertThat(r.get("offset").asLong()).isEqualTo(3);
                assertThat(back.expect("goal").get("offset").asLong()).isEqualTo(2);
                assertThat(back.expect("goal").get("offset").asLong()).isEqualTo(3);
                node.publish(ch, "goal", "4");
                assertThat(back.expect("goal").get("offset").asLong()).isEqualTo(4);
                back.expectNothingPending();
            }
        }
    }

    @Test
    void resubscribeWithStaleEpochReportsNotRecovered() {
        String ch = TestNode.unique("match:");
        node.publish(ch, "goal", "1");
        try (WsClient c = node.connectAs("42", "match:*")) {
            JsonNode r = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\",\"since\":{\"offset\":0,\"epoch\":\"stale\"}}");
            assertThat(r.get("recovered").asBoolean()).isFalse();
            assertThat(r.get("offset").asLong()).isEqualTo(1);
            c.expectNothingPending();
        }
    }

    @Test
    void resubscribeAfterHistoryWasTrimmedReportsNotRecovered() {
        String ch = TestNode.unique("small:");
        String epoch = node.api("POST", "/api/publish", "{\"channel\":\"" + ch + "\",\"type\":\"t\",\"data\":1}")
                .json().get("epoch").asText();
        for (int i = 2; i <= 6; i++) {
            node.publish(ch, "t", String.valueOf(i));
        }
        try (WsClient c = node.connectAs("42", "small:*")) {
            JsonNode trimmed = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\",\"since\":{\"offset\":1,\"epoch\":\"" + epoch + "\"}}");
            assertThat(trimmed.get("recovered").asBoolean()).isFalse();
            assertThat(trimmed.get("offset").asLong()).isEqualTo(6);
            c.expectNothingPending();
            c.call("{\"type\":\"unsubscribe\",\"channel\":\"" + ch + "\"}");
            JsonNode held = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\",\"since\":{\"offset\":3,\"epoch\":\"" + epoch + "\"}}");
            assertThat(held.get("recovered").asBoolean()).isTrue();
            assertThat(c.expect("t").get("offset").asLong()).isEqualTo(4);
            assertThat(c.expect("t").get("offset").asLong()).isEqualTo(5);
            assertThat(c.expect("t").get("offset").asLong()).isEqualTo(6);
        }
    }

    @Test
    void sinceAheadOfTheChannelReportsNotRecovered() {
        String ch = TestNode.unique("match:");
        String epoch = node.api("POST", "/api/publish", "{\"channel\":\"" + ch + "\",\"type\":\"t\",\"data\":1}")
                .json().get("epoch").asText();
        try (WsClient c = node.connectAs("42", "match:*")) {
            JsonNode r = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\",\"since\":{\"offset\":5,\"epoch\":\"" + epoch + "\"}}");
            assertThat(r.get("recovered").asBoolean()).isFalse();
        }
    }

    /**
     * Publishers run while clients subscribe: each client must see every offset above its
     * subscribed.offset exactly once and in order, and nothing at or below it.
     */
    @Test
    void subscribingDuringAPublishBurstDeliversEveryLaterOffsetOnceInOrder() throws Exception {
        String ch = TestNode.unique("match:");
        int total = 3000;
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> publishers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                publishers.add(pool.submit(() -> {
                    for (int i = 0; i < total / 2; i++) {
                        node.publish(ch, "tick", "{}");
                    }
                }));
            }
            List<WsClient> clients = new ArrayList<>();
            List<Long> starts = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                WsClient c = node.connectAs("u" + i, "match:*");
                clients.add(c);
                starts.add(c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}").get("offset").asLong());
            }
            for (Future<?> f : publishers) {
                f.get();
            }
            for (int i = 0; i < clients.size(); i++) {
                long expected = starts.get(i) + 1;
                while (expected <= total) {
                    JsonNode p = clients.get(i).expect("tick");
                    assertThat(p.get("offset").asLong()).as("client %d", i).isEqualTo(expected);
                    expected++;
                }
                clients.get(i).expectNothingPending();
                clients.get(i).close();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
