package io.herald.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.herald.protocol.JsonCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A backend receiving Herald's webhooks: a real HTTP server on 127.0.0.1 that checks each request's
 * {@code X-Herald-Signature} as a backend would (HMAC-SHA256 of the raw body with the shared secret,
 * compared in constant time) and records the events of accepted deliveries. It can answer with an
 * error status, stop listening (the receiver is down) and listen again on the same port.
 */
final class WebhookReceiver implements AutoCloseable {
    static final String SECRET = "webhook-secret-of-at-least-32-bytes-0123";

    /** Events of deliveries answered 2xx, in arrival order. */
    final List<JsonNode> events = new CopyOnWriteArrayList<>();
    /** Requests whose signature did not verify (answered 401). */
    final AtomicInteger badSignatures = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    /** Answered to every request while not 200 (the events are then not recorded). */
    volatile int status = 200;
    private final int port;
    private HttpServer server;

    WebhookReceiver() throws IOException {
        this(0);
    }

    private WebhookReceiver(int port) throws IOException {
        server = listen(port);
        this.port = server.getAddress().getPort();
    }

    private HttpServer listen(int p) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", p), 64);
        s.setExecutor(Executors.newFixedThreadPool(4));
        s.createContext("/hooks", this::handle);
        s.start();
        return s;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + port + "/hooks");
    }

    private void handle(HttpExchange x) throws IOException {
        requests.incrementAndGet();
        byte[] body;
        try (InputStream in = x.getRequestBody()) {
            body = in.readAllBytes();
        }
        String signature = x.getRequestHeaders().getFirst("X-Herald-Signature");
        if (!verifies(body, signature)) {
            badSignatures.incrementAndGet();
            answer(x, 401);
            return;
        }
        int answer = status;
        if (answer == 200) {
            JsonNode root = JsonCodec.MAPPER.readTree(body);
            if (!root.hasNonNull("id") || !root.get("time_ms").isIntegralNumber()) {
                answer(x, 400);
                return;
            }
            root.get("events").forEach(events::add);
        }
        answer(x, answer);
    }

    static boolean verifies(byte[] body, String header) {
        if (header == null || !header.startsWith("sha256=")) {
            return false;
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] expected = mac.doFinal(body);
            byte[] given = HexFormat.of().parseHex(header.substring("sha256=".length()));
            return MessageDigest.isEqual(expected, given);
        } catch (Exception e) {
            return false;
        }
    }

    private static void answer(HttpExchange x, int status) throws IOException {
        x.sendResponseHeaders(status, -1);
        x.close();
    }

    /** The receiver is down: nothing listens on its port. */
    void stop() {
        server.stop(0);
    }

    /** Listens again on the same port. */
    void restart() throws IOException {
        server = listen(port);
    }

    /** The recorded events named {@code name} of {@code channel}. */
    List<JsonNode> of(String name, String channel) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : events) {
            if (e.get("name").asText().equals(name) && e.get("channel").asText().equals(channel)) {
                out.add(e);
            }
        }
        return out;
    }

    /** The recorded events of {@code channel}, in arrival order. */
    List<JsonNode> of(String channel) {
        return events.stream().filter(e -> e.get("channel").asText().equals(channel)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
