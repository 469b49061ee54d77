package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.config.JwtConfig;
import io.herald.protocol.JsonCodec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CommandsTest {
    static TestNode node;

    @BeforeAll
    static void start() throws InterruptedException {
        JwtConfig jwt = new JwtConfig(TestNode.SECRET, null, null, null, null, null, false,
                Duration.ZERO, Duration.ofSeconds(30), Duration.ofMinutes(5));
        node = TestNode.builder()
                .jwt(jwt)
                .namespace("room", TestNode.ns(100, Duration.ofMinutes(5), true, true, false, false))
                .namespace("quiet", TestNode.ns(0, Duration.ofMinutes(5), false, false, false, false))
                .namespace("chat", TestNode.ns(100, Duration.ofMinutes(5), false, false, false, true))
                .start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    @Test
    void pingEchoesTheClientsTimestampOrGivesTheServersTime() {
        try (WsClient c = node.connectAs("42")) {
            JsonNode echoed = c.call("{\"type\":\"ping\",\"id\":1,\"timestamp\":\"t-123\"}");
            assertThat(echoed.get("type").asText()).isEqualTo("pong");
            assertThat(echoed.get("id").asInt()).isEqualTo(1);
            assertThat(echoed.get("timestamp").asText()).isEqualTo("t-123");
            JsonNode server = c.call("{\"type\":\"ping\"}");
            assertThat(server.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        }
    }

    @Test
    void clientPublishWithAPublishClaimReachesSubscribersWithTheUser() {
        String ch = TestNode.unique("match:");
        String token = node.token("42", List.of("match:*"), List.of("match:*"), List.of());
        try (WsClient pub = node.connect(token); WsClient sub = node.connectAs("7", "match:*")) {
            pub.expect("connected");
            sub.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}");
            pub.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}");
            pub.send("{\"type\":\"publish\",\"id\":5,\"channel\":\"" + ch + "\",\"event\":\"score_update\",\"data\":{\"home\":2}}");
            List<JsonNode> frames = pub.until("published");
            JsonNode published = frames.getLast();
            assertThat(published.get("id").asInt()).isEqualTo(5);
            assertThat(published.get("offset").asLong()).isEqualTo(1);
            JsonNode own = frames.size() > 1 ? frames.getFirst() : pub.expect("score_update");
            assertThat(own.get("user").asText()).isEqualTo("42");
            JsonNode got = sub.expect("score_update");
            assertThat(got.get("user").asText()).isEqualTo("42");
            assertThat(got.get("data").get("home").asInt()).isEqualTo(2);
        }
    }

    @Test
    void clientPublishWithoutPermissionIsDenied() {
        try (WsClient c = node.connectAs("42", "match:*")) {
            JsonNode err = c.call("{\"type\":\"publish\",\"id\":2,\"channel\":\"match:1\",\"event\":\"goal\",\"data\":{}}");
            assertThat(err.get("code").asText()).isEqualTo("permission_denied");
            assertThat(err.get("id").asInt()).isEqualTo(2);
        }
    }

    @Test
    void clientPublishNamespaceAllowsOnlyClientEventsFromThoseWhoMaySubscribe() {
        String ch = TestNode.unique("chat:");
        try (WsClient member = node.connectAs("42", "chat:*"); WsClient outsider = node.connectAs("57")) {
            member.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}");
            member.send("{\"type\":\"publish\",\"channel\":\"" + ch + "\",\"event\":\"client-typing\",\"data\":true}");
            List<JsonNode> frames = member.until("published");
            assertThat(frames.getLast().get("offset").asLong()).isEqualTo(1);
            if (frames.size() == 1) {
                member.expect("client-typing");
            }
            JsonNode wrongEvent = member.call("{\"type\":\"publish\",\"channel\":\"" + ch + "\",\"event\":\"typing\",\"data\":true}");
            assertThat(wrongEvent.get("code").asText()).isEqualTo("permission_denied");
            JsonNode notAllowed = outsider.call("{\"type\":\"publish\",\"channel\":\"" + ch + "\",\"event\":\"client-typing\",\"data\":true}");
            assertThat(notAllowed.get("code").asText()).isEqualTo("permission_denied");
        }
    }

    @Test
    void reservedEventNameIsABadRequest() {
        String token = node.token("42", List.of(), List.of("**"), List.of());
        try (WsClient c = node.connect(token)) {
            c.expect("connected");
            for (String event : List.of("subscribed", "disconnect", "$meta")) {
                JsonNode err = c.call("{\"type\":\"publish\",\"channel\":\"x\",\"event\":\"" + event + "\",\"data\":1}");
                assertThat(err.get("code").asText()).as(event).isEqualTo("bad_request");
            }
        }
    }

    @Test
    void presenceListsSubscribersWithInfoAndJoinLeaveArePushed() {
        String ch = TestNode.unique("room:");
        ObjectNode info = JsonCodec.MAPPER.createObjectNode().put("name", "Ada");
        String adaToken = node.issuer.issue("1", List.of("room:*"), List.of(), List.of(), info, Duration.ofHours(1));
        try (WsClient bob = node.connectAs("2", "room:*")) {
            bob.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}");
            assertThat(bob.expect("join").get("user").asText()).isEqualTo("2");
            String adaClient;
            try (WsClient ada = node.connect(adaToken)) {
                adaClient = ada.expect("connected").get("client").asText();
                ada.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}");
                JsonNode join = bob.expect("join");
                assertThat(join.get("channel").asText()).isEqualTo(ch);
                assertThat(join.get("client").asText()).isEqualTo(adaClient);
                assertThat(join.get("info").get("name").asText()).isEqualTo("Ada");
                JsonNode presence = bob.call("{\"type\":\"presence\",\"channel\":\"" + ch + "\",\"id\":4}");
                assertThat(presence.get("id").asInt()).isEqualTo(4);
                assertThat(presence.get("clients").findValuesAsText("user")).containsExactlyInAnyOrder("1", "2");
            }
            JsonNode leave = bob.expect("leave");
            assertThat(leave.get("client").asText()).isEqualTo(adaClient);
            assertThat(bob.call("{\"type\":\"presence\",\"channel\":\"" + ch + "\"}").get("clients").findValuesAsText("user"))
                    .containsExactly("2");
        }
    }

    @Test
    void presenceAndHistoryNeedTheNamespaceToHaveThem() {
        try (WsClient c = node.connectAs("42", "quiet:*", "match:*")) {
            assertThat(c.call("{\"type\":\"presence\",\"channel\":\"match:1\"}").get("code").asText()).isEqualTo("not_available");
            assertThat(c.call("{\"type\":\"history\",\"channel\":\"quiet:1\"}").get("code").asText()).isEqualTo("not_available");
        }
    }

    @Test
    void presenceAndHistoryNeedSubscribePermission() {
        try (WsClient c = node.connectAs("42")) {
            assertThat(c.call("{\"type\":\"presence\",\"channel\":\"room:1\"}").get("code").asText()).isEqualTo("permission_denied");
            assertThat(c.call("{\"type\":\"history\",\"channel\":\"match:1\"}").get("code").asText()).isEqualTo("permission_denied");
        }
    }

    @Test
    void historyReturnsTheLatestOrThoseAfterSinceInAscendingOrder() {
        String ch = TestNode.unique("match:");
        for (int i = 1; i <= 5; i++) {
            node.publish(ch, "tick", String.valueOf(i));
        }
        try (WsClient c = node.connectAs("42", "match:*")) {
            JsonNode latest = c.call("{\"type\":\"history\",\"id\":1,\"channel\":\"" + ch + "\",\"limit\":2}");
            assertThat(latest.get("publications").findValuesAsText("offset")).containsExactly("4", "5");
            assertThat(latest.get("offset").asLong()).isEqualTo(5);
            assertThat(latest.get("recovered").asBoolean()).isTrue();
            String epoch = latest.get("epoch").asText();
            JsonNode after = c.call("{\"type\":\"history\",\"channel\":\"" + ch + "\",\"since\":{\"offset\":1,\"epoch\":\""
                    + epoch + "\"},\"limit\":2}");
            assertThat(after.get("publications").findValuesAsText("offset")).containsExactly("2", "3");
            assertThat(after.get("publications").get(0).get("type").asText()).isEqualTo("tick");
            assertThat(after.get("recovered").asBoolean()).isTrue();
            JsonNode stale = c.call("{\"type\":\"history\",\"channel\":\"" + ch + "\",\"since\":{\"offset\":1,\"epoch\":\"zz\"}}");
            assertThat(stale.get("recovered").asBoolean()).isFalse();
            assertThat(stale.get("publications")).isEmpty();
        }
    }

    @Test
    void refreshWithANewTokenExtendsTheConnection() {
        try (WsClient c = node.connectAs("42", "match:*")) {
            String fresh = node.issuer.issue("42", List.of("match:*"), List.of(), List.of(), null, Duration.ofHours(2));
            JsonNode r = c.call("{\"type\":\"refresh\",\"id\":3,\"token\":\"" + fresh + "\"}");
            assertThat(r.get("type").asText()).isEqualTo("refreshed");
            assertThat(r.get("id").asInt()).isEqualTo(3);
            assertThat(r.get("expires").asLong()).isGreaterThan(System.currentTimeMillis() / 1000 + 3600);
        }
    }

    @Test
    void refreshWithAnotherUsersTokenCloses4003() {
        try (WsClient c = node.connectAs("42")) {
            c.send("{\"type\":\"refresh\",\"token\":\"" + node.token("57", List.of(), List.of(), List.of()) + "\"}");
            assertThat(c.expect("disconnect").get("code").asInt()).isEqualTo(4003);
            assertThat(c.awaitClose()).isEqualTo(4003);
        }
    }

    @Test
    void refreshWithABadTokenIsAnErrorAndTheConnectionStays() {
        try (WsClient c = node.connectAs("42")) {
            JsonNode err = c.call("{\"type\":\"refresh\",\"id\":8,\"token\":\"garbage\"}");
            assertThat(err.get("code").asText()).isEqualTo("unauthorized");
            ObjectNode expired = JsonCodec.MAPPER.createObjectNode().put("sub", "42").put("exp", System.currentTimeMillis() / 1000 - 60);
            JsonNode err2 = c.call("{\"type\":\"refresh\",\"id\":9,\"token\":\"" + node.token(expired) + "\"}");
            assertThat(err2.get("code").asText()).isEqualTo("token_expired");
            c.expectNothingPending();
        }
    }

    @Test
    void refreshThatDropsAChannelPatternEndsThatSubscription() {
        String ch = TestNode.unique("match:");
        try (WsClient c = node.connectAs("42", "match:*", "news")) {
            c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}");
            c.call("{\"type\":\"subscribe\",\"channel\":\"news\"}");
            String narrower = node.token("42", List.of("news"), List.of(), List.of());
            c.send("{\"type\":\"refresh\",\"id\":1,\"token\":\"" + narrower + "\"}");
            assertThat(c.expect("refreshed").get("id").asInt()).isEqualTo(1);
            JsonNode revoked = c.expect("unsubscribed");
            assertThat(revoked.get("channel").asText()).isEqualTo(ch);
            assertThat(revoked.get("reason").asText()).isEqualTo("permission_revoked");
            node.publish(ch, "goal", "{}");
            node.publish("news", "headline", "{}");
            assertThat(c.expect("headline").get("channel").asText()).isEqualTo("news");
        }
    }

    @Test
    void shortLivedTokenGetsRefreshRequiredThenIsClosedAtExpiry() {
        String token = node.issuer.issue("42", List.of(), List.of(), List.of(), null, Duration.ofSeconds(2));
        try (WsClient c = node.connect(token)) {
            long expires = c.expect("connected").get("expires").asLong();
            JsonNode warning = c.expect("refresh_required");
            assertThat(warning.get("expires").asLong()).isEqualTo(expires);
            JsonNode d = c.expect("disconnect");
            assertThat(d.get("code").asInt()).isEqualTo(4003);
            assertThat(d.get("reason").asText()).isEqualTo("token expired");
            assertThat(c.awaitClose()).isEqualTo(4003);
        }
    }

    @Test
    void refreshBeforeExpiryKeepsTheConnectionOpen() {
        String token = node.issuer.issue("42", List.of(), List.of(), List.of(), null, Duration.ofSeconds(2));
        try (WsClient c = node.connect(token)) {
            c.expect("connected");
            c.expect("refresh_required");
            String fresh = node.issuer.issue("42", List.of(), List.of(), List.of(), null, Duration.ofHours(1));
            assertThat(c.call("{\"type\":\"refresh\",\"token\":\"" + fresh + "\"}").get("type").asText()).isEqualTo("refreshed");
            // the old token's close deadline (exp + 0 s grace) passes within these 3.5 s
            assertThatThrownBy(() -> c.closed.get(3500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
            c.expectNothingPending();
        }
    }
}
