package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.engine.redis.RedisEngine;
import io.herald.engine.redis.RedisTestSupport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two Herald nodes in this JVM sharing the local Redis: what one node accepts, the other serves. */
class RedisNodesTest {
    private static final String PREFIX = RedisTestSupport.uniquePrefix("nodes");
    static TestNode a;
    static TestNode b;

    @BeforeAll
    static void start() throws InterruptedException {
        RedisTestSupport.requireLocalRedis();
        a = node();
        b = node();
    }

    static TestNode node() throws InterruptedException {
        return TestNode.builder()
                .namespace("chat", TestNode.ns(100, Duration.ofMinutes(5), true, true, false, false))
                .engine(() -> RedisEngine.create(RedisTestSupport.config(PREFIX)))
                .start();
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
        RedisTestSupport.deleteKeys(RedisTestSupport.URL, PREFIX);
    }

    private static String subscribe(String channel) {
        return "{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"id\":1}";
    }

    @Test
    void aClientOnOneNodeReceivesWhatABackendPublishesOnAnother() {
        String ch = TestNode.unique("match:");
        try (WsClient c = a.connectAs("42", "match:*")) {
            JsonNode s = c.call(subscribe(ch));
            assertThat(s.get("offset").asLong()).isZero();

            long offset = b.publish(ch, "goal", "{\"n\":1}");

            JsonNode p = c.expect("goal");
            assertThat(p.get("offset").asLong()).isEqualTo(offset).isEqualTo(1);
            assertThat(p.get("epoch").asText()).isEqualTo(s.get("epoch").asText());
            assertThat(p.get("data").get("n").asInt()).isEqualTo(1);
            c.expectNothingPending();
        }
    }

    @Test
    void publicationsFromBothNodesReachSubscribersOnBothNodesInOneOrder() {
        String ch = TestNode.unique("match:");
        try (WsClient onA = a.connectAs("1", "match:*"); WsClient onB = b.connectAs("2", "match:*")) {
            onA.call(subscribe(ch));
            onB.call(subscribe(ch));
            for (int i = 0; i < 10; i++) {
                (i % 2 == 0 ? a : b).publish(ch, "tick", "{\"i\":" + i + "}");
            }
            for (WsClient c : List.of(onA, onB)) {
                List<Long> offsets = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    offsets.add(c.expect("tick").get("offset").asLong());
                }
                assertThat(offsets).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
            }
        }
    }

    @Test
    void eachNodeHoldsOneRedisSubscriptionPerChannelWhateverItsNumberOfSubscribers() {
        String ch = TestNode.unique("match:");
        try (WsClient a1 = a.connectAs("1", "match:*"); WsClient a2 = a.connectAs("2", "match:*");
             WsClient a3 = a.connectAs("3", "match:*"); WsClient b1 = b.connectAs("4", "match:*")) {
            for (WsClient c : List.of(a1, a2, a3, b1)) {
                c.call(subscribe(ch));
            }
            assertThat(redisSubscribers(ch)).as("Redis subscribers of the channel").isEqualTo(2);
            a1.call("{\"type\":\"unsubscribe\",\"channel\":\"" + ch + "\"}");
            b1.call("{\"type\":\"unsubscribe\",\"channel\":\"" + ch + "\"}");
            Await.until(Duration.ofSeconds(5), "node B's subscription ends", () -> redisSubscribers(ch) == 1);
        }
    }

    /** PUBSUB NUMSUB of the channel's fan-out channel on the local Redis. */
    private static long redisSubscribers(String channel) {
        String fanout = PREFIX + ":{" + channel + "}:f";
        try {
            Process p = new ProcessBuilder("redis-cli", "-h", "127.0.0.1", "-p", "6379", "pubsub", "numsub", fanout)
                    .redirectErrorStream(true).start();
            List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
            p.waitFor();
            return Long.parseLong(lines.getLast().trim());
        } catch (Exception e) {
            throw new AssertionError("redis-cli pubsub numsub failed", e);
        }
    }

    @Test
    void aClientThatReconnectsToAnotherNodeRecoversExactlyWhatItMissed() {
        String ch = TestNode.unique("match:");
        String epoch;
        try (WsClient c = a.connectAs("42", "match:*")) {
            epoch = c.call(subscribe(ch)).get("epoch").asText();
            a.publish(ch, "goal", "{\"n\":1}");
            assertThat(c.expect("goal").get("offset").asLong()).isEqualTo(1);
        }
        b.publish(ch, "goal", "{\"n\":2}");
        a.publish(ch, "goal", "{\"n\":3}");

        try (WsClient c = b.connectAs("42", "match:*")) {
            JsonNode s = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\",\"since\":{\"offset\":1,\"epoch\":\""
                    + epoch + "\"}}");
            assertThat(s.get("recovered").asBoolean()).isTrue();
            assertThat(s.get("offset").asLong()).isEqualTo(3);
            assertThat(c.expect("goal").get("data").get("n").asInt()).isEqualTo(2);
            assertThat(c.expect("goal").get("data").get("n").asInt()).isEqualTo(3);
            a.publish(ch, "goal", "{\"n\":4}");
            assertThat(c.expect("goal").get("offset").asLong()).isEqualTo(4);
            c.expectNothingPending();
        }
    }

    @Test
    void historyAndIdempotencyKeysAreSharedByTheNodes() {
        String ch = TestNode.unique("match:");
        String body = "{\"channel\":\"" + ch + "\",\"type\":\"order\",\"data\":{},\"idempotency_key\":\"k1\"}";
        TestNode.Reply first = a.api("POST", "/api/publish", body);
        TestNode.Reply again = b.api("POST", "/api/publish", body);

        assertThat(again.json().get("offset").asLong()).isEqualTo(first.json().get("offset").asLong()).isEqualTo(1);
        TestNode.Reply history = b.api("GET", "/api/history/" + ch, null);
        assertThat(history.json().get("publications")).hasSize(1);
        assertThat(history.json().get("epoch").asText()).isEqualTo(first.json().get("epoch").asText());
    }

    @Test
    void presenceIsSharedJoinsCrossNodesAndTwoTabsOfOneUserCountOnce() {
        String ch = TestNode.unique("chat:");
        try (WsClient adaTab1 = a.connectAs("ada", "chat:*");
             WsClient adaTab2 = b.connectAs("ada", "chat:*");
             WsClient bob = b.connectAs("bob", "chat:*")) {
            adaTab1.call(subscribe(ch));
            adaTab1.expect("join");
            adaTab2.call(subscribe(ch));
            JsonNode join = adaTab1.expect("join");
            assertThat(join.get("user").asText()).isEqualTo("ada");
            bob.call(subscribe(ch));
            assertThat(adaTab1.expect("join").get("user").asText()).isEqualTo("bob");

            JsonNode presence = a.api("GET", "/api/presence/" + ch, null).json();
            assertThat(presence.get("clients")).hasSize(3);
            assertThat(presence.get("users").asInt()).isEqualTo(2);

            bob.call("{\"type\":\"unsubscribe\",\"channel\":\"" + ch + "\"}");
            assertThat(adaTab1.expect("leave").get("user").asText()).isEqualTo("bob");
            Await.until(Duration.ofSeconds(5), "bob leaves presence",
                    () -> a.api("GET", "/api/presence/" + ch, null).json().get("clients").size() == 2);
        }
    }

    @Test
    void serverApiCommandsOnOneNodeReachConnectionsOnTheOther() {
        String ch = TestNode.unique("match:");
        try (WsClient c = b.connectAs("carol", "match:*")) {
            TestNode.Reply r = a.api("POST", "/api/subscribe", "{\"user\":\"carol\",\"channel\":\"" + ch + "\"}");
            assertThat(r.status()).isEqualTo(200);
            JsonNode s = c.expect("subscribed");
            assertThat(s.get("channel").asText()).isEqualTo(ch);

            a.api("POST", "/api/disconnect", "{\"user\":\"carol\"}");
            JsonNode d = c.expect("disconnect");
            assertThat(d.get("code").asInt()).isEqualTo(4010);
            assertThat(d.get("reconnect").asBoolean()).isFalse();
            assertThat(d.get("reason").asText()).isEqualTo("disconnected by the server");
            assertThat(c.awaitClose()).isEqualTo(4010);
        }
    }

    @Test
    void aDisconnectOnOneNodeClosesTheOthersClientsWithItsReconnectAndReason() {
        try (WsClient onA = a.connectAs("erin", "match:*"); WsClient onB = b.connectAs("erin", "match:*")) {
            TestNode.Reply r = a.api("POST", "/api/disconnect",
                    "{\"user\":\"erin\",\"reconnect\":true,\"reason\":\"node maintenance, come back\"}");
            assertThat(r.json().get("disconnected").asInt()).as("connections on the node that was asked").isEqualTo(1);
            for (WsClient c : List.of(onA, onB)) {
                JsonNode d = c.expect("disconnect");
                assertThat(d.get("code").asInt()).isEqualTo(4010);
                assertThat(d.get("reconnect").asBoolean()).as("reconnect of %s", d).isTrue();
                assertThat(d.get("reason").asText()).isEqualTo("node maintenance, come back");
                assertThat(c.awaitClose()).isEqualTo(4010);
            }
        }
    }

    @Test
    void apiInfoListsEveryLiveNodeWithItsConnections() {
        try (WsClient c = b.connectAs("dave", "match:*")) {
            JsonNode info = Await.value(Duration.ofSeconds(5), "both nodes are listed",
                    () -> a.api("GET", "/api/info", null).json(),
                    j -> j.get("nodes").size() >= 2 && nodeConnections(j, b.server.nodeId()) >= 1);
            assertThat(info.get("engine").asText()).isEqualTo("redis");
            assertThat(info.get("node").asText()).isEqualTo(a.server.nodeId());
            List<String> ids = new ArrayList<>();
            info.get("nodes").forEach(n -> ids.add(n.get("node").asText()));
            assertThat(ids).contains(a.server.nodeId(), b.server.nodeId());
            c.expectNothingPending();
        }
    }

    private static long nodeConnections(JsonNode info, String id) {
        for (JsonNode n : info.get("nodes")) {
            if (n.get("node").asText().equals(id)) {
                return n.get("connections").asLong();
            }
        }
        return -1;
    }

    @Test
    void aStoppedNodeDropsOutOfApiInfo() throws InterruptedException {
        TestNode c = node();
        String id = c.server.nodeId();
        Await.until(Duration.ofSeconds(5), "the third node is listed",
                () -> a.api("GET", "/api/info", null).json().toString().contains(id));
        c.close();
        Await.until(Duration.ofSeconds(10), "the third node is gone",
                () -> !a.api("GET", "/api/info", null).json().toString().contains(id));
    }
}
