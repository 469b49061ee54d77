package io.herald.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A bare WebSocket client speaking the protocol by hand, to see frames exactly as they arrive. */
final class RawWs implements AutoCloseable, WebSocket.Listener {
    final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    volatile int closeCode = -1;
    private final StringBuilder partial = new StringBuilder();
    private final HttpClient http = HttpClient.newHttpClient();
    private final WebSocket ws;

    RawWs(String httpUrl, String token) {
        String uri = httpUrl.replaceFirst("^http", "ws") + "/ws" + (token == null ? "" : "?token=" + token);
        ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(URI.create(uri), this).join();
    }

    void send(String json) {
        ws.sendText(json, true).join();
    }

    /** The next frame, whatever its type; fails after 5 s. */
    JsonNode next() {
        try {
            JsonNode f = frames.poll(5, TimeUnit.SECONDS);
            if (f == null) {
                throw new AssertionError("no frame within 5 s");
            }
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The next frame of {@code type}, skipping others; fails after 5 s. */
    JsonNode expect(String type) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            JsonNode f;
            try {
                f = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (f == null) {
                throw new AssertionError("no " + type + " frame within 5 s");
            }
            if (f.path("type").asText().equals(type)) {
                return f;
            }
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                frames.add(Json.MAPPER.readTree(partial.toString()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            partial.setLength(0);
        }
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
        closeCode = statusCode;
        return null;
    }

    @Override
    public void close() {
        ws.abort();
        http.close();
    }
}
