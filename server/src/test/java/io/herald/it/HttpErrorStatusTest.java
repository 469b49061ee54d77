package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.config.ClientConfig;
import io.herald.config.LimitsConfig;
import io.herald.config.RedisConfig;
import io.herald.engine.redis.RedisEngine;
import io.herald.protocol.JsonCodec;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The HTTP status of every error code, on every endpoint that can answer it: one row per (endpoint,
 * status, code), each produced by a real request to a real node. Each code has one status wherever
 * HTTP carries it (400 bad_request; 401 unauthorized, token_expired; 403 permission_denied; 404
 * not_found; 413 message_too_large; 429 too_many_requests, limit_exceeded; 500 internal; 503
 * not_available; 504 unknown_outcome). Engine failures come from a Redis of this test's own: a key
 * of the wrong type (500), the server frozen (504), then killed (503).
 */
class HttpErrorStatusTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final String ALLOWED_ORIGIN = "https://app.example";
    /** Command rate 1/s per user: the third request of the same user at once is refused. */
    private static final ClientConfig CLIENT = ClientConfig.DEFAULTS.withCommandLimits(2, 1, 1);
    private static TestNode node;
    /** Limits that would refuse the other rows' requests: API rate 1/s, one new connection per second per IP (bursts of 2). */
    private static TestNode strict;
    private static RedisServerProcess redis;
    private static TestNode onRedis;
    private static int users;

    @BeforeAll
    static void start() throws IOException, InterruptedException {
        node = TestNode.builder()
                .namespace("quiet", TestNode.ns(0, Duration.ofMinutes(5), false, false, false, false))
                .client(CLIENT)
                .origins(List.of(ALLOWED_ORIGIN))
                .start();
        strict = TestNode.builder().limits(new LimitsConfig(0, 0, 1, 1)).start();
        if (RedisServerProcess.available()) {
            redis = RedisServerProcess.launch();
            RedisConfig config = new RedisConfig(List.of(redis.url()), false, "status", Duration.ofSeconds(60),
                    Duration.ofSeconds(1));
            onRedis = TestNode.builder().client(CLIENT).engine(() -> RedisEngine.create(config)).start();
        }
    }

    @AfterAll
    static void stop() {
        node.close();
        strict.close();
        if (onRedis != null) {
            onRedis.close();
        }
        if (redis != null) {
            redis.thaw();
            redis.close();
        }
    }

    /** One row of the table: {@code request} must be answered {@code status} with {@code code}. */
    private record Row(String endpoint, int status, String code, String when, Request request) {
    }

    @FunctionalInterface
    private interface Request {
        Answer send() throws Exception;
    }

    /** What a request was answered. */
    private record Answer(int statusCode, java.net.http.HttpHeaders headers, String body) {
        static Answer of(HttpResponse<String> res) {
            return new Answer(res.statusCode(), res.headers(), res.body());
        }
    }

    /** A token of a user no other row uses, so per-user rates do not mix rows. */
    private static String token(TestNode n, List<String> channels, List<String> publish) {
        return n.token("u" + (++users), channels, publish, List.of());
    }

    private static String expiredToken(TestNode n) {
        ObjectNode claims = JsonCodec.MAPPER.createObjectNode();
        claims.put("sub", "late");
        claims.put("exp", System.currentTimeMillis() / 1000 - 3600);
        claims.putArray("channels").add("**");
        return n.token(claims);
    }

    private static Answer send(TestNode n, String method, String path, String body,
                                             Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return Answer.of(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static Answer api(TestNode n, String method, String path, String body)
            throws IOException, InterruptedException {
        return send(n, method, path, body, Map.of("Authorization", "apikey " + TestNode.API_KEY));
    }

    /** Opens a stream and closes it once its head (and, for an error, its body) arrived. */
    private static Answer sse(TestNode n, String method, String query, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.port() + "/sse?" + query))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        HttpResponse<java.io.InputStream> res = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (java.io.InputStream body = res.body()) {
            return new Answer(res.statusCode(), res.headers(),
                    res.statusCode() == 200 ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static Answer publish(TestNode n, String token, String body, Map<String, String> extra)
            throws IOException, InterruptedException {
        Map<String, String> headers = new java.util.HashMap<>(extra);
        if (token != null) {
            headers.put("Authorization", "Bearer " + token);
        }
        return send(n, "POST", "/publish", body, headers);
    }

    private static String publishBody(String channel) {
        return "{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"event\":\"e\",\"data\":{}}";
    }

    private static String apiPublishBody(String channel) {
        return "{\"channel\":\"" + channel + "\",\"type\":\"e\",\"data\":{}}";
    }

    /**
     * The first refused of up to five requests at once (a rate of 1/s allows a burst of 2), or the
     * fifth when none was refused.
     */
    private static Answer overTheRate(Request request) throws Exception {
        Answer last = null;
        for (int i = 0; i < 5; i++) {
            last = request.send();
            if (last.statusCode() != 200) {
                return last;
            }
        }
        return last;
    }

    private static String channels(int n) {
        StringBuilder q = new StringBuilder();
        for (int i = 0; i < n; i++) {
            q.append("channel=match:").append(i).append('&');
        }
        return q.toString();
    }

    private static String big() {
        return "{\"channel\":\"match:1\",\"type\":\"e\",\"data\":\"" + "x".repeat(1024 * 1024 + 10) + "\"}";
    }

    private static List<Row> memoryRows() {
        String t = token(node, List.of("match:*"), List.of("match:*"));
        Map<String, String> foreign = Map.of("Origin", "https://evil.example");
        return List.of(
                new Row("/api", 400, "bad_request", "the body is not JSON",
                        () -> api(node, "POST", "/api/publish", "{nope")),
                new Row("/api", 400, "bad_request", "a wrong method",
                        () -> api(node, "GET", "/api/publish", null)),
                new Row("/api", 401, "unauthorized", "a wrong API key",
                        () -> send(node, "GET", "/api/info", null, Map.of("Authorization", "apikey wrong"))),
                new Row("/api", 404, "not_found", "an unknown path",
                        () -> api(node, "GET", "/api/nope", null)),
                new Row("/api", 413, "message_too_large", "a body over 1 MiB",
                        () -> api(node, "POST", "/api/publish", big())),
                new Row("/api", 429, "too_many_requests", "over limits.api_rate",
                        () -> overTheRate(() -> api(strict, "GET", "/api/info", null))),
                new Row("/api", 503, "not_available", "presence off in the namespace",
                        () -> api(node, "GET", "/api/presence/quiet:1", null)),
                new Row("/api", 503, "not_available", "history off in the namespace",
                        () -> api(node, "GET", "/api/history/quiet:1", null)),
                new Row("unknown path", 404, "not_found", "GET /nope",
                        () -> send(node, "GET", "/nope", null, Map.of())),
                new Row("/ws", 400, "bad_request", "a GET without the upgrade",
                        () -> send(node, "GET", "/ws", null, Map.of())),
                new Row("/sse", 400, "bad_request", "a malformed cursor",
                        () -> sse(node, "GET", "channel=match:1&since=nope&token=" + t, Map.of())),
                new Row("/sse", 400, "bad_request", "a wrong method",
                        () -> sse(node, "POST", "channel=match:1&token=" + t, Map.of())),
                new Row("/sse", 403, "permission_denied", "an origin not allowed",
                        () -> sse(node, "GET", "channel=match:1&token=" + t, foreign)),
                new Row("/sse", 429, "limit_exceeded", "more channels than max_subscriptions",
                        () -> sse(node, "GET", channels(3) + "token=" + t, Map.of())),
                new Row("/sse", 429, "too_many_requests", "over limits.connection_rate_per_ip",
                        () -> overTheRate(() -> sse(strict, "GET", "channel=match:1", Map.of()))),
                new Row("/poll", 400, "bad_request", "a malformed timeout",
                        () -> send(node, "GET", "/poll?channel=match:1&timeout=soon&token=" + t, null, Map.of())),
                new Row("/poll", 400, "bad_request", "a wrong method",
                        () -> send(node, "POST", "/poll?channel=match:1&token=" + t, "", Map.of())),
                new Row("/poll", 401, "unauthorized", "a malformed token",
                        () -> send(node, "GET", "/poll?channel=match:1&token=garbage", null, Map.of())),
                new Row("/poll", 401, "token_expired", "an expired token",
                        () -> send(node, "GET", "/poll?channel=match:1&timeout=0&token=" + expiredToken(node), null, Map.of())),
                new Row("/poll", 403, "permission_denied", "a channel the token does not allow",
                        () -> send(node, "GET", "/poll?channel=secret&token=" + t, null, Map.of())),
                new Row("/poll", 403, "permission_denied", "an origin not allowed",
                        () -> send(node, "GET", "/poll?channel=match:1&token=" + t, null, foreign)),
                new Row("/poll", 429, "limit_exceeded", "more channels than max_subscriptions",
                        () -> send(node, "GET", "/poll?" + channels(3) + "token=" + t, null, Map.of())),
                new Row("/poll", 429, "too_many_requests", "over client.command_rate", () -> {
                    String own = token(node, List.of("match:*"), List.of());
                    return overTheRate(() -> send(node, "GET", "/poll?channel=match:1&timeout=0&token=" + own, null, Map.of()));
                }),
                new Row("/publish", 400, "bad_request", "a body that is not a publish command",
                        () -> publish(node, t, "{\"type\":\"ping\"}", Map.of())),
                new Row("/publish", 400, "bad_request", "a wrong method",
                        () -> send(node, "GET", "/publish", null, Map.of())),
                new Row("/publish", 401, "unauthorized", "a malformed token",
                        () -> publish(node, "garbage", publishBody("match:1"), Map.of())),
                new Row("/publish", 401, "token_expired", "an expired token",
                        () -> publish(node, expiredToken(node), publishBody("match:1"), Map.of())),
                new Row("/publish", 403, "permission_denied", "a channel the token may not publish to",
                        () -> publish(node, token(node, List.of("match:*"), List.of("match:*")), publishBody("other:1"),
                                Map.of())),
                new Row("/publish", 403, "permission_denied", "an origin not allowed",
                        () -> publish(node, t, publishBody("match:1"), foreign)),
                new Row("/publish", 413, "message_too_large", "a body over 1 MiB",
                        () -> publish(node, t, big(), Map.of())),
                new Row("/publish", 429, "too_many_requests", "over client.command_rate", () -> {
                    String own = token(node, List.of("match:*"), List.of("match:*"));
                    return overTheRate(() -> publish(node, own, publishBody("match:1"), Map.of()));
                }));
    }

    /** Rows on the Redis node, in this order: the Redis is corrupted for one channel, then frozen, then killed. */
    private static List<Row> redisRows() {
        String broken = TestNode.unique("broken:");
        String ch = TestNode.unique("match:");
        return List.of(
                new Row("/api", 500, "internal", "the engine fails the command", () -> {
                    corrupt(broken);
                    return api(onRedis, "POST", "/api/publish", apiPublishBody(broken));
                }),
                new Row("/publish", 500, "internal", "the engine fails the command",
                        () -> publish(onRedis, anyone(), publishBody(broken), Map.of())),
                new Row("/poll", 500, "internal", "the engine fails the read",
                        () -> send(onRedis, "GET", "/poll?channel=" + URLEncoder.encode(broken, StandardCharsets.UTF_8)
                                + "&timeout=0&token=" + anyone(), null, Map.of())),
                new Row("/api", 504, "unknown_outcome", "the engine does not answer in time",
                        () -> frozen(() -> api(onRedis, "POST", "/api/publish", apiPublishBody(ch)))),
                new Row("/publish", 504, "unknown_outcome", "the engine does not answer in time",
                        () -> frozen(() -> publish(onRedis, anyone(), publishBody(ch), Map.of()))),
                new Row("/api", 503, "not_available", "the engine is unreachable", () -> {
                    redis.kill();
                    return Await.value(Duration.ofSeconds(10), "the node notices Redis is gone",
                            () -> uncheck(() -> api(onRedis, "POST", "/api/publish", apiPublishBody(ch))),
                            r -> r.statusCode() == 503);
                }),
                new Row("/publish", 503, "not_available", "the engine is unreachable",
                        () -> publish(onRedis, anyone(), publishBody(ch), Map.of())));
    }

    /** A token of a new user of the Redis node who may subscribe and publish anywhere. */
    private static String anyone() {
        return token(onRedis, List.of("**"), List.of("**"));
    }

    private static void corrupt(String channel) {
        assertThat(redis.cli("set", "status:{" + channel + "}:s", "not a hash")).contains("OK");
    }

    private static Answer frozen(Request request) throws Exception {
        redis.freeze();
        try {
            return request.send();
        } finally {
            redis.thaw();
        }
    }

    private static Answer uncheck(Request request) {
        try {
            return request.send();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @TestFactory
    List<DynamicTest> everyErrorHasTheStatusOfItsCodeOnEveryEndpoint() {
        List<Row> rows = new ArrayList<>(memoryRows());
        if (onRedis != null) {
            rows.addAll(redisRows());
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Row row : rows) {
            tests.add(DynamicTest.dynamicTest(row.endpoint() + " " + row.status() + " " + row.code() + ": " + row.when(),
                    () -> check(row)));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> aWrongMethodIs400BadRequestWithTheAllowedMethods() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String[] c : List.of(new String[] {"GET", "/api/publish", "POST"}, new String[] {"POST", "/api/info", "GET"},
                new String[] {"DELETE", "/api/history/match:1", "GET"}, new String[] {"POST", "/sse", "GET, OPTIONS"},
                new String[] {"PUT", "/poll", "GET, OPTIONS"}, new String[] {"GET", "/publish", "POST, OPTIONS"})) {
            tests.add(DynamicTest.dynamicTest(c[0] + " " + c[1], () -> {
                Answer res = c[1].startsWith("/api/") ? api(node, c[0], c[1], null)
                        : send(node, c[0], c[1], c[0].equals("GET") ? null : "", Map.of());
                assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
                assertThat(code(res.body())).isEqualTo("bad_request");
                assertThat(res.headers().firstValue("allow")).hasValue(c[2]);
            }));
        }
        return tests;
    }

    private static void check(Row row) throws Exception {
        Answer res = row.request().send();
        assertThat(res.statusCode()).as("%s %s: %s", row.endpoint(), row.when(), res.body()).isEqualTo(row.status());
        assertThat(code(res.body())).as("%s %s: %s", row.endpoint(), row.when(), res.body()).isEqualTo(row.code());
    }

    /** The error code of {@code {"error":{"code"}}} (server API, SSE, poll) or of an error frame ({@code /publish}). */
    private static String code(String body) throws IOException {
        JsonNode json = JsonCodec.MAPPER.readTree(body);
        return json.has("error") ? json.path("error").path("code").asText() : json.path("code").asText();
    }
}
