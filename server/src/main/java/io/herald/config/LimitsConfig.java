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
 */
public record LimitsConfig(int maxConnections, int connectionsPerUser, int connectionRatePerIp, int apiRate) {
    public static final LimitsConfig DEFAULTS = new LimitsConfig(100_000, 100, 100, 10_000);
    public static final LimitsConfig UNLIMITED = new LimitsConfig(0, 0, 0, 0);
}
