package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.it.TestNode.Reply;
import io.herald.protocol.JsonCodec;
import io.herald.transport.HeraldServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every server API endpoint against a real node, success and failure paths. One node per test. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ServerApiTest {
    private static final String TIMESTAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
    private static final Duration DEADLINE = Duration.ofSeconds(5);

    private TestNode node;
    private final List<WsClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws InterruptedException {
        node = TestNode.builder()
                .namespace("room", TestNode.ns(100, Duration.ofMinutes(5), true, false, false, false))
                .namespace("nohist", TestNode.ns(0, Duration.ofMinutes(5), false, false, false, false))
                .start();
    }

    @AfterEach
    void stop() {
        clients.forEach(WsClient::close);
        node.close();
    }

    private WsClient connectAs(String user, String... channels) {
        WsClient c = node.connectAs(user, channels);
        clients.add(c);
        return c;
    }

    /** Connects and returns the connection with its {@code connected} frame. */
    private JsonNode connectWithInfo(String user, ObjectNode info, List<String> channels, WsClient[] out) {
        String token = node.issuer.issue(user, channels, List.of(), List.of(), info, Duration.ofHours(1));
        WsClient c = node.connect(token);
        clients.add(c);
        out[0] = c;
        return c.expect("connected");
    }

    private static JsonNode json(String text) {
        try {
            return JsonCodec.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void assertError(Reply r, int status, String code) {
        assertThat(r.status()).as("status of %s", r).isEqualTo(status);
        assertThat(r.errorCode()).as("error code of %s", r).isEqualTo(code);
        assertThat(r.json().path("error").path("message").asText()).as("message of %s", r).isNotBlank();
    }

    private static void awaitTrue(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within " + DEADLINE + ": " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private Map<String, Integer> channels(String query) {
        Reply r = node.api("GET", "/api/channels" + query, null);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        Map<String, Integer> out = new HashMap<>();
        r.json().get("channels").forEach(c -> out.put(c.get("channel").asText(), c.get("subscribers").asInt()));
        return out;
    }

    private Reply publish(String body) {
        return node.api("POST", "/api/publish", body);
    }

    @Nested
    class Authentication {
        @Test
        void a_request_without_an_authorization_header_is_401_unauthorized() {
            assertError(node.http("GET", "/api/info", null, null), 401, "unauthorized");
            assertError(node.http("POST", "/api/publish", "{\"channel\":\"a\",\"type\":\"e\",\"data\":1}", null),
                    401, "unauthorized");
        }

        @Test
        void a_request_with_a_wrong_api_key_is_401_unauthorized() {
            assertError(node.http("GET", "/api/info", null, "apikey wrong-key"), 401, "unauthorized");
        }

        @Test
        void a_request_with_another_authorization_scheme_is_401_unauthorized() {
            assertError(node.http("GET", "/api/info", null, "Bearer " + TestNode.API_KEY), 401, "unauthorized");
        }

        @Test
        void an_unauthorized_publish_publishes_nothing() {
            node.http("POST", "/api/publish", "{\"channel\":\"a\",\"type\":\"e\",\"data\":1}", "apikey nope");
            assertThat(node.publish("a", "e", "1")).isEqualTo(1);
        }
    }

    @Nested
    class Publish {
        @Test
        void publish_returns_gap_free_offsets_and_the_same_epoch() {
            Reply r1 = publish("{\"channel\":\"news:1\",\"type\":\"headline\",\"data\":{\"n\":1}}");
            Reply r2 = publish("{\"channel\":\"news:1\",\"type\":\"headline\",\"data\":{\"n\":2}}");
            Reply r3 = publish("{\"channel\":\"news:1\",\"type\":\"headline\",\"data\":{\"n\":3}}");
            assertThat(List.of(r1.status(), r2.status(), r3.status())).containsOnly(200);
            assertThat(List.of(r1.json().get("offset").asLong(), r2.json().get("offset").asLong(),
                    r3.json().get("offset").asLong())).containsExactly(1L, 2L, 3L);
            String epoch = r1.json().get("epoch").asText();
            assertThat(epoch).matches("[A-Za-z0-9]{1,16}");
            assertThat(r2.json().get("epoch").asText()).isEqualTo(epoch);
            assertThat(r3.json().get("epoch").asText()).isEqualTo(epoch);
        }

        @Test
        void a_websocket_subscriber_receives_the_publication_with_type_channel_data_offset_epoch_and_timestamp() {
            WsClient c = connectAs("7", "news:*");
            c.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"news:1\"}");
            assertThat(c.expect("subscribed").get("offset").asLong()).isZero();
            Reply r = publish("{\"channel\":\"news:1\",\"type\":\"headline\",\"data\":{\"title\":\"hi\",\"n\":[1,2]}}");
            assertThat(r.status()).isEqualTo(200);

            JsonNode p = c.expect("headline");
            assertThat(p.get("channel").asText()).isEqualTo("news:1");
            assertThat(p.get("data")).isEqualTo(json("{\"title\":\"hi\",\"n\":[1,2]}"));
            assertThat(p.get("offset").asLong()).isEqualTo(1);
            assertThat(p.get("epoch").asText()).isEqualTo(r.json().get("epoch").asText());
            assertThat(p.get("timestamp").asText()).matches(TIMESTAMP);
            assertThat(p.has("id")).isFalse();
            c.expectNothingPending();
        }

        @Test
        void publish_without_channel_is_400_naming_the_field() {
            Reply r = publish("{\"type\":\"e\",\"data\":1}");
            assertError(r, 400, "bad_request");
            assertThat(r.json().at("/error/message").asText()).contains("channel");
        }

        @Test
        void publish_without_type_is_400_naming_the_field() {
            Reply r = publish("{\"channel\":\"a\",\"data\":1}");
            assertError(r, 400, "bad_request");
            assertThat(r.json().at("/error/message").asText()).contains("type");
        }

        @Test
        void publish_without_data_is_400_naming_the_field() {
            Reply r = publish("{\"channel\":\"a\",\"type\":\"e\"}");
            assertError(r, 400, "bad_request");
            assertThat(r.json().at("/error/message").asText()).contains("data");
        }

        @Test
        void publish_to_an_invalid_channel_is_400() {
            assertError(publish("{\"channel\":\"bad channel!\",\"type\":\"e\",\"data\":1}"), 400, "bad_request");
            assertError(publish("{\"channel\":\"orders#\",\"type\":\"e\",\"data\":1}"), 400, "bad_request");
            assertError(publish("{\"channel\":\"" + "a".repeat(256) + "\",\"type\":\"e\",\"data\":1}"), 400, "bad_request");
            assertError(publish("{\"channel\":\"\",\"type\":\"e\",\"data\":1}"), 400, "bad_request");
            assertError(publish("{\"channel\":42,\"type\":\"e\",\"data\":1}"), 400, "bad_request");
        }

        @Test
        void publish_of_a_reserved_type_is_400() {
            for (String type : List.of("subscribed", "$x", "disconnect", "error", "pong")) {
                assertError(publish("{\"channel\":\"a\",\"type\":\"" + type + "\",\"data\":1}"), 400, "bad_request");
            }
            assertError(publish("{\"channel\":\"a\",\"type\":\"has space\",\"data\":1}"), 400, "bad_request");
            assertError(publish("{\"channel\":\"a\",\"type\":\"" + "e".repeat(65) + "\",\"data\":1}"), 400, "bad_request");
            // nothing was published by the refused requests
            assertThat(node.publish("a", "e", "1")).isEqualTo(1);
        }

        @Test
        void publish_with_an_invalid_json_body_is_400() {
            assertError(publish("{\"channel\":\"a\","), 400, "bad_request");
            assertError(publish("not json"), 400, "bad_request");
            assertError(publish(""), 400, "bad_request");
        }

        @Test
        void publish_with_a_body_that_is_not_an_object_is_400() {
            assertError(publish("[{\"channel\":\"a\",\"type\":\"e\",\"data\":1}]"), 400, "bad_request");
            assertError(publish("42"), 400, "bad_request");
            assertError(publish("\"text\""), 400, "bad_request");
        }
    }

    @Nested
    class Idempotency {
        @Test
        void the_same_idempotency_key_on_the_same_channel_publishes_once_and_returns_the_first_result() {
            WsClient c = connectAs("7", "news:*");
            c.send("{\"type\":\"subscribe\",\"channel\":\"news:1\"}").expect("subscribed");
            String body = "{\"channel\":\"news:1\",\"type\":\"e\",\"data\":1,\"idempotency_key\":\"k-1\"}";
            Reply first = publish(body);
            Reply second = publish(body);
            assertThat(first.status()).isEqualTo(200);
            assertThat(second.status()).isEqualTo(200);
            assertThat(second.json()).isEqualTo(first.json());
            assertThat(first.json().get("offset").asLong()).isEqualTo(1);

            assertThat(c.expect("e").get("offset").asLong()).isEqualTo(1);
            c.expectNothingPending();
            assertThat(node.publish("news:1", "e", "2")).isEqualTo(2);
        }

        @Test
        void the_same_idempotency_key_on_another_channel_publishes_there() {
            WsClient c = connectAs("7", "news:*");
            c.send("{\"type\":\"subscribe\",\"channel\":\"news:2\"}").expect("subscribed");
            Reply a = publish("{\"channel\":\"news:1\",\"type\":\"e\",\"data\":1,\"idempotency_key\":\"k-1\"}");
            Reply b = publish("{\"channel\":\"news:2\",\"type\":\"e\",\"data\":2,\"idempotency_key\":\"k-1\"}");
            assertThat(a.status()).isEqualTo(200);
            assertThat(b.status()).isEqualTo(200);
            assertThat(b.json().get("offset").asLong()).isEqualTo(1);
            JsonNode p = c.expect("e");
            assertThat(p.get("channel").asText()).isEqualTo("news:2");
            assertThat(p.get("data").asInt()).isEqualTo(2);
            c.expectNothingPending();
        }

        @Test
        void an_empty_idempotency_key_is_400() {
            assertError(publish("{\"channel\":\"a\",\"type\":\"e\",\"data\":1,\"idempotency_key\":\"\"}"), 400, "bad_request");
        }
    }

    @Nested
    class Broadcast {
        @Test
        void broadcast_returns_a_result_per_channel_with_positions_for_valid_ones_and_errors_for_invalid_ones() {
            WsClient c = connectAs("7", "news:*");
            c.send("{\"type\":\"subscribe\",\"channel\":\"news:2\"}").expect("subscribed");
            node.publish("news:2", "e", "0");
            c.expect("e");

            Reply r = node.api("POST", "/api/broadcast",
                    "{\"channels\":[\"news:1\",\"bad channel\",\"news:2\",\"orders#\"],\"type\":\"alert\",\"data\":{\"x\":1}}");
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            JsonNode results = r.json().get("results");
            assertThat(results).hasSize(4);
            assertThat(results.get(0).get("channel").asText()).isEqualTo("news:1");
            assertThat(results.get(0).get("offset").asLong()).isEqualTo(1);
            assertThat(results.get(0).get("epoch").asText()).isNotEmpty();
            assertThat(results.get(0).has("error")).isFalse();
            assertThat(results.get(1).get("channel").asText()).isEqualTo("bad channel");
            assertThat(results.get(1).at("/error/code").asText()).isEqualTo("bad_request");
            assertThat(results.get(1).at("/error/message").asText()).isNotBlank();
            assertThat(results.get(1).has("offset")).isFalse();
            assertThat(results.get(2).get("channel").asText()).isEqualTo("news:2");
            assertThat(results.get(2).get("offset").asLong()).isEqualTo(2);
            assertThat(results.get(3).at("/error/code").asText()).isEqualTo("bad_request");

            JsonNode p = c.expect("alert");
            assertThat(p.get("channel").asText()).isEqualTo("news:2");
            assertThat(p.get("offset").asLong()).isEqualTo(2);
            assertThat(p.get("data")).isEqualTo(json("{\"x\":1}"));
            c.expectNothingPending();
        }

        @Test
        void broadcast_with_an_empty_channel_list_is_400() {
            assertError(node.api("POST", "/api/broadcast", "{\"channels\":[],\"type\":\"e\",\"data\":1}"), 400, "bad_request");
            assertError(node.api("POST", "/api/broadcast", "{\"type\":\"e\",\"data\":1}"), 400, "bad_request");
            assertError(node.api("POST", "/api/broadcast", "{\"channels\":\"a\",\"type\":\"e\",\"data\":1}"), 400, "bad_request");
        }

        @Test
        void broadcast_of_a_reserved_type_or_without_data_is_400() {
            assertError(node.api("POST", "/api/broadcast", "{\"channels\":[\"a\"],\"type\":\"join\",\"data\":1}"), 400, "bad_request");
            assertError(node.api("POST", "/api/broadcast", "{\"channels\":[\"a\"],\"type\":\"e\"}"), 400, "bad_request");
        }
    }

    @Nested
    class Channels {
        @Test
        void channels_lists_the_channels_with_subscribers_and_their_counts() {
            WsClient a = connectAs("1", "**");
            WsClient b = connectAs("2", "**");
            a.send("{\"type\":\"subscribe\",\"channel\":\"match:1\"}").expect("subscribed");
            b.send("{\"type\":\"subscribe\",\"channel\":\"match:1\"}").expect("subscribed");
            a.send("{\"type\":\"subscribe\",\"channel\":\"match:2\"}").expect("subscribed");
            a.send("{\"type\":\"subscribe\",\"channel\":\"news:1\"}").expect("subscribed");

            assertThat(channels("")).containsOnly(Map.entry("match:1", 2), Map.entry("match:2", 1), Map.entry("news:1", 1));
            assertThat(channels("?pattern=match:*")).containsOnly(Map.entry("match:1", 2), Map.entry("match:2", 1));

            b.close();
            awaitTrue("match:1 down to one subscriber", () -> channels("?pattern=match:*").get("match:1") == 1);
        }

        @Test
        void channels_without_subscribers_are_an_empty_list() {
            node.publish("match:1", "e", "1");
            assertThat(channels("")).isEmpty();
        }

        @Test
        void an_invalid_pattern_is_400() {
            Reply r = node.api("GET", "/api/channels?pattern=match:%3F", null);
            assertError(r, 400, "bad_request");
            assertThat(r.json().at("/error/message").asText()).contains("pattern");
            assertError(node.api("GET", "/api/channels?pattern=bad%20pattern!", null), 400, "bad_request");
            assertError(node.api("GET", "/api/channels?pattern=" + "a".repeat(1025), null), 400, "bad_request");
        }
    }

    @Nested
    class Presence {
        @Test
        void presence_lists_the_connected_subscribers_with_client_user_and_info() {
            ObjectNode info = JsonCodec.MAPPER.createObjectNode().put("name", "Ann");
            WsClient[] a = new WsClient[1];
            WsClient[] b = new WsClient[1];
            String clientA = connectWithInfo("1", info, List.of("room:*"), a).get("client").asText();
            String clientB = connectWithInfo("2", null, List.of("room:*"), b).get("client").asText();
            a[0].send("{\"type\":\"subscribe\",\"channel\":\"room:1\"}").expect("subscribed");
            b[0].send("{\"type\":\"subscribe\",\"channel\":\"room:1\"}").expect("subscribed");

            Reply r = node.api("GET", "/api/presence/room:1", null);
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            Map<String, JsonNode> byClient = new HashMap<>();
            r.json().get("clients").forEach(c -> byClient.put(c.get("client").asText(), c));
            assertThat(byClient).containsOnlyKeys(clientA, clientB);
            assertThat(byClient.get(clientA).get("user").asText()).isEqualTo("1");
            assertThat(byClient.get(clientA).get("info")).isEqualTo(info);
            assertThat(byClient.get(clientB).get("user").asText()).isEqualTo("2");

            b[0].close();
            awaitTrue("client B left presence", () -> node.api("GET", "/api/presence/room:1", null)
                    .json().get("clients").size() == 1);
        }

        @Test
        void presence_of_a_channel_without_subscribers_is_an_empty_list() {
            Reply r = node.api("GET", "/api/presence/room:9", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("clients")).isEmpty();
        }

        @Test
        void presence_in_a_namespace_without_presence_is_503_not_available() {
            assertError(node.api("GET", "/api/presence/news:1", null), 503, "not_available");
        }

        @Test
        void presence_of_an_invalid_channel_is_400() {
            assertError(node.api("GET", "/api/presence/room%3Ax%20y", null), 400, "bad_request");
        }

        @Test
        void presence_with_post_is_400() {
            assertError(node.api("POST", "/api/presence/room:1", "{}"), 400, "bad_request");
        }
    }

    @Nested
    class History {
        private String epoch;

        private void publishFive(String channel) {
            for (int i = 1; i <= 5; i++) {
                Reply r = publish("{\"channel\":\"" + channel + "\",\"type\":\"e\",\"data\":" + i + "}");
                assertThat(r.json().get("offset").asLong()).isEqualTo(i);
                epoch = r.json().get("epoch").asText();
            }
        }

        private static List<Long> offsets(Reply r) {
            List<Long> out = new ArrayList<>();
            r.json().get("publications").forEach(p -> out.add(p.get("offset").asLong()));
            return out;
        }

        @Test
        void history_without_since_returns_the_latest_publications_in_ascending_order() {
            publishFive("news:1");
            Reply r = node.api("GET", "/api/history/news:1", null);
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(offsets(r)).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(r.json().get("offset").asLong()).isEqualTo(5);
            assertThat(r.json().get("epoch").asText()).isEqualTo(epoch);
            JsonNode first = r.json().get("publications").get(0);
            assertThat(first.get("type").asText()).isEqualTo("e");
            assertThat(first.get("channel").asText()).isEqualTo("news:1");
            assertThat(first.get("data").asInt()).isEqualTo(1);
            assertThat(first.get("timestamp").asText()).matches(TIMESTAMP);

            Reply latest = node.api("GET", "/api/history/news:1?limit=2", null);
            assertThat(offsets(latest)).containsExactly(4L, 5L);
        }

        @Test
        void history_with_since_and_the_current_epoch_recovers_the_publications_after_since() {
            publishFive("news:1");
            Reply r = node.api("GET", "/api/history/news:1?since=2&epoch=" + epoch, null);
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(r.json().get("recovered").asBoolean()).isTrue();
            assertThat(offsets(r)).containsExactly(3L, 4L, 5L);
            assertThat(r.json().get("offset").asLong()).isEqualTo(5);

            Reply limited = node.api("GET", "/api/history/news:1?since=2&epoch=" + epoch + "&limit=2", null);
            assertThat(offsets(limited)).containsExactly(3L, 4L);
        }

        @Test
        void history_with_since_and_a_wrong_epoch_is_not_recovered() {
            publishFive("news:1");
            Reply r = node.api("GET", "/api/history/news:1?since=2&epoch=nope", null);
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(r.json().get("recovered").asBoolean()).isFalse();
            assertThat(r.json().get("epoch").asText()).isEqualTo(epoch);
        }

        @Test
        void history_of_a_user_limited_channel_takes_a_percent_encoded_name() {
            Reply p = publish("{\"channel\":\"orders#42\",\"type\":\"e\",\"data\":\"x\"}");
            assertThat(p.status()).as("%s", p).isEqualTo(200);
            Reply r = node.api("GET", "/api/history/orders%2342", null);
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(offsets(r)).containsExactly(1L);
            assertThat(r.json().get("publications").get(0).get("channel").asText()).isEqualTo("orders#42");
        }

        @Test
        void history_in_a_namespace_with_history_size_0_is_503_not_available() {
            node.publish("nohist:1", "e", "1");
            assertError(node.api("GET", "/api/history/nohist:1", null), 503, "not_available");
        }

        @Test
        void history_with_since_but_no_epoch_is_400() {
            publishFive("news:1");
            assertError(node.api("GET", "/api/history/news:1?since=2", null), 400, "bad_request");
            assertError(node.api("GET", "/api/history/news:1?epoch=" + epoch, null), 400, "bad_request");
        }

        @Test
        void history_with_a_bad_since_or_limit_is_400() {
            assertError(node.api("GET", "/api/history/news:1?since=x&epoch=a", null), 400, "bad_request");
            assertError(node.api("GET", "/api/history/news:1?since=-1&epoch=a", null), 400, "bad_request");
            assertError(node.api("GET", "/api/history/news:1?limit=0", null), 400, "bad_request");
            assertError(node.api("GET", "/api/history/news:1?limit=ten", null), 400, "bad_request");
        }

        @Test
        void history_of_a_channel_never_published_is_empty_at_offset_0() {
            Reply r = node.api("GET", "/api/history/news:empty", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("publications")).isEmpty();
            assertThat(r.json().get("offset").asLong()).isZero();
        }
    }

    @Nested
    class ServerSideSubscriptions {
        @Test
        void subscribe_by_user_subscribes_every_connection_of_that_user() {
            WsClient a = connectAs("42");
            WsClient b = connectAs("42");
            WsClient other = connectAs("7");
            Reply r = node.api("POST", "/api/subscribe", "{\"user\":\"42\",\"channel\":\"news:1\"}");
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(r.json().get("subscribed").asInt()).isEqualTo(2);

            for (WsClient c : List.of(a, b)) {
                JsonNode s = c.expect("subscribed");
                assertThat(s.get("channel").asText()).isEqualTo("news:1");
                assertThat(s.has("id")).isFalse();
                assertThat(s.get("offset").asLong()).isZero();
                assertThat(s.get("epoch").asText()).isNotEmpty();
            }
            node.publish("news:1", "headline", "{\"n\":1}");
            for (WsClient c : List.of(a, b)) {
                JsonNode p = c.expect("headline");
                assertThat(p.get("offset").asLong()).isEqualTo(1);
                c.expectNothingPending();
            }
            other.expectNothingPending();
        }

        @Test
        void subscribe_by_client_subscribes_only_that_connection() {
            WsClient a = node.connect(node.token("42", List.of(), List.of(), List.of()));
            clients.add(a);
            String clientA = a.expect("connected").get("client").asText();
            WsClient b = connectAs("42");
            Reply r = node.api("POST", "/api/subscribe", "{\"client\":\"" + clientA + "\",\"channel\":\"news:1\"}");
            assertThat(r.json().get("subscribed").asInt()).isEqualTo(1);
            assertThat(a.expect("subscribed").has("id")).isFalse();
            node.publish("news:1", "e", "1");
            a.expect("e");
            a.expectNothingPending();
            b.expectNothingPending();
        }

        @Test
        void subscribe_of_a_user_with_no_connections_counts_0() {
            Reply r = node.api("POST", "/api/subscribe", "{\"user\":\"nobody\",\"channel\":\"news:1\"}");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("subscribed").asInt()).isZero();
        }

        @Test
        void unsubscribe_ends_the_subscription_with_reason_server() {
            WsClient a = connectAs("42");
            node.api("POST", "/api/subscribe", "{\"user\":\"42\",\"channel\":\"news:1\"}");
            a.expect("subscribed");
            Reply r = node.api("POST", "/api/unsubscribe", "{\"user\":\"42\",\"channel\":\"news:1\"}");
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(r.json().get("unsubscribed").asInt()).isEqualTo(1);
            JsonNode u = a.expect("unsubscribed");
            assertThat(u.get("channel").asText()).isEqualTo("news:1");
            assertThat(u.get("reason").asText()).isEqualTo("server");
            assertThat(u.has("id")).isFalse();
            node.publish("news:1", "e", "1");
            a.expectNothingPending();
        }

        @Test
        void disconnect_by_user_closes_every_connection_of_that_user_with_4010() {
            WsClient a = connectAs("42");
            WsClient b = connectAs("42");
            WsClient other = connectAs("7");
            Reply r = node.api("POST", "/api/disconnect", "{\"user\":\"42\"}");
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            assertThat(r.json().get("disconnected").asInt()).isEqualTo(2);
            for (WsClient c : List.of(a, b)) {
                JsonNode d = c.expect("disconnect");
                assertThat(d.get("code").asInt()).isEqualTo(4010);
                assertThat(d.get("reason").asText()).isNotBlank();
                assertThat(d.get("reconnect").asBoolean()).isFalse();
                assertThat(c.awaitClose()).isEqualTo(4010);
            }
            other.expectNothingPending();
            awaitTrue("connections of 42 gone", () -> node.api("GET", "/api/info", null).json().get("connections").asInt() == 1);
        }

        @Test
        void disconnect_by_client_closes_only_that_connection() {
            WsClient a = node.connect(node.token("42", List.of(), List.of(), List.of()));
            clients.add(a);
            String clientA = a.expect("connected").get("client").asText();
            WsClient b = connectAs("42");
            Reply r = node.api("POST", "/api/disconnect", "{\"client\":\"" + clientA + "\"}");
            assertThat(r.json().get("disconnected").asInt()).isEqualTo(1);
            assertThat(a.expect("disconnect").get("code").asInt()).isEqualTo(4010);
            assertThat(a.awaitClose()).isEqualTo(4010);
            b.expectNothingPending();
        }

        @Test
        void giving_both_user_and_client_or_neither_is_400() {
            for (String path : List.of("/api/subscribe", "/api/unsubscribe")) {
                assertError(node.api("POST", path, "{\"user\":\"42\",\"client\":\"c_1\",\"channel\":\"news:1\"}"), 400, "bad_request");
                assertError(node.api("POST", path, "{\"channel\":\"news:1\"}"), 400, "bad_request");
            }
            assertError(node.api("POST", "/api/disconnect", "{\"user\":\"42\",\"client\":\"c_1\"}"), 400, "bad_request");
            assertError(node.api("POST", "/api/disconnect", "{}"), 400, "bad_request");
        }

        @Test
        void subscribe_without_a_channel_or_with_an_invalid_one_is_400() {
            assertError(node.api("POST", "/api/subscribe", "{\"user\":\"42\"}"), 400, "bad_request");
            assertError(node.api("POST", "/api/subscribe", "{\"user\":\"42\",\"channel\":\"a b\"}"), 400, "bad_request");
        }
    }

    @Nested
    class Info {
        @Test
        void info_reports_version_engine_connections_subscriptions_and_this_node() {
            WsClient a = connectAs("1", "**");
            connectAs("2", "**");
            a.send("{\"type\":\"subscribe\",\"channel\":\"news:1\"}").expect("subscribed");
            Reply r = node.api("GET", "/api/info", null);
            assertThat(r.status()).as("%s", r).isEqualTo(200);
            JsonNode j = r.json();
            assertThat(j.get("version").asText()).isEqualTo(HeraldServer.VERSION);
            assertThat(j.get("engine").asText()).isEqualTo("memory");
            assertThat(j.get("connections").asInt()).isEqualTo(2);
            assertThat(j.get("subscriptions").asInt()).isEqualTo(1);
            JsonNode n0 = j.get("nodes").get(0);
            assertThat(n0.get("node").asText()).isEqualTo(node.server.nodeId());
            assertThat(n0.get("connections").asInt()).isEqualTo(2);
            assertThat(n0.get("subscriptions").asInt()).isEqualTo(1);
            assertThat(n0.get("channels").asInt()).isEqualTo(1);
            assertThat(java.time.Instant.parse(n0.get("started").asText())).isBefore(java.time.Instant.now());
        }

        @Test
        void info_with_post_is_400() {
            assertError(node.api("POST", "/api/info", "{}"), 400, "bad_request");
        }
    }

    @Nested
    class Routing {
        @Test
        void an_unknown_endpoint_is_404_not_found() {
            assertError(node.api("GET", "/api/nope", null), 404, "not_found");
            assertError(node.api("GET", "/nope", null), 404, "not_found");
        }

        @Test
        void a_wrong_method_is_400_bad_request() {
            Reply r = node.api("GET", "/api/publish", null);
            assertError(r, 400, "bad_request");
            assertThat(r.json().at("/error/message").asText()).contains("POST");
            assertError(node.api("PUT", "/api/broadcast", "{}"), 400, "bad_request");
            assertError(node.api("DELETE", "/api/history/news:1", null), 400, "bad_request");
        }

        @Test
        void a_body_over_1_MiB_is_413_message_too_large() {
            String big = "{\"channel\":\"a\",\"type\":\"e\",\"data\":\"" + "x".repeat(HeraldServer.MAX_HTTP_BODY) + "\"}";
            assertError(publish(big), 413, "message_too_large");
            // the node still serves requests and nothing was published
            assertThat(node.publish("a", "e", "1")).isEqualTo(1);
        }

        @Test
        void health_is_200() {
            Reply r = node.http("GET", "/health", null, null);
            assertThat(r.status()).isEqualTo(200);
        }

        @Test
        void ready_is_200_with_ready_true() {
            Reply r = node.http("GET", "/ready", null, null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.json().get("ready").asBoolean()).isTrue();
        }

        @Test
        void ws_without_an_upgrade_is_400() {
            Reply r = node.http("GET", "/ws", null, null);
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.errorCode()).isEqualTo("bad_request");
        }
    }
}
