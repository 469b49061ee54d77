package io.herald.engine;

/** One node as {@code GET /api/info} lists it. */
public record NodeLoad(String id, long connections, long subscriptions, long channels) {
}
