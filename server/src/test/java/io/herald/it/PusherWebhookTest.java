package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.pusher.rest.Pusher;
import com.pusher.rest.data.Validity;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.herald.config.PusherAppConfig;
import io.herald.config.PusherConfig;
import io.herald.config.PusherWebhookConfig;
import io.herald.engine.Engine;
import io.herald.engine.memory.MemoryEngine;
import io.herald.engine.redis.RedisEngine;
import io.herald.engine.redis.RedisTestSupport;
import io.herald.protocol.JsonCodec;
import io.herald.pusher.PusherApps;
import io.herald.pusher.PusherHooks;
import io.herald.pusher.PusherWebhookEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pusher-format webhooks on both engines, delivered to real HTTP receivers that accept a delivery
 * only when the official Java SDK's {@code validateWebhookSignature} says it is valid: occupied and
 * vacated once, {@code member_added}/{@code member_removed} once per user across two tabs, client
 * events and cache misses as the WebSocket adapter reports them, and each app's hook hearing of its
 * own channels only.
 */
class PusherWebhookTest {
    private static final String SECRET = "native-hook-secret-0123456789";
    private static final String OTHER_SECRET = "other-hook-secret-0123456789";
    private final List<AutoCloseable> open = new ArrayList<>();
    private final String prefix = RedisTestSupport.uniquePrefix("pusher-hooks");

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (redisUsed) {
            RedisTestSupport.deleteKeys(RedisTestSupport.URL, prefix);
        }
    }

    private boolean redisUsed;

    private <T extends AutoCloseable> T keep(T t) {
        open.add(t);
        return t;
    }

    /** A receiver that records the events of deliveries the Pusher SDK validates, and counts the others. */
    static final class Receiver implements AutoCloseable {
        final List<JsonNode> events = new CopyOnWriteArrayList<>();
        final AtomicInteger invalid = new AtomicInteger();
        private final HttpServer server;
        private final Pusher sdk;

        Receiver(String appId, String key, String secret) throws IOException {
            sdk = new Pusher(appId, key, secret);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            server.setExecutor(Executors.newFixedThreadPool(2));
            server.createContext("/pusher", this::handle);
            server.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/pusher");
        }

        private void handle(HttpExchange x) throws IOException {
            String body;
            try (InputStream in = x.getRequestBody()) {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Validity v = sdk.validateWebhookSignature(x.getRequestHeaders().getFirst("X-Pusher-Key"),
                    x.getRequestHeaders().getFirst("X-Pusher-Signature"), body);
            if (v != Validity.VALID || !"application/json".equals(x.getRequestHeaders().getFirst("Content-Type"))) {
                invalid.incrementAndGet();
                x.sendResponseHeaders(401, -1);
                x.close();
                return;
            }
            JsonNode root = JsonCodec.MAPPER.readTree(body);
            if (root.get("time_ms").isIntegralNumber()) {
                root.get("events").forEach(events::add);
            }
            x.sendResponseHeaders(200, -1);
            x.close();
        }

        List<JsonNode> of(String name, String channel) {
            return events.stream().filter(e -> e.get("name").asText().equals(name) && e.get("channel").asText().equals(channel))
                    .toList();
        }

        @Override
        public void close() {
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
        }
    }

    private static String subscribe(String channel) {
        return "{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}";
    }

    private static void await(String what, java.util.function.BooleanSupplier ok) {
        Await.until(Duration.ofSeconds(10), what, ok);
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "redis"})
    void eachAppsHookHearsItsChannelsLifeInPushersFormatSignedWithItsSecret(String kind) throws Exception {
        if (kind.equals("redis")) {
            RedisTestSupport.requireLocalRedis();
            redisUsed = true;
        }
        Receiver mine = keep(new Receiver("1001", "native-key", SECRET));
        Receiver others = keep(new Receiver("2002", "other-key", OTHER_SECRET));
        PusherConfig pusher = new PusherConfig(List.of(
                PusherAppConfig.of("1001", "native-key", SECRET, true).withWebhooks(List.of(PusherWebhookConfig.of(mine.url()))),
                PusherAppConfig.of("2002", "other-key", OTHER_SECRET, false).withWebhooks(List.of(
                        new PusherWebhookConfig(others.url(), EnumSet.of(PusherWebhookEvent.CHANNEL_OCCUPIED))))));
        Engine engine = kind.equals("redis") ? RedisEngine.create(RedisTestSupport.config(prefix)) : MemoryEngine.create(0);
        TestNode node = keep(TestNode.builder()
                .defaults(TestNode.ns(10, Duration.ofMinutes(1), true, false, false, true))
                .engine(() -> engine)
                .pusher(pusher)
                .start());
        String room = TestNode.unique("presence-room-");
        WsClient tab1 = keep(node.connectAs("ada", "**"));
        WsClient tab2 = keep(node.connectAs("ada", "**"));
        WsClient bob = keep(node.connectAs("bob", "**"));
        WsClient foreign = keep(node.connectAs("eve", "**"));
        for (WsClient c : List.of(tab1, tab2, bob)) {
            assertThat(c.call(subscribe(room)).get("type").asText()).isEqualTo("subscribed");
        }
        String otherChannel = TestNode.unique("lobby-");
        assertThat(foreign.call(subscribe("pusher-2002:" + otherChannel)).get("type").asText()).isEqualTo("subscribed");

        await("occupied and both members added", () -> mine.of("member_added", room).size() == 2
                && mine.of("channel_occupied", room).size() == 1);
        assertThat(mine.of("member_added", room).stream().map(e -> e.get("user_id").asText()).toList())
                .containsExactlyInAnyOrder("ada", "bob");
        await("the other app's hook hears of its channel by its Pusher name",
                () -> others.of("channel_occupied", otherChannel).size() == 1);

        tab1.close();
        bob.close();
        await("bob removed", () -> mine.of("member_removed", room).size() == 1);
        assertThat(mine.of("member_removed", room).getFirst().get("user_id").asText())
                .as("ada still has a tab: only bob left").isEqualTo("bob");
        tab2.close();
        await("ada removed, then the channel vacated", () -> mine.of("member_removed", room).size() == 2
                && mine.of("channel_vacated", room).size() == 1);

        // a client publication on a channel of the app is its client_event
        String chat = TestNode.unique("private-chat-");
        WsClient sender = keep(node.connect(node.token("carl", List.of("**"), List.of(), List.of())));
        String socket = sender.expect("connected").get("client").asText();
        assertThat(sender.call(subscribe(chat)).get("type").asText()).isEqualTo("subscribed");
        sender.send("{\"type\":\"publish\",\"id\":2,\"channel\":\"" + chat
                + "\",\"event\":\"client-typing\",\"data\":{\"x\":1e400}}");
        PusherApps apps = PusherApps.of(pusher);
        new PusherHooks(engine.hooks()).cacheMiss(apps.byId("1001").orElseThrow().channel("cache-price")).join();
        await("the client event and the cache miss", () -> mine.of("client_event", chat).size() == 1
                && mine.of("cache_miss", "cache-price").size() == 1);
        JsonNode client = mine.of("client_event", chat).getFirst();
        assertThat(client.get("event").asText()).isEqualTo("client-typing");
        assertThat(client.get("data").asText()).as("the publisher's text").isEqualTo("{\"x\":1e400}");
        assertThat(client.has("socket_id")).as("a /ws client has no socket id (" + socket + " is not sent)").isFalse();
        assertThat(client.has("user_id")).as("not a presence channel").isFalse();

        assertThat(mine.events.stream().map(e -> e.get("channel").asText()))
                .as("the native app's hook never hears of another app's channels").doesNotContain(otherChannel,
                        "pusher-2002:" + otherChannel);
        assertThat(others.events).as("the other app's hook: its one event of its one channel").hasSize(1);
        assertThat(mine.invalid.get() + others.invalid.get()).isZero();
        assertThat(mine.of("channel_occupied", room)).hasSize(1);
        assertThat(mine.of("member_added", room)).hasSize(2);
    }
}
