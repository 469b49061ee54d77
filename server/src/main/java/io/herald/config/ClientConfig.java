package io.herald.config;

import java.time.Duration;

/**
 * Per-connection settings.
 *
 * @param ping           interval of server pings, also told to clients in {@code connected.ping}
 * @param pongTimeout    how long past a ping interval a silent connection is kept
 * @param connectTimeout how long a connection may stay without its first frame
 * @param maxFrameSize   largest accepted inbound frame in bytes (close 4009 above)
 */
public record ClientConfig(Duration ping, Duration pongTimeout, Duration connectTimeout, int maxFrameSize) {
    public static final ClientConfig DEFAULTS =
            new ClientConfig(Duration.ofSeconds(25), Duration.ofSeconds(10), Duration.ofSeconds(10), 64 * 1024);
}
