package io.herald.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.herald.config.ClientConfig;
import io.herald.config.HttpConfig;
import io.herald.config.LimitsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Plain HTTP connections against hostile peers: silent, dripping, slow-uploading, pipelining without
 * reading, unauthenticated uploads, and sockets past the connection limits. Each case has a bound in
 * time or memory the node keeps, checked over real sockets.
 */
class HttpHardeningTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final HttpConfig FAST = HttpConfig.DEFAULTS.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1))
            .withBodies(1000, 64L * 1024 * 1024).withRequests(16, 0);

    private static TestNode node(HttpConfig http) throws InterruptedException {
        return TestNode.builder().http(http).start();
    }

    private static Socket open(TestNode node) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", node.port()), 5000);
        s.setSoTimeout((int) WAIT.toMillis());
        return s;
    }

    private static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    private static double closed(TestNode node, String cause) {
        return node.metric("herald_http_closed_total{cause=\"" + cause + "\"}");
    }

    @Test
    void aSilentConnectionIsClosedAfterTheHeadTimeout() throws Exception {
        try (TestNode node = node(FAST); Socket s = open(node)) {
            RawHttp.Ended end = RawHttp.readToEnd(s);
            assertThat(end.text()).isEmpty();
            assertThat(end.millis()).isBetween(800L, 4000L);
            Await.until(WAIT, "the close is counted", () -> closed(node, "head_timeout") >= 1);
        }
    }

    @Test
    void aHeadDrippedByteByByteIsClosedAtTheHeadTimeoutWhileStillDripping() throws Exception {
        try (TestNode node = node(FAST); Socket s = open(node)) {
            long start = System.nanoTime();
            send(s, "GET /health HTTP/1.1\r\nHost: x\r\n");
            boolean refused = false;
            for (int i = 0; i < 100 && !refused; i++) {
                try {
                    send(s, "X");
                } catch (IOException e) {
                    refused = true;
                }
                Thread.sleep(100);
                if (s.getInputStream().available() == 0 && (System.nanoTime() - start) > 4_000_000_000L) {
                    break;
                }
            }
            s.setSoTimeout(1000);
            RawHttp.Ended end = RawHttp.readToEnd(s);
            assertThat(end.text()).isEmpty();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5000);
            assertThat(closed(node, "head_timeout")).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void aKeepAliveConnectionIsClosedWhenIdleBetweenRequests() throws Exception {
        try (TestNode node = node(FAST.withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(1))); Socket s = open(node)) {
            send(s, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
            RawHttp.Ended end = RawHttp.readToEnd(s);
            assertThat(end.answers()).isEqualTo(1);
            assertThat(end.text()).startsWith("HTTP/1.1 200 ");
            // closed at the idle timeout (1 s), well before the head timeout (5 s) a new connection gets
            assertThat(end.millis()).isBetween(800L, 4000L);
            assertThat(closed(node, "idle_timeout")).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void aBodySlowerThanTheMinimumRateIsCut() throws Exception {
        try (TestNode node = node(FAST); Socket s = open(node)) {
            send(s, "POST /api/publish HTTP/1.1\r\nHost: x\r\nAuthorization: apikey " + TestNode.API_KEY
                    + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n");
            long start = System.nanoTime();
            try {
                for (int i = 0; i < 100; i++) {
                    send(s, "          "); // 10 bytes every 100 ms: 100 B/s against a minimum of 1,000
                    Thread.sleep(100);
                }
            } catch (IOException cut) {
                // the server closed while we were still sending
            }
            RawHttp.Ended end = RawHttp.readToEnd(s);
            assertThat(end.answers()).isZero();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(6000);
            assertThat(closed(node, "body_too_slow")).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void anApiRequestWithoutTheKeyIsRefusedFromItsHeadersBeforeItsBody() throws Exception {
        try (TestNode node = node(HttpConfig.DEFAULTS); Socket s = open(node)) {
            s.setSoTimeout(2000);
            send(s, "POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1048576\r\n\r\n{\"channel\":");
            RawHttp.Ended end = RawHttp.readToEnd(s);
            assertThat(end.text()).startsWith("HTTP/1.1 401 ").contains("\"unauthorized\"");
            assertThat(end.millis()).isLessThan(1500);
        }
        try (TestNode node = node(HttpConfig.DEFAULTS); Socket s = open(node)) {
            s.setSoTimeout(2000);
            send(s, "POST /api/publish HTTP/1.1\r\nHost: x\r\nAuthorization: apikey wrong\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 1048576\r\n\r\n");
            RawHttp.Ended end = RawHttp.readToEnd(s);
            assertThat(end.text()).startsWith("HTTP/1.1 401 ").contains("invalid API key").doesNotContain("100 Continue");
        }
    }

    @Test
    void bufferedRequestBodiesAreCappedAcrossTheNode() throws Exception {
        HttpConfig oneMiB = FAST.withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10)).withBodies(1, 1024 * 1024);
        try (TestNode node = node(oneMiB)) {
            List<Socket> uploads = new ArrayList<>();
            String refused = null;
            try {
                for (int i = 0; i < 4 && refused == null; i++) {
                    Socket s = open(node);
                    uploads.add(s);
                    send(s, "POST /api/publish HTTP/1.1\r\nHost: x\r\nAuthorization: apikey " + TestNode.API_KEY
                            + "\r\nContent-Length: 1000000\r\n\r\n");
                    s.getOutputStream().write(new byte[400_000]);
                    s.getOutputStream().flush();
                    long before = System.nanoTime();
                    s.setSoTimeout(500);
                    try {
                        byte[] b = new byte[512];
                        int n = s.getInputStream().read(b);
                        refused = n > 0 ? new String(b, 0, n, StandardCharsets.ISO_8859_1) : null;
                    } catch (SocketTimeoutException stillUploading) {
                        // held: the budget still had room
                    }
                    assertThat(System.nanoTime() - before).isPositive();
                }
                assertThat(refused).as("a third 400 KB upload passes the 1 MiB budget").isNotNull()
                        .startsWith("HTTP/1.1 503 ").contains("not_available");
                assertThat(uploads).hasSize(3);
                assertThat(node.metric("herald_http_buffered_body_bytes")).isLessThanOrEqualTo(1024 * 1024);
            } finally {
                for (Socket s : uploads) {
                    s.close();
                }
            }
            Await.until(WAIT, "the reservations are given back", () -> node.metric("herald_http_buffered_body_bytes") == 0);
            assertThat(node.publish("budget:ok", "e", "1")).isEqualTo(1);
        }
    }

    @Test
    void aClientThatPipelinesThousandsOfRequestsAndNeverReadsIsCutWithFewAnswersMade() throws Exception {
        try (TestNode node = TestNode.builder().http(FAST)
                .client(ClientConfig.DEFAULTS.withQueue(1024 * 1024, Duration.ofSeconds(1))).start();
             Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", node.port()), 5000);
            String many = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(6000);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    send(s, many);
                } catch (IOException expected) {
                    // the server stopped reading and closed: the rest cannot be sent
                }
            });
            // the client reads nothing: the server stops reading its requests and cuts it
            Await.until(WAIT, "the connection is cut",
                    () -> closed(node, "write_timeout") + closed(node, "pipeline_limit") >= 1);
            s.setSoTimeout(2000);
            RawHttp.Ended end = RawHttp.readToEnd(s);
            writer.join(WAIT.toMillis());
            assertThat(end.answers()).as("answers made for 6,000 pipelined requests").isBetween(1, 200);
        }
    }

    @Test
    void requestsPipelinedWithinTheCapAreAllAnsweredInOrder() throws Exception {
        try (TestNode node = node(FAST); Socket s = open(node)) {
            node.publish("pipe:1", "e", "1");
            send(s, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /api/history/pipe:1 HTTP/1.1\r\nHost: x\r\nAuthorization: apikey " + TestNode.API_KEY + "\r\n\r\n"
                    + "GET /ready HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /api/publish HTTP/1.1\r\nHost: x\r\nAuthorization: apikey " + TestNode.API_KEY
                    + "\r\nContent-Length: 44\r\n\r\n{\"channel\":\"pipe:1\",\"type\":\"e\",\"data\":12345}"
                    + "GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            RawHttp.Ended end = RawHttp.readToEnd(s);
            assertThat(end.answers()).isEqualTo(5);
            String t = end.text();
            assertThat(t.indexOf("\"status\":\"ok\"")).isLessThan(t.indexOf("\"publications\""));
            assertThat(t.indexOf("\"publications\"")).isLessThan(t.indexOf("\"ready\":true"));
            assertThat(t.indexOf("\"ready\":true")).isLessThan(t.indexOf("\"offset\":2"));
            assertThat(t.indexOf("\"offset\":2")).isLessThan(t.indexOf("HTTP/1.1 404 "));
        }
    }

    @Test
    void anAnswerTheClientDoesNotReadIsCutAtTheWriteTimeout() throws Exception {
        try (TestNode node = TestNode.builder().http(FAST)
                .client(ClientConfig.DEFAULTS.withQueue(1024 * 1024, Duration.ofSeconds(1)))
                .defaults(TestNode.ns(100, Duration.ofMinutes(5), false, false, false, false)).start()) {
            String big = "\"" + "x".repeat(60_000) + "\"";
            for (int i = 0; i < 100; i++) {
                node.publish("big", "e", big);
            }
            double before = closed(node, "write_timeout");
            try (Socket s = new Socket()) {
                s.setReceiveBufferSize(4096);
                s.connect(new InetSocketAddress("127.0.0.1", node.port()), 5000);
                // about 6 MB of history answers, two in a row; this client reads none of it
                send(s, ("GET /api/history/big?limit=100 HTTP/1.1\r\nHost: x\r\nAuthorization: apikey " + TestNode.API_KEY
                        + "\r\n\r\n").repeat(2));
                Await.until(WAIT, "the unread answer is cut", () -> closed(node, "write_timeout") > before);
            }
        }
    }

    @Test
    void everyTcpConnectionCountsAgainstMaxConnections() throws Exception {
        try (TestNode node = TestNode.builder().http(FAST.withTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(30)))
                .limits(new LimitsConfig(5, 0, 0, 0)).start()) {
            List<Socket> silent = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    silent.add(open(node));
                }
                Await.until(WAIT, "five sockets counted", () -> node.metric("herald_tcp_connections") >= 5);
                try (RawWsClient over = RawWsClient.connect(node.port(), "/ws?token="
                        + node.token("u", List.of("**"), List.of(), List.of()), 0)) {
                    assertThat(over.readUntilClose()).isEqualTo(4008);
                }
                try (Socket s = open(node)) {
                    send(s, "GET /poll?channel=a HTTP/1.1\r\nHost: x\r\n\r\n");
                    assertThat(RawHttp.readToEnd(s).text()).startsWith("HTTP/1.1 429 ").contains("limit_exceeded");
                }
                // monitoring and the backend still work on a full node
                assertThat(node.get("/health").statusCode()).isEqualTo(200);
                assertThat(node.publish("full:1", "e", "1")).isEqualTo(1);
                // past the limit plus its headroom (64) sockets are closed at once
                List<Socket> flood = new ArrayList<>();
                try {
                    for (int i = 0; i < 80; i++) {
                        flood.add(open(node));
                    }
                    Await.until(WAIT, "sockets past the ceiling are closed at once",
                            () -> closed(node, "connection_ceiling") >= 10);
                } finally {
                    for (Socket s : flood) {
                        s.close();
                    }
                }
            } finally {
                for (Socket s : silent) {
                    s.close();
                }
            }
            Await.until(WAIT, "the slots are free again", () -> node.metric("herald_tcp_connections") <= 1);
            try (WsClient again = node.connectAs("again", "**")) {
                assertThat(again.call("{\"type\":\"ping\",\"id\":1}").path("type").asText()).isEqualTo("pong");
            }
        }
    }

    @Test
    void plainHttpConnectionsCountAgainstTheConnectionRatePerIp() throws Exception {
        try (TestNode node = TestNode.builder().http(FAST).limits(new LimitsConfig(0, 0, 2, 0)).start()) {
            String refusal = null;
            for (int i = 0; i < 20 && refusal == null; i++) {
                try (Socket s = open(node)) {
                    send(s, "GET /poll?channel=a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                    String text = RawHttp.readToEnd(s).text();
                    if (text.startsWith("HTTP/1.1 429 ")) {
                        refusal = text;
                    }
                }
            }
            assertThat(refusal).isNotNull().contains("too_many_requests").containsIgnoringCase("retry-after: ");
        }
    }

    @Test
    void theUnauthenticatedEndpointsAreRateLimitedPerAddress() throws Exception {
        try (TestNode node = node(FAST.withRequests(16, 5)); Socket s = open(node)) {
            AtomicLong limited = new AtomicLong();
            for (int i = 0; i < 40; i++) {
                send(s, "GET " + List.of("/health", "/ready", "/metrics").get(i % 3) + " HTTP/1.1\r\nHost: x\r\n\r\n");
                String head = readHead(s);
                if (head.startsWith("HTTP/1.1 429 ")) {
                    limited.incrementAndGet();
                    assertThat(head.toLowerCase()).contains("retry-after: ");
                }
            }
            assertThat(limited.get()).isBetween(20L, 30L);
        }
    }

    @Test
    void metricsRequireTheBearerTokenWhenMetricsAuthIsSet() throws Exception {
        String token = "metrics-token-0123456789";
        try (TestNode node = node(FAST.withMetricsAuth(token)); Socket s = open(node)) {
            send(s, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(readHead(s)).startsWith("HTTP/1.1 401 ");
            send(s, "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong-token-0123456789\r\n\r\n");
            assertThat(readHead(s)).startsWith("HTTP/1.1 401 ");
            send(s, "GET /metrics HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n");
            assertThat(readHead(s)).startsWith("HTTP/1.1 200 ");
        }
    }

    /** Reads one answer (head and Content-Length body) off a keep-alive connection; returns its head. */
    private static String readHead(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after " + head);
            }
            head.append((char) c);
        }
        Matcher m = Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        in.readNBytes(length);
        return head.toString();
    }
}
