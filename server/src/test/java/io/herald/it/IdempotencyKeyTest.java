package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.protocol.JsonCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every publish answer names the idempotency key it was published under (assigned by Herald when
 * the caller gave none), and a retry with that key publishes once: server API publish and
 * broadcast, client publish over WebSocket and {@code POST /publish}. Memory engine.
 */
class IdempotencyKeyTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestNode node;

    @BeforeAll
    static void start() throws InterruptedException {
        node = TestNode.builder().start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    private static String publishBody(String channel, String data, String key) {
        return "{\"channel\":\"" + channel + "\",\"type\":\"e\",\"data\":" + data
                + (key == null ? "" : ",\"idempotency_key\":\"" + key + "\"") + "}";
    }

    private static long held(String channel) {
        TestNode.Reply h = node.api("GET", "/api/history/" + channel, null);
        assertThat(h.status()).as(h.toString()).isEqualTo(200);
        return h.json().get("publications").size();
    }

    @Test
    void everyApiPublishAnswerCarriesAKeyAssignedWhenNoneWasGivenAndEchoedWhenOneWas() {
        String ch = TestNode.unique("news:");
        Set<String> assigned = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            TestNode.Reply r = node.api("POST", "/api/publish", publishBody(ch, String.valueOf(i), null));
            assertThat(r.status()).isEqualTo(200);
            String key = r.json().path("idempotency_key").asText();
            // unguessable: at least 128 random bits
            assertThat(key).hasSizeGreaterThanOrEqualTo(22);
            assigned.add(key);
        }
        assertThat(assigned).hasSize(5);

        TestNode.Reply given = node.api("POST", "/api/publish", publishBody(ch, "9", "order-7"));
        assertThat(given.json().get("idempotency_key").asText()).isEqualTo("order-7");
        assertThat(given.json().get("offset").asLong()).isEqualTo(6);
    }

    @Test
    void aRetryWithTheAssignedKeyReturnsTheFirstResultAndPublishesNothing() {
        String ch = TestNode.unique("news:");
        TestNode.Reply first = node.api("POST", "/api/publish", publishBody(ch, "1", null));
        String key = first.json().get("idempotency_key").asText();

        TestNode.Reply retry = node.api("POST", "/api/publish", publishBody(ch, "1", key));

        assertThat(retry.status()).isEqualTo(200);
        assertThat(retry.json()).isEqualTo(first.json());
        assertThat(held(ch)).isEqualTo(1);
    }

    @Test
    void aBroadcastAnswerCarriesOneKeyAndARetryWithItPublishesOncePerChannel() {
        String a = TestNode.unique("news:a");
        String b = TestNode.unique("news:b");
        String body = "{\"channels\":[\"" + a + "\",\"" + b + "\"],\"type\":\"e\",\"data\":1}";
        TestNode.Reply first = node.api("POST", "/api/broadcast", body);
        String key = first.json().path("idempotency_key").asText();
        assertThat(key).isNotEmpty();

        TestNode.Reply retry = node.api("POST", "/api/broadcast",
                "{\"channels\":[\"" + a + "\",\"" + b + "\"],\"type\":\"e\",\"data\":1,\"idempotency_key\":\"" + key + "\"}");

        assertThat(retry.json()).isEqualTo(first.json());
        assertThat(held(a)).isEqualTo(1);
        assertThat(held(b)).isEqualTo(1);
    }

    @Test
    void aClientPublishOverWebSocketIsAnsweredWithItsKeyAndARetryWithItIsDeliveredOnce() {
        String ch = TestNode.unique("news:");
        try (WsClient c = node.connect(node.token("7", List.of("news:*"), List.of("news:*"), List.of()))) {
            c.expect("connected");
            c.call("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + ch + "\"}");
            JsonNode published = replyTo(c, 2, "{\"type\":\"publish\",\"id\":2,\"channel\":\"" + ch
                    + "\",\"event\":\"e\",\"data\":1}");
            String key = published.path("idempotency_key").asText();
            assertThat(key).hasSizeGreaterThanOrEqualTo(22);

            JsonNode again = replyTo(c, 3, "{\"type\":\"publish\",\"id\":3,\"channel\":\"" + ch
                    + "\",\"event\":\"e\",\"data\":1,\"idempotency_key\":\"" + key + "\"}");
            JsonNode own = replyTo(c, 4, "{\"type\":\"publish\",\"id\":4,\"channel\":\"" + ch
                    + "\",\"event\":\"e\",\"data\":2,\"idempotency_key\":\"mine-1\"}");

            assertThat(again.path("type").asText()).isEqualTo("published");
            assertThat(again.get("offset").asLong()).isEqualTo(published.get("offset").asLong());
            assertThat(again.get("idempotency_key").asText()).isEqualTo(key);
            assertThat(own.get("idempotency_key").asText()).isEqualTo("mine-1");
            assertThat(own.get("offset").asLong()).isEqualTo(2);
        }
        assertThat(held(ch)).isEqualTo(2);
    }

    @Test
    void aClientPublishOverHttpIsAnsweredWithItsKeyAndARetryWithItPublishesOnce() throws Exception {
        String ch = TestNode.unique("news:");
        String token = node.token("7", List.of("news:*"), List.of("news:*"), List.of());
        JsonNode first = httpPublish(token, "{\"type\":\"publish\",\"channel\":\"" + ch + "\",\"event\":\"e\",\"data\":1}");
        String key = first.path("idempotency_key").asText();
        assertThat(key).hasSizeGreaterThanOrEqualTo(22);

        JsonNode retry = httpPublish(token, "{\"type\":\"publish\",\"channel\":\"" + ch + "\",\"event\":\"e\",\"data\":1,"
                + "\"idempotency_key\":\"" + key + "\"}");

        assertThat(retry).isEqualTo(first);
        assertThat(held(ch)).isEqualTo(1);
    }

    @Test
    void aClientIdempotencyKeyMustBeANonEmptyStringOfAtMost256Characters() {
        String ch = TestNode.unique("news:");
        try (WsClient c = node.connect(node.token("7", List.of("news:*"), List.of("news:*"), List.of()))) {
            c.expect("connected");
            for (String bad : List.of("\"\"", "42", "\"" + "k".repeat(257) + "\"")) {
                JsonNode e = c.call("{\"type\":\"publish\",\"id\":9,\"channel\":\"" + ch + "\",\"event\":\"e\",\"data\":1,"
                        + "\"idempotency_key\":" + bad + "}");
                assertThat(e.path("code").asText()).as(e.toString()).isEqualTo("bad_request");
                assertThat(e.path("message").asText()).contains("idempotency_key");
            }
            JsonNode ok = c.call("{\"type\":\"publish\",\"id\":10,\"channel\":\"" + ch + "\",\"event\":\"e\",\"data\":1,"
                    + "\"idempotency_key\":\"" + "k".repeat(256) + "\"}");
            assertThat(ok.path("type").asText()).isEqualTo("published");
        }
        assertThat(held(ch)).isEqualTo(1);
    }

    /** Sends a command and returns its reply, skipping the publications a subscribed publisher receives. */
    private static JsonNode replyTo(WsClient c, long id, String command) {
        c.send(command);
        while (true) {
            JsonNode n = c.next();
            if (n.path("id").asLong(-1) == id) {
                return n;
            }
        }
    }

    private static JsonNode httpPublish(String token, String body) throws Exception {
        HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/publish"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return JsonCodec.MAPPER.readTree(res.body());
    }
}
