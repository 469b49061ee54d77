package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.WebhookConfig;
import io.herald.engine.redis.RedisEngine;
import io.herald.engine.redis.RedisTestSupport;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks and presence across nodes on the Redis engine: the queue lives in Redis, so a 30-second
 * outage of the receiver loses nothing and keeps each channel's order, and a node killed with SIGKILL
 * owes nothing: a survivor removes its presence entries within presence_ttl plus the sweep, sending
 * the leave pushes (per client) and presence_leave webhooks (per user) once, and delivers the events
 * the dead node had queued.
 */
class WebhookRedisTest {
    private static final Duration PRESENCE_TTL = Duration.ofSeconds(2);
    private final String prefix = RedisTestSupport.uniquePrefix("webhooks");
    private final List<AutoCloseable> open = new ArrayList<>();
    private WebhookReceiver receiver;
    private Path dir;
    private Process process;

    @BeforeEach
    void start() throws IOException {
        RedisTestSupport.requireLocalRedis();
        receiver = new WebhookReceiver();
        dir = Files.createTempDirectory("herald-webhooks");
    }

    @AfterEach
    void stop() throws Exception {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        receiver.close();
        RedisTestSupport.deleteKeys(RedisTestSupport.URL, prefix);
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private <T extends AutoCloseable> T keep(T t) {
        open.add(t);
        return t;
    }

    /** A hook with a short request deadline, so a dead node's lease on a batch runs out within seconds. */
    private WebhookConfig hook() {
        WebhookConfig d = WebhookConfig.of(receiver.url(), WebhookReceiver.SECRET);
        return new WebhookConfig(d.url(), d.secret(), d.events(), Duration.ofMillis(500), Duration.ofHours(1),
                Duration.ofSeconds(1), 8, 100_000);
    }

    private TestNode node() throws InterruptedException {
        return keep(TestNode.builder()
                .namespace("room", TestNode.ns(100, Duration.ofMinutes(5), true, true, false, true))
                .engine(() -> RedisEngine.create(RedisTestSupport.config(prefix).withPresenceTtl(PRESENCE_TTL)))
                .webhooks(List.of(hook()))
                .start());
    }

    private static String subscribe(String channel) {
        return "{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}";
    }

    private static void publish(WsClient c, String channel, int n) {
        c.send("{\"type\":\"publish\",\"id\":" + (100 + n) + ",\"channel\":\"" + channel
                + "\",\"event\":\"client-msg\",\"data\":{\"n\":" + n + "}}");
        c.until("published");
    }

    /**
     * The channel's events with duplicates removed, after checking that every duplicate repeats an
     * earlier event with the same seq exactly (a retry) and that first arrivals come in seq order.
     */
    private List<JsonNode> inOrderOnce(String channel) {
        Map<Long, JsonNode> first = new HashMap<>();
        List<JsonNode> out = new ArrayList<>();
        long last = 0;
        for (JsonNode e : receiver.of(channel)) {
            long seq = e.get("seq").asLong();
            JsonNode seen = first.get(seq);
            if (seen != null) {
                assertThat(e).as("a duplicate of seq " + seq + " is the same event (a retry)").isEqualTo(seen);
                continue;
            }
            assertThat(seq).as("first arrivals of " + channel + " in seq order").isEqualTo(last + 1);
            last = seq;
            first.put(seq, e);
            out.add(e);
        }
        return out;
    }

    private static List<String> names(List<JsonNode> events) {
        return events.stream().map(e -> e.get("name").asText()).toList();
    }

    @Test
    void aThirtySecondReceiverOutageLosesNoEventAndKeepsEachChannelsOrder() throws Exception {
        TestNode a = node();
        TestNode b = node();
        receiver.stop();
        long downSince = System.nanoTime();
        List<String> channels = List.of(TestNode.unique("room:a"), TestNode.unique("room:b"), TestNode.unique("room:c"));
        for (String ch : channels) {
            WsClient ada = keep(a.connectAs("ada", "room:*"));
            WsClient bob = keep(b.connectAs("bob", "room:*"));
            ada.call(subscribe(ch));
            bob.call(subscribe(ch));
            // bob's presence step is recorded before his join push goes out (one Redis connection, in order)
            Await.until(Duration.ofSeconds(5), "ada sees bob join", () -> ada.hasReceived(
                    f -> f.path("type").asText().equals("join") && f.path("user").asText().equals("bob")));
            for (int n = 0; n < 5; n++) {
                publish(ada, ch, n);
            }
            bob.close();
        }
        Await.until(Duration.ofSeconds(5), "delivery has been tried and failed",
                () -> a.metric("herald_webhook_failures_total{cause=\"network\"}")
                        + b.metric("herald_webhook_failures_total{cause=\"network\"}") >= 1);
        // the outage itself: the receiver is down for 30 s while both nodes keep retrying (with the real
        // backoff of 1, 2, 4, 8, 16 s, so the first retry after it comes about 31 s after the first failure)
        Await.sleep(Math.max(0, 30_000 - (System.nanoTime() - downSince) / 1_000_000));
        receiver.restart();

        for (String ch : channels) {
            Await.until(Duration.ofSeconds(60), "every event of " + ch + " is delivered",
                    () -> receiver.of(ch).stream().map(e -> e.get("seq").asLong()).distinct().count() == 9);
            List<JsonNode> events = inOrderOnce(ch);
            assertThat(names(events)).containsExactly("channel_occupied", "presence_join", "presence_join",
                    "client_publish", "client_publish", "client_publish", "client_publish", "client_publish",
                    "presence_leave");
            assertThat(events.subList(3, 8).stream().map(e -> e.get("data").get("n").asInt()).toList())
                    .containsExactly(0, 1, 2, 3, 4);
            assertThat(events.get(8).get("user").asText()).isEqualTo("bob");
        }
        assertThat(receiver.badSignatures.get()).isZero();
    }

    private ChildNode startChild() throws IOException {
        ChildNode node = ChildNode.start(dir, """
                host: 127.0.0.1
                port: 0
                api_key: %s
                jwt: {hmac_secret: %s}
                engine: redis
                redis: {url: "%s", prefix: %s, presence_ttl: 2s}
                namespaces:
                  room: {presence: true, join_leave: true, client_publish: true}
                webhooks:
                  - url: "%s"
                    secret: "%s"
                    events: [channel_occupied, channel_vacated, presence_join, presence_leave, client_publish]
                    vacate_delay: 500ms
                    timeout: 1s
                """.formatted(TestNode.API_KEY, TestNode.SECRET, RedisTestSupport.URL, prefix, receiver.url(),
                WebhookReceiver.SECRET), null);
        process = node.process();
        return node;
    }

    @Test
    void aKilledNodesUsersLeaveOnceWithinThePresenceTtlAndItsQueuedEventsAreDelivered() throws Exception {
        TestNode survivor = node();
        receiver.status = 503;
        ChildNode child = startChild();
        String ch = TestNode.unique("room:");
        WsClient bob = keep(survivor.connectAs("bob", "room:*"));
        bob.call(subscribe(ch));
        String token = survivor.token("ada", List.of("room:*"), List.of(), List.of());
        String cyToken = survivor.token("cy", List.of("room:*"), List.of(), List.of());
        URI base = URI.create("ws://127.0.0.1:" + child.port() + "/ws?token=");
        WsClient ada = keep(WsClient.open(URI.create(base + token)));
        WsClient cy1 = keep(WsClient.open(URI.create(base + cyToken)));
        WsClient cy2 = keep(WsClient.open(URI.create(base + cyToken)));
        Set<String> deadClients = new LinkedHashSet<>();
        for (WsClient c : List.of(ada, cy1, cy2)) {
            deadClients.add(c.expect("connected").get("client").asText());
            c.send(subscribe(ch));
            c.until("subscribed");
        }
        for (int n = 0; n < 3; n++) {
            publish(ada, ch, n);
        }
        Await.until(Duration.ofSeconds(5), "bob saw the three joins", () -> countJoins(bob, deadClients) == 3);
        Await.until(Duration.ofSeconds(5), "the dead node's events met a failing receiver",
                () -> survivor.metric("herald_webhook_failures_total{cause=\"status\"}") >= 1 || receiver.requests.get() > 0);

        process.destroyForcibly().waitFor();
        long killed = System.nanoTime();
        receiver.status = 200;

        List<String> left = new ArrayList<>();
        while (left.size() < 3) {
            JsonNode f = bob.next();
            if (f.path("type").asText().equals("leave")) {
                left.add(f.get("client").asText());
            }
        }
        long tookMillis = (System.nanoTime() - killed) / 1_000_000;
        assertThat(left).containsExactlyInAnyOrderElementsOf(deadClients);
        assertThat(tookMillis).as("leaves within presence_ttl plus the sweep").isLessThan(PRESENCE_TTL.toMillis() + 2000);

        // 1 occupied, joins of bob, ada and cy (one for cy's two tabs), 3 publishes, leaves of ada and cy
        Await.until(Duration.ofSeconds(30), "every event is delivered",
                () -> receiver.of(ch).stream().map(e -> e.get("seq").asLong()).distinct().count() == 9);
        List<JsonNode> events = inOrderOnce(ch);
        assertThat(names(events).stream().filter("presence_join"::equals)).hasSize(3);
        assertThat(names(events).stream().filter("client_publish"::equals)).hasSize(3);
        assertThat(events.stream().filter(e -> e.get("name").asText().equals("presence_leave"))
                .map(e -> e.get("user").asText())).containsExactlyInAnyOrder("ada", "cy");
        assertThat(names(events)).doesNotContain("channel_vacated");

        Await.sleep(1500);
        bob.expectNothingPending();
        assertThat(inOrderOnce(ch)).as("nothing more, nothing twice").hasSize(9);
        assertThat(survivor.api("GET", "/api/presence/" + ch, null).json().get("users").asInt()).isEqualTo(1);
    }

    private static long countJoins(WsClient c, Set<String> clients) {
        return clients.stream().filter(id -> c.hasReceived(f -> f.path("type").asText().equals("join")
                && f.path("client").asText().equals(id))).count();
    }
}
