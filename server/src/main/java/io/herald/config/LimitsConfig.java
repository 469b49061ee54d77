package io.herald.config;

/**
 * Node-wide limits. Zero means unlimited.
 *
 * @param maxConnections     open connections on the node (a new one beyond: close 4008)
 * @param connectionsPerUser open connections of one user id on the node (beyond: close 4008);
 *                           anonymous connections are not counted per user
 * @param connectionRatePerIp new WebSocket connections per second from one IP address, burst twice
 *                           that (beyond: HTTP 429 on the upgrade)
 * @param apiRate            server API requests per second per API key, burst twice that
 *                           (beyond: HTTP 429 with Retry-After)
 * @param maxChannels        channels the node holds state for: streams of the memory engine, and
 *                           channels with local subscribers; a publish or subscribe that needs one
 *                           more is refused with {@code limit_exceeded}
 */
public record LimitsConfig(int maxConnections, int connectionsPerUser, int connectionRatePerIp, int apiRate,
                           int maxChannels) {
    public static final int DEFAULT_MAX_CHANNELS = 1_000_000;
    public static final LimitsConfig DEFAULTS = new LimitsConfig(100_000, 100, 100, 10_000, DEFAULT_MAX_CHANNELS);
    public static final LimitsConfig UNLIMITED = new LimitsConfig(0, 0, 0, 0, 0);

    /** The connection and request limits given, with the default channel limit. */
    public LimitsConfig(int maxConnections, int connectionsPerUser, int connectionRatePerIp, int apiRate) {
        this(maxConnections, connectionsPerUser, connectionRatePerIp, apiRate, DEFAULT_MAX_CHANNELS);
    }
}
