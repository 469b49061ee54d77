package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.ClientConfig;
import io.herald.config.JwtConfig;
import io.herald.config.LimitsConfig;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /sse}: the connected event and cursors, live events, Last-Event-ID recovery, heartbeats, refusals. */
class SseTest {
    static TestNode node;

    @BeforeAll
    static void start() throws InterruptedException {
        node = TestNode.builder()
                .namespace("small", TestNode.ns(2, Duration.ofMinutes(5), false, false, false, false))
                .client(ClientConfig.DEFAULTS.withCommandLimits(3, 1_000_000, 1_000_000)
                        .withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(10), Duration.ofSeconds(10)))
                .start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static SseClient sse(TestNode n, String query, Map<String, String> headers) {
        return SseClient.open(URI.create("http://127.0.0.1:" + n.port() + "/sse?" + query), headers);
    }

    static String token(String user, String... channels) {
        return node.token(user, List.of(channels), List.of(), List.of());
    }

    private static String cursor(JsonNode subscription) {
        return subscription.get("epoch").asText() + ":" + subscription.get("offset").asLong();
    }

    @Test
    void streamOpensWithConnectedWhoseIdHoldsTheCursorsOfTheChannelsInOrder() {
        String a = TestNode.unique("match:");
        String b = TestNode.unique("match:");
        node.publish(b, "goal", "{}");
        try (SseClient c = sse(node, "channel=" + a + "&channel=" + b + "&token=" + token("42", "match:*"), Map.of())) {
            assertThat(c.status()).isEqualTo(200);
            assertThat(c.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
            assertThat(c.headers().firstValue("cache-control")).hasValue("no-cache");
            assertThat(c.headers().firstValue("x-accel-buffering")).hasValue("no");
            assertThat(c.headers().firstValue("connection")).as("the stream ends with its connection").hasValue("close");
            SseClient.Event connected = c.expect("connected");
            JsonNode subs = connected.json().get("subscriptions");
            assertThat(connected.json().get("user").asText()).isEqualTo("42");
            assertThat(subs.get(0).get("channel").asText()).isEqualTo(a);
            assertThat(subs.get(1).get("offset").asLong()).isEqualTo(1);
            assertThat(connected.id()).isEqualTo(cursor(subs.get(0)) + "," + cursor(subs.get(1)));
        }
    }

    @Test
    void aStreamThatLosesContinuityEndsWithDisconnect4005AndLastEventIdRecoversWhatFollowed() {
        String a = TestNode.unique("match:");
        String query = "channel=" + a + "&token=" + token("42", "match:*");
        String lastId;
        try (SseClient c = sse(node, query, Map.of())) {
            c.expect("connected");
            node.publish(a, "n", "{\"i\":1}");
            lastId = c.expect("n").id();
            // what an engine reconnect reports: the node may have missed publications of the channel
            node.server.hub().onDeliveryInterrupted(io.herald.protocol.ChannelName.of(a));
            JsonNode bye = c.expect("disconnect").json();
            assertThat(bye.get("code").asInt()).isEqualTo(4005);
            assertThat(bye.get("reconnect").asBoolean()).isTrue();
            SseClient.Event end = c.next(Duration.ofSeconds(5));
            while (end.comment()) {
                end = c.next(Duration.ofSeconds(5));
            }
            assertThat(end.end()).as("the stream ends, so the EventSource reconnects").isTrue();
        }
        node.publish(a, "n", "{\"i\":2}");
        try (SseClient c = sse(node, query, Map.of("Last-Event-ID", lastId))) {
            assertThat(c.expect("connected").json().get("subscriptions").get(0).get("recovered").asBoolean()).isTrue();
            assertThat(c.expect("n").json().get("offset").asLong()).isEqualTo(2);
        }
    }

    @Test
    void livePublicationsArriveAsDataLinesWithTheCursorsAfterThemAsId() {
        String a = TestNode.unique("match:");
        String b = TestNode.unique("match:");
        try (SseClient c = sse(node, "channel=" + a + "&channel=" + b + "&token=" + token("42", "match:*"), Map.of())) {
            JsonNode subs = c.expect("connected").json().get("subscriptions");
            String ea = subs.get(0).get("epoch").asText();
            String eb = subs.get(1).get("epoch").asText();
            node.publish(a, "score", "{\"home\":1}");
            node.publish(b, "score", "{\"home\":2}");
            node.publish(a, "score", "{\"home\":3}");
            SseClient.Event first = c.expect("score");
            assertThat(first.json().get("channel").asText()).isEqualTo(a);
            assertThat(first.json().get("data").get("home").asInt()).isEqualTo(1);
            assertThat(first.id()).isEqualTo(ea + ":1," + eb + ":0");
            assertThat(c.expect("score").id()).isEqualTo(ea + ":1," + eb + ":1");
            assertThat(c.expect("score").id()).isEqualTo(ea + ":2," + eb + ":1");
        }
    }

    @Test
    void reconnectingWithLastEventIdRecoversTheMissedPublicationsWithoutGapOrDuplicate() {
        String a = TestNode.unique("match:");
        String b = TestNode.unique("match:");
        String query = "channel=" + a + "&channel=" + b + "&token=" + token("42", "match:*");
        String lastId;
        try (SseClient c = sse(node, query, Map.of())) {
            c.expect("connected");
            node.publish(a, "n", "{\"i\":1}");
            node.publish(b, "n", "{\"i\":2}");
            c.expect("n");
            lastId = c.expect("n").id();
        }
        for (int i = 3; i <= 5; i++) {
            node.publish(i % 2 == 1 ? a : b, "n", "{\"i\":" + i + "}");
        }
        // Last-Event-ID wins over a ?since= that would recover nothing
        try (SseClient c = sse(node, query + "&since=x:0,x:0", Map.of("Last-Event-ID", lastId))) {
            SseClient.Event connected = c.expect("connected");
            assertThat(connected.id()).isEqualTo(lastId);
            for (JsonNode s : connected.json().get("subscriptions")) {
                assertThat(s.get("recovered").asBoolean()).isTrue();
            }
            node.publish(a, "n", "{\"i\":6}");
            List<Integer> seen = new ArrayList<>();
            String id = null;
            for (int i = 3; i <= 6; i++) {
                SseClient.Event e = c.expect("n");
                seen.add(e.json().get("data").get("i").asInt());
                id = e.id();
            }
            // missed publications come channel by channel (in query order), each in offset order, then live ones
            assertThat(seen).containsExactly(3, 5, 4, 6);
            String ea = connected.json().get("subscriptions").get(0).get("epoch").asText();
            String eb = connected.json().get("subscriptions").get(1).get("epoch").asText();
            assertThat(id).isEqualTo(ea + ":4," + eb + ":2");
        }
    }

    @Test
    void lastEventIdBeyondTheHistoryOrOfAnotherEpochIsReportedAsNotRecovered() {
        String small = TestNode.unique("small:");
        String other = TestNode.unique("match:");
        String query = "channel=" + small + "&channel=" + other + "&token=" + token("42", "small:*", "match:*");
        String lastId;
        try (SseClient c = sse(node, query, Map.of())) {
            lastId = c.expect("connected").id();
        }
        for (int i = 1; i <= 4; i++) {
            node.publish(small, "n", "{\"i\":" + i + "}");
        }
        String staleEpoch = lastId.substring(0, lastId.indexOf(',')) + ",zz9:0";
        try (SseClient c = sse(node, query, Map.of("Last-Event-ID", staleEpoch))) {
            SseClient.Event connected = c.expect("connected");
            JsonNode subs = connected.json().get("subscriptions");
            assertThat(subs.get(0).get("recovered").asBoolean()).as("history holds 2 of the 4 missed").isFalse();
            assertThat(subs.get(1).get("recovered").asBoolean()).as("epoch mismatch").isFalse();
            assertThat(connected.id()).isEqualTo(cursor(subs.get(0)) + "," + cursor(subs.get(1)));
            assertThat(subs.get(0).get("offset").asLong()).isEqualTo(4);
            node.publish(small, "n", "{\"i\":5}");
            assertThat(c.expect("n").json().get("data").get("i").asInt()).as("nothing replayed, live goes on").isEqualTo(5);
        }
    }

    @Test
    void aChannelTheServerApiAddsStreamsWithoutTouchingTheCursors() {
        String a = TestNode.unique("match:");
        String extra = TestNode.unique("extra:");
        try (SseClient c = sse(node, "channel=" + a + "&token=" + token("api-user", "match:*"), Map.of())) {
            String id = c.expect("connected").id();
            assertThat(node.api("POST", "/api/subscribe", "{\"user\":\"api-user\",\"channel\":\"" + extra + "\"}")
                    .json().get("subscribed").asInt()).isEqualTo(1);
            assertThat(c.expect("subscribed").json().get("channel").asText()).isEqualTo(extra);
            node.publish(extra, "bonus", "{}");
            SseClient.Event bonus = c.expect("bonus");
            assertThat(bonus.id()).as("no id: the browser keeps the last one").isEqualTo(id);
            node.publish(a, "n", "{}");
            assertThat(c.expect("n").id()).isEqualTo(id.replace(":0", ":1"));
        }
    }

    @Test
    void aCommentGoesOutEveryPingInterval() {
        try (SseClient c = sse(node, "channel=" + TestNode.unique("match:") + "&token=" + token("42", "match:*"), Map.of())) {
            c.expect("connected");
            int comments = 0;
            while (comments < 2) {
                SseClient.Event e = c.next(Duration.ofSeconds(5));
                assertThat(e.end()).isFalse();
                if (e.comment()) {
                    comments++;
                }
            }
        }
    }

    @Test
    void aChannelTheTokenDoesNotAllowIsRefusedAloneAndTheOthersStreamWithItsSlotKept() {
        String a = TestNode.unique("match:");
        String b = TestNode.unique("match:");
        node.publish(b, "n", "{\"i\":1}");
        try (SseClient c = sse(node, "channel=" + a + "&channel=secret&channel=" + b + "&token=" + token("42", "match:*"), Map.of())) {
            assertThat(c.status()).isEqualTo(200);
            SseClient.Event connected = c.expect("connected");
            assertThat(connected.id()).matches("[A-Za-z0-9]+:0,-,[A-Za-z0-9]+:1");
            JsonNode subs = connected.json().get("subscriptions");
            assertThat(subs).hasSize(3);
            assertThat(subs.get(2).get("channel").asText()).isEqualTo("secret");
            assertThat(subs.get(2).get("error").get("code").asText()).isEqualTo("permission_denied");
            JsonNode error = c.expect("error").json();
            assertThat(error.get("channel").asText()).isEqualTo("secret");
            assertThat(error.get("code").asText()).isEqualTo("permission_denied");
            assertThat(error.get("message").asText()).isEqualTo("not allowed to use channel secret");
            node.publish(b, "n", "{\"i\":2}");
            SseClient.Event live = c.expect("n");
            assertThat(live.json().get("offset").asLong()).isEqualTo(2);
            assertThat(live.id()).matches("[A-Za-z0-9]+:0,-,[A-Za-z0-9]+:2");
        }
        // the id, "-" slot included, is a valid Last-Event-ID for the reconnect
        String epoch = node.api("GET", "/api/history/" + b, null).json().get("epoch").asText();
        String lastId = "," + "-," + epoch + ":1";
        try (SseClient c = sse(node, "channel=" + a + "&channel=secret&channel=" + b + "&token=" + token("42", "match:*"),
                Map.of("Last-Event-ID", lastId))) {
            c.expect("connected");
            c.expect("error");
            assertThat(c.expect("n").json().get("offset").asLong()).isEqualTo(2);
        }
    }

    @Test
    void aStreamWhoseChannelsAreAllRefusedEndsWithDisconnect4003() {
        try (SseClient c = sse(node, "channel=secret&channel=other&token=" + token("42", "match:*"), Map.of())) {
            assertThat(c.status()).isEqualTo(200);
            JsonNode d = c.expect("disconnect").json();
            assertThat(d.get("code").asInt()).isEqualTo(4003);
            assertThat(d.get("reason").asText()).isEqualTo("not allowed to use channel secret");
            assertThat(d.get("reconnect").asBoolean()).isFalse();
            c.expectEnd();
        }
    }

    @Test
    void aMissingOrBadTokenEndsTheStreamWithDisconnect4003WhereAnonymousIsRefused() {
        try (SseClient c = sse(node, "channel=news", Map.of())) {
            assertThat(c.expect("disconnect").json().get("reason").asText()).isEqualTo("a token is required");
            c.expectEnd();
        }
        try (SseClient c = sse(node, "channel=news&token=garbage", Map.of())) {
            JsonNode d = c.expect("disconnect").json();
            assertThat(d.get("code").asInt()).isEqualTo(4003);
            assertThat(d.get("reason").asText()).isEqualTo("token is not a well-formed JWT");
            c.expectEnd();
        }
    }

    @Test
    void anonymousStreamsWorkWhereAnonymousAccessIsAllowed() throws InterruptedException {
        try (TestNode dev = TestNode.builder().devMode().start();
             SseClient c = sse(dev, "channel=news", Map.of())) {
            assertThat(c.expect("connected").json().get("user").asText()).isEmpty();
            dev.publish("news", "hello", "{}");
            assertThat(c.expect("hello").json().get("channel").asText()).isEqualTo("news");
        }
    }

    @Test
    void theStreamEndsWithDisconnect4003WhenTheTokenExpires() throws InterruptedException {
        JwtConfig shortGrace = new JwtConfig(TestNode.SECRET, null, null, null, null, null, false,
                Duration.ofMillis(100), Duration.ofSeconds(30), Duration.ofMinutes(5));
        try (TestNode n = TestNode.builder().jwt(shortGrace).start()) {
            String t = n.issuer.issue("42", List.of("match:*"), List.of(), List.of(), null, Duration.ofSeconds(2));
            try (SseClient c = sse(n, "channel=match:1&token=" + t, Map.of())) {
                c.expect("connected");
                assertThat(c.expect("refresh_required").json().has("expires")).isTrue();
                JsonNode d = c.expect("disconnect").json();
                assertThat(d.get("code").asInt()).isEqualTo(4003);
                assertThat(d.get("reason").asText()).isEqualTo("token expired");
                c.expectEnd();
            }
        }
    }

    @Test
    void badChannelsOrCursorsAreRefusedWithA400ThatSaysWhatIsWrong() throws Exception {
        String t = token("42", "match:*");
        assertError(node, "/sse?token=" + t, 400, "bad_request", "give at least one channel parameter");
        assertError(node, "/sse?channel=bad%20name&token=" + t, 400, "bad_request", "invalid channel");
        assertError(node, "/sse?channel=a&channel=a&token=" + t, 400, "bad_request", "channel a is listed twice");
        assertError(node, "/sse?channel=a&channel=b&since=x1:3&token=" + t, 400, "bad_request", "have 1 entry for 2 channel(s)");
        assertError(node, "/sse?channel=a&since=x1-3&token=" + t, 400, "bad_request", "cursor \"x1-3\" is not <epoch>:<offset>");
        assertError(node, "/sse?channel=a&since=x1:-3&token=" + t, 400, "bad_request", "is not <epoch>:<offset>");
        assertError(node, "/sse?channel=a&channel=b&channel=c&channel=d&token=" + t, 429, "limit_exceeded",
                "at most 3 channels per request");
        HttpResponse<String> lastEventId = node.get("/sse?channel=a");
        assertThat(lastEventId.statusCode()).isNotEqualTo(400);
        // the stream above ended with its connection: the next request must not be sent on it
        for (int i = 0; i < 20; i++) {
            assertThat(node.get("/sse?channel=a").statusCode()).isEqualTo(200);
            node.publish(TestNode.unique("match:"), "n", "{}");
        }
    }

    static void assertError(TestNode n, String path, int status, String code, String message) throws Exception {
        HttpResponse<String> res = n.get(path);
        assertThat(res.statusCode()).as(path).isEqualTo(status);
        JsonNode body = io.herald.protocol.JsonCodec.MAPPER.readTree(res.body());
        assertThat(body.path("error").path("code").asText()).isEqualTo(code);
        assertThat(body.path("error").path("message").asText()).contains(message);
    }

    @Test
    void streamsCountAgainstTheConnectionLimitsAndShowInTheMetricsByTransport() throws InterruptedException {
        try (TestNode n = TestNode.builder().limits(new LimitsConfig(0, 1, 0, 0)).start()) {
            String t = n.issuer.issue("42", List.of("match:*"), List.of(), List.of(), null, Duration.ofHours(1));
            try (SseClient first = sse(n, "channel=match:1&token=" + t, Map.of())) {
                first.expect("connected");
                assertThat(n.metric("herald_connections_transport{transport=\"sse\"}")).isEqualTo(1);
                try (SseClient second = sse(n, "channel=match:1&token=" + t, Map.of())) {
                    JsonNode d = second.expect("disconnect").json();
                    assertThat(d.get("code").asInt()).isEqualTo(4008);
                    assertThat(d.get("reason").asText()).contains("connection(s) per user");
                    second.expectEnd();
                }
            }
            Await.until(Duration.ofSeconds(5), "the streams are gone",
                    () -> n.metric("herald_connections_transport{transport=\"sse\"}") == 0);
        }
        try (TestNode n = TestNode.builder().devMode().limits(new LimitsConfig(1, 0, 0, 0)).start();
             WsClient ws = n.connect(null);
             SseClient c = sse(n, "channel=news", Map.of())) {
            ws.send("{\"type\":\"ping\"}");
            ws.expect("connected");
            JsonNode d = c.expect("disconnect").json();
            assertThat(d.get("code").asInt()).isEqualTo(4008);
            assertThat(d.get("reason").asText()).isEqualTo("server connection limit reached; retry later");
        }
    }

    @Test
    void newStreamsShareTheNewConnectionRatePerIpWithWebSockets() throws Exception {
        try (TestNode n = TestNode.builder().devMode().limits(new LimitsConfig(0, 0, 1, 0)).start()) {
            int refused = 0;
            for (int i = 0; i < 5 && refused == 0; i++) {
                try (SseClient c = sse(n, "channel=news", Map.of())) {
                    if (c.status() == 429) {
                        refused++;
                        assertThat(c.headers().firstValue("retry-after")).hasValue("1");
                    }
                }
            }
            assertThat(refused).as("a burst of two per second, then 429").isEqualTo(1);
            assertThat(n.metric("herald_rate_limited_total{limit=\"connection_rate_per_ip\"}")).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void drainingTheNodeEndsStreamsWithDisconnect4000AfterDeliveringAcceptedPublications() throws InterruptedException {
        TestNode n = TestNode.builder().devMode().drainWindow(Duration.ofMillis(200)).start();
        try (SseClient c = sse(n, "channel=news", Map.of())) {
            c.expect("connected");
            n.publish("news", "last", "{}");
            Thread drain = Thread.ofVirtual().start(n.server::shutdown);
            assertThat(c.expect("last").json().get("offset").asLong()).isEqualTo(1);
            JsonNode d = c.expect("disconnect").json();
            assertThat(d.get("code").asInt()).isEqualTo(4000);
            assertThat(d.get("reconnect").asBoolean()).isTrue();
            c.expectEnd();
            drain.join();
        } finally {
            n.close();
        }
    }
}
