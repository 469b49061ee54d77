package io.herald.sdk.subscriber;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/** The validated settings of a {@link HeraldSubscriber} (see {@link HeraldSubscriberBuilder} for each). */
record SubscriberSettings(Duration minReconnectDelay, Duration maxReconnectDelay, Duration pingInterval,
                          Duration pongTimeout, Duration connectTimeout, Duration requestTimeout, int maxFrameBytes,
                          int maxQueuedFrames, long maxQueuedBytes, int maxOutboundFrames, String name, String version,
                          DoubleSupplier random) {
    SubscriberSettings {
        requirePositive(minReconnectDelay, "minReconnectDelay");
        if (maxReconnectDelay == null || maxReconnectDelay.compareTo(minReconnectDelay) < 0) {
            throw new IllegalArgumentException("maxReconnectDelay must be >= minReconnectDelay");
        }
        if (pingInterval == null || pingInterval.isNegative()) {
            throw new IllegalArgumentException("pingInterval must be zero (off) or positive");
        }
        requirePositive(pongTimeout, "pongTimeout");
        requirePositive(connectTimeout, "connectTimeout");
        requirePositive(requestTimeout, "requestTimeout");
        if (maxFrameBytes < 1024 || maxQueuedFrames < 2 || maxQueuedBytes < maxFrameBytes || maxOutboundFrames < 1) {
            throw new IllegalArgumentException("maxFrameBytes must be >= 1024, maxQueuedFrames >= 2,"
                    + " maxQueuedBytes >= maxFrameBytes, maxOutboundFrames >= 1");
        }
    }

    WsTransport.Limits limits() {
        return new WsTransport.Limits(maxFrameBytes, maxQueuedFrames, maxQueuedBytes, maxOutboundFrames);
    }

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + d);
        }
    }
}
