package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.engine.redis.RedisEngine;
import io.herald.engine.redis.RedisTestSupport;
import io.herald.protocol.JsonCodec;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node on a Redis of this test's own (spare port, no persistence) while that Redis goes away and
 * comes back: publishes are refused rather than lost, readiness follows Redis, WebSocket connections
 * stay open, and afterwards subscribers are told to resynchronise instead of being left with a gap.
 */
class RedisFaultTest {
    private RedisServerProcess redis;
    private TestNode node;

    @BeforeEach
    void start() throws IOException, InterruptedException {
        assumeThat(RedisServerProcess.available()).as("redis-server at " + RedisServerProcess.BINARY).isTrue();
        redis = RedisServerProcess.launch();
        node = TestNode.builder()
                .engine(() -> RedisEngine.create(RedisTestSupport.config(redis.url(), "fault")))
                .start();
    }

    @AfterEach
    void stop() {
        if (node != null) {
            node.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private int readyStatus() {
        try {
            return node.get("/ready").statusCode();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void whileRedisIsDownPublishesAre503AndReadinessIsFalseButClientsStayConnectedAndResynchroniseAfter()
            throws IOException {
        String ch = TestNode.unique("match:");
        try (WsClient c = node.connectAs("42", "match:*")) {
            JsonNode s = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}");
            String epoch = s.get("epoch").asText();
            node.publish(ch, "goal", "{}");
            assertThat(c.expect("goal").get("offset").asLong()).isEqualTo(1);
            assertThat(readyStatus()).isEqualTo(200);

            redis.kill();

            Await.until(Duration.ofSeconds(10), "/ready turns 503", () -> readyStatus() == 503);
            TestNode.Reply refused = node.api("POST", "/api/publish",
                    "{\"channel\":\"" + ch + "\",\"type\":\"goal\",\"data\":{}}");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.json().get("error").get("code").asText()).isEqualTo("not_available");
            JsonNode info = node.api("GET", "/api/info", null).json();
            assertThat(info.get("nodes")).hasSize(1);
            assertThat(info.get("connections").asInt()).isEqualTo(1);
            c.expectNothingPending();

            redis.start();

            Await.until(Duration.ofSeconds(15), "/ready turns 200 again", () -> readyStatus() == 200);
            JsonNode ended = c.expect("unsubscribed");
            assertThat(ended.get("channel").asText()).isEqualTo(ch);
            assertThat(ended.get("reason").asText()).isEqualTo("insufficient_state");
            assertThat(ended.get("resubscribe").asBoolean()).isTrue();

            // the restarted Redis lost the stream: a new epoch, so the client is told to refetch
            JsonNode again = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\",\"since\":{\"offset\":1,\"epoch\":\""
                    + epoch + "\"}}");
            assertThat(again.get("type").asText()).isEqualTo("subscribed");
            assertThat(again.get("recovered").asBoolean()).isFalse();
            assertThat(again.get("epoch").asText()).isNotEqualTo(epoch);
            node.publish(ch, "goal", "{}");
            JsonNode next = c.expect("goal");
            assertThat(next.get("offset").asLong()).isEqualTo(1);
            assertThat(next.get("epoch").asText()).isEqualTo(again.get("epoch").asText());
        }
    }

    @Test
    void aParkedLongPollIsAnsweredWhenThePubSubConnectionDropsAndTheNextPollGetsWhatWasPublished()
            throws Exception {
        String ch = TestNode.unique("match:");
        String token = node.token("42", List.of("match:*"), List.of(), List.of());
        String cursors = PollTest.poll(node, "channel=" + ch + "&token=" + token).get("cursors").asText();
        CompletableFuture<HttpResponse<String>> parked =
                PollTest.pollAsync(node, "channel=" + ch + "&since=" + cursors + "&timeout=25&token=" + token);
        Await.until(Duration.ofSeconds(5), "the poll is parked on the hub",
                () -> node.server.hub().subscriptionCount() == 1);

        redis.cli("CLIENT", "KILL", "TYPE", "pubsub");
        node.publish(ch, "n", "{}");

        HttpResponse<String> early = parked.get(15, TimeUnit.SECONDS);
        JsonNode first = JsonCodec.MAPPER.readTree(early.body());
        List<Long> offsets = new ArrayList<>();
        first.get("publications").forEach(p -> offsets.add(p.get("offset").asLong()));
        JsonNode next = PollTest.poll(node, "channel=" + ch + "&since=" + first.get("cursors").asText()
                + "&timeout=1&token=" + token);
        next.get("publications").forEach(p -> offsets.add(p.get("offset").asLong()));
        assertThat(offsets).containsExactly(1L);
    }

    @Test
    void afterALostPubSubConnectionSubscribersRecoverEverythingPublishedMeanwhileWithoutGapOrDuplicate() {
        String ch = TestNode.unique("match:");
        try (WsClient c = node.connectAs("42", "match:*")) {
            JsonNode s = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\"}");
            String epoch = s.get("epoch").asText();
            node.publish(ch, "n", "{}");
            List<Long> seen = new ArrayList<>();
            seen.add(c.expect("n").get("offset").asLong());

            redis.cli("CLIENT", "KILL", "TYPE", "pubsub");
            for (int i = 0; i < 5; i++) {
                node.publish(ch, "n", "{}");
            }

            // whatever arrived live before the node noticed, then the end of the subscription
            for (JsonNode f : c.until("unsubscribed")) {
                if (f.get("type").asText().equals("n")) {
                    seen.add(f.get("offset").asLong());
                } else {
                    assertThat(f.get("reason").asText()).isEqualTo("insufficient_state");
                }
            }
            long last = seen.getLast();
            JsonNode again = c.call("{\"type\":\"subscribe\",\"channel\":\"" + ch + "\",\"since\":{\"offset\":" + last
                    + ",\"epoch\":\"" + epoch + "\"}}");
            assertThat(again.get("recovered").asBoolean()).isTrue();
            for (long o = last + 1; o <= again.get("offset").asLong(); o++) {
                seen.add(c.expect("n").get("offset").asLong());
            }
            assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            c.expectNothingPending();
        }
    }
}
