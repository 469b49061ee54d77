package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.herald.config.WebhookConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Webhooks on the memory engine, delivered to a real HTTP server that verifies each signature: the
 * events of a channel's life in seq order, per-user presence across two tabs, occupied/vacated
 * debounced by vacate_delay, events past max_age dropped and counted, and hostile receivers (a
 * redirect, one that never answers) failing cleanly without being followed or waited on.
 */
class WebhookTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T t) {
        open.add(t);
        return t;
    }

    private WebhookReceiver receiver() throws IOException {
        return keep(new WebhookReceiver());
    }

    private TestNode node(WebhookConfig hook) throws InterruptedException {
        return keep(TestNode.builder()
                .namespace("room", TestNode.ns(10, Duration.ofMinutes(1), true, true, false, true))
                .namespace("plain", TestNode.ns(10, Duration.ofMinutes(1), false, false, false, false))
                .webhooks(List.of(hook))
                .start());
    }

    private static WebhookConfig hook(URI url, Duration vacateDelay, Duration maxAge) {
        return WebhookConfig.of(url, WebhookReceiver.SECRET).withTimings(vacateDelay, maxAge);
    }

    private static String subscribe(String channel) {
        return "{\"type\":\"subscribe\",\"id\":1,\"channel\":\"" + channel + "\"}";
    }

    private static List<String> names(List<JsonNode> events) {
        return events.stream().map(e -> e.get("name").asText()).toList();
    }

    @Test
    void aChannelsLifeArrivesSignedInSeqOrderWithOnePresenceJoinAndLeaveForTwoTabsOfOneUser() throws Exception {
        WebhookReceiver receiver = receiver();
        TestNode node = node(hook(receiver.url(), Duration.ofMillis(300), Duration.ofHours(1)));
        String ch = TestNode.unique("room:");
        WsClient tab1 = keep(node.connectAs("ada", "room:*"));
        WsClient tab2 = keep(node.connectAs("ada", "room:*"));
        assertThat(tab1.call(subscribe(ch)).get("type").asText()).isEqualTo("subscribed");
        assertThat(tab2.call(subscribe(ch)).get("type").asText()).isEqualTo("subscribed");
        tab1.send("{\"type\":\"publish\",\"id\":2,\"channel\":\"" + ch
                + "\",\"event\":\"client-move\",\"data\":{\"x\":1}}");
        tab1.until("published");
        Await.until(Duration.ofSeconds(5), "the publish is delivered", () -> receiver.of("client_publish", ch).size() == 1);
        tab1.close();
        Await.sleep(200);
        assertThat(receiver.of("presence_leave", ch)).as("one tab of two closed: ada is still there").isEmpty();
        tab2.close();

        Await.until(Duration.ofSeconds(5), "the channel is vacated", () -> receiver.of("channel_vacated", ch).size() == 1);
        Await.sleep(400);
        List<JsonNode> events = receiver.of(ch);
        assertThat(names(events)).containsExactly("channel_occupied", "presence_join", "client_publish",
                "presence_leave", "channel_vacated");
        assertThat(events.stream().map(e -> e.get("seq").asLong()).toList()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(events.get(1).get("user").asText()).isEqualTo("ada");
        assertThat(events.get(3).get("user").asText()).isEqualTo("ada");
        JsonNode publish = events.get(2);
        assertThat(publish.get("user").asText()).isEqualTo("ada");
        assertThat(publish.get("event").asText()).isEqualTo("client-move");
        assertThat(publish.get("data").toString()).isEqualTo("{\"x\":1}");
        assertThat(receiver.badSignatures.get()).isZero();
        assertThat(WebhookReceiver.verifies("{}".getBytes(), "sha256=00")).as("the receiver's check can fail").isFalse();
        assertThat(node.metric("herald_webhook_events_total{outcome=\"sent\"}")).isEqualTo(5);
        assertThat(node.metric("herald_webhook_events_total{outcome=\"queued\"}")).isEqualTo(5);
    }

    @Test
    void aChannelOccupiedAgainWithinVacateDelayIsNeitherVacatedNorOccupiedTwice() throws Exception {
        WebhookReceiver receiver = receiver();
        TestNode node = node(hook(receiver.url(), Duration.ofMillis(1500), Duration.ofHours(1)));
        String ch = TestNode.unique("plain:");
        WsClient c = keep(node.connectAs("ada", "plain:*"));
        c.call(subscribe(ch));
        c.call("{\"type\":\"unsubscribe\",\"id\":3,\"channel\":\"" + ch + "\"}");
        c.call(subscribe(ch));
        Await.sleep(2000);
        assertThat(names(receiver.of(ch))).containsExactly("channel_occupied");

        c.call("{\"type\":\"unsubscribe\",\"id\":4,\"channel\":\"" + ch + "\"}");
        Await.until(Duration.ofSeconds(5), "the channel is vacated", () -> receiver.of(ch).size() == 2);
        assertThat(names(receiver.of(ch))).containsExactly("channel_occupied", "channel_vacated");
    }

    @Test
    void eventsOlderThanMaxAgeAreDroppedCountedAndTheNextOnesStillArrive() throws Exception {
        WebhookReceiver receiver = receiver();
        receiver.status = 500;
        TestNode node = node(hook(receiver.url(), Duration.ofMillis(100), Duration.ofSeconds(1)));
        String ch = TestNode.unique("plain:");
        WsClient c = keep(node.connectAs("ada", "plain:*"));
        c.call(subscribe(ch));
        Await.until(Duration.ofSeconds(10), "the occupied event is dropped past max_age",
                () -> node.metric("herald_webhook_events_total{outcome=\"expired\"}") == 1);
        assertThat(node.metric("herald_webhook_failures_total{cause=\"status\"}")).isGreaterThanOrEqualTo(1);
        receiver.status = 200;
        c.call("{\"type\":\"unsubscribe\",\"id\":4,\"channel\":\"" + ch + "\"}");
        Await.until(Duration.ofSeconds(5), "the vacated event arrives", () -> receiver.of(ch).size() == 1);
        assertThat(receiver.of(ch).getFirst().get("name").asText()).isEqualTo("channel_vacated");
        assertThat(receiver.of(ch).getFirst().get("seq").asLong()).as("seq counts the dropped event too").isEqualTo(2);
        Await.until(Duration.ofSeconds(5), "the queue depth gauge shows an empty queue",
                () -> node.metric("herald_webhook_queue_depth") == 0);
    }

    @Test
    void aRedirectIsNotFollowedAndAReceiverThatNeverAnswersTimesOut() throws Exception {
        WebhookReceiver receiver = receiver();
        CountDownLatch never = new CountDownLatch(1);
        HttpServer hostile = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        hostile.setExecutor(Executors.newFixedThreadPool(8));
        hostile.createContext("/redirect", x -> {
            x.getResponseHeaders().add("Location", receiver.url().toString());
            x.sendResponseHeaders(307, -1);
            x.close();
        });
        hostile.createContext("/silent", x -> {
            try {
                never.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.close();
        });
        hostile.start();
        keep(() -> {
            never.countDown();
            hostile.stop(0);
        });
        String base = "http://127.0.0.1:" + hostile.getAddress().getPort();
        WebhookConfig redirect = hook(URI.create(base + "/redirect"), Duration.ofMillis(100), Duration.ofHours(1));
        WebhookConfig silent = new WebhookConfig(URI.create(base + "/silent"), WebhookReceiver.SECRET,
                redirect.events(), Duration.ofMillis(100), Duration.ofHours(1), Duration.ofMillis(300), 2, 1000);
        TestNode node = keep(TestNode.builder()
                .namespace("plain", TestNode.ns(10, Duration.ofMinutes(1), false, false, false, false))
                .webhooks(List.of(redirect, silent))
                .start());
        String ch = TestNode.unique("plain:");
        WsClient c = keep(node.connectAs("ada", "plain:*"));
        c.call(subscribe(ch));
        Await.until(Duration.ofSeconds(10), "the redirect counts as a failed delivery",
                () -> node.metric("herald_webhook_failures_total{cause=\"status\"}") >= 1);
        Await.until(Duration.ofSeconds(10), "the silent receiver times out",
                () -> node.metric("herald_webhook_failures_total{cause=\"timeout\"}") >= 1);
        assertThat(receiver.requests.get()).as("the redirect was not followed").isZero();
        assertThat(c.call("{\"type\":\"ping\",\"id\":9}").get("type").asText()).as("the node serves on").isEqualTo("pong");
    }
}
