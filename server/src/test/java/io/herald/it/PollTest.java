package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.protocol.JsonCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /poll}: immediate answers, timeouts, wake-ups, unrecovered channels and refusals. */
class PollTest {
    static TestNode node;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws InterruptedException {
        node = TestNode.builder()
                .namespace("small", TestNode.ns(2, Duration.ofMinutes(5), false, false, false, false))
                .start();
    }

    @AfterAll
    static void stop() {
        node.close();
    }

    static String token(String... channels) {
        return node.token("42", List.of(channels), List.of(), List.of());
    }

    static CompletableFuture<HttpResponse<String>> pollAsync(TestNode n, String query) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.port() + "/poll?" + query))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode poll(TestNode n, String query) throws Exception {
        HttpResponse<String> res = pollAsync(n, query).get(30, TimeUnit.SECONDS);
        assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
        return JsonCodec.MAPPER.readTree(res.body());
    }

    private static List<Integer> values(JsonNode answer) {
        return answer.get("publications").valueStream().map(p -> p.get("data").get("i").asInt()).toList();
    }

    @Test
    void aPollAnswerHoldsAtMostMaxQueueBytesAndTheNextPollsBringTheRestInOrder() throws Exception {
        String a = TestNode.unique("match:");
        String b = TestNode.unique("match:");
        String t = token("match:*");
        String cursors = poll(node, "channel=" + a + "&channel=" + b + "&token=" + t).get("cursors").asText();
        String pad = "x".repeat(100_000);
        for (int i = 1; i <= 30; i++) {
            node.publish(i % 2 == 0 ? b : a, "n", "{\"i\":" + i + ",\"pad\":\"" + pad + "\"}");
        }
        List<Integer> got = new java.util.ArrayList<>();
        int polls = 0;
        while (got.size() < 30 && polls < 10) {
            HttpResponse<String> res = pollAsync(node, "channel=" + a + "&channel=" + b + "&since=" + cursors
                    + "&timeout=1&token=" + t).get(30, TimeUnit.SECONDS);
            // 30 x 100 KB missed; the default max_queue_bytes is 1 MiB
            assertThat(res.body().length()).isLessThanOrEqualTo(1024 * 1024 + 4096);
            JsonNode r = JsonCodec.MAPPER.readTree(res.body());
            got.addAll(values(r));
            cursors = r.get("cursors").asText();
            polls++;
        }
        assertThat(polls).isGreaterThanOrEqualTo(3);
        assertThat(got.stream().filter(i -> i % 2 == 1).toList()).isEqualTo(
                java.util.stream.IntStream.rangeClosed(1, 30).filter(i -> i % 2 == 1).boxed().toList());
        assertThat(got.stream().filter(i -> i % 2 == 0).toList()).isEqualTo(
                java.util.stream.IntStream.rangeClosed(1, 30).filter(i -> i % 2 == 0).boxed().toList());
    }

    @Test
    void aPollWithoutCursorsAnswersAtOnceWithTheCurrentCursors() throws Exception {
        String a = TestNode.unique("match:");
        String b = TestNode.unique("match:");
        node.publish(b, "n", "{\"i\":1}");
        JsonNode r = poll(node, "channel=" + a + "&channel=" + b + "&timeout=20&token=" + token("match:*"));
        assertThat(r.get("publications")).isEmpty();
        assertThat(r.get("unrecovered")).isEmpty();
        assertThat(r.get("cursors").asText()).matches("[A-Za-z0-9]+:0,[A-Za-z0-9]+:1");
    }

    @Test
    void aPollBehindTheStreamAnswersAtOnceWithWhatItMissedAndTheCursorsAfterIt() throws Exception {
        String a = TestNode.unique("match:");
        String b = TestNode.unique("match:");
        String t = token("match:*");
        String cursors = poll(node, "channel=" + a + "&channel=" + b + "&token=" + t).get("cursors").asText();
        node.publish(a, "n", "{\"i\":1}");
        node.publish(b, "n", "{\"i\":2}");
        node.publish(a, "n", "{\"i\":3}");
        JsonNode r = poll(node, "channel=" + a + "&channel=" + b + "&since=" + cursors + "&timeout=20&token=" + t);
        assertThat(values(r)).containsExactlyInAnyOrder(1, 2, 3);
        String[] ids = cursors.split(",");
        String ea = ids[0].split(":")[0];
        String eb = ids[1].split(":")[0];
        assertThat(r.get("cursors").asText()).isEqualTo(ea + ":2," + eb + ":1");
        assertThat(r.get("unrecovered")).isEmpty();
    }

    @Test
    void aPollWithNothingNewAnswersEmptyAfterItsTimeout() throws Exception {
        String a = TestNode.unique("match:");
        String t = token("match:*");
        String cursors = poll(node, "channel=" + a + "&token=" + t).get("cursors").asText();
        JsonNode r = poll(node, "channel=" + a + "&since=" + cursors + "&timeout=1&token=" + t);
        assertThat(r.get("publications")).isEmpty();
        assertThat(r.get("cursors").asText()).isEqualTo(cursors);
    }

    @Test
    void aParkedPollIsWokenByThePublicationItWaitsFor() throws Exception {
        String a = TestNode.unique("match:");
        String t = token("match:*");
        String cursors = poll(node, "channel=" + a + "&token=" + t).get("cursors").asText();
        CompletableFuture<HttpResponse<String>> parked = pollAsync(node, "channel=" + a + "&since=" + cursors + "&timeout=25&token=" + t);
        Await.until(Duration.ofSeconds(5), "the poll is parked on the hub", () -> node.server.hub().subscriptionCount() > 0);
        node.publish(a, "n", "{\"i\":7}");
        // a timeout would answer empty: the publication in the answer shows the publish woke it
        JsonNode r = JsonCodec.MAPPER.readTree(parked.get(20, TimeUnit.SECONDS).body());
        assertThat(values(r)).containsExactly(7);
        assertThat(r.get("cursors").asText()).endsWith(":1");
        Await.until(Duration.ofSeconds(5), "the poll left the hub", () -> node.server.hub().subscriptionCount() == 0);
    }

    @Test
    void cursorsTheHistoryCannotServeAreListedAsUnrecoveredAndMoveToTheCurrentPosition() throws Exception {
        String small = TestNode.unique("small:");
        String other = TestNode.unique("match:");
        String t = token("small:*", "match:*");
        String cursors = poll(node, "channel=" + small + "&channel=" + other + "&token=" + t).get("cursors").asText();
        for (int i = 1; i <= 4; i++) {
            node.publish(small, "n", "{\"i\":" + i + "}");
        }
        node.publish(other, "n", "{\"i\":9}");
        String otherEpoch = cursors.split(",")[1].split(":")[0];
        JsonNode r = poll(node, "channel=" + small + "&channel=" + other + "&since=" + cursors + "&token=" + t);
        assertThat(r.get("unrecovered").valueStream().map(JsonNode::asText).toList()).containsExactly(small);
        assertThat(values(r)).containsExactly(9);
        assertThat(r.get("cursors").asText()).isEqualTo(cursors.split(",")[0].split(":")[0] + ":4," + otherEpoch + ":1");
        JsonNode stale = poll(node, "channel=" + small + "&channel=" + other + "&since=zz:0," + otherEpoch + ":1&token=" + t);
        assertThat(stale.get("unrecovered").valueStream().map(JsonNode::asText).toList()).containsExactly(small);
        assertThat(stale.get("cursors").asText()).isEqualTo(r.get("cursors").asText());
    }

    @Test
    void aChannelTheTokenDoesNotAllowIsListedAsRefusedAndKeepsItsSlotWhileTheOthersAreServed() throws Exception {
        String a = TestNode.unique("match:");
        String b = TestNode.unique("match:");
        String t = token("match:*");
        node.publish(b, "n", "{\"i\":1}");
        JsonNode first = poll(node, "channel=" + a + "&channel=secret&channel=" + b + "&token=" + t);
        assertThat(first.get("cursors").asText()).matches("[A-Za-z0-9]+:0,-,[A-Za-z0-9]+:1");
        assertThat(first.get("refused")).hasSize(1);
        assertThat(first.get("refused").get(0).get("channel").asText()).isEqualTo("secret");
        assertThat(first.get("refused").get(0).get("code").asText()).isEqualTo("permission_denied");
        assertThat(first.get("expires").asLong()).isGreaterThan(System.currentTimeMillis() / 1000);
        node.publish(b, "n", "{\"i\":2}");
        JsonNode next = poll(node, "channel=" + a + "&channel=secret&channel=" + b + "&since="
                + first.get("cursors").asText() + "&timeout=5&token=" + t);
        assertThat(values(next)).containsExactly(2);
        assertThat(next.get("cursors").asText()).matches("[A-Za-z0-9]+:0,-,[A-Za-z0-9]+:2");
        assertThat(next.get("refused").get(0).get("channel").asText()).isEqualTo("secret");
    }

    @Test
    void badCursorsTimeoutsTokensAndChannelsAreRefusedWithClearErrors() throws Exception {
        String t = token("match:*");
        SseTest.assertError(node, "/poll?channel=match:1&channel=match:2&since=a1:1&token=" + t, 400, "bad_request",
                "have 1 entry for 2 channel(s)");
        SseTest.assertError(node, "/poll?channel=match:1&since=a1&token=" + t, 400, "bad_request", "is not <epoch>:<offset>");
        SseTest.assertError(node, "/poll?channel=match:1&timeout=soon&token=" + t, 400, "bad_request", "timeout must be a whole number");
        SseTest.assertError(node, "/poll?channel=secret&token=" + t, 403, "permission_denied", "not allowed to use channel secret");
        SseTest.assertError(node, "/poll?channel=match:1&token=garbage", 401, "unauthorized", "not a well-formed JWT");
        SseTest.assertError(node, "/poll?channel=match:1", 401, "unauthorized", "a token is required");
    }

    @Test
    void anOverlongTimeoutIsCappedAndAParkedPollIsAnsweredWhenTheNodeDrains() throws Exception {
        TestNode n = TestNode.builder().devMode().start();
        try {
            String cursors = poll(n, "channel=news").get("cursors").asText();
            CompletableFuture<HttpResponse<String>> parked = pollAsync(n, "channel=news&since=" + cursors + "&timeout=3600");
            Await.until(Duration.ofSeconds(5), "the poll is parked", () -> n.server.hub().subscriptionCount() > 0);
            n.server.shutdown();
            HttpResponse<String> res = parked.get(10, TimeUnit.SECONDS);
            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode r = JsonCodec.MAPPER.readTree(res.body());
            assertThat(r.get("publications")).isEmpty();
            assertThat(r.get("cursors").asText()).isEqualTo(cursors);
        } finally {
            n.close();
        }
    }
}
