package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.ClientConfig;
import io.herald.protocol.JsonCodec;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Heartbeats with {@code ping} 1 s, {@code pong_timeout} 1 s and {@code connect_timeout} 1 s: server
 * pings, dropping silent connections, answering client pings, and the connect timeout. One node.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class LivenessTest {
    private static TestNode node;

    @BeforeAll
    static void startNode() throws InterruptedException {
        node = TestNode.builder()
                .client(ClientConfig.DEFAULTS.withCommandLimits(1000, 1_000_000, 1_000_000)
                        .withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1)))
                .start();
    }

    @AfterAll
    static void stopNode() {
        node.close();
    }

    private static String tokenPath(String user) {
        return "/ws?token=" + node.token(user, List.of("**"), List.of(), List.of());
    }

    private static double seconds(long fromNanos) {
        return (System.nanoTime() - fromNanos) / 1e9;
    }

    /** Connections that open together get their first keep-alive spread over the second half of the interval. */
    @Test
    void connections_opened_together_get_their_first_ping_within_the_interval_but_not_all_at_once() throws Exception {
        int n = 40;
        List<RawWsClient> clients = new ArrayList<>();
        List<Long> opened = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                opened.add(System.nanoTime());
                RawWsClient c = RawWsClient.connect(node.port(), tokenPath("together" + i));
                assertThat(JsonCodec.MAPPER.readTree(c.readText()).path("type").asText()).isEqualTo("connected");
                clients.add(c);
            }
            double[] firstPing = new double[n];
            List<Thread> readers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                readers.add(Thread.ofVirtual().start(() -> {
                    try {
                        clients.get(k).setReadTimeout(5000);
                        while (clients.get(k).read().opcode() != RawWsClient.PING) {
                            // frames before the first ping: none expected, skipped
                        }
                        firstPing[k] = seconds(opened.get(k));
                    } catch (IOException e) {
                        firstPing[k] = -1;
                    }
                }));
            }
            for (Thread t : readers) {
                t.join(Duration.ofSeconds(10));
            }
            double min = Double.MAX_VALUE;
            double max = 0;
            for (double t : firstPing) {
                // half the interval (1 s) at the earliest; at the latest the interval and one sweep period
                // (250 ms), with room for a loaded machine
                assertThat(t).as("seconds to the first ping").isBetween(0.45, 1.8);
                min = Math.min(min, t);
                max = Math.max(max, t);
            }
            assertThat(max - min).as("the first pings of %d connections opened within a moment are spread", n)
                    .isGreaterThan(0.25);
        } finally {
            for (RawWsClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void a_connection_that_never_answers_pings_is_closed_after_ping_plus_pong_timeout() throws IOException {
        double before = node.metric("herald_connections_closed_total{reason=\"network\"}");
        long start = System.nanoTime();
        try (RawWsClient c = RawWsClient.connect(node.port(), tokenPath("silent"))) {
            assertThat(JsonCodec.MAPPER.readTree(c.readText()).path("type").asText()).isEqualTo("connected");
            int pings = 0;
            c.setReadTimeout(6000);
            boolean ended = false;
            try {
                while (seconds(start) < 6) {
                    RawWsClient.Frame f = c.read();
                    assertThat(f.opcode()).as("no close frame: the peer is presumed dead").isNotEqualTo(RawWsClient.CLOSE);
                    if (f.opcode() == RawWsClient.PING) {
                        pings++;
                    }
                }
            } catch (EOFException | SocketException e) {
                ended = true;
            }
            double took = seconds(start);
            assertThat(ended).as("TCP connection closed by the server").isTrue();
            assertThat(took).as("seconds until closed").isBetween(1.8, 4.0);
            assertThat(pings).as("pings received before the close").isBetween(1, 3);
        }
        Await.value(Duration.ofSeconds(5), "the drop counted as network",
                () -> node.metric("herald_connections_closed_total{reason=\"network\"}"), v -> v > before);
    }

    @Test
    void a_connection_that_answers_pings_stays_open_and_pings_come_every_ping_interval() throws IOException {
        try (RawWsClient c = RawWsClient.connect(node.port(), tokenPath("alive"))) {
            long start = System.nanoTime();
            assertThat(JsonCodec.MAPPER.readTree(c.readText()).path("type").asText()).isEqualTo("connected");
            List<Long> pingTimes = new ArrayList<>();
            c.setReadTimeout(200);
            while (seconds(start) < 4.5) {
                RawWsClient.Frame f;
                try {
                    f = c.read();
                } catch (SocketTimeoutException idle) {
                    continue;
                }
                assertThat(f.opcode()).as("frame from the server").isNotEqualTo(RawWsClient.CLOSE);
                if (f.opcode() == RawWsClient.PING) {
                    pingTimes.add(System.nanoTime());
                    c.send(RawWsClient.PONG, f.payload());
                }
            }
            // still open and answering after 4.5 s, twice the silence limit
            c.setReadTimeout(5000);
            c.sendText("{\"type\":\"ping\",\"id\":9}");
            JsonNode pong = JsonCodec.MAPPER.readTree(c.readText());
            assertThat(pong.path("type").asText()).isEqualTo("pong");
            assertThat(pong.path("id").asLong()).isEqualTo(9);
            // one ping per second, checked by a sweep every 250 ms (a busy machine may delay one by a
            // few sweeps; a ping every two intervals would still fail)
            assertThat(pingTimes).hasSizeBetween(3, 5);
            for (int i = 1; i < pingTimes.size(); i++) {
                double gap = (pingTimes.get(i) - pingTimes.get(i - 1)) / 1e9;
                assertThat(gap).as("seconds between server pings").isBetween(0.75, 1.95);
            }
        }
    }

    @Test
    void a_browser_like_client_that_answers_pings_by_itself_stays_connected() {
        try (WsClient c = node.connectAs("browser", "**")) {
            Await.sleep(3500);
            assertThat(c.closed).isNotDone();
            c.expectNothingPending();
        }
    }

    @Test
    void a_client_ping_control_frame_gets_a_pong_with_the_same_payload() throws IOException {
        try (RawWsClient c = RawWsClient.connect(node.port(), tokenPath("pinger"))) {
            byte[] payload = "are-you-there-42".getBytes(StandardCharsets.UTF_8);
            c.send(RawWsClient.PING, payload);
            while (true) {
                RawWsClient.Frame f = c.read();
                assertThat(f.opcode()).isNotEqualTo(RawWsClient.CLOSE);
                if (f.opcode() == RawWsClient.PING) {
                    c.send(RawWsClient.PONG, f.payload());
                } else if (f.opcode() == RawWsClient.PONG) {
                    assertThat(f.payload()).isEqualTo(payload);
                    return;
                }
            }
        }
    }

    @Test
    void a_connection_that_sends_nothing_is_closed_with_4001_after_the_connect_timeout() throws IOException {
        long start = System.nanoTime();
        try (RawWsClient c = RawWsClient.connect(node.port(), "/ws")) {
            RawWsClient.Frame f = c.read();
            while (f.opcode() == RawWsClient.PING) {
                f = c.read();
            }
            assertThat(f.opcode()).isEqualTo(RawWsClient.TEXT);
            JsonNode d = JsonCodec.MAPPER.readTree(f.text());
            assertThat(d.path("type").asText()).isEqualTo("disconnect");
            assertThat(d.path("code").asInt()).isEqualTo(4001);
            assertThat(d.path("reconnect").asBoolean()).isFalse();
            assertThat(d.path("reason").asText()).contains(" ");
            double took = seconds(start);
            assertThat(c.readUntilClose()).isEqualTo(4001);
            assertThat(took).as("seconds until the disconnect").isBetween(0.9, 2.0);
        }
    }
}
