package io.herald.config;

import java.time.Duration;

/**
 * Per-connection settings.
 *
 * @param ping             interval of server pings, also told to clients in {@code connected.ping}
 * @param pongTimeout      how long past a ping interval a silent connection is kept
 * @param connectTimeout   how long a connection may stay without its first frame
 * @param maxFrameSize     largest accepted inbound frame in bytes (close 4009 above)
 * @param maxQueueBytes    outbound bytes queued for one connection before it is closed as a slow
 *                         consumer (4004); reading from it pauses at a quarter of this
 * @param writeTimeout     how long a connection may stay unable to take writes before it is closed
 *                         as a slow consumer (4004)
 * @param maxSubscriptions subscriptions one connection may hold ({@code limit_exceeded} above)
 * @param commandRate      commands per second a connection may send on average (token bucket refill)
 * @param commandBurst     commands a connection may send at once (token bucket size); a connection
 *                         refused this many commands in a row is closed with 4001
 */
public record ClientConfig(Duration ping, Duration pongTimeout, Duration connectTimeout, int maxFrameSize,
                           long maxQueueBytes, Duration writeTimeout, int maxSubscriptions, int commandRate,
                           int commandBurst) {
    public static final ClientConfig DEFAULTS = new ClientConfig(Duration.ofSeconds(25), Duration.ofSeconds(10),
            Duration.ofSeconds(10), 64 * 1024, 1024 * 1024, Duration.ofSeconds(10), 1000, 100, 200);

    public ClientConfig withTimeouts(Duration ping, Duration pongTimeout, Duration connectTimeout) {
        return new ClientConfig(ping, pongTimeout, connectTimeout, maxFrameSize, maxQueueBytes, writeTimeout,
                maxSubscriptions, commandRate, commandBurst);
    }

    public ClientConfig withQueue(long maxQueueBytes, Duration writeTimeout) {
        return new ClientConfig(ping, pongTimeout, connectTimeout, maxFrameSize, maxQueueBytes, writeTimeout,
                maxSubscriptions, commandRate, commandBurst);
    }

    public ClientConfig withCommandLimits(int maxSubscriptions, int commandRate, int commandBurst) {
        return new ClientConfig(ping, pongTimeout, connectTimeout, maxFrameSize, maxQueueBytes, writeTimeout,
                maxSubscriptions, commandRate, commandBurst);
    }

    public ClientConfig withFrameSize(int maxFrameSize) {
        return new ClientConfig(ping, pongTimeout, connectTimeout, maxFrameSize, maxQueueBytes, writeTimeout,
                maxSubscriptions, commandRate, commandBurst);
    }
}
