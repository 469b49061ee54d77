package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.config.ClientConfig;
import io.herald.protocol.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConnectTest {
    static TestNode node;

    @BeforeAll
    static void start() throws InterruptedException {
        node = TestNode.builder().client(ClientConfig.DEFAULTS.withCommandLimits(1000, 1_000_000, 1_000_000)
                .withTimeouts(Duration.ofSeconds(25), Duration.ofSeconds(10), Duration.ofSeconds(1))).start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void tokenInUrlConnectsAtOnceWithUserPingAndExpiry() {
        try (WsClient c = node.connect(node.token("42", List.of("match:*"), List.of(), List.of()))) {
            JsonNode connected = c.expect("connected");
            assertThat(connected.get("user").asText()).isEqualTo("42");
            assertThat(connected.get("client").asText()).startsWith("c_");
            assertThat(connected.get("ping").asInt()).isEqualTo(25);
            assertThat(connected.get("expires").asLong()).isGreaterThan(System.currentTimeMillis() / 1000);
            assertThat(connected.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        }
    }

    @Test
    void connectCommandWithTokenIsAnsweredWithTheSameId() {
        try (WsClient c = node.connect(null)) {
            String token = node.token("7", List.of(), List.of(), List.of());
            JsonNode connected = c.call("{\"type\":\"connect\",\"id\":1,\"token\":\"" + token + "\",\"name\":\"dash\",\"version\":\"1.2.0\"}");
            assertThat(connected.get("type").asText()).isEqualTo("connected");
            assertThat(connected.get("id").asInt()).isEqualTo(1);
            assertThat(connected.get("user").asText()).isEqualTo("7");
        }
    }

    @Test
    void secondConnectIsABadRequest() {
        try (WsClient c = node.connectAs("42")) {
            JsonNode err = c.call("{\"type\":\"connect\",\"id\":2,\"token\":\"x\"}");
            assertThat(err.get("type").asText()).isEqualTo("error");
            assertThat(err.get("code").asText()).isEqualTo("bad_request");
            assertThat(err.get("id").asInt()).isEqualTo(2);
            c.expectNothingPending();
        }
    }

    @Test
    void commandBeforeConnectIsRefusedWith4003WhenAnonymousIsNotAllowed() {
        try (WsClient c = node.connect(null)) {
            c.send("{\"type\":\"subscribe\",\"channel\":\"news\"}");
            JsonNode d = c.expect("disconnect");
            assertThat(d.get("code").asInt()).isEqualTo(4003);
            assertThat(d.get("reconnect").asBoolean()).isFalse();
            assertThat(c.awaitClose()).isEqualTo(4003);
        }
    }

    @Test
    void badTokenIsAnsweredAfterTheUpgradeWithDisconnect4003() {
        try (WsClient c = node.connect("not.a.jwt")) {
            JsonNode d = c.expect("disconnect");
            assertThat(d.get("code").asInt()).isEqualTo(4003);
            assertThat(d.get("reason").asText()).contains("token");
            assertThat(c.awaitClose()).isEqualTo(4003);
        }
    }

    @Test
    void expiredTokenIsRefusedWith4003() {
        ObjectNode claims = JsonCodec.MAPPER.createObjectNode().put("sub", "42")
                .put("exp", System.currentTimeMillis() / 1000 - 60);
        try (WsClient c = node.connect(node.token(claims))) {
            JsonNode d = c.expect("disconnect");
            assertThat(d.get("code").asInt()).isEqualTo(4003);
            assertThat(d.get("reason").asText()).isEqualTo("token expired");
            assertThat(c.awaitClose()).isEqualTo(4003);
        }
    }

    @Test
    void unsignedAlgNoneTokenIsRefused() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String payload = b64.encodeToString(("{\"sub\":\"42\",\"exp\":" + (System.currentTimeMillis() / 1000 + 600)
                + ",\"channels\":[\"**\"]}").getBytes(StandardCharsets.UTF_8));
        try (WsClient c = node.connect(header + "." + payload + ".")) {
            assertThat(c.expect("disconnect").get("code").asInt()).isEqualTo(4003);
            assertThat(c.awaitClose()).isEqualTo(4003);
        }
    }

    @Test
    void connectionWithoutAnyFrameIsClosedWith4001AfterTheConnectTimeout() {
        try (WsClient c = node.connect(null)) {
            JsonNode d = c.expect("disconnect");
            assertThat(d.get("code").asInt()).isEqualTo(4001);
            assertThat(c.awaitClose()).isEqualTo(4001);
        }
    }

    @Test
    void subscribeClaimJoinsChannelsAtConnectAndListsThem() {
        node.publish("feed:1", "tick", "1");
        String token = node.token("42", List.of(), List.of(), List.of("feed:1", "feed:2"));
        try (WsClient c = node.connect(token)) {
            JsonNode connected = c.expect("connected");
            JsonNode subs = connected.get("subscriptions");
            assertThat(subs).hasSize(2);
            assertThat(subs.findValuesAsText("channel")).containsExactlyInAnyOrder("feed:1", "feed:2");
            long offset = node.publish("feed:2", "tick", "{\"n\":2}");
            JsonNode pub = c.expect("tick");
            assertThat(pub.get("channel").asText()).isEqualTo("feed:2");
            assertThat(pub.get("offset").asLong()).isEqualTo(offset);
        }
    }

    @Test
    void subscribeClaimEntriesThatBreakTheUserLimitedRuleOrMaxSubscriptionsAreReportedAndTheRestJoined() throws Exception {
        try (TestNode small = TestNode.builder().client(ClientConfig.DEFAULTS.withCommandLimits(3, 1_000_000, 1_000_000)).start()) {
            String token = small.token("42", List.of(), List.of(), List.of("feed:1", "orders#57", "orders#42,57", "bad name",
                    "feed:2", "feed:3", "feed:4"));
            try (WsClient c = small.connect(token)) {
                JsonNode subs = c.expect("connected").get("subscriptions");
                assertThat(subs.findValuesAsText("channel")).containsExactly("feed:1", "orders#42,57", "feed:2",
                        "orders#57", "bad name", "feed:3", "feed:4");
                assertThat(subs.get(0).has("error")).isFalse();
                assertThat(subs.get(1).has("error")).isFalse();
                assertThat(subs.get(2).has("error")).isFalse();
                assertThat(subs.get(3).get("error").get("code").asText()).isEqualTo("permission_denied");
                assertThat(subs.get(4).get("error").get("code").asText()).isEqualTo("bad_request");
                assertThat(subs.get(5).get("error").get("code").asText()).isEqualTo("limit_exceeded");
                assertThat(subs.get(6).get("error").get("code").asText()).isEqualTo("limit_exceeded");
                // the connection goes on, at its limit: one more subscribe is refused too
                JsonNode more = c.call("{\"type\":\"subscribe\",\"channel\":\"feed:9\"}");
                assertThat(more.get("code").asText()).isEqualTo("limit_exceeded");
                small.publish("orders#42,57", "o", "1");
                assertThat(c.expect("o").get("channel").asText()).isEqualTo("orders#42,57");
            }
        }
    }

    @Test
    void publishedCarriesTheEpochAndPresenceCountsUsers() throws Exception {
        String ch = TestNode.unique("room:");
        try (TestNode n = TestNode.builder().namespace("room", TestNode.ns(10, java.time.Duration.ofMinutes(1), true,
                false, false, false)).start();
             WsClient a = n.connect(n.token("ada", List.of("room:*"), List.of("room:*"), List.of()));
             WsClient a2 = n.connect(n.token("ada", List.of("room:*"), List.of(), List.of()));
             WsClient b = n.connect(n.token("bob", List.of("room:*"), List.of(), List.of()))) {
            String epoch = null;
            for (WsClient c : List.of(a, a2, b)) {
                c.expect("connected");
                epoch = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}").get("epoch").asText();
            }
            JsonNode published = a.call("{\"type\":\"publish\",\"channel\":\"" + ch + "\",\"event\":\"m\",\"data\":1}");
            assertThat(published.get("type").asText()).isEqualTo("published");
            assertThat(published.get("epoch").asText()).isEqualTo(epoch);
            b.expect("m");
            JsonNode presence = b.call("{\"type\":\"presence\",\"channel\":\"" + ch + "\"}");
            assertThat(presence.get("clients")).hasSize(3);
            assertThat(presence.get("users").asInt()).isEqualTo(2);
        }
    }

    @Test
    void connectWithSinceRecoversTheTokensChannels() {
        String channel = "feed:recover" + System.nanoTime();
        String token = node.token("42", List.of(), List.of(), List.of(channel));
        String epoch;
        long offset;
        try (WsClient c = node.connect(token)) {
            JsonNode sub = c.expect("connected").get("subscriptions").get(0);
            epoch = sub.get("epoch").asText();
            offset = sub.get("offset").asLong();
        }
        node.publish(channel, "tick", "1");
        node.publish(channel, "tick", "2");
        try (WsClient c = node.connect(null)) {
            c.send("{\"type\":\"connect\",\"id\":1,\"token\":\"" + token + "\",\"since\":{\"" + channel
                    + "\":{\"offset\":" + offset + ",\"epoch\":\"" + epoch + "\"}}}");
            JsonNode sub = c.expect("connected").get("subscriptions").get(0);
            assertThat(sub.get("recovered").asBoolean()).isTrue();
            assertThat(sub.get("offset").asLong()).isEqualTo(offset + 2);
            assertThat(c.expect("tick").get("data").asInt()).isEqualTo(1);
            assertThat(c.expect("tick").get("data").asInt()).isEqualTo(2);
            c.expectNothingPending();
        }
    }
}
