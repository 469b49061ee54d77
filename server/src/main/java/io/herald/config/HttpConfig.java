package io.herald.config;

import java.time.Duration;

/**
 * Deadlines and caps of plain HTTP requests (the server API, {@code /sse} and {@code /poll} before
 * their answer, {@code /publish}, health and metrics, and the upgrade request of {@code /ws}), so that
 * a silent, slow or non-reading peer costs bounded memory and time.
 *
 * @param headTimeout       time from the first byte of a request (or from the accept, on a new
 *                          connection) until its request line and headers are complete
 * @param idleTimeout       how long a keep-alive connection may stay silent between requests
 * @param minBodyRate       bytes per second a request body must average once it has had
 *                          {@code headTimeout} to start; slower uploads are answered 408 and closed
 * @param maxBufferedBodies bytes of request bodies the node holds at once across all connections;
 *                          a request whose body would go past it is answered 503 and closed
 * @param maxPipelined      requests one connection may send ahead of the answer it waits for; past
 *                          it the connection is closed after answering those
 * @param publicRatePerIp   requests per second one IP address may make to {@code /health},
 *                          {@code /ready} and {@code /metrics}, burst twice that (0 = unlimited)
 * @param metricsAuth       bearer token {@code /metrics} requires, or null for none
 */
public record HttpConfig(Duration headTimeout, Duration idleTimeout, long minBodyRate, long maxBufferedBodies,
                         int maxPipelined, int publicRatePerIp, String metricsAuth) {
    public static final HttpConfig DEFAULTS = new HttpConfig(Duration.ofSeconds(10), Duration.ofSeconds(60),
            1024, 64L * 1024 * 1024, 16, 50, null);

    public HttpConfig withTimeouts(Duration headTimeout, Duration idleTimeout) {
        return new HttpConfig(headTimeout, idleTimeout, minBodyRate, maxBufferedBodies, maxPipelined,
                publicRatePerIp, metricsAuth);
    }

    public HttpConfig withBodies(long minBodyRate, long maxBufferedBodies) {
        return new HttpConfig(headTimeout, idleTimeout, minBodyRate, maxBufferedBodies, maxPipelined,
                publicRatePerIp, metricsAuth);
    }

    public HttpConfig withRequests(int maxPipelined, int publicRatePerIp) {
        return new HttpConfig(headTimeout, idleTimeout, minBodyRate, maxBufferedBodies, maxPipelined,
                publicRatePerIp, metricsAuth);
    }

    public HttpConfig withMetricsAuth(String token) {
        return new HttpConfig(headTimeout, idleTimeout, minBodyRate, maxBufferedBodies, maxPipelined,
                publicRatePerIp, token);
    }
}
