package io.herald.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The retry rules against a real local HTTP server that answers what a real Herald answers under
 * trouble (504 unknown_outcome, 503, 429 with Retry-After), plus the real Herald's own 429 under a
 * tiny api_rate and its own 504 while its Redis is frozen (SIGSTOP): which failures are retried,
 * under which key, and which fail at once.
 */
class RetryTest {
    private HttpServer stub;
    private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
    private final List<String> paths = new CopyOnWriteArrayList<>();
    /** Answers in order; the last one repeats. */
    private final Deque<Answer> script = new ArrayDeque<>();

    record Answer(int status, String body, Map<String, String> headers, long delayMillis) {
        static Answer of(int status, String body) {
            return new Answer(status, body, Map.of(), 0);
        }
    }

    @BeforeEach
    void startStub() throws IOException {
        stub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        stub.setExecutor(Executors.newCachedThreadPool());
        stub.createContext("/", this::handle);
        stub.start();
    }

    @AfterEach
    void stopStub() {
        stub.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        byte[] in = ex.getRequestBody().readAllBytes();
        paths.add(ex.getRequestMethod() + " " + ex.getRequestURI());
        bodies.add(in.length == 0 ? Json.MAPPER.nullNode() : Json.MAPPER.readTree(in));
        Answer a;
        synchronized (script) {
            a = script.size() > 1 ? script.poll() : script.peek();
        }
        if (a.delayMillis() > 0) {
            Await.sleep(a.delayMillis());
        }
        a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
            ex.getResponseBody().write(out);
        }
        ex.close();
    }

    private void answers(Answer... answers) {
        synchronized (script) {
            script.clear();
            script.addAll(List.of(answers));
        }
    }

    private HeraldApi api(Duration deadline) {
        return HeraldApi.builder().url("http://127.0.0.1:" + stub.getAddress().getPort()).apiKey("k")
                .retryDeadline(deadline).minBackoff(Duration.ofMillis(10)).maxBackoff(Duration.ofMillis(50)).build();
    }

    private static final String OK = "{\"offset\":7,\"epoch\":\"e1\",\"idempotency_key\":\"%s\"}";

    @Test
    void aPublishIsRetriedOn504And503UnderTheSameKeyUntilItSucceeds() {
        answers(Answer.of(504, "{\"error\":{\"code\":\"unknown_outcome\",\"message\":\"no answer\"},\"idempotency_key\":\"x\"}"),
                Answer.of(503, "{\"error\":{\"code\":\"not_available\",\"message\":\"engine down\"}}"),
                Answer.of(200, OK.formatted("key-1")));
        try (HeraldApi api = api(Duration.ofSeconds(10))) {
            PublishResult r = api.publish("feed:x", "n", Map.of("a", 1), PublishOptions.idempotencyKey("key-1"));
            assertThat(r).isEqualTo(new PublishResult(7, "e1", "key-1"));
        }
        assertThat(bodies).hasSize(3).allSatisfy(b -> assertThat(b.get("idempotency_key").asText()).isEqualTo("key-1"));
    }

    @Test
    void aGeneratedKeyIsMadeOncePerCallAndSentOnEveryTry() {
        answers(Answer.of(504, "{\"error\":{\"code\":\"unknown_outcome\",\"message\":\"?\"}}"),
                Answer.of(504, "{\"error\":{\"code\":\"unknown_outcome\",\"message\":\"?\"}}"),
                Answer.of(200, "{\"offset\":1,\"epoch\":\"e1\"}"));
        PublishResult r;
        try (HeraldApi api = api(Duration.ofSeconds(10))) {
            r = api.publish("feed:x", "n", 1);
        }
        assertThat(bodies).hasSize(3).extracting(b -> b.get("idempotency_key").asText()).containsOnly(r.idempotencyKey());
        assertThat(r.idempotencyKey()).hasSize(36);
    }

    @Test
    void a429WaitsAtLeastItsRetryAfter() {
        answers(new Answer(429, "{\"error\":{\"code\":\"too_many_requests\",\"message\":\"slow down\"}}",
                Map.of("Retry-After", "1"), 0), Answer.of(200, OK.formatted("k")));
        long started = System.nanoTime();
        try (HeraldApi api = api(Duration.ofSeconds(10))) {
            api.publish("feed:x", "n", 1, PublishOptions.idempotencyKey("k"));
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(1000));
        assertThat(bodies).hasSize(2);
    }

    @Test
    void aRetryAfterBeyondTheDeadlineEndsTheCallAtOnceWithDeadlineExceeded() {
        answers(new Answer(429, "{\"error\":{\"code\":\"too_many_requests\",\"message\":\"slow down\"}}",
                Map.of("Retry-After", "60"), 0));
        try (HeraldApi api = api(Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> api.publish("feed:x", "n", 1, PublishOptions.idempotencyKey("k-429")))
                    .isInstanceOfSatisfying(HeraldApiException.class, e -> {
                        assertThat(e.code()).isEqualTo(HeraldErrorCode.DEADLINE_EXCEEDED);
                        assertThat(e.idempotencyKey()).isEqualTo("k-429");
                        assertThat(e.status()).isEqualTo(429);
                        assertThat(((HeraldApiException) e.getCause()).retryAfter()).isEqualTo(Duration.ofSeconds(60));
                    });
        }
        assertThat(bodies).hasSize(1);
    }

    @Test
    void a400FailsAtOnceWithoutARetry() {
        answers(Answer.of(400, "{\"error\":{\"code\":\"bad_request\",\"message\":\"invalid channel\"}}"));
        try (HeraldApi api = api(Duration.ofSeconds(10))) {
            assertThatThrownBy(() -> api.publish("feed:x", "n", 1))
                    .isInstanceOfSatisfying(HeraldApiException.class, e -> {
                        assertThat(e.code()).isEqualTo(HeraldErrorCode.BAD_REQUEST);
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.getMessage()).contains("invalid channel");
                    });
        }
        assertThat(bodies).hasSize(1);
    }

    @Test
    void anErrorAnswerNamingNoHeraldCodeIsAnHttpError() {
        answers(Answer.of(502, "<html>bad gateway</html>"));
        try (HeraldApi api = api(Duration.ofSeconds(10))) {
            assertThatThrownBy(api::info).isInstanceOfSatisfying(HeraldApiException.class, e -> {
                assertThat(e.code()).isEqualTo(HeraldErrorCode.HTTP_ERROR);
                assertThat(e.status()).isEqualTo(502);
            });
        }
        assertThat(bodies).hasSize(1);
    }

    @Test
    void anAnswerThatIsNotJsonOrOverTheCapIsABadResponse() {
        answers(Answer.of(200, "not json"));
        try (HeraldApi api = api(Duration.ofSeconds(10))) {
            assertThatThrownBy(api::info).isInstanceOfSatisfying(HeraldApiException.class,
                    e -> assertThat(e.code()).isEqualTo(HeraldErrorCode.BAD_RESPONSE));
        }
        answers(Answer.of(200, "{\"node\":\"" + "n".repeat(5000) + "\"}"));
        try (HeraldApi api = HeraldApi.builder().url("http://127.0.0.1:" + stub.getAddress().getPort()).apiKey("k")
                .maxResponseBytes(1024).build()) {
            assertThatThrownBy(api::info).isInstanceOfSatisfying(HeraldApiException.class, e -> {
                assertThat(e.code()).isEqualTo(HeraldErrorCode.BAD_RESPONSE);
                assertThat(e.getMessage()).contains("larger than 1024 bytes");
            });
        }
    }

    @Test
    void aServerThatNeverAnswersIsRetriedPerRequestTimeoutUntilTheDeadline() {
        answers(new Answer(200, OK.formatted("k"), Map.of(), 5_000));
        try (HeraldApi api = HeraldApi.builder().url("http://127.0.0.1:" + stub.getAddress().getPort()).apiKey("k")
                .timeout(Duration.ofMillis(200)).retryDeadline(Duration.ofMillis(900)).build()) {
            assertThatThrownBy(() -> api.publish("feed:x", "n", 1, PublishOptions.idempotencyKey("k-slow")))
                    .isInstanceOfSatisfying(HeraldApiException.class, e -> {
                        assertThat(e.code()).isEqualTo(HeraldErrorCode.DEADLINE_EXCEEDED);
                        assertThat(e.idempotencyKey()).isEqualTo("k-slow");
                        HeraldApiException last = (HeraldApiException) e.getCause();
                        assertThat(last.code()).isEqualTo(HeraldErrorCode.NETWORK_ERROR);
                        assertThat(last.getMessage()).contains("no answer within 200 ms");
                    });
        }
        assertThat(bodies.size()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aRefusedConnectionIsRetriedUntilTheDeadlineWithTheKeyAndTheLastCause() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (HeraldApi api = HeraldApi.builder().url("http://127.0.0.1:" + closed).apiKey("k")
                .retryDeadline(Duration.ofMillis(500)).build()) {
            assertThatThrownBy(() -> api.publish("feed:x", "n", 1, PublishOptions.idempotencyKey("k-down")))
                    .isInstanceOfSatisfying(HeraldApiException.class, e -> {
                        assertThat(e.code()).isEqualTo(HeraldErrorCode.DEADLINE_EXCEEDED);
                        assertThat(e.idempotencyKey()).isEqualTo("k-down");
                        assertThat(e.getMessage()).contains("tries");
                        assertThat(((HeraldApiException) e.getCause()).code()).isEqualTo(HeraldErrorCode.NETWORK_ERROR);
                    });
        }
    }

    @Test
    void aDisconnectIsRetriedOn503ButNotOn504() {
        answers(Answer.of(503, "{\"error\":{\"code\":\"not_available\",\"message\":\"down\"}}"),
                Answer.of(200, "{\"disconnected\":2}"));
        try (HeraldApi api = api(Duration.ofSeconds(10))) {
            assertThat(api.disconnect(Target.user("42"))).isEqualTo(2);
            assertThat(bodies).hasSize(2);
            bodies.clear();
            answers(Answer.of(504, "{\"error\":{\"code\":\"unknown_outcome\",\"message\":\"?\"}}"));
            assertThatThrownBy(() -> api.disconnect(Target.user("42"), DisconnectOptions.reconnect(true)))
                    .isInstanceOfSatisfying(HeraldApiException.class, e -> assertThat(e.code()).isEqualTo(HeraldErrorCode.UNKNOWN_OUTCOME));
            assertThat(bodies).hasSize(1);
            assertThat(bodies.getFirst().get("reconnect").asBoolean()).isTrue();
        }
    }

    @Test
    void aBroadcastRetriesOnlyTheChannelsThatMayNotHaveBeenPublishedUnderTheSameKey() {
        answers(Answer.of(200, "{\"results\":[{\"channel\":\"a\",\"offset\":1,\"epoch\":\"e\"},"
                        + "{\"channel\":\"b\",\"error\":{\"code\":\"unknown_outcome\",\"message\":\"?\"}},"
                        + "{\"channel\":\"c\",\"error\":{\"code\":\"bad_request\",\"message\":\"invalid\"}}]}"),
                Answer.of(200, "{\"results\":[{\"channel\":\"b\",\"offset\":4,\"epoch\":\"e\"}]}"));
        BroadcastResult r;
        try (HeraldApi api = api(Duration.ofSeconds(10))) {
            r = api.broadcast(List.of("a", "b", "c"), "n", 1, PublishOptions.idempotencyKey("bk"));
        }
        assertThat(bodies).hasSize(2);
        assertThat(bodies.get(1).get("channels")).isEqualTo(Json.MAPPER.createArrayNode().add("b"));
        assertThat(bodies).allSatisfy(b -> assertThat(b.get("idempotency_key").asText()).isEqualTo("bk"));
        assertThat(r.idempotencyKey()).isEqualTo("bk");
        assertThat(r.results()).extracting(BroadcastResult.ChannelResult::offset).containsExactly(1L, 4L, 0L);
        assertThat(r.results().get(2).error()).isEqualTo(HeraldErrorCode.BAD_REQUEST);
    }

    @Test
    void theChannelIsPercentEncodedInThePath() {
        answers(Answer.of(200, "{\"publications\":[],\"offset\":0,\"epoch\":\"e\",\"recovered\":true}"));
        try (HeraldApi api = api(Duration.ofSeconds(10))) {
            api.history("chat#42,57", HistoryOptions.since(3, "e").withLimit(10));
        }
        assertThat(paths).containsExactly("GET /api/history/chat%2342%2C57?since=3&epoch=e&limit=10");
    }

    @Test
    void retryAfterIsReadAsSecondsOrAnHttpDate() {
        Instant now = Instant.parse("2026-01-01T12:00:00Z");
        assertThat(ApiCalls.parseRetryAfter("3", now)).isEqualTo(Duration.ofSeconds(3));
        assertThat(ApiCalls.parseRetryAfter("Thu, 01 Jan 2026 12:00:05 GMT", now)).isEqualTo(Duration.ofSeconds(5));
        assertThat(ApiCalls.parseRetryAfter("soon", now)).isNull();
        assertThat(ApiCalls.parseRetryAfter(null, now)).isNull();
    }

    @Test
    void aPublishTheRealServerAnswers504IsRetriedUnderItsKeyAndStoredOnce() throws Exception {
        try (RedisProcess redis = new RedisProcess();
             TestServer server = TestServer.redisAt(redis.url(), "500ms");
             HeraldApi api = server.api().timeout(Duration.ofSeconds(5)).maxBackoff(Duration.ofMillis(500)).build();
             HeraldApi quick = server.api().timeout(Duration.ofSeconds(5)).retryDeadline(Duration.ofMillis(1500)).build()) {
            String channel = "feed:frozen" + System.nanoTime();
            PublishResult first = api.publish(channel, "n", Map.of("n", 0));
            redis.freeze();
            try {
                // the engine's command times out: Herald answers 504 unknown_outcome, with the key
                assertThatThrownBy(() -> quick.publish(channel, "n", Map.of("n", 1), PublishOptions.idempotencyKey("frozen-1")))
                        .isInstanceOfSatisfying(HeraldApiException.class, e -> {
                            assertThat(e.code()).isEqualTo(HeraldErrorCode.DEADLINE_EXCEEDED);
                            assertThat(e.idempotencyKey()).isEqualTo("frozen-1");
                            HeraldApiException last = (HeraldApiException) e.getCause();
                            assertThat(last.code()).isEqualTo(HeraldErrorCode.UNKNOWN_OUTCOME);
                            assertThat(last.status()).isEqualTo(504);
                        });
                // the same publish again, under its key: retried through more 504s until Redis is back
                var again = api.publishAsync(channel, "n", Map.of("n", 1), PublishOptions.idempotencyKey("frozen-1"));
                Await.sleep(1000);
                assertThat(again).isNotDone();
                redis.thaw();
                PublishResult second = again.get(30, java.util.concurrent.TimeUnit.SECONDS);
                HistoryResult history = api.history(channel, HistoryOptions.since(0, first.epoch()));
                assertThat(history.publications()).extracting(p -> p.data().get("n").asInt()).containsExactly(0, 1);
                assertThat(history.publications().get(1).offset()).isEqualTo(second.offset());
            } finally {
                redis.thaw();
            }
        }
    }

    @Test
    void theRealServersRateLimitIsWaitedOutAndEveryPublishLandsOnce() {
        try (TestServer server = TestServer.memory("limits: {api_rate: 2}\n");
             HeraldApi api = server.api().build()) {
            String channel = "feed:rate" + System.nanoTime();
            List<java.util.concurrent.CompletableFuture<PublishResult>> calls = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(api.publishAsync(channel, "n", Map.of("i", i)));
            }
            List<Long> offsets = calls.stream().map(java.util.concurrent.CompletableFuture::join).map(PublishResult::offset)
                    .sorted().toList();
            assertThat(offsets).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
            assertThat(server.metrics()).containsPattern("herald_rate_limited_total\\{[^}]*limit=\"api\"[^}]*} [1-9]");
        }
    }
}
