package io.herald.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.HdrHistogram.Recorder;

/**
 * A subscriber that records publish-to-receive latency against the publication's intended send
 * time (carried in its data as {@code "t":nanos}), and counts gaps and duplicates by offset. It reads
 * only the few fields it needs from each frame, so the generator's own cost stays small.
 */
final class LatencySubscriber implements WebSocket.Listener {
    private final Recorder latency;
    private final StringBuilder partial = new StringBuilder();
    final CompletableFuture<Void> subscribed = new CompletableFuture<>();
    private long lastOffset = -1;
    volatile long received;
    volatile long gaps;
    volatile long duplicates;
    private WebSocket ws;

    LatencySubscriber(Recorder latency) {
        this.latency = latency;
    }

    static LatencySubscriber connect(HttpClient http, int port, String token, String channel, Recorder latency) {
        LatencySubscriber s = new LatencySubscriber(latency);
        s.ws = http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?token=" + token), s).join();
        s.ws.sendText("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}", true).join();
        s.subscribed.join();
        return s;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            onFrame(partial);
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    private void onFrame(CharSequence frame) {
        long now = System.nanoTime();
        String s = frame.toString();
        if (s.startsWith("{\"type\":\"subscribed\"")) {
            lastOffset = number(s, "\"offset\":");
            subscribed.complete(null);
            return;
        }
        if (!s.startsWith("{\"type\":\"tick\"")) {
            return;
        }
        long sent = number(s, "\"t\":");
        long offset = number(s, "\"offset\":");
        if (offset <= lastOffset) {
            duplicates++;
        } else {
            if (lastOffset >= 0 && offset != lastOffset + 1) {
                gaps++;
            }
            lastOffset = offset;
        }
        received++;
        latency.recordValue(Math.max(0, now - sent));
    }

    private static long number(String s, String key) {
        int i = s.indexOf(key) + key.length();
        long v = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            v = v * 10 + (s.charAt(i++) - '0');
        }
        return v;
    }

    void close() {
        ws.abort();
    }
}
