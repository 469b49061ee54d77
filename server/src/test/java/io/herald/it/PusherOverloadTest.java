package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.herald.config.PusherAppConfig;
import io.herald.config.PusherConfig;
import io.herald.config.RedisConfig;
import io.herald.engine.redis.RedisEngine;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Pusher HTTP API while the engine does not answer (Redis frozen with SIGSTOP): an app's requests
 * waiting on it are capped per node, the ones past the cap are answered 503 at once, the waiting ones
 * 504 once the engine's timeout passes, and the slots come back: after Redis thaws, triggers work.
 */
class PusherOverloadTest {
    private static final String KEY = "overload-key";
    private static final String SECRET = "overload-secret-0123456789";
    private static final int CAP = 256;
    private RedisServerProcess redis;
    private TestNode node;

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
    void requestsPastTheAppsInFlightCapAre503AtOnceAndTheSlotsComeBack() throws Exception {
        assumeThat(RedisServerProcess.available()).as("redis-server at " + RedisServerProcess.BINARY).isTrue();
        redis = RedisServerProcess.launch();
        RedisConfig config = new RedisConfig(List.of(redis.url()), false, "pusher-overload", Duration.ofSeconds(60),
                Duration.ofSeconds(2));
        node = TestNode.builder()
                .engine(() -> RedisEngine.create(config))
                .pusher(new PusherConfig(List.of(PusherAppConfig.of("1001", KEY, SECRET, true))))
                .start();
        HttpClient http = HttpClient.newHttpClient();
        String body = "{\"name\":\"ev\",\"channel\":\"stuck\",\"data\":\"{}\"}";
        redis.freeze();
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < CAP + 20; i++) {
            String q = PusherHttpHardeningTest.signed("POST", "/apps/1001/events", Map.of(), body, KEY, SECRET,
                    PusherHttpHardeningTest.now());
            sent.add(http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + q))
                    .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int refused = 0;
        int unknown = 0;
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            HttpResponse<String> r = f.join();
            if (r.statusCode() == 503) {
                refused++;
                assertThat(r.body()).startsWith("Too many requests of app 1001 in flight");
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
                unknown++;
            }
        }
        assertThat(refused).as("past the cap of " + CAP).isEqualTo(20);
        assertThat(unknown).isEqualTo(CAP);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("bounded by the engine's timeout")
                .isLessThan(Duration.ofSeconds(15));
        redis.thaw();
        String q = PusherHttpHardeningTest.signed("POST", "/apps/1001/events", Map.of(), body, KEY, SECRET,
                PusherHttpHardeningTest.now());
        HttpResponse<String> after = Await.value(Duration.ofSeconds(10), "a trigger works again", () -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + q))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> r.statusCode() == 200);
        assertThat(after.body()).isEqualTo("{}");
    }
}
