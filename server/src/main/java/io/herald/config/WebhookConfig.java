package io.herald.config;

import io.herald.protocol.WebhookEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * One webhook: where Herald POSTs signed batches of events, and which events. Immutable.
 *
 * @param url         {@code http://} or {@code https://} URL of the receiver
 * @param secret      the HMAC-SHA256 key of {@code X-Herald-Signature} (at least 32 bytes)
 * @param events      the events sent to this hook (never empty)
 * @param vacateDelay how long a channel must stay empty before {@code channel_vacated} is sent
 * @param maxAge      how long an event is retried before it is dropped (counted and logged)
 * @param timeout     deadline of one delivery request, from sending to the end of the answer
 * @param maxInFlight delivery requests to this hook one node has open at a time
 * @param maxQueue    events queued for this hook at most (cluster-wide with Redis); past it new events
 *                    are dropped and counted
 */
public record WebhookConfig(URI url, String secret, Set<WebhookEvent> events, Duration vacateDelay, Duration maxAge,
                            Duration timeout, int maxInFlight, int maxQueue) {
    public static final Duration DEFAULT_VACATE_DELAY = Duration.ofSeconds(5);
    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(1);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_IN_FLIGHT = 8;
    public static final int DEFAULT_MAX_QUEUE = 100_000;

    public WebhookConfig {
        events = Set.copyOf(events.isEmpty() ? EnumSet.noneOf(WebhookEvent.class) : EnumSet.copyOf(events));
    }

    /** A hook with every event and the default settings (tests, {@code HERALD_WEBHOOK_URL}). */
    public static WebhookConfig of(URI url, String secret) {
        return new WebhookConfig(url, secret, EnumSet.allOf(WebhookEvent.class), DEFAULT_VACATE_DELAY, DEFAULT_MAX_AGE,
                DEFAULT_TIMEOUT, DEFAULT_MAX_IN_FLIGHT, DEFAULT_MAX_QUEUE);
    }

    public WebhookConfig withTimings(Duration vacate, Duration age) {
        return new WebhookConfig(url, secret, events, vacate, age, timeout, maxInFlight, maxQueue);
    }

    public WebhookConfig withEvents(Set<WebhookEvent> value) {
        return new WebhookConfig(url, secret, value, vacateDelay, maxAge, timeout, maxInFlight, maxQueue);
    }

    /** The events as a bit mask ({@link WebhookEvent#bit()}). */
    public int mask() {
        int m = 0;
        for (WebhookEvent e : events) {
            m |= e.bit();
        }
        return m;
    }

    /**
     * The hook's id in the engine's state: a hash of its URL, so every node with the same hooks agrees
     * and reordering the list keeps each hook's queue.
     */
    public String id() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(url.toString().getBytes(StandardCharsets.UTF_8));
            return "h" + HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    /** The URL with any user info hidden, for logs. */
    public String redactedUrl() {
        return url.getRawUserInfo() == null ? url.toString() : url.toString().replace(url.getRawUserInfo() + "@", "***@");
    }

    @Override
    public String toString() {
        return "WebhookConfig[" + redactedUrl() + ", " + events + "]";
    }
}
