package io.herald.engine;

/**
 * One node as {@code GET /api/info} lists it.
 *
 * @param startedMillis when the node started, in milliseconds since the epoch (0 when unknown: an
 *                      announcement of an older node)
 */
public record NodeLoad(String id, long connections, long subscriptions, long channels, long startedMillis) {
}
