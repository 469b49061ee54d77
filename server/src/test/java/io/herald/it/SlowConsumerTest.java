package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.config.ClientConfig;
import io.herald.protocol.JsonCodec;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Outbound backpressure: a subscriber that stops reading is closed as a slow consumer (4004) once its
 * queue passes {@code max_queue_bytes} or it cannot take writes for {@code write_timeout}, its queued
 * bytes are released, and a healthy subscriber of the same channel gets every publication in order.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SlowConsumerTest {
    private static final int PUBLICATIONS = 1000;
    private static final long MAX_QUEUE = 256 * 1024;

    @Test
    void a_subscriber_that_stops_reading_is_closed_as_a_slow_consumer_and_its_queue_is_released() throws Exception {
        scenario(false);
    }

    @Test
    void a_subscriber_that_stops_reading_is_closed_as_a_slow_consumer_and_others_get_everything() throws Exception {
        scenario(true);
    }

    private void scenario(boolean withHealthy) throws Exception {
        try (TestNode node = TestNode.builder()
                .client(ClientConfig.DEFAULTS.withCommandLimits(1000, 1_000_000, 1_000_000)
                        .withQueue(MAX_QUEUE, Duration.ofSeconds(2)))
                .start();
             WsClient healthy = node.connectAs("healthy", "**");
             RawWsClient slow = RawWsClient.connect(node.port(),
                     "/ws?token=" + node.token("slow", List.of("**"), List.of(), List.of()), 4096)) {
            if (withHealthy) {
                healthy.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"firehose\"}");
                healthy.expect("subscribed");
            } else {
                healthy.close();
            }
            assertThat(JsonCodec.MAPPER.readTree(slow.readText()).path("type").asText()).isEqualTo("connected");
            slow.sendText("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"firehose\"}");
            assertThat(JsonCodec.MAPPER.readTree(slow.readText()).path("type").asText()).isEqualTo("subscribed");
            // from here on the slow client never reads

            double slowBefore = node.metric("herald_slow_consumer_closes_total");
            AtomicLong maxQueued = new AtomicLong();
            AtomicLong closedAtNanos = new AtomicLong();
            AtomicBoolean sampling = new AtomicBoolean(true);
            long start = System.nanoTime();
            Thread sampler = Thread.ofVirtual().start(() -> {
                while (sampling.get()) {
                    String text = node.metricsText();
                    maxQueued.accumulateAndGet((long) TestNode.Metrics.value(text, "herald_outbound_queue_bytes"), Math::max);
                    if (closedAtNanos.get() == 0 && TestNode.Metrics.value(text, "herald_slow_consumer_closes_total") > slowBefore) {
                        closedAtNanos.set(System.nanoTime());
                    }
                    Await.sleep(100);
                }
            });

            String pad = "x".repeat(10_000);
            for (int i = 1; i <= PUBLICATIONS; i++) {
                node.publish("firehose", "tick", "{\"i\":" + i + ",\"pad\":\"" + pad + "\"}");
            }
            long publishedNanos = System.nanoTime();

            // the healthy subscriber gets all of them, in order, without gaps
            long lastOffset = 0;
            for (int i = 1; withHealthy && i <= PUBLICATIONS; i++) {
                JsonNode p = healthy.expect("tick");
                assertThat(p.path("data").path("i").asInt()).as("publication #%d", i).isEqualTo(i);
                long offset = p.path("offset").asLong();
                assertThat(lastOffset == 0 || offset == lastOffset + 1).as("offset %d after %d", offset, lastOffset).isTrue();
                lastOffset = offset;
            }

            Await.until(Duration.ofSeconds(10), "the slow consumer is closed",
                    () -> node.metric("herald_slow_consumer_closes_total") >= slowBefore + 1);
            Await.until(Duration.ofSeconds(5), "the sampler saw the close", () -> closedAtNanos.get() != 0);
            // only the healthy connection is left, and nothing is queued any more
            Await.until(Duration.ofSeconds(5), "one connection left", () -> node.metric("herald_connections") == (withHealthy ? 1 : 0));
            double queuedAfter = Await.value(Duration.ofSeconds(5), "outbound queue drained",
                    () -> node.metric("herald_outbound_queue_bytes"), v -> v < 1024);
            sampling.set(false);
            sampler.join();
            assertThat(node.metric("herald_connections_closed_total{reason=\"slow_consumer\"}")).isGreaterThanOrEqualTo(1);

            // the slow client: the socket ends; if the close frame made it out, it says 4004
            slow.setReadTimeout(10_000);
            int frames = 0;
            int closeCode = -1;
            boolean ended = false;
            try {
                while (true) {
                    RawWsClient.Frame f = slow.read();
                    frames++;
                    if (f.opcode() == RawWsClient.CLOSE) {
                        closeCode = f.closeCode();
                    }
                }
            } catch (EOFException | SocketException e) {
                ended = true;
            }
            assertThat(ended).as("the server closed the slow consumer's TCP connection").isTrue();
            if (closeCode != -1) {
                assertThat(closeCode).isEqualTo(4004);
            }
            System.out.printf("SlowConsumerTest: max herald_outbound_queue_bytes %d, closed %.2f s after the first "
                            + "publish (publishing took %.2f s), queue after %.0f, slow client read %d frames, close frame %s%n",
                    maxQueued.get(), (closedAtNanos.get() - start) / 1e9, (publishedNanos - start) / 1e9, queuedAfter,
                    frames, closeCode == -1 ? "not received" : Integer.toString(closeCode));
            // each connection holds at most max_queue_bytes (the slow one and the healthy one)
            assertThat(maxQueued.get()).isLessThanOrEqualTo((withHealthy ? 2 : 1) * MAX_QUEUE);
        }
    }

    @Test
    void a_single_publication_larger_than_max_queue_bytes_reaches_a_client_that_reads() throws Exception {
        try (TestNode node = TestNode.builder()
                .client(ClientConfig.DEFAULTS.withCommandLimits(1000, 1_000_000, 1_000_000)
                        .withQueue(64 * 1024, Duration.ofSeconds(2)))
                .defaults(TestNode.ns(10, Duration.ofMinutes(5), false, false, true, false))
                .start();
             WsClient c = node.connectAs("reader")) {
            c.call("{\"type\":\"subscribe\",\"channel\":\"big\"}");
            String pad = "x".repeat(100 * 1024);
            long offset = node.publish("big", "blob", "{\"pad\":\"" + pad + "\"}");
            JsonNode got = c.expect("blob");
            assertThat(got.get("offset").asLong()).isEqualTo(offset);
            assertThat(got.get("data").get("pad").asText()).hasSize(100 * 1024);
            c.expectNothingPending();
            assertThat(c.closed).isNotDone();
        }
    }

    @Test
    void a_burst_larger_than_max_queue_bytes_does_not_close_a_client_that_reads() throws Exception {
        try (TestNode node = TestNode.builder()
                .client(ClientConfig.DEFAULTS.withCommandLimits(1000, 1_000_000, 1_000_000)
                        .withQueue(MAX_QUEUE, Duration.ofSeconds(2)))
                .start();
             WsClient healthy = node.connectAs("healthy", "**")) {
            healthy.send("{\"type\":\"subscribe\",\"id\":1,\"channel\":\"burst\"}");
            healthy.expect("subscribed");
            // hold the client's event loop for a moment so 40 deliveries (400 KB) queue up on it, as a busy
            // loop would; the client itself keeps reading all along
            io.netty.channel.EventLoop loop = eventLoopOfOnlyConnection(node);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            loop.execute(() -> {
                try {
                    release.await(5, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            String pad = "x".repeat(10_000);
            Thread publisher = Thread.ofVirtual().start(() -> {
                for (int i = 1; i <= 40; i++) {
                    node.publish("burst", "tick", "{\"i\":" + i + ",\"pad\":\"" + pad + "\"}");
                }
            });
            publisher.join(3000);
            release.countDown();
            publisher.join();
            for (int i = 1; i <= 40; i++) {
                assertThat(healthy.expect("tick").path("data").path("i").asInt()).isEqualTo(i);
            }
            assertThat(node.metric("herald_slow_consumer_closes_total")).isZero();
        }
    }

    /** The event loop of the node's one WebSocket connection (test-only reflection into the transport). */
    private static io.netty.channel.EventLoop eventLoopOfOnlyConnection(TestNode node) throws ReflectiveOperationException {
        java.lang.reflect.Field f = node.server.getClass().getDeclaredField("sweeps");
        f.setAccessible(true);
        Object sweeps = f.get(node.server);
        java.lang.reflect.Method snapshot = sweeps.getClass().getDeclaredMethod("snapshot");
        snapshot.setAccessible(true);
        Object connection = ((List<?>) snapshot.invoke(sweeps)).getFirst();
        Class<?> type = connection.getClass();
        while (java.util.Arrays.stream(type.getDeclaredFields()).noneMatch(field -> field.getName().equals("channel"))) {
            type = type.getSuperclass();
        }
        java.lang.reflect.Field ch = type.getDeclaredField("channel");
        ch.setAccessible(true);
        return ((io.netty.channel.Channel) ch.get(connection)).eventLoop();
    }
}
