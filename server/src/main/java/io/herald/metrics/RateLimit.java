package io.herald.metrics;

import java.util.Locale;

/**
 * The limit that refused a request: the {@code limit} label of {@code herald_rate_limited_total}
 * and the name in the node's rate-limit warnings.
 */
public enum RateLimit {
    /** {@code limits.api_rate}: server API requests per second per API key. */
    API,
    /** {@code limits.api_rate}: Pusher HTTP API requests per second per app (and requests in flight per app). */
    PUSHER_API,
    /** {@code limits.max_channels}: channels with state on the node or cluster. */
    MAX_CHANNELS,
    /** {@code client.max_subscriptions}: subscriptions of one connection. */
    SUBSCRIPTIONS,
    /** {@code client.command_rate}: commands per second of one connection or HTTP session. */
    COMMANDS,
    /** {@code limits.connections_per_user}: concurrent connections of one user. */
    CONNECTIONS_PER_USER,
    /** {@code http.public_rate_per_ip}: requests per second per address to the public endpoints. */
    PUBLIC_RATE_PER_IP,
    /** {@code limits.connection_rate_per_ip}: new connections per second per address. */
    CONNECTION_RATE_PER_IP,
    /** {@code limits.max_connections}: open connections of the node. */
    MAX_CONNECTIONS,
    /** {@code proxy.max_pending}: connect-proxy calls awaiting the backend's answer. */
    PROXY_CONNECT,
    /** {@code proxy.max_pending}: refresh-proxy calls awaiting the backend's answer. */
    PROXY_REFRESH,
    /** {@code proxy.max_pending}: subscribe-proxy calls awaiting the backend's answer. */
    PROXY_SUBSCRIBE,
    /** {@code proxy.max_pending}: publish-proxy calls awaiting the backend's answer. */
    PROXY_PUBLISH,
    /** {@code proxy.max_pending}: rpc-proxy calls awaiting the backend's answer. */
    PROXY_RPC,
    /** Admin UI login attempts per address (a burst of 5, then 5 a minute). */
    ADMIN_LOGIN;

    /** The label value. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
