package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.engine.redis.RedisEngine;
import io.herald.engine.redis.RedisTestSupport;
import io.herald.protocol.JsonCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code data} is the JSON text the publisher sent, not a re-encoding of it: numbers no double holds,
 * {@code -0.0}, exponent forms and <code>&#92;u</code> escapes arrive byte for byte, through every way in
 * (WebSocket {@code publish}, {@code /api/publish}, {@code /api/broadcast}, {@code POST /publish})
 * and every way out (WebSocket live and {@code history}, {@code /api/history}, SSE, {@code /poll}),
 * on the memory engine and on the Redis engine. Compares the raw text of what arrives, never a tree.
 */
class DataPassThroughTest {
    /** What a double-based tree changes: 1e400 became "Infinity", the 17 digits lost precision. */
    static final String DATA = "{\"big\":1e400,\"precise\":12345678901234567.89,\"neg\":-0.0,\"exp\":1E+2,"
            + "\"uni\":\"\\u00e9\\ud83d\\ude00\"}";
    private static final String PREFIX = RedisTestSupport.uniquePrefix("data");
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    static TestNode memory;
    static TestNode redis;

    enum Entry { WS_PUBLISH, API_PUBLISH, API_BROADCAST, HTTP_PUBLISH }

    @BeforeAll
    static void start() throws InterruptedException {
        RedisTestSupport.requireLocalRedis();
        memory = node().start();
        redis = node().engine(() -> RedisEngine.create(RedisTestSupport.config(PREFIX))).start();
    }

    private static TestNode.Builder node() {
        return TestNode.builder().namespace("raw", TestNode.ns(100, Duration.ofMinutes(5), false, false, false, false));
    }

    @AfterAll
    static void stop() {
        if (memory != null) {
            memory.close();
        }
        if (redis != null) {
            redis.close();
        }
        RedisTestSupport.deleteKeys(RedisTestSupport.URL, PREFIX);
    }

    static Stream<Arguments> paths() {
        return Stream.of("memory", "redis").flatMap(engine -> Stream.of(Entry.values()).map(e -> Arguments.of(engine, e)));
    }

    @ParameterizedTest(name = "{0} engine, published through {1}")
    @MethodSource("paths")
    void dataArrivesAsSentOnEveryWayOut(String engine, Entry entry) throws Exception {
        TestNode node = engine.equals("memory") ? memory : redis;
        String channel = TestNode.unique("raw:");
        String token = node.token("u1", List.of("raw:*"), List.of("raw:*"), List.of());
        try (RawWsClient live = RawWsClient.connect(node.port(), "/ws?token=" + token);
             SseClient sse = SseClient.open(URI.create("http://127.0.0.1:" + node.port() + "/sse?channel=" + channel
                     + "&token=" + token), Map.of())) {
            assertThat(json(live.readText()).path("type").asText()).isEqualTo("connected");
            live.sendText("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}");
            assertThat(json(live.readText()).path("type").asText()).isEqualTo("subscribed");
            sse.expect("connected");
            String cursors = json(get(node, "/poll?channel=" + channel + "&token=" + token)).get("cursors").asText();

            publish(node, entry, channel, token);

            assertCarriesData("WebSocket live", live.readText());
            assertCarriesData("SSE", sse.expect("raw_numbers").data());
            assertCarriesData("/poll", get(node, "/poll?channel=" + channel + "&since=" + cursors + "&token=" + token));
            live.sendText("{\"type\":\"history\",\"id\":2,\"channel\":\"" + channel + "\"}");
            assertCarriesData("WebSocket history", live.readText());
            assertCarriesData("/api/history", node.apiRaw("GET", "/api/history/" + channel, null).body());
        }
    }

    @Test
    void whitespaceBetweenTokensIsDroppedAndEverythingElseKept() throws Exception {
        String channel = TestNode.unique("raw:");
        String token = memory.token("u2", List.of("raw:*"), List.of(), List.of());
        try (RawWsClient live = RawWsClient.connect(memory.port(), "/ws?token=" + token)) {
            live.readText();
            live.sendText("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}");
            live.readText();
            memory.publish(channel, "spaced", "{ \"a\" :\r\n [ 1.50 , \"x  y\" ,\t{} ] ,\n \"b\\\"\" : null }");
            assertThat(live.readText()).contains("\"data\":{\"a\":[1.50,\"x  y\",{}],\"b\\\"\":null},\"offset\"");
        }
    }

    @Test
    void apiDataThatIsNotStrictUtf8IsRefusedInsteadOfPassedOn() throws Exception {
        String channel = TestNode.unique("raw:");
        // an overlong '/' (C0 AF), which Jackson would decode leniently: sent on as is, it would make
        // every subscriber's WebSocket fail
        byte[] body = ("{\"channel\":\"" + channel + "\",\"type\":\"x\",\"data\":\"a\u0000b\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int nul = new String(body, java.nio.charset.StandardCharsets.UTF_8).indexOf('\u0000');
        byte[] bad = new byte[body.length + 1];
        System.arraycopy(body, 0, bad, 0, nul);
        bad[nul] = (byte) 0xC0;
        bad[nul + 1] = (byte) 0xAF;
        System.arraycopy(body, nul + 1, bad, nul + 2, body.length - nul - 1);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + memory.port()
                        + "/api/publish"))
                .header("Authorization", "apikey " + TestNode.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(bad))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r.body()).path("error").path("message").asText()).contains("not valid UTF-8");
        assertThat(json(memory.apiRaw("GET", "/api/history/" + channel, null).body()).get("publications")).isEmpty();
    }

    private static void publish(TestNode node, Entry entry, String channel, String token) throws Exception {
        switch (entry) {
            case WS_PUBLISH -> {
                try (RawWsClient publisher = RawWsClient.connect(node.port(), "/ws?token=" + token)) {
                    publisher.readText();
                    publisher.sendText("{\"type\":\"publish\",\"id\":5,\"channel\":\"" + channel
                            + "\",\"event\":\"raw_numbers\",\"data\":" + DATA + "}");
                    assertThat(json(publisher.readText()).path("type").asText()).isEqualTo("published");
                }
            }
            case API_PUBLISH -> node.publish(channel, "raw_numbers", DATA);
            case API_BROADCAST -> {
                TestNode.Reply r = node.api("POST", "/api/broadcast", "{\"channels\":[\"" + channel
                        + "\"],\"type\":\"raw_numbers\",\"data\":" + DATA + "}");
                assertThat(r.status()).as("%s", r).isEqualTo(200);
                assertThat(r.json().get("results").get(0).has("offset")).as("%s", r).isTrue();
            }
            case HTTP_PUBLISH -> {
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port()
                                + "/publish"))
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"publish\",\"channel\":\"" + channel
                                + "\",\"event\":\"raw_numbers\",\"data\":" + DATA + "}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
        }
    }

    /** The frame (or a reply embedding it) holds the data exactly as sent, between its neighbours in the frame. */
    private static void assertCarriesData(String where, String text) {
        assertThat(text).as(where).contains("\"data\":" + DATA + ",\"offset\":");
    }

    private static String get(TestNode node, String path) throws IOException {
        HttpResponse<String> r = node.get(path);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private static JsonNode json(String text) throws IOException {
        return JsonCodec.MAPPER.readTree(text);
    }
}
