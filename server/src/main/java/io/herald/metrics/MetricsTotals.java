package io.herald.metrics;

import java.util.Map;

/**
 * The node's counters since start, read at one moment (each counter on its own, so not one atomic
 * cut), for the admin UI's charts: it keeps the differences between successive reads.
 *
 * @param closed       connections closed, by reason
 * @param rateLimited  requests refused by a limit, by limit
 * @param latencyBounds upper bounds (milliseconds) of the publish-to-write histogram's buckets
 * @param latencyCounts cumulative counts of those buckets (same length)
 * @param latencyTotal  latencies recorded, those past the last bound included
 */
public record MetricsTotals(long opened, Map<CloseReason, Long> closed, long publications, long deliveries,
                            long errors, long slowConsumers, Map<RateLimit, Long> rateLimited,
                            double[] latencyBounds, double[] latencyCounts, long latencyTotal) {
}
