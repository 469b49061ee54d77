package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Graceful shutdown with a 2 s drain window and 20 clients: readiness false, no new connections,
 * every client told {@code disconnect} 4000 (reconnect) at a time spread over the window, and every
 * publication acknowledged before the drain delivered to every client before its disconnect.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DrainTest {
    private static final int CLIENTS = 20;

    @Test
    void shutdown_drains_every_client_over_the_window_without_losing_acknowledged_publications() throws Exception {
        TestNode node = TestNode.builder().drainWindow(Duration.ofSeconds(2)).start();
        List<WsClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                WsClient c = node.connectAs("u" + i, "**");
                c.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"feed\"}");
                c.expect("subscribed");
                clients.add(c);
            }
            int port = node.port();

            // a publisher running until the drain starts; the highest offset acknowledged before it
            AtomicBoolean publishing = new AtomicBoolean(true);
            AtomicLong ackedBeforeDrain = new AtomicLong();
            AtomicLong ackedTotal = new AtomicLong();
            AtomicReference<Throwable> publishFailure = new AtomicReference<>();
            Thread publisher = Thread.ofPlatform().start(() -> {
                int i = 0;
                while (publishing.get()) {
                    try {
                        long offset = node.publish("feed", "tick", "{\"i\":" + (++i) + "}");
                        ackedTotal.accumulateAndGet(offset, Math::max);
                    } catch (Throwable t) {
                        // a publish that reaches the node after the drain began is refused with 503, as it should be
                        if (!String.valueOf(t.getMessage()).contains("status=503")) {
                            publishFailure.set(t);
                        }
                        return;
                    }
                }
            });
            Await.until(Duration.ofSeconds(5), "some publications", () -> ackedTotal.get() >= 50);

            ackedBeforeDrain.set(ackedTotal.get());
            publishing.set(false);
            long drainStart = System.nanoTime();
            Thread shutdown = Thread.ofPlatform().start(node.server::shutdown);

            // readiness goes false (503) or the port stops answering, early in the window
            Await.until(Duration.ofMillis(1000), "/ready is 503 or refused", () -> {
                try {
                    return node.get("/ready").statusCode() == 503;
                } catch (IOException | RuntimeException refused) {
                    return true;
                }
            });
            publisher.join(5000);
            assertThat(publishFailure.get()).as("the in-flight publish finished").isNull();
            long acked = Math.max(ackedBeforeDrain.get(), ackedTotal.get());

            // the first disconnect is out, so the listener is closed: new connections are refused
            Await.until(Duration.ofSeconds(2), "a first disconnect", () -> clients.stream()
                    .anyMatch(c -> c.hasReceived(n -> "disconnect".equals(n.path("type").asText()))));
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                }
            }).as("a new TCP connection during the drain").isInstanceOf(IOException.class);

            long first = Long.MAX_VALUE;
            long last = Long.MIN_VALUE;
            for (WsClient c : clients) {
                List<JsonNode> frames = c.until("disconnect");
                JsonNode d = frames.getLast();
                assertThat(d.get("code").asInt()).isEqualTo(4000);
                assertThat(d.get("reconnect").asBoolean()).isTrue();
                assertThat(d.get("reason").asText()).contains(" ");
                long at = c.receivedAt.get(d);
                first = Math.min(first, at);
                last = Math.max(last, at);
                // a gap-free prefix of the channel, containing at least everything acknowledged
                long expected = 1;
                for (JsonNode f : frames.subList(0, frames.size() - 1)) {
                    assertThat(f.path("type").asText()).isEqualTo("tick");
                    assertThat(f.get("offset").asLong()).isEqualTo(expected++);
                }
                assertThat(expected - 1).as("publications before the disconnect").isGreaterThanOrEqualTo(acked);
                assertThat(c.awaitClose()).isEqualTo(4000);
            }
            double spread = (last - first) / 1e9;
            System.out.printf("DrainTest: %d publications acknowledged; first disconnect %.2f s after shutdown(), spread %.2f s%n",
                    acked, (first - drainStart) / 1e9, spread);
            assertThat(spread).as("seconds between first and last disconnect").isBetween(1.0, 3.0);
            shutdown.join(10_000);
            assertThat(shutdown.isAlive()).as("shutdown returned").isFalse();
        } finally {
            clients.forEach(WsClient::close);
            node.close();
        }
    }
    /**
     * {@code close()} ends every socket itself: Netty's loop shutdown alone sometimes left a
     * connection open on the stopped node (its client then waited for the heartbeat). Raw sockets,
     * so what is checked is the node's side: the TCP connection ends.
     */
    @Test
    void close_ends_every_connection_at_once_websocket_and_keep_alive_http() throws Exception {
        for (int round = 0; round < 25; round++) {
            TestNode node = TestNode.builder().start();
            try (RawWsClient ws = RawWsClient.connect(node.port(), "/ws?token=" + node.token("u", List.of("news"), List.of(), List.of()));
                 Socket http = new Socket()) {
                ws.sendText("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"news\"}");
                assertThat(ws.readText()).contains("\"connected\"");
                http.connect(new InetSocketAddress("127.0.0.1", node.port()), 2000);
                http.setSoTimeout(5000);
                http.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                byte[] head = new byte[12];
                assertThat(http.getInputStream().readNBytes(head, 0, 12)).isEqualTo(12);
                assertThat(new String(head, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
                // the loops are busy when the stop comes, as they were where a connection stayed open
                AtomicBoolean publishing = new AtomicBoolean(true);
                Thread publisher = Thread.ofVirtual().start(() -> {
                    while (publishing.get()) {
                        try {
                            node.publish("news", "n", "{}");
                        } catch (RuntimeException | AssertionError stopped) {
                            return;
                        }
                    }
                });
                Thread.sleep(20);
                node.close();
                publishing.set(false);
                assertThat(ws.closedWithin(3000)).as("round %d: the WebSocket's TCP connection ends", round).isTrue();
                assertThat(RawHttp.readToEnd(http).millis()).as("round %d: the keep-alive HTTP connection ends", round)
                        .isLessThan(3000);
                // a publish sent on a connection the stopped node left open would wait forever
                assertThat(publisher.join(Duration.ofSeconds(5))).as("round %d: the publisher's connection ends", round).isTrue();
            }
        }
    }
}
