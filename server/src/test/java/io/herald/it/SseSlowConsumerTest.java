package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.ClientConfig;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** SSE outbound backpressure: a stream whose reader stops is closed as a slow consumer, like a WebSocket. */
class SseSlowConsumerTest {
    private static final long MAX_QUEUE = 256 * 1024;

    @Test
    void aStreamThatStopsReadingIsClosedAsASlowConsumerAndItsQueueReleased() throws Exception {
        try (TestNode node = TestNode.builder().devMode()
                .client(ClientConfig.DEFAULTS.withQueue(MAX_QUEUE, Duration.ofSeconds(2)))
                .start();
             Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new java.net.InetSocketAddress("127.0.0.1", node.port()));
            slow.getOutputStream().write("GET /sse?channel=firehose HTTP/1.1\r\nHost: herald\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = slow.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().contains("\"type\":\"connected\"")) {
                int b = in.read();
                assertThat(b).as("stream open").isNotEqualTo(-1);
                head.append((char) b);
            }
            assertThat(node.metric("herald_connections_transport{transport=\"sse\"}")).isEqualTo(1);
            // from here on the client never reads
            double before = node.metric("herald_slow_consumer_closes_total");
            String pad = "x".repeat(10_000);
            for (int i = 1; i <= 300 && node.metric("herald_slow_consumer_closes_total") == before; i++) {
                node.publish("firehose", "tick", "{\"i\":" + i + ",\"pad\":\"" + pad + "\"}");
            }
            Await.until(Duration.ofSeconds(10), "the slow stream is closed",
                    () -> node.metric("herald_slow_consumer_closes_total") >= before + 1);
            Await.until(Duration.ofSeconds(5), "no stream left",
                    () -> node.metric("herald_connections_transport{transport=\"sse\"}") == 0);
            Await.value(Duration.ofSeconds(5), "outbound queue drained",
                    () -> node.metric("herald_outbound_queue_bytes"), v -> v < 1024);
            assertThat(node.metric("herald_connections_closed_total{reason=\"slow_consumer\"}")).isEqualTo(1);
        }
    }
}
