package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.ClientConfig;
import io.herald.protocol.JsonCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code POST /publish} and the CORS answers of the client endpoints. */
class HttpPublishTest {
    static TestNode node;
    static final HttpClient http = HttpClient.newHttpClient();
    static final String APP = "https://app.example.com";

    @BeforeAll
    static void start() throws InterruptedException {
        node = TestNode.builder()
                .namespace("chat", TestNode.ns(100, Duration.ofMinutes(5), false, false, false, true))
                .origins(List.of(APP))
                .client(ClientConfig.DEFAULTS.withCommandLimits(1000, 2, 2))
                .start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static HttpResponse<String> send(String method, String path, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> publish(String token, String body) throws Exception {
        return send("POST", "/publish", body, token == null ? Map.of() : Map.of("Authorization", "Bearer " + token));
    }

    static JsonNode json(HttpResponse<String> res) throws Exception {
        return JsonCodec.MAPPER.readTree(res.body());
    }

    @Test
    void aPublishTheTokenAllowsIsAnsweredWithPublishedAndReachesSubscribers() throws Exception {
        String channel = TestNode.unique("match:");
        String t = node.token("7", List.of("match:*"), List.of("match:*"), List.of());
        try (SseClient sse = SseTest.sse(node, "channel=" + channel + "&token=" + t, Map.of())) {
            sse.expect("connected");
            HttpResponse<String> res = publish(t, "{\"type\":\"publish\",\"id\":4,\"channel\":\"" + channel
                    + "\",\"event\":\"score\",\"data\":{\"home\":1}}");
            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode published = json(res);
            assertThat(published.get("type").asText()).isEqualTo("published");
            assertThat(published.get("id").asInt()).isEqualTo(4);
            assertThat(published.get("offset").asLong()).isEqualTo(1);
            SseClient.Event e = sse.expect("score");
            assertThat(published.get("epoch").asText()).isEqualTo(e.json().get("epoch").asText());
            assertThat(e.json().get("user").asText()).isEqualTo("7");
        }
    }

    @Test
    void publishFollowsTheWebSocketRulesAndAnswersErrorsWithFittingStatuses() throws Exception {
        String subscriber = node.token("8", List.of("chat:*", "match:*"), List.of(), List.of());
        String body = "{\"type\":\"publish\",\"id\":1,\"channel\":\"match:1\",\"event\":\"score\",\"data\":{}}";
        HttpResponse<String> denied = publish(subscriber, body);
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(json(denied).get("type").asText()).isEqualTo("error");
        assertThat(json(denied).get("code").asText()).isEqualTo("permission_denied");
        assertThat(json(denied).get("id").asInt()).isEqualTo(1);
        HttpResponse<String> clientEvent = publish(subscriber,
                "{\"type\":\"publish\",\"channel\":\"chat:1\",\"event\":\"client-typing\",\"data\":null}");
        assertThat(clientEvent.statusCode()).as(clientEvent.body()).isEqualTo(200);
        assertThat(publish(null, body).statusCode()).isEqualTo(401);
        assertThat(json(publish("garbage", body)).get("message").asText()).isEqualTo("token is not a well-formed JWT");
        HttpResponse<String> notPublish = publish(subscriber, "{\"type\":\"subscribe\",\"channel\":\"chat:1\"}");
        assertThat(notPublish.statusCode()).isEqualTo(400);
        assertThat(json(notPublish).get("message").asText()).contains("must be a publish command");
        assertThat(json(publish(subscriber, "{nope")).get("code").asText()).isEqualTo("bad_request");
        assertThat(send("GET", "/publish", null, Map.of()).statusCode()).isEqualTo(400);
    }

    @Test
    void publishesOverTheCommandRateAreRefusedWith429() throws Exception {
        String t = node.token("rate", List.of("chat:*"), List.of("chat:*"), List.of());
        String body = "{\"type\":\"publish\",\"channel\":\"chat:r\",\"event\":\"m\",\"data\":1}";
        int refused = 0;
        for (int i = 0; i < 20 && refused == 0; i++) {
            HttpResponse<String> res = publish(t, body);
            if (res.statusCode() == 429) {
                refused++;
                assertThat(json(res).get("code").asText()).isEqualTo("too_many_requests");
                assertThat(json(res).get("temporary").asBoolean()).isTrue();
                assertThat(res.headers().firstValue("retry-after")).hasValue("1");
            }
        }
        assertThat(refused).isEqualTo(1);
    }

    @Test
    void anAllowedOriginGetsCorsHeadersAndPreflightsOnTheClientEndpoints() throws Exception {
        for (String path : List.of("/publish", "/poll", "/sse")) {
            HttpResponse<String> pre = send("OPTIONS", path, null, Map.of("Origin", APP,
                    "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization"));
            assertThat(pre.statusCode()).as(path).isEqualTo(204);
            assertThat(pre.headers().firstValue("access-control-allow-origin")).hasValue(APP);
            assertThat(pre.headers().firstValue("access-control-allow-headers").orElseThrow()).contains("Authorization");
            assertThat(pre.headers().firstValue("access-control-allow-methods").orElseThrow()).contains("POST");
        }
        String t = node.token("9", List.of("match:*"), List.of(), List.of());
        HttpResponse<String> poll = send("GET", "/poll?channel=match:1&token=" + t, null, Map.of("Origin", APP));
        assertThat(poll.statusCode()).isEqualTo(200);
        assertThat(poll.headers().firstValue("access-control-allow-origin")).hasValue(APP);
        HttpResponse<String> publish = send("POST", "/publish", "{}", Map.of("Origin", APP));
        assertThat(publish.headers().firstValue("access-control-allow-origin")).as("errors are readable too").hasValue(APP);
        try (SseClient sse = SseTest.sse(node, "channel=match:1&token=" + t, Map.of("Origin", APP))) {
            assertThat(sse.headers().firstValue("access-control-allow-origin")).hasValue(APP);
        }
    }

    @Test
    void anOriginNotAllowedIsRefusedWith403AndNoCorsHeaders() throws Exception {
        String evil = "https://evil.example.com";
        for (String[] req : List.of(new String[] {"OPTIONS", "/publish"}, new String[] {"GET", "/poll?channel=match:1"},
                new String[] {"GET", "/sse?channel=match:1"}, new String[] {"POST", "/publish"})) {
            HttpResponse<String> res = send(req[0], req[1], req[0].equals("POST") ? "{}" : null, Map.of("Origin", evil));
            assertThat(res.statusCode()).as(req[0] + " " + req[1]).isEqualTo(403);
            assertThat(res.headers().firstValue("access-control-allow-origin")).isEmpty();
            assertThat(json(res).path("error").path("message").asText()).isEqualTo("origin " + evil + " is not in allowed_origins");
        }
    }
}
