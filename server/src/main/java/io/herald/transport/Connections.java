package io.herald.transport;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The node's open client connections (WebSocket and SSE), for the connection limit, draining and metrics. Thread-safe. */
final class Connections {
    private final Set<OpenConnection> all = ConcurrentHashMap.newKeySet();
    private final AtomicInteger count = new AtomicInteger();
    private final int max;

    /** {@code max} open connections at most; 0 = unlimited. */
    Connections(int max) {
        this.max = max;
    }

    /** Adds a connection unless the node is full. */
    boolean tryAdd(OpenConnection c) {
        while (true) {
            int n = count.get();
            if (max > 0 && n >= max) {
                return false;
            }
            if (count.compareAndSet(n, n + 1)) {
                all.add(c);
                return true;
            }
        }
    }

    void remove(OpenConnection c) {
        if (all.remove(c)) {
            count.decrementAndGet();
        }
    }

    int count() {
        return count.get();
    }

    /** Bytes queued for all connections and not yet taken by their sockets. */
    long queuedBytes() {
        long sum = 0;
        for (OpenConnection c : all) {
            sum += c.queuedBytes();
        }
        return sum;
    }

    /** Open SSE streams (the rest are WebSocket connections). */
    int sseCount() {
        int n = 0;
        for (OpenConnection c : all) {
            if (c instanceof SseConnection) {
                n++;
            }
        }
        return n;
    }

    List<OpenConnection> snapshot() {
        return List.copyOf(all);
    }
}
