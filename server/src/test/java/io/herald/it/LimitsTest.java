package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.ClientConfig;
import io.herald.config.LimitsConfig;
import io.herald.protocol.JsonCodec;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Every limit of a node: the exact error code, close code or HTTP status (with Retry-After), a
 * human-readable message, the {@code herald_rate_limited_total{limit=...}} counter moving, and a
 * healthy client on the same node that keeps working. One node per test, each with only the limit
 * under test set.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LimitsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final ClientConfig NO_COMMAND_LIMITS = ClientConfig.DEFAULTS.withCommandLimits(1000, 1_000_000, 1_000_000);

    /** A message a person can read: a sentence, not a code or a stack trace. */
    private static void assertHumanReadable(String message) {
        assertThat(message).as("message").isNotBlank().hasSizeGreaterThan(10).contains(" ")
                .doesNotContain("Exception").doesNotContain("null").doesNotStartWith("{");
    }

    /** A client of another user, subscribed to "lobby", that must not notice the limit being hit. */
    private static WsClient healthy(TestNode node) {
        WsClient c = node.connectAs("healthy", "**");
        c.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"lobby\"}");
        c.expect("subscribed");
        return c;
    }

    /** The healthy client still answers and still receives publications. */
    private static void assertStillHealthy(TestNode node, WsClient c) {
        assertThat(c.closed).as("healthy client closed").isNotDone();
        long offset = node.publish("lobby", "still_here", "{\"ok\":true}");
        JsonNode pub = c.expect("still_here");
        assertThat(pub.get("offset").asLong()).isEqualTo(offset);
        c.expectNothingPending();
    }

    private static double awaitCounterAbove(TestNode node, String selector, double before) {
        return Await.value(WAIT, selector + " > " + before, () -> node.metric(selector), v -> v > before);
    }

    // ---- commands per second (token bucket) ----

    @Test
    void commands_beyond_the_rate_get_too_many_requests_and_the_connection_stays_open() throws Exception {
        try (TestNode node = TestNode.builder()
                .client(ClientConfig.DEFAULTS.withCommandLimits(1000, 5, 10)).start();
             WsClient ok = healthy(node);
             WsClient c = node.connectAs("1", "**")) {
            double before = node.metric("herald_rate_limited_total{limit=\"commands\"}");
            for (int i = 1; i <= 12; i++) {
                c.send("{\"type\":\"ping\",\"id\":" + i + "}");
            }
            int pongs = 0;
            List<JsonNode> errors = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                JsonNode n = c.next();
                if ("pong".equals(n.path("type").asText())) {
                    pongs++;
                } else {
                    assertThat(n.path("type").asText()).as("frame %s", n).isEqualTo("error");
                    errors.add(n);
                }
            }
            // the burst of 10 passes; at 5/s at most one more token can refill while 12 frames go out
            assertThat(pongs).isBetween(10, 11);
            assertThat(errors).isNotEmpty();
            for (JsonNode e : errors) {
                assertThat(e.get("code").asText()).isEqualTo("too_many_requests");
                assertThat(e.get("temporary").asBoolean()).isTrue();
                assertHumanReadable(e.get("message").asText());
            }
            awaitCounterAbove(node, "herald_rate_limited_total{limit=\"commands\"}", before + errors.size() - 1);
            // refused, not closed: after a pause the bucket has refilled and commands work again
            Await.sleep(1000);
            c.expectNothingPending();
            assertThat(c.closed).isNotDone();
            assertStillHealthy(node, ok);
        }
    }

    @Test
    void an_error_for_a_rate_limited_command_carries_the_commands_id() throws Exception {
        try (TestNode node = TestNode.builder()
                .client(ClientConfig.DEFAULTS.withCommandLimits(1000, 1, 2)).start();
             WsClient c = node.connectAs("1", "**")) {
            c.send("{\"type\":\"ping\",\"id\":1}").send("{\"type\":\"ping\",\"id\":2}").send("{\"type\":\"ping\",\"id\":3}");
            c.expect("pong");
            c.expect("pong");
            JsonNode e = c.expect("error");
            assertThat(e.get("code").asText()).isEqualTo("too_many_requests");
            assertThat(e.path("id").asLong()).isEqualTo(3);
        }
    }

    @Test
    void a_sustained_command_flood_is_closed_with_4001_after_command_burst_refusals_in_a_row() throws Exception {
        try (TestNode node = TestNode.builder()
                .client(ClientConfig.DEFAULTS.withCommandLimits(1000, 5, 10)).start();
             WsClient ok = healthy(node);
             WsClient c = node.connectAs("1", "**")) {
            double before = node.metric("herald_rate_limited_total{limit=\"commands\"}");
            for (int i = 1; i <= 40 && !c.closed.isDone(); i++) {
                try {
                    c.send("{\"type\":\"ping\",\"id\":" + i + "}");
                } catch (RuntimeException closedMeanwhile) {
                    break;
                }
            }
            List<JsonNode> frames = c.until("disconnect");
            JsonNode disconnect = frames.getLast();
            assertThat(disconnect.get("code").asInt()).isEqualTo(4001);
            assertThat(disconnect.get("reconnect").asBoolean()).isFalse();
            assertHumanReadable(disconnect.get("reason").asText());
            // burst (10) accepted, then 9 refusals answered with too_many_requests, the 10th refusal closes
            long pongs = frames.stream().filter(f -> "pong".equals(f.path("type").asText())).count();
            assertThat(pongs).isBetween(10L, 12L);
            assertThat(frames.size()).isGreaterThanOrEqualTo(10);
            for (JsonNode refused : frames.subList(frames.size() - 10, frames.size() - 1)) {
                assertThat(refused.path("code").asText()).as("one of the 9 refusals before the close").isEqualTo("too_many_requests");
            }
            assertThat(c.awaitClose()).isEqualTo(4001);
            awaitCounterAbove(node, "herald_rate_limited_total{limit=\"commands\"}", before + 9);
            assertStillHealthy(node, ok);
        }
    }

    // ---- subscriptions per connection ----

    @Test
    void a_subscription_beyond_max_subscriptions_gets_limit_exceeded() throws Exception {
        try (TestNode node = TestNode.builder().client(ClientConfig.DEFAULTS.withCommandLimits(3, 1_000_000, 1_000_000)).start();
             WsClient ok = healthy(node);
             WsClient c = node.connectAs("1", "**")) {
            double before = node.metric("herald_rate_limited_total{limit=\"subscriptions\"}");
            for (int i = 1; i <= 3; i++) {
                assertThat(c.call("{\"type\":\"subscribe\",\"id\":" + i + ",\"channel\":\"s:" + i + "\"}").get("type").asText())
                        .isEqualTo("subscribed");
            }
            JsonNode e = c.call("{\"type\":\"subscribe\",\"id\":4,\"channel\":\"s:4\"}");
            assertThat(e.get("type").asText()).isEqualTo("error");
            assertThat(e.get("id").asLong()).isEqualTo(4);
            assertThat(e.get("code").asText()).isEqualTo("limit_exceeded");
            assertThat(e.get("temporary").asBoolean()).isTrue();
            assertHumanReadable(e.get("message").asText());
            awaitCounterAbove(node, "herald_rate_limited_total{limit=\"subscriptions\"}", before);
            // the refused subscription does not exist: publications to it do not arrive
            node.publish("s:4", "nope", "{}");
            c.expectNothingPending();
            // after an unsubscribe there is room again
            assertThat(c.call("{\"type\":\"unsubscribe\",\"id\":5,\"channel\":\"s:1\"}").get("type").asText()).isEqualTo("unsubscribed");
            assertThat(c.call("{\"type\":\"subscribe\",\"id\":6,\"channel\":\"s:4\"}").get("type").asText()).isEqualTo("subscribed");
            assertStillHealthy(node, ok);
        }
    }

    // ---- connections per user ----

    @Test
    void a_users_connection_beyond_connections_per_user_is_closed_with_4008() throws Exception {
        try (TestNode node = TestNode.builder().client(NO_COMMAND_LIMITS).limits(new LimitsConfig(0, 2, 0, 0)).start();
             WsClient ok = healthy(node);
             WsClient first = node.connectAs("7", "**");
             WsClient second = node.connectAs("7", "**")) {
            double before = node.metric("herald_rate_limited_total{limit=\"connections_per_user\"}");
            WsClient third = node.connect(node.token("7", List.of("**"), List.of(), List.of()));
            assertClosedAtConnectionLimit(third);
            awaitCounterAbove(node, "herald_rate_limited_total{limit=\"connections_per_user\"}", before);
            // the user's first two connections are untouched
            first.expectNothingPending();
            second.expectNothingPending();
            // once one is gone, the user may connect again
            first.close();
            Await.until(WAIT, "user 7 may connect again", () -> {
                WsClient again = node.connect(node.token("7", List.of("**"), List.of(), List.of()));
                String type = again.next().path("type").asText();
                again.close();
                return type.equals("connected");
            });
            assertStillHealthy(node, ok);
        }
    }

    /** The connection got {@code disconnect} 4008 (reconnect, with a readable reason), then close 4008. */
    private static void assertClosedAtConnectionLimit(WsClient c) {
        JsonNode d = c.expect("disconnect");
        assertThat(d.get("code").asInt()).isEqualTo(4008);
        assertThat(d.get("reconnect").asBoolean()).isTrue();
        assertHumanReadable(d.get("reason").asText());
        assertThat(c.awaitClose()).isEqualTo(4008);
    }

    // ---- total connections ----

    @Test
    void a_connection_beyond_max_connections_is_closed_with_4008() throws Exception {
        try (TestNode node = TestNode.builder().client(NO_COMMAND_LIMITS).limits(new LimitsConfig(3, 0, 0, 0)).start();
             WsClient ok = healthy(node);
             WsClient a = node.connectAs("a", "**");
             WsClient b = node.connectAs("b", "**")) {
            double before = node.metric("herald_rate_limited_total{limit=\"max_connections\"}");
            WsClient over = node.connect(node.token("c", List.of("**"), List.of(), List.of()));
            assertClosedAtConnectionLimit(over);
            awaitCounterAbove(node, "herald_rate_limited_total{limit=\"max_connections\"}", before);
            assertThat(node.server.connectionCount()).isEqualTo(3);
            a.expectNothingPending();
            b.close();
            Await.until(WAIT, "a new connection fits again", () -> {
                WsClient again = node.connect(node.token("d", List.of("**"), List.of(), List.of()));
                String type = again.next().path("type").asText();
                again.close();
                return type.equals("connected");
            });
            assertStillHealthy(node, ok);
        }
    }

    // ---- new connections per second per IP ----

    @Test
    void new_connections_beyond_the_per_ip_rate_get_http_429_with_retry_after() throws Exception {
        try (TestNode node = TestNode.builder().client(NO_COMMAND_LIMITS).limits(new LimitsConfig(0, 0, 2, 0)).start();
             WsClient ok = healthy(node)) {
            double before = node.metric("herald_rate_limited_total{limit=\"connection_rate_per_ip\"}");
            RawWsClient.HttpAnswer refused = null;
            int accepted = 0;
            for (int i = 0; i < 20 && refused == null; i++) {
                RawWsClient.HttpAnswer a = RawWsClient.tryUpgrade(node.port(), "/ws", null);
                if (a.status() == 101) {
                    accepted++;
                } else {
                    refused = a;
                }
            }
            assertThat(refused).as("an upgrade refused within 20 attempts").isNotNull();
            // rate 2/s, burst 4; the healthy client took one token
            assertThat(accepted).isBetween(2, 4);
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.headers()).containsKey("retry-after");
            long retryAfter = Long.parseLong(refused.headers().get("retry-after"));
            assertThat(retryAfter).isBetween(1L, 2L);
            JsonNode body = JsonCodec.MAPPER.readTree(refused.body());
            assertThat(body.path("error").path("code").asText()).isEqualTo("too_many_requests");
            assertHumanReadable(body.path("error").path("message").asText());
            awaitCounterAbove(node, "herald_rate_limited_total{limit=\"connection_rate_per_ip\"}", before);
            assertStillHealthy(node, ok);
            // after Retry-After the IP may connect again
            Await.sleep(retryAfter * 1000);
            assertThat(RawWsClient.tryUpgrade(node.port(), "/ws", null).status()).isEqualTo(101);
        }
    }

    // ---- server API requests per second ----

    @Test
    void api_requests_beyond_the_rate_get_http_429_with_retry_after() throws Exception {
        try (TestNode node = TestNode.builder().client(NO_COMMAND_LIMITS).limits(new LimitsConfig(0, 0, 0, 5)).start();
             WsClient ok = healthy(node)) {
            double before = node.metric("herald_rate_limited_total{limit=\"api\"}");
            HttpResponse<String> refused = null;
            int accepted = 0;
            for (int i = 0; i < 30 && refused == null; i++) {
                HttpResponse<String> r = node.apiRaw("GET", "/api/info", null);
                if (r.statusCode() == 200) {
                    accepted++;
                } else {
                    refused = r;
                }
            }
            assertThat(refused).as("an API request refused within 30").isNotNull();
            // rate 5/s, burst 10
            assertThat(accepted).isBetween(10, 14);
            assertThat(refused.statusCode()).isEqualTo(429);
            assertThat(refused.headers().firstValue("Retry-After")).as("Retry-After header").isPresent();
            long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
            assertThat(retryAfter).isBetween(1L, 2L);
            JsonNode body = JsonCodec.MAPPER.readTree(refused.body());
            assertThat(body.path("error").path("code").asText()).isEqualTo("too_many_requests");
            assertHumanReadable(body.path("error").path("message").asText());
            awaitCounterAbove(node, "herald_rate_limited_total{limit=\"api\"}", before);
            // WebSocket clients are not affected by the API limit
            ok.expectNothingPending();
            Await.sleep(retryAfter * 1000);
            assertThat(node.apiRaw("GET", "/api/info", null).statusCode()).isEqualTo(200);
            assertStillHealthy(node, ok);
        }
    }

    // ---- allowed_origins on upgrade ----

    @Test
    void an_upgrade_from_an_origin_not_in_allowed_origins_gets_403() throws IOException, InterruptedException {
        try (TestNode node = TestNode.builder().origins(List.of("https://app.example.com")).start()) {
            RawWsClient.HttpAnswer evil = RawWsClient.tryUpgrade(node.port(), "/ws", "https://evil.example.com");
            assertThat(evil.status()).isEqualTo(403);
            JsonNode body = JsonCodec.MAPPER.readTree(evil.body());
            assertThat(body.path("error").path("code").asText()).isEqualTo("permission_denied");
            assertHumanReadable(body.path("error").path("message").asText());
            assertThat(RawWsClient.tryUpgrade(node.port(), "/ws", "https://app.example.com").status()).isEqualTo(101);
        }
    }

    @Test
    void an_upgrade_without_origin_is_accepted_whatever_allowed_origins_says() throws IOException, InterruptedException {
        try (TestNode node = TestNode.builder().origins(List.of("https://app.example.com")).start()) {
            assertThat(RawWsClient.tryUpgrade(node.port(), "/ws", null).status()).isEqualTo(101);
            WsClient c = node.connectAs("1", "**");
            c.close();
        }
    }

    @Test
    void any_origin_is_accepted_in_dev_mode() throws IOException, InterruptedException {
        try (TestNode node = TestNode.builder().devMode().start()) {
            assertThat(RawWsClient.tryUpgrade(node.port(), "/ws", "https://anything.example.org").status()).isEqualTo(101);
            assertThat(RawWsClient.tryUpgrade(node.port(), "/ws", "null").status()).isEqualTo(101);
        }
    }
}
