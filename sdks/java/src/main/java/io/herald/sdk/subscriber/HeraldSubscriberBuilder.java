package io.herald.sdk.subscriber;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.function.DoubleSupplier;

/** Settings of a {@link HeraldSubscriber}; only {@code url} is required. */
public final class HeraldSubscriberBuilder {
    String url;
    String token;
    Callable<String> tokenSupplier;
    private Duration minReconnectDelay = Duration.ofMillis(500);
    private Duration maxReconnectDelay = Duration.ofSeconds(20);
    private Duration pingInterval = Duration.ofSeconds(25);
    private Duration pongTimeout = Duration.ofSeconds(10);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(10);
    private int maxFrameBytes = 4 * 1024 * 1024;
    private int maxQueuedFrames = 10_000;
    private long maxQueuedBytes = 16L * 1024 * 1024;
    private int maxOutboundFrames = 10_000;
    private String name;
    private String version;
    private DoubleSupplier random = Math::random;

    HeraldSubscriberBuilder() {
    }

    /** Herald's base URL: {@code ws://host:8080} or {@code http://host:8080} ({@code /ws} is added). */
    public HeraldSubscriberBuilder url(String url) {
        this.url = url;
        return this;
    }

    /** A fixed JWT. Without one (and without a supplier) the client connects anonymously. */
    public HeraldSubscriberBuilder token(String token) {
        this.token = token;
        return this;
    }

    /** Called (on a virtual thread) before every connection attempt and on {@code refresh_required}. */
    public HeraldSubscriberBuilder tokenSupplier(Callable<String> supplier) {
        this.tokenSupplier = supplier;
        return this;
    }

    /** Backoff window of reconnects: the smallest wait (default 500 ms) and the largest (default 20 s). */
    public HeraldSubscriberBuilder reconnectDelay(Duration min, Duration max) {
        this.minReconnectDelay = min;
        this.maxReconnectDelay = max;
        return this;
    }

    /** Client ping interval (default 25 s; zero turns the heartbeat off) and how long after a ping some frame must arrive (10 s). */
    public HeraldSubscriberBuilder heartbeat(Duration interval, Duration pongTimeout) {
        this.pingInterval = interval;
        this.pongTimeout = pongTimeout;
        return this;
    }

    /** A connection not {@code connected} within this long counts as failed (default 10 s). */
    public HeraldSubscriberBuilder connectTimeout(Duration timeout) {
        this.connectTimeout = timeout;
        return this;
    }

    /** Deadline of subscribe, unsubscribe and refresh replies (default 10 s). */
    public HeraldSubscriberBuilder requestTimeout(Duration timeout) {
        this.requestTimeout = timeout;
        return this;
    }

    /** Largest frame accepted from the server, in characters (default 4 Mi); a larger one ends the connection. */
    public HeraldSubscriberBuilder maxFrameBytes(int max) {
        this.maxFrameBytes = max;
        return this;
    }

    /** Frames and characters that may wait for the handlers before reading pauses (default 10,000 and 16 Mi). */
    public HeraldSubscriberBuilder maxQueued(int frames, long bytes) {
        this.maxQueuedFrames = frames;
        this.maxQueuedBytes = bytes;
        return this;
    }

    /** Commands that may wait to be sent (default 10,000). */
    public HeraldSubscriberBuilder maxOutboundFrames(int max) {
        this.maxOutboundFrames = max;
        return this;
    }

    /** Sent in {@code connect} as the client's name and version. */
    public HeraldSubscriberBuilder name(String name, String version) {
        this.name = name;
        this.version = version;
        return this;
    }

    /** Randomness in [0, 1) for the backoff jitter (tests pin it). */
    public HeraldSubscriberBuilder random(DoubleSupplier random) {
        this.random = Objects.requireNonNull(random, "random");
        return this;
    }

    SubscriberSettings settings() {
        if (token != null && tokenSupplier != null) {
            throw new IllegalArgumentException("give a token or a tokenSupplier, not both");
        }
        return new SubscriberSettings(minReconnectDelay, maxReconnectDelay, pingInterval, pongTimeout, connectTimeout,
                requestTimeout, maxFrameBytes, maxQueuedFrames, maxQueuedBytes, maxOutboundFrames, name, version, random);
    }

    public HeraldSubscriber build() {
        return new HeraldSubscriber(this);
    }
}
