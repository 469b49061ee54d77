package io.herald.metrics;

import java.util.Locale;

/**
 * Why the node itself closed a plain HTTP connection (one that had not become a WebSocket or SSE
 * stream): the {@code cause} label of {@code herald_http_closed_total}.
 */
public enum HttpCloseCause {
    /** A new connection sent no complete request head within {@code http.head_timeout}. */
    HEAD_TIMEOUT,
    /** A keep-alive connection stayed silent between requests for {@code http.idle_timeout}. */
    IDLE_TIMEOUT,
    /** A request body arrived slower than {@code http.min_body_rate}. */
    BODY_TOO_SLOW,
    /** An answer could not be written within {@code client.write_timeout}: the client does not read. */
    WRITE_TIMEOUT,
    /** More than {@code http.max_pipelined} requests were sent ahead of their answers. */
    PIPELINE_LIMIT,
    /** The node's buffered request bodies reached {@code http.max_buffered_bodies}. */
    BODY_BUDGET,
    /** A socket accepted past {@code max_connections} plus its headroom, closed at once. */
    CONNECTION_CEILING;

    /** The label value. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
