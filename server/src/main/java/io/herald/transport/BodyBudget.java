package io.herald.transport;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of HTTP request bodies the node buffers at once, across every connection, so that many
 * stalled uploads cannot fill the heap. A connection reserves each chunk as it arrives and gives the
 * reservation back once its request was handled or it closed. Thread-safe.
 */
final class BodyBudget {
    private final long max;
    private final AtomicLong used = new AtomicLong();

    BodyBudget(long max) {
        this.max = max;
    }

    /** Reserves {@code bytes}; false (and nothing reserved) when that would pass the cap. */
    boolean tryReserve(long bytes) {
        while (true) {
            long u = used.get();
            if (u + bytes > max) {
                return false;
            }
            if (used.compareAndSet(u, u + bytes)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        if (bytes > 0) {
            used.addAndGet(-bytes);
        }
    }

    /** Bytes reserved right now; for the metrics. */
    long used() {
        return used.get();
    }
}
