package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.LimitsConfig;
import io.herald.protocol.JsonCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code limits.max_channels}: past it a new channel is refused with {@code limit_exceeded} (429 on
 * HTTP) on every way in, channels that have state keep working, and the refusals are counted.
 */
class ChannelLimitTest {
    private static final String REFUSALS = "herald_rate_limited_total{limit=\"max_channels\"}";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static TestNode node(int maxChannels) throws InterruptedException {
        return TestNode.builder().limits(new LimitsConfig(0, 0, 0, 0, maxChannels)).start();
    }

    @Test
    void apiPublishToANewChannelPastTheLimitIs429LimitExceededAndChannelsWithStateKeepWorking() throws Exception {
        try (TestNode node = node(2)) {
            node.publish("a", "t", "{}");
            node.publish("b", "t", "{}");

            TestNode.Reply refused = node.api("POST", "/api/publish", "{\"channel\":\"c\",\"type\":\"t\",\"data\":{}}");

            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.errorCode()).isEqualTo("limit_exceeded");
            assertThat(refused.json().path("error").path("message").asText()).contains("limits.max_channels");
            assertThat(node.publish("a", "t", "{}")).isEqualTo(2);
            assertThat(node.metric("herald_streams")).isEqualTo(2);
            assertThat(node.metric(REFUSALS)).isEqualTo(1);

            JsonNode broadcast = node.api("POST", "/api/broadcast",
                    "{\"channels\":[\"b\",\"d\"],\"type\":\"t\",\"data\":{}}").json().get("results");
            assertThat(broadcast.get(0).get("offset").asLong()).isEqualTo(2);
            assertThat(broadcast.get(1).path("error").path("code").asText()).isEqualTo("limit_exceeded");
            assertThat(node.metric(REFUSALS)).isEqualTo(2);
        }
    }

    @Test
    void aSubscribeClaimEntryPastTheLimitIsReportedInConnectedAndTheOthersAreJoined() throws Exception {
        try (TestNode node = node(1)) {
            node.publish("a", "t", "{}");
            try (WsClient ws = node.connect(node.token("42", List.of(), List.of(), List.of("a", "b")))) {
                JsonNode subs = ws.expect("connected").get("subscriptions");
                assertThat(subs.findValuesAsText("channel")).containsExactly("a", "b");
                assertThat(subs.get(0).has("error")).isFalse();
                assertThat(subs.get(1).get("error").get("code").asText()).isEqualTo("limit_exceeded");
                node.publish("a", "t", "{\"n\":2}");
                assertThat(ws.expect("t").get("offset").asLong()).isEqualTo(2);
            }
        }
    }

    @Test
    void clientPublishToANewChannelPastTheLimitGetsLimitExceededOnTheWebSocketAndOnPublish() throws Exception {
        try (TestNode node = node(1)) {
            node.publish("a", "t", "{}");
            String token = node.token("42", List.of(), List.of("**"), List.of());
            try (WsClient ws = node.connect(token)) {
                ws.expect("connected");

                JsonNode error = ws.call("{\"type\":\"publish\",\"id\":1,\"channel\":\"b\",\"event\":\"e\",\"data\":{}}");

                assertThat(error.path("type").asText()).isEqualTo("error");
                assertThat(error.path("code").asText()).isEqualTo("limit_exceeded");
                assertThat(error.path("temporary").asBoolean()).isTrue();
                JsonNode ok = ws.call("{\"type\":\"publish\",\"id\":2,\"channel\":\"a\",\"event\":\"e\",\"data\":{}}");
                assertThat(ok.path("type").asText()).isEqualTo("published");
            }

            HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/publish"))
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"publish\",\"id\":3,\"channel\":\"c\",\"event\":\"e\",\"data\":{}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());

            assertThat(res.statusCode()).isEqualTo(429);
            assertThat(JsonCodec.MAPPER.readTree(res.body()).path("code").asText()).isEqualTo("limit_exceeded");
            assertThat(node.metric(REFUSALS)).isEqualTo(2);
        }
    }

    @Test
    void subscribingToANewChannelWhileTheHubIsFullIsRefusedUntilAChannelIsLeft() throws Exception {
        try (TestNode node = node(2)) {
            try (WsClient ws = node.connectAs("42", "room:*")) {
                assertThat(ws.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"room:a\"}").path("type").asText())
                        .isEqualTo("subscribed");
                assertThat(ws.call("{\"type\":\"subscribe\",\"id\":2,\"channel\":\"room:b\"}").path("type").asText())
                        .isEqualTo("subscribed");

                JsonNode refused = ws.call("{\"type\":\"subscribe\",\"id\":3,\"channel\":\"room:c\"}");

                assertThat(refused.path("code").asText()).as("%s", refused).isEqualTo("limit_exceeded");
                assertThat(refused.path("id").asLong()).isEqualTo(3);
                HttpResponse<String> poll = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port()
                        + "/poll?channel=room:d&timeout=0&token=" + node.token("42", List.of("room:*"), List.of(), List.of())))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                assertThat(poll.statusCode()).as(poll.body()).isEqualTo(429);
                assertThat(poll.body()).contains("limit_exceeded");
                assertThat(node.metric(REFUSALS)).isEqualTo(2);

                node.publish("room:a", "t", "{\"i\":1}");
                assertThat(ws.expect("t").path("data").path("i").asInt()).as("a subscribed channel still works").isEqualTo(1);
                assertThat(ws.call("{\"type\":\"unsubscribe\",\"id\":4,\"channel\":\"room:b\"}").path("type").asText())
                        .isEqualTo("unsubscribed");
                assertThat(ws.call("{\"type\":\"subscribe\",\"id\":5,\"channel\":\"room:c\"}").path("type").asText())
                        .isEqualTo("subscribed");
            }
        }
    }
}
