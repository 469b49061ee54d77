package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
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
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a publish answers when Redis does not: a node on a Redis of this test's own (spare port,
 * append-only file fsynced on every write, so a restart keeps what was acknowledged) while that
 * Redis is frozen with SIGSTOP (the command reached it, the answer does not come back: 504
 * {@code unknown_outcome} with the idempotency key, and a retry with the key publishes once) or
 * killed (the command never left: 503 {@code not_available}, nothing stored), and readiness while
 * Redis does not answer.
 */
class RedisOutcomeTest {
    /** The engine's command timeout, short so that a frozen Redis costs the test little time. */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private RedisServerProcess redis;
    private TestNode node;

    @BeforeEach
    void start() throws IOException, InterruptedException {
        assumeThat(RedisServerProcess.available()).as("redis-server at " + RedisServerProcess.BINARY).isTrue();
        redis = RedisServerProcess.launch("--appendonly", "yes", "--appendfsync", "always");
        RedisConfig config = new RedisConfig(List.of(redis.url()), false, "outcome", Duration.ofSeconds(60), TIMEOUT);
        node = TestNode.builder()
                .engine(() -> RedisEngine.create(config))
                .start();
    }

    @AfterEach
    void stop() {
        if (redis != null) {
            redis.thaw();
        }
        if (node != null) {
            node.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void publishesInFlightWhileRedisIsFrozenAreUnknownOutcomeWithTheirKeyAndRetryingWithItStoresEachEventOnce()
            throws Exception {
        String ch = TestNode.unique("match:");
        node.publish(ch, "n", "{\"n\":0}");
        List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
        redis.freeze();
        for (int i = 1; i <= 6; i++) {
            inFlight.add(apiAsync("/api/publish", "{\"channel\":\"" + ch + "\",\"type\":\"n\",\"data\":{\"n\":" + i + "}}"));
        }
        List<String> keys = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : inFlight) {
            HttpResponse<String> res = f.join();
            JsonNode body = JsonCodec.MAPPER.readTree(res.body());
            assertThat(res.statusCode()).as(res.body()).isEqualTo(504);
            assertThat(body.path("error").path("code").asText()).isEqualTo("unknown_outcome");
            assertThat(body.path("idempotency_key").asText()).isNotEmpty();
            keys.add(body.get("idempotency_key").asText());
        }
        assertThat(new HashSet<>(keys)).hasSize(6);
        redis.thaw();

        for (int i = 1; i <= 6; i++) {
            TestNode.Reply retry = node.api("POST", "/api/publish", "{\"channel\":\"" + ch + "\",\"type\":\"n\",\"data\":{\"n\":"
                    + i + "},\"idempotency_key\":\"" + keys.get(i - 1) + "\"}");
            assertThat(retry.status()).as(retry.toString()).isEqualTo(200);
            assertThat(retry.json().get("idempotency_key").asText()).isEqualTo(keys.get(i - 1));
        }
        // the six went out concurrently, so in any order; each exactly once
        assertThat(storedValues(ch)).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6);
    }

    @Test
    void aPublishWhoseConnectionIsLostAfterItWasSentIsUnknownOutcomeNotNothingWasDone() throws Exception {
        String ch = TestNode.unique("match:");
        node.publish(ch, "n", "{\"n\":0}");
        redis.freeze();
        String big = "x".repeat(20_000);
        CompletableFuture<HttpResponse<String>> res = apiAsync("/api/publish", "{\"channel\":\"" + ch
                + "\",\"type\":\"n\",\"data\":{\"n\":1,\"pad\":\"" + big + "\"}}");
        Await.until(Duration.ofSeconds(5), "the publish waits unread in the frozen Redis's socket",
                () -> redis.unreadBytes() >= big.length());
        redis.kill();

        HttpResponse<String> answer = res.join();
        JsonNode body = JsonCodec.MAPPER.readTree(answer.body());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(504);
        assertThat(body.path("error").path("code").asText()).isEqualTo("unknown_outcome");
        assertThat(body.path("idempotency_key").asText()).isNotEmpty();
    }

    @Test
    void clientPublishesOverWebSocketAndHttpWhileRedisIsFrozenAreUnknownOutcomeAndARetryWithTheKeyDoesNotDuplicate()
            throws Exception {
        String ch = TestNode.unique("match:");
        String token = node.token("42", List.of("match:*"), List.of("match:*"), List.of());
        node.publish(ch, "n", "{\"n\":0}");
        try (WsClient c = node.connect(token)) {
            c.expect("connected");
            redis.freeze();
            CompletableFuture<HttpResponse<String>> overHttp = clientPublishAsync(token,
                    "{\"type\":\"publish\",\"id\":7,\"channel\":\"" + ch + "\",\"event\":\"n\",\"data\":{\"n\":2}}");
            JsonNode wsError = c.call("{\"type\":\"publish\",\"id\":3,\"channel\":\"" + ch + "\",\"event\":\"n\",\"data\":{\"n\":1}}");
            HttpResponse<String> httpRes = overHttp.join();
            JsonNode httpError = JsonCodec.MAPPER.readTree(httpRes.body());
            redis.thaw();

            assertThat(wsError.path("type").asText()).as(wsError.toString()).isEqualTo("error");
            assertThat(wsError.path("id").asLong()).isEqualTo(3);
            assertThat(wsError.path("code").asText()).isEqualTo("unknown_outcome");
            assertThat(wsError.path("temporary").asBoolean()).isTrue();
            String wsKey = wsError.path("idempotency_key").asText();
            assertThat(wsKey).isNotEmpty();
            assertThat(httpRes.statusCode()).as(httpRes.body()).isEqualTo(504);
            assertThat(httpError.path("type").asText()).isEqualTo("error");
            assertThat(httpError.path("id").asLong()).isEqualTo(7);
            assertThat(httpError.path("code").asText()).isEqualTo("unknown_outcome");
            String httpKey = httpError.path("idempotency_key").asText();
            assertThat(httpKey).isNotEmpty().isNotEqualTo(wsKey);

            JsonNode wsRetry = c.call("{\"type\":\"publish\",\"id\":4,\"channel\":\"" + ch
                    + "\",\"event\":\"n\",\"data\":{\"n\":1},\"idempotency_key\":\"" + wsKey + "\"}");
            assertThat(wsRetry.path("type").asText()).as(wsRetry.toString()).isEqualTo("published");
            assertThat(wsRetry.path("idempotency_key").asText()).isEqualTo(wsKey);
            HttpResponse<String> httpRetry = clientPublishAsync(token, "{\"type\":\"publish\",\"id\":8,\"channel\":\"" + ch
                    + "\",\"event\":\"n\",\"data\":{\"n\":2},\"idempotency_key\":\"" + httpKey + "\"}").join();
            assertThat(httpRetry.statusCode()).as(httpRetry.body()).isEqualTo(200);
            assertThat(JsonCodec.MAPPER.readTree(httpRetry.body()).path("idempotency_key").asText()).isEqualTo(httpKey);
        }
        assertThat(storedValues(ch)).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void aPublishWhileRedisIsDownIsNotAvailableTemporaryAndStoresNothing() throws Exception {
        String ch = TestNode.unique("match:");
        String token = node.token("42", List.of("match:*"), List.of("match:*"), List.of());
        node.publish(ch, "n", "{\"n\":1}");
        try (WsClient c = node.connect(token)) {
            c.expect("connected");
            redis.kill();
            Await.until(Duration.ofSeconds(10), "/ready turns 503", () -> readyStatus() == 503);

            TestNode.Reply refused = node.api("POST", "/api/publish", "{\"channel\":\"" + ch
                    + "\",\"type\":\"n\",\"data\":{\"n\":-1}}");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
            assertThat(refused.errorCode()).isEqualTo("not_available");
            assertThat(refused.json().path("idempotency_key").asText()).isNotEmpty();
            JsonNode wsRefused = c.call("{\"type\":\"publish\",\"id\":5,\"channel\":\"" + ch
                    + "\",\"event\":\"n\",\"data\":{\"n\":-2}}");
            assertThat(wsRefused.path("code").asText()).as(wsRefused.toString()).isEqualTo("not_available");
            assertThat(wsRefused.path("temporary").asBoolean()).isTrue();
            HttpResponse<String> httpRefused = clientPublishAsync(token, "{\"type\":\"publish\",\"channel\":\"" + ch
                    + "\",\"event\":\"n\",\"data\":{\"n\":-3}}").join();
            assertThat(httpRefused.statusCode()).as(httpRefused.body()).isEqualTo(503);
            assertThat(JsonCodec.MAPPER.readTree(httpRefused.body()).path("code").asText()).isEqualTo("not_available");

            redis.start();
            Await.until(Duration.ofSeconds(15), "/ready turns 200 again", () -> readyStatus() == 200);
        }
        node.publish(ch, "n", "{\"n\":2}");
        assertThat(storedValues(ch)).containsExactly(1, 2);
    }

    @Test
    void readinessTurnsFalseWithinSecondsOfRedisFreezingAndTrueAgainOnceItAnswers() {
        assertThat(readyStatus()).isEqualTo(200);
        redis.freeze();
        long frozenAt = System.nanoTime();
        Await.until(Duration.ofSeconds(10), "/ready turns 503 while Redis is frozen", () -> readyStatus() == 503);
        long seconds = (System.nanoTime() - frozenAt) / 1_000_000_000L;
        assertThat(seconds).isLessThanOrEqualTo(TIMEOUT.toSeconds() + 2);
        redis.thaw();
        Await.until(Duration.ofSeconds(10), "/ready turns 200 once Redis answers", () -> readyStatus() == 200);
    }

    /** The {@code n} of every held publication of {@code channel}, in offset order. */
    private List<Integer> storedValues(String channel) {
        TestNode.Reply h = node.api("GET", "/api/history/" + URLEncoder.encode(channel, StandardCharsets.UTF_8)
                + "?limit=100", null);
        assertThat(h.status()).as(h.toString()).isEqualTo(200);
        List<Integer> out = new ArrayList<>();
        h.json().get("publications").forEach(p -> out.add(p.get("data").get("n").asInt()));
        return out;
    }

    private int readyStatus() {
        try {
            return node.get("/ready").statusCode();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private CompletableFuture<HttpResponse<String>> apiAsync(String path, String body) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "apikey " + TestNode.API_KEY)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> clientPublishAsync(String token, String body) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/publish"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
