package io.herald.sdk.subscriber;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One WebSocket to {@code /ws}: JSON text frames both ways, bounded both ways. Every report carries
 * the transport's id so the client can ignore a transport it already replaced.
 *
 * <p>Inbound: a frame is assembled up to {@code maxFrameChars} (beyond: the socket is aborted and
 * reported as {@link LocalCloseCode#FRAME_OVER_CAP}), then handed to the event loop. At most
 * {@code maxQueuedFrames} frames and {@code maxQueuedChars} characters wait there; at the cap the
 * transport stops asking the socket for more (TCP pushes back on the server) and asks again once
 * the loop worked the queue down to half. Outbound: frames leave one at a time in order; at most
 * {@code maxOutbound} wait.
 *
 * <p>Threads: the listener methods run on the HTTP client's threads, one at a time; every report
 * hops to {@code loop}. {@link #send} and {@link #close} are called on the loop only.
 */
final class WsTransport implements WebSocket.Listener {
    /** What a transport reports, always on the loop. */
    interface Events {
        void opened(int id);

        void frame(int id, String text);

        /** Any sign of life, a ping or a pong control frame included. */
        void alive(int id);

        /** The transport ended; {@code opened} tells whether it ever opened. Reported once, not after {@link #close}. */
        void closed(int id, int code, String reason, boolean opened);
    }

    record Limits(int maxFrameChars, int maxQueuedFrames, long maxQueuedChars, int maxOutbound) {
    }

    final int id;
    private final Executor loop;
    private final Events events;
    private final Limits limits;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Set by onOpen (listener thread) before the loop hears of it; null until then. */
    private volatile WebSocket socket;
    /** Listener thread only: the frame being assembled. */
    private final StringBuilder partial = new StringBuilder();
    private final AtomicInteger queuedFrames = new AtomicInteger();
    private final AtomicLong queuedChars = new AtomicLong();
    /** Guarded by {@code this}: reading stopped at the inbound cap. */
    private boolean paused;
    /** Loop only. */
    private final ArrayDeque<String> outbound = new ArrayDeque<>();
    /** Loop only: a sendText is under way. */
    private boolean sending;

    WsTransport(int id, Executor loop, Events events, Limits limits) {
        this.id = id;
        this.loop = loop;
        this.events = events;
        this.limits = limits;
    }

    /** Starts the opening handshake; its failure is reported as a close that never opened. */
    void open(HttpClient http, URI uri, Duration connectTimeout) {
        http.newWebSocketBuilder().connectTimeout(connectTimeout).buildAsync(uri, this).whenComplete((ws, error) -> {
            if (error != null) {
                Throwable cause = error.getCause() != null ? error.getCause() : error;
                end(LocalCloseCode.ABNORMAL, "cannot connect: " + cause, false);
            } else if (ended.get()) {
                ws.abort(); // closed while the handshake was under way
            }
        });
    }

    /** Queues a text frame; false when the transport is not open or the outbound queue is full. */
    boolean send(String text) {
        if (socket == null || ended.get() || outbound.size() >= limits.maxOutbound()) {
            return false;
        }
        outbound.add(text);
        pump();
        return true;
    }

    private void pump() {
        WebSocket ws = socket;
        if (sending || outbound.isEmpty() || ws == null || ended.get()) {
            return;
        }
        sending = true;
        ws.sendText(outbound.poll(), true).whenComplete((w, error) -> loop.execute(() -> {
            sending = false;
            if (error == null) {
                pump();
            } // a failed send is followed by onError/onClose, which end the transport
        }));
    }

    /** Closes without reporting: the caller already moved on. */
    void close() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        WebSocket ws = socket;
        if (ws != null) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "client closed");
            // the server answers the close at once; a silent one is cut off
            CompletableFuture.delayedExecutor(2, TimeUnit.SECONDS).execute(ws::abort);
        }
    }

    /** Cuts the connection at once without reporting (heartbeat or connect timeout). */
    void abort() {
        ended.set(true);
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

    private void end(int code, String reason, boolean opened) {
        if (ended.compareAndSet(false, true)) {
            loop.execute(() -> events.closed(id, code, reason, opened));
        }
    }

    // ---- listener (HTTP client threads, sequential) ----------------------------------------------

    @Override
    public void onOpen(WebSocket ws) {
        socket = ws;
        if (ended.get()) {
            ws.abort();
            return;
        }
        loop.execute(() -> events.opened(id));
        ws.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        if (ended.get()) {
            return null;
        }
        if (partial.length() + data.length() > limits.maxFrameChars()) {
            partial.setLength(0);
            ws.abort();
            end(LocalCloseCode.FRAME_OVER_CAP, "a frame from the server is over " + limits.maxFrameChars() + " characters", true);
            return null;
        }
        partial.append(data);
        if (!last) {
            ws.request(1);
            return null;
        }
        String text = partial.toString();
        partial.setLength(0);
        queuedFrames.incrementAndGet();
        queuedChars.addAndGet(text.length());
        loop.execute(() -> {
            try {
                // delivered even after the close that followed it (its disconnect push names the cause);
                // the client drops frames of a transport it already replaced
                events.frame(id, text);
            } finally {
                queuedFrames.decrementAndGet();
                queuedChars.addAndGet(-text.length());
                resumeIfDrained();
            }
        });
        requestIfRoom(ws);
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
        requestIfRoom(ws); // the protocol has no binary frames: ignored
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
        // the JDK answers the ping with a pong by itself
        loop.execute(() -> events.alive(id));
        requestIfRoom(ws);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
        loop.execute(() -> events.alive(id));
        requestIfRoom(ws);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
        end(statusCode, reason == null ? "" : reason, true);
        return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
        end(LocalCloseCode.ABNORMAL, "connection lost: " + error, socket != null);
    }

    private synchronized void requestIfRoom(WebSocket ws) {
        if (queuedFrames.get() < limits.maxQueuedFrames() && queuedChars.get() < limits.maxQueuedChars()) {
            ws.request(1);
        } else {
            paused = true;
        }
    }

    private synchronized void resumeIfDrained() {
        WebSocket ws = socket;
        if (paused && ws != null && queuedFrames.get() <= limits.maxQueuedFrames() / 2
                && queuedChars.get() <= limits.maxQueuedChars() / 2) {
            paused = false;
            ws.request(1);
        }
    }
}
