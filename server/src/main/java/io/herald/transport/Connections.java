package io.herald.transport;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts the node's open client connections (WebSocket and SSE) for the connection limit and the
 * metrics; the connections themselves are listed by their loops' {@link LivenessSweeps}, so a
 * connection costs no entry in a shared set. Thread-safe.
 */
final class Connections {
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger sse = new AtomicInteger();
    private final int max;

    /** {@code max} open connections at most; 0 = unlimited. */
    Connections(int max) {
        this.max = max;
    }

    /** Counts a connection in unless the node is full. */
    boolean tryAdd(OpenConnection c) {
        while (true) {
            int n = count.get();
            if (max > 0 && n >= max) {
                return false;
            }
            if (count.compareAndSet(n, n + 1)) {
                if (c instanceof SseConnection) {
                    sse.incrementAndGet();
                }
                return true;
            }
        }
    }

    /** Counts out a connection that {@link #tryAdd} counted in. */
    void remove(OpenConnection c) {
        count.decrementAndGet();
        if (c instanceof SseConnection) {
            sse.decrementAndGet();
        }
    }

    int count() {
        return count.get();
    }

    /** Open SSE streams (the rest are WebSocket connections). */
    int sseCount() {
        return sse.get();
    }
}
