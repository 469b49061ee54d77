package io.herald.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.protocol.JsonCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** A real WebSocket client (the JDK's) that queues every frame it receives as parsed JSON. */
final class WsClient implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final AtomicLong sentinel = new AtomicLong();
    /** When each received frame arrived ({@link System#nanoTime()}), by identity. */
    final java.util.Map<JsonNode, Long> receivedAt =
            java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
    private WebSocket ws;

    /** Whether a frame {@code test} accepts has arrived, whether or not it was taken yet; safe while frames arrive. */
    boolean hasReceived(java.util.function.Predicate<JsonNode> test) {
        synchronized (receivedAt) {
            return receivedAt.keySet().stream().anyMatch(test);
        }
    }

    private WsClient() {
    }

    static WsClient open(URI uri) {
        return open(uri, HTTP, null);
    }

    /** Opens with request headers (a {@code Cookie}, say). */
    static WsClient open(URI uri, java.util.Map<String, String> headers) {
        WsClient c = new WsClient();
        WebSocket.Builder b = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        headers.forEach(b::header);
        c.ws = b.buildAsync(uri, c.listener()).join();
        return c;
    }

    /** Opens with a given client (TLS, say) and, when not null, an {@code Origin} header. */
    static WsClient open(URI uri, HttpClient http, String origin) {
        WsClient c = new WsClient();
        WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (origin != null) {
            b.header("Origin", origin);
        }
        c.ws = b.buildAsync(uri, c.listener()).join();
        return c;
    }

    private WebSocket.Listener listener() {
        return new WebSocket.Listener() {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    try {
                        JsonNode n = JsonCodec.MAPPER.readTree(partial.toString());
                        receivedAt.put(n, System.nanoTime());
                        inbox.add(n);
                    } catch (IOException e) {
                        throw new IllegalStateException("server sent invalid JSON: " + partial, e);
                    }
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.complete(statusCode);
                return null;
            }

            @Override
            public void onError(WebSocket webSocket, Throwable error) {
                closed.complete(1006);
            }
        };
    }

    WsClient send(String json) {
        ws.sendText(json, true).join();
        return this;
    }

    void sendBinary(byte[] bytes) {
        ws.sendBinary(ByteBuffer.wrap(bytes), true).join();
    }

    /** The next frame within {@code timeout}, or null. */
    JsonNode poll(Duration timeout) {
        try {
            return inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next frame, failing when none arrives in time. */
    JsonNode next() {
        try {
            JsonNode n = inbox.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (n == null) {
                throw new AssertionError("no frame within " + WAIT + (closed.isDone() ? " (closed " + closed.getNow(0) + ")" : ""));
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next frame, which must have {@code type}. */
    JsonNode expect(String type) {
        JsonNode n = next();
        if (!type.equals(n.path("type").asText())) {
            throw new AssertionError("expected a '" + type + "' frame but got " + n);
        }
        return n;
    }

    /** Sends a command with an id and returns the next frame (its reply, when nothing else is in flight). */
    JsonNode call(String json) {
        send(json);
        return next();
    }

    /**
     * Asserts that nothing arrives before a ping sent now is answered: every frame the server queued
     * earlier arrives first, so this proves there was none.
     */
    void expectNothingPending() {
        long id = 1_000_000 + sentinel.incrementAndGet();
        send("{\"type\":\"ping\",\"id\":" + id + "}");
        JsonNode n = next();
        if (!"pong".equals(n.path("type").asText()) || n.path("id").asLong() != id) {
            throw new AssertionError("expected nothing pending but got " + n);
        }
    }

    /** Frames until one of {@code type} arrives (inclusive). */
    List<JsonNode> until(String type) {
        List<JsonNode> out = new ArrayList<>();
        while (true) {
            JsonNode n = next();
            out.add(n);
            if (type.equals(n.path("type").asText())) {
                return out;
            }
        }
    }

    int awaitClose() {
        try {
            return closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("connection did not close within " + WAIT, e);
        }
    }

    /** Drops the connection without a close handshake, as a network failure would. */
    void abort() {
        ws.abort();
    }

    /**
     * Closes as a browser does: a close frame, then the server's echo (up to a second), then the
     * socket. Aborting at once could reset the socket before the close frame is read, which the
     * server counts as a dropped connection rather than a client's close.
     */
    @Override
    public void close() {
        if (!ws.isOutputClosed() && !closed.isDone()) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(1, TimeUnit.SECONDS);
                closed.get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
                // closing anyway
            }
        }
        ws.abort();
    }
}
